import type { TestProject } from "vitest/node";
import {
  clusterService,
  ensureUp,
  kafkaService,
  stopIfStarted,
} from "../../hack/local-services.js";

declare module "vitest" {
  export interface ProvidedContext {
    kafkaBrokers: string;
    kubeconfig: string;
  }
}

/** Starts Kafka and the cluster once per run (reusing them if up) and stops what it started. */
export default async function setup(project: TestProject) {
  // Both start in parallel: the cluster's first build is the long pole.
  const [kafka, cluster] = await Promise.all([
    ensureUp(kafkaService(process.env.TEST_KAFKA_BROKERS)),
    ensureUp(clusterService(process.env.TEST_KUBECONFIG)),
  ]);
  project.provide("kafkaBrokers", kafka.address);
  project.provide("kubeconfig", cluster.address);
  return async () => {
    await Promise.all([stopIfStarted(kafka), stopIfStarted(cluster)]);
  };
}
