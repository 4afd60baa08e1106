import { describe, expect, it } from "vitest";
import { renderApplyResult, renderPlan } from "./render.js";
import type { Plan } from "./types.js";
import type { ObjectRef } from "../kube/object.js";

const secretRef: ObjectRef = { group: "", version: "v1", kind: "Secret", namespace: "shop", name: "db" };
const deploymentRef: ObjectRef = {
  group: "apps",
  version: "v1",
  kind: "Deployment",
  namespace: "shop",
  name: "web",
};
const secret = {
  apiVersion: "v1",
  kind: "Secret",
  metadata: { name: "db", namespace: "shop" },
  stringData: { password: "hunter2" },
};

const plan: Plan = {
  cluster: "sandbox",
  validated: true,
  changes: [
    {
      action: "apply",
      ref: deploymentRef,
      resourceVersion: "12",
      body: {
        apiVersion: "apps/v1",
        kind: "Deployment",
        metadata: { name: "web", namespace: "shop" },
        spec: { replicas: 2 },
      },
      fields: [".spec.replicas"],
      removals: [],
      desired: { ref: deploymentRef, object: {}, source: { file: "app.yaml", line: 1 } },
      verdict: { ok: true, takesOver: [".spec.replicas"] },
    },
    {
      action: "apply",
      ref: secretRef,
      resourceVersion: "13",
      body: secret,
      fields: [".stringData.password"],
      removals: [
        { op: "test", path: "/data/token", value: "c2VjcmV0" },
        { op: "remove", path: "/data/token" },
      ],
      desired: { ref: secretRef, object: secret, source: { file: "app.yaml", line: 20 } },
      verdict: { ok: false, code: 422, message: 'Secret "db" is invalid' },
    },
  ],
  withheld: [{ ref: { ...deploymentRef, name: "old" }, reason: "extra: not deleted without --prune" }],
};

describe("rendering a plan", () => {
  it("shows the sparse body as YAML with the dry-run verdict, never a Secret's values", () => {
    expect(renderPlan(plan, "text"))
      .toBe(`~ Deployment shop/web: server-side apply of the drifted fields  [dry run: ok, takes over .spec.replicas]
  apply:
    apiVersion: apps/v1
    kind: Deployment
    metadata:
      name: web
      namespace: shop
    spec:
      replicas: 2

~ Secret shop/db: server-side apply of the drifted fields  [dry run: REJECTED (422): Secret "db" is invalid]
  JSON patch:
    test   /data/token = "(value hidden)"
    remove /data/token
  apply:
    apiVersion: v1
    kind: Secret
    metadata:
      name: db
      namespace: shop
    stringData:
      password: (value hidden)

Left alone:
  Deployment shop/old: extra: not deleted without --prune

Plan: 1 to update, 0 to create, 0 to delete, 1 rejected by the server's dry run.
`);
  });

  it("is a stable JSON document", () => {
    const document = JSON.parse(renderPlan(plan, "json")) as Record<string, unknown>;
    expect(document["apiVersion"]).toBe("kubedrift.dev/v1");
    expect(document["kind"]).toBe("Plan");
    expect(document["summary"]).toEqual({ update: 1, create: 0, delete: 0, rejected: 1 });
    expect((document["changes"] as unknown[])[0]).toEqual({
      action: "apply",
      apiVersion: "apps/v1",
      kind: "Deployment",
      namespace: "shop",
      name: "web",
      resourceVersion: "12",
      fields: [".spec.replicas"],
      body: {
        apiVersion: "apps/v1",
        kind: "Deployment",
        metadata: { name: "web", namespace: "shop" },
        spec: { replicas: 2 },
      },
      patch: [],
      dryRun: { ok: true, takesOver: [".spec.replicas"] },
    });
    expect(renderPlan(plan, "json")).not.toContain("hunter2");
    expect(renderPlan(plan, "json")).not.toContain("c2VjcmV0");
  });

  it("summarizes an apply", () => {
    const text = renderApplyResult(
      {
        dryRun: false,
        outcomes: [
          { ref: deploymentRef, action: "apply", status: "applied", forced: [".spec.replicas"] },
          { ref: secretRef, action: "apply", status: "failed", message: 'Secret "db" is invalid' },
        ],
        summary: { applied: 1, unchanged: 0, skipped: 0, stale: 0, rejected: 0, failed: 1 },
      },
      "text",
    );
    expect(text).toBe(`applied   apply  Deployment shop/web: took over .spec.replicas
failed    apply  Secret shop/db: Secret "db" is invalid
Apply: 1 applied, 0 unchanged, 0 skipped, 1 failed.
`);
  });
});
