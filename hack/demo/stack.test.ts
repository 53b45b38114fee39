import { describe, expect, it } from "vitest";
import { parseKeyValues, partsDown } from "./stack.js";

describe("parseKeyValues", () => {
  it("reads key=value lines, values may hold '=' and other lines are skipped", () => {
    expect(
      parseKeyValues(
        "kubeconfig=/r/admin.kubeconfig\nnoise\nimage=a/b:1=x\n pod-bootstrap=10.243.7.1:29192\n",
      ),
    ).toEqual({
      kubeconfig: "/r/admin.kubeconfig",
      image: "a/b:1=x",
      "pod-bootstrap": "10.243.7.1:29192",
    });
  });
});

describe("partsDown", () => {
  it("names only the parts reported down", () => {
    expect(partsDown({ cluster: "down", kafka: "up" })).toEqual(["cluster"]);
    expect(partsDown({ cluster: "up-without-node", kafka: "down" })).toEqual(["kafka"]);
    expect(partsDown({ cluster: "up", kafka: "up" })).toEqual([]);
  });
});
