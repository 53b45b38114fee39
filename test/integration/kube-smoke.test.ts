import * as k8s from "@kubernetes/client-node";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { eventually } from "../support/eventually.js";
import { uniqueName } from "../support/kafka.js";
import { testKubeConfig } from "../support/kube.js";

const kc = testKubeConfig();
const core = kc.makeApiClient(k8s.CoreV1Api);
const apps = kc.makeApiClient(k8s.AppsV1Api);
const extensions = kc.makeApiClient(k8s.ApiextensionsV1Api);
const customObjects = kc.makeApiClient(k8s.CustomObjectsApi);
const namespace = uniqueName("smoke");

const group = "smoke.streaming-orders.io";
const plural = "widgets";
const crd: k8s.V1CustomResourceDefinition = {
  apiVersion: "apiextensions.k8s.io/v1",
  kind: "CustomResourceDefinition",
  metadata: { name: `${plural}.${group}` },
  spec: {
    group,
    scope: "Namespaced",
    names: { plural, singular: "widget", kind: "Widget" },
    versions: [
      {
        name: "v1",
        served: true,
        storage: true,
        schema: {
          openAPIV3Schema: {
            type: "object",
            properties: {
              spec: {
                type: "object",
                required: ["size"],
                properties: { size: { type: "integer", minimum: 1, maximum: 10 } },
              },
            },
          },
        },
      },
    ],
  },
};

beforeAll(async () => {
  await core.createNamespace({ body: { metadata: { name: namespace } } });
});

afterAll(async () => {
  await core.deleteNamespace({ name: namespace });
  await extensions.deleteCustomResourceDefinition({ name: crd.metadata?.name ?? "" });
});

/** The API server's Status message for a refused request. */
async function refusal(request: Promise<unknown>): Promise<{ code: number; message: string }> {
  try {
    await request;
  } catch (err) {
    if (err instanceof k8s.ApiException) {
      const body = JSON.parse(String(err.body)) as { message: string };
      return { code: err.code, message: body.message };
    }
    throw err;
  }
  throw new Error("the request was accepted");
}

describe("the local Kubernetes API server", () => {
  it("installs a CRD and rejects a custom resource that breaks its schema with the schema's message", async () => {
    await extensions.createCustomResourceDefinition({ body: crd });
    await eventually("the CRD to be established", async () => {
      const got = await extensions.readCustomResourceDefinition({ name: crd.metadata?.name ?? "" });
      return got.status?.conditions?.some((c) => c.type === "Established" && c.status === "True")
        ? true
        : undefined;
    });
    const widget = (size: number) => ({
      apiVersion: `${group}/v1`,
      kind: "Widget",
      metadata: { name: `w${size}` },
      spec: { size },
    });

    const { code, message } = await refusal(
      customObjects.createNamespacedCustomObject({
        group,
        version: "v1",
        namespace,
        plural,
        body: widget(11),
      }),
    );
    expect(code).toBe(422);
    expect(message).toContain(
      "spec.size: Invalid value: 11: spec.size in body should be less than or equal to 10",
    );

    const created = await customObjects.createNamespacedCustomObject({
      group,
      version: "v1",
      namespace,
      plural,
      body: widget(3),
    });
    expect(created.spec.size).toBe(3);
  });

  it("runs the controller-manager: a Deployment gets a ReplicaSet, which is garbage-collected with it", async () => {
    const labels = { app: "smoke" };
    await apps.createNamespacedDeployment({
      namespace,
      body: {
        metadata: { name: "smoke", labels },
        spec: {
          replicas: 1,
          selector: { matchLabels: labels },
          template: {
            metadata: { labels },
            spec: { containers: [{ name: "main", image: "registry.k8s.io/pause:3.10" }] },
          },
        },
      },
    });
    const replicaSet = await eventually("a ReplicaSet owned by the Deployment", async () => {
      const list = await apps.listNamespacedReplicaSet({ namespace, labelSelector: "app=smoke" });
      return list.items.find((rs) => rs.metadata?.ownerReferences?.[0]?.name === "smoke");
    });
    expect(replicaSet.spec?.replicas).toBe(1);

    await apps.deleteNamespacedDeployment({
      name: "smoke",
      namespace,
      propagationPolicy: "Background",
    });
    await eventually("the ReplicaSet to be garbage-collected", async () => {
      const list = await apps.listNamespacedReplicaSet({ namespace, labelSelector: "app=smoke" });
      return list.items.length === 0 ? true : undefined;
    });
  });
});
