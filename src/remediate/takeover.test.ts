import { describe, expect, it } from "vitest";
import { takenOver } from "./takeover.js";
import type { JsonObject, KubeObject } from "../kube/value/json.js";

function entry(manager: string, operation: "Apply" | "Update", fieldsV1: JsonObject, subresource?: string) {
  return {
    manager,
    operation,
    apiVersion: "apps/v1",
    time: "2026-12-02T12:00:00Z",
    fieldsType: "FieldsV1",
    fieldsV1,
    ...(subresource === undefined ? {} : { subresource }),
  };
}

function withManagers(...managedFields: ReturnType<typeof entry>[]): KubeObject {
  return { apiVersion: "apps/v1", kind: "Deployment", metadata: { name: "web", managedFields } };
}

const replicas = { "f:spec": { "f:replicas": {} } };
const image = {
  "f:spec": {
    "f:template": { "f:spec": { "f:containers": { 'k:{"name":"web"}': { ".": {}, "f:image": {} } } } },
  },
};

describe("takenOver", () => {
  it("names what other managers lost, in the server's notation, and nothing when nobody lost anything", () => {
    const before = withManagers(
      entry("deployer", "Apply", { "f:spec": { "f:selector": {} } }),
      entry("kubectl-edit", "Update", { "f:spec": { ...replicas["f:spec"], ...image["f:spec"] } }),
      entry("kubectl", "Update", replicas, "scale"),
    );
    const after = withManagers(
      entry("deployer", "Apply", { "f:spec": { "f:selector": {} } }),
      entry("kubedrift", "Apply", replicas),
      entry("kubectl-edit", "Update", image),
    );
    expect(takenOver(before, after, "kubedrift")).toEqual([".spec.replicas"]);
    expect(takenOver(before, before, "kubedrift")).toEqual([]);
  });

  it("counts an Update entry of its own name as another manager, and names a list item by its key", () => {
    const item = {
      "f:spec": { "f:template": { "f:spec": { "f:containers": { 'k:{"name":"web"}': { ".": {} } } } } },
    };
    const before = withManagers(entry("kubedrift", "Update", image), entry("kubedrift", "Apply", replicas));
    const after = withManagers(
      entry("kubedrift", "Update", item),
      entry("kubedrift", "Apply", { "f:spec": { ...replicas["f:spec"], ...image["f:spec"] } }),
    );
    expect(takenOver(before, after, "kubedrift")).toEqual([
      '.spec.template.spec.containers[name="web"].image',
    ]);
  });

  it("gives up (undefined) on entries it cannot read, and on an object read without them", () => {
    const broken: KubeObject = {
      apiVersion: "v1",
      kind: "ConfigMap",
      metadata: { name: "x", managedFields: [{ manager: "m", operation: "Update", fieldsV1: ["f:data"] }] },
    };
    expect(takenOver(broken, withManagers(), "kubedrift")).toBeUndefined();
    expect(
      takenOver(withManagers(), withManagers(entry("kubedrift", "Apply", replicas)), "kubedrift"),
    ).toBeUndefined();
  });
});
