// The local node (`hack/cluster.sh up --with-node`): pods run the project image, reach each other
// by pod IP, Service address and cluster DNS name, and this machine reaches them too. Runs only
// when TEST_NODE_KUBECONFIG names such a cluster whose containerd holds the project image
// (`hack/cluster.sh load-image <archive from hack/image.sh>`); TEST_NODE_IMAGE overrides the image.
import { readFileSync } from "node:fs";
import { resolve } from "node:path";
import * as k8s from "@kubernetes/client-node";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { eventually } from "../support/eventually.js";
import { uniqueName } from "../support/kafka.js";

const kubeconfig = process.env.TEST_NODE_KUBECONFIG;
const pkg = JSON.parse(
  readFileSync(resolve(import.meta.dirname, "../../package.json"), "utf8"),
) as { version: string };
const image = process.env.TEST_NODE_IMAGE ?? `docker.io/library/streaming-orders:${pkg.version}`;

// The image's entrypoint is node: a tiny HTTP server stands in for a workload, so the test needs
// nothing but the node (no Kafka).
const server = `require("node:http").createServer((q, r) => r.end("hello from " + process.env.HOSTNAME)).listen(8080)`;

/** What the client pod prints: each target's answer or error, and DNS look-ups. */
function clientScript(targets: Record<string, string>, names: string[]): string {
  return `
const dns = require("node:dns").promises;
(async () => {
  const out = { http: {}, dns: {} };
  for (const [k, u] of Object.entries(${JSON.stringify(targets)})) {
    try { out.http[k] = await (await fetch(u, { signal: AbortSignal.timeout(5000) })).text(); }
    catch (e) { out.http[k] = "error: " + (e.cause?.code ?? e.message); }
  }
  for (const n of ${JSON.stringify(names)}) {
    try { out.dns[n] = (await dns.lookup(n)).address; } catch (e) { out.dns[n] = "error: " + e.code; }
  }
  console.log(JSON.stringify(out));
})();`;
}

describe.skipIf(!kubeconfig)("local node", () => {
  // Clients are made in beforeAll: a skipped suite's body still runs when it is collected.
  let core: k8s.CoreV1Api;
  let apps: k8s.AppsV1Api;
  const namespace = uniqueName("node");
  const labels = { app: "orders-producer" };
  let podIP = "";
  let podName = "";
  let clusterIP = "";

  beforeAll(async () => {
    const kc = new k8s.KubeConfig();
    kc.loadFromFile(kubeconfig ?? "");
    core = kc.makeApiClient(k8s.CoreV1Api);
    apps = kc.makeApiClient(k8s.AppsV1Api);
    await core.createNamespace({ body: { metadata: { name: namespace } } });
    // Pods need the namespace's default ServiceAccount, which the controller manager adds.
    await eventually("the default ServiceAccount", async () =>
      (await core.listNamespacedServiceAccount({ namespace })).items.some(
        (sa) => sa.metadata?.name === "default",
      )
        ? true
        : undefined,
    );
  });

  afterAll(async () => {
    await core.deleteNamespace({ name: namespace }).catch(() => undefined);
  });

  it("has one Ready node whose runtime is containerd", async () => {
    const nodes = (await core.listNode()).items;
    expect(nodes).toHaveLength(1);
    const node = nodes[0];
    const ready = node?.status?.conditions?.find((c) => c.type === "Ready");
    expect(ready?.status).toBe("True");
    expect(node?.status?.nodeInfo?.containerRuntimeVersion).toMatch(/^containerd:\/\//);
  });

  it("runs the project image, reachable from this machine by pod IP and ClusterIP", async () => {
    await apps.createNamespacedDeployment({
      namespace,
      body: {
        metadata: { name: "orders-producer", labels },
        spec: {
          replicas: 1,
          selector: { matchLabels: labels },
          template: {
            metadata: { labels },
            spec: {
              containers: [
                {
                  name: "web",
                  image,
                  imagePullPolicy: "Never",
                  args: ["-e", server],
                  ports: [{ containerPort: 8080 }],
                  readinessProbe: { httpGet: { path: "/", port: 8080 }, periodSeconds: 1 },
                },
              ],
            },
          },
        },
      },
    });
    const service = await core.createNamespacedService({
      namespace,
      body: {
        metadata: { name: "orders-producer" },
        spec: { selector: labels, ports: [{ port: 80, targetPort: 8080 }] },
      },
    });
    clusterIP = service.spec?.clusterIP ?? "";
    const pod = await eventually(
      "a Ready orders-producer pod",
      async () => {
        const pods = await core.listNamespacedPod({
          namespace,
          labelSelector: "app=orders-producer",
        });
        return pods.items.find((p) =>
          p.status?.conditions?.some((c) => c.type === "Ready" && c.status === "True"),
        );
      },
      90_000,
    );
    podIP = pod.status?.podIP ?? "";
    podName = pod.metadata?.name ?? "";
    expect(pod.status?.containerStatuses?.[0]?.image).toContain(
      image.replace(/^docker\.io\/library\//, ""),
    );

    const byPod = await (await fetch(`http://${podIP}:8080/`)).text();
    expect(byPod).toBe(`hello from ${podName}`);
    // The Service answers once kube-proxy has written its rules and the endpoint is ready.
    const byService = await eventually("the ClusterIP to answer", async () =>
      (await fetch(`http://${clusterIP}/`, { signal: AbortSignal.timeout(2000) })).text(),
    );
    expect(byService).toBe(`hello from ${podName}`);
  });

  it("another pod reaches it by pod IP, ClusterIP and cluster DNS name; other names do not resolve", async () => {
    expect(podIP).not.toBe("");
    const fqdn = `orders-producer.${namespace}.svc.cluster.local`;
    const targets = {
      podIP: `http://${podIP}:8080/`,
      clusterIP: `http://${clusterIP}/`,
      shortName: "http://orders-producer/",
      fqdn: `http://${fqdn}/`,
    };
    await core.createNamespacedPod({
      namespace,
      body: {
        metadata: { name: "client" },
        spec: {
          restartPolicy: "Never",
          containers: [
            {
              name: "client",
              image,
              imagePullPolicy: "Never",
              args: [
                "-e",
                clientScript(targets, [
                  fqdn,
                  "kubernetes.default.svc.cluster.local",
                  "example.com",
                ]),
              ],
            },
          ],
        },
      },
    });
    await eventually(
      "the client pod to finish",
      async () => {
        const phase = (await core.readNamespacedPod({ namespace, name: "client" })).status?.phase;
        if (phase === "Failed") throw new Error("client pod failed");
        return phase === "Succeeded" ? phase : undefined;
      },
      90_000,
    );
    const log = await core.readNamespacedPodLog({ namespace, name: "client" });
    const out = JSON.parse(log.trim().split("\n").at(-1) ?? "{}") as {
      http: Record<string, string>;
      dns: Record<string, string>;
    };
    const hello = `hello from ${podName}`;
    expect(out.http).toEqual({ podIP: hello, clusterIP: hello, shortName: hello, fqdn: hello });
    expect(out.dns[fqdn]).toBe(clusterIP);
    const kubernetes = await core.readNamespacedService({
      namespace: "default",
      name: "kubernetes",
    });
    expect(out.dns["kubernetes.default.svc.cluster.local"]).toBe(kubernetes.spec?.clusterIP);
    // No upstream resolver: names outside the cluster never leave the machine.
    expect(out.dns["example.com"]).toMatch(/^error: /);
  });
});
