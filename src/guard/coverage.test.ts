import { describe, expect, it } from "vitest";
import { refOf } from "../kube/object.js";
import type { KubeObject } from "../kube/value/json.js";
import { unprotectedParts } from "./coverage.js";

const deployment: KubeObject = {
  apiVersion: "apps/v1",
  kind: "Deployment",
  metadata: { name: "web", namespace: "shop" },
  spec: {
    replicas: 2,
    progressDeadlineSeconds: 1.5,
    template: { spec: { volumes: [{ emptyDir: {} }] } },
  },
};
const desired = { ref: refOf(deployment), object: deployment, source: { file: "web.yaml", line: 1 } };

describe("unprotectedParts", () => {
  it("names an object the guard only warns about, and the fields the policies cannot pin", () => {
    const parts = unprotectedParts({ default: "warn", allow: { users: [], groups: [] }, rules: [] }, desired);
    expect(parts).toEqual([
      {
        path: "",
        message: "the guard lets writes to it through with a warning (action warn): nothing stops a change",
      },
      {
        path: "/spec/progressDeadlineSeconds",
        message:
          "spec.progressDeadlineSeconds: the generated ValidatingAdmissionPolicies cannot pin it (1.5 has no exact CEL literal); only the guard webhook protects it",
      },
      {
        path: "/spec/template/spec/volumes/0",
        message:
          "spec.template.spec.volumes[0]: the generated ValidatingAdmissionPolicies cannot pin it (an item of a list without a key to find it by); only the guard webhook protects it",
      },
    ]);
  });

  it("says nothing of the whole object under deny", () => {
    const parts = unprotectedParts(
      {
        default: "warn",
        allow: { users: [], groups: [] },
        rules: [{ kinds: ["apps/Deployment"], action: "deny" }],
      },
      desired,
    );
    expect(parts.map((part) => part.path)).toEqual([
      "/spec/progressDeadlineSeconds",
      "/spec/template/spec/volumes/0",
    ]);
  });
});
