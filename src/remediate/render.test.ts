import { stripVTControlCharacters, styleText } from "node:util";
import { describe, expect, it } from "vitest";
import { refKey } from "../model/index.js";
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
      .toBe(`~ Deployment shop/web: server-side apply of the drifted fields  [dry run: ok, takes over spec.replicas]
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
    test   data.token = "(value hidden)"
    remove data.token
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
    expect(text).toBe(`applied   apply  Deployment shop/web: took over spec.replicas
failed    apply  Secret shop/db: Secret "db" is invalid
Apply: 1 applied, 0 unchanged, 0 skipped, 1 failed.
`);
  });
});

describe("field paths in the text plan and apply result", () => {
  const webDesired = {
    apiVersion: "apps/v1",
    kind: "Deployment",
    metadata: { name: "web", namespace: "shop", labels: { "app.kubernetes.io/name": "web" } },
    spec: {
      template: {
        spec: {
          containers: [
            { name: "sidecar", image: "busybox:1.36" },
            { name: "web", image: "nginx:1.27", ports: [{ containerPort: 8080 }] },
          ],
        },
      },
    },
  };
  const webLive = {
    ...webDesired,
    metadata: { ...webDesired.metadata, labels: { "app.kubernetes.io/name": "web", team: "payments" } },
    spec: {
      template: {
        spec: {
          containers: [
            { name: "web", image: "nginx:1.28", env: [{ name: "DEBUG", value: "1" }] },
            { name: "sidecar", image: "busybox:1.36" },
          ],
        },
      },
    },
  };
  const named: Plan = {
    cluster: "sandbox",
    validated: true,
    changes: [
      {
        action: "apply",
        ref: deploymentRef,
        resourceVersion: "12",
        body: { apiVersion: "apps/v1", kind: "Deployment", metadata: { name: "web", namespace: "shop" } },
        fields: ['.spec.template.spec.containers[name="web"].image'],
        released: ['.spec.template.spec.containers[name="web"].ports[containerPort=8080,protocol="TCP"]'],
        removals: [
          { op: "test", path: "/metadata/labels/team", value: "payments" },
          { op: "remove", path: "/metadata/labels/team" },
          {
            op: "test",
            path: "/spec/template/spec/containers/0/env/0",
            value: { name: "DEBUG", value: "1" },
          },
          { op: "remove", path: "/spec/template/spec/containers/0/env/0" },
        ],
        desired: { ref: deploymentRef, object: webDesired, source: { file: "web.yaml", line: 1 } },
        verdict: {
          ok: true,
          takesOver: [
            '.spec.template.spec.containers[name="web"].image',
            ".metadata.labels.app.kubernetes.io/name",
          ],
        },
      },
    ],
    withheld: [],
  };

  it("names fields as the diff does, list items by key where the objects say which", () => {
    const objects = new Map([[refKey(deploymentRef), { desired: webDesired, live: webLive }]]);
    const text = renderPlan(named, "text", { objects });
    expect(text).toContain(
      '[dry run: ok, takes over spec.template.spec.containers[name=web].image, metadata.labels["app.kubernetes.io/name"]]',
    );
    expect(text).toContain(`  JSON patch:
    test   metadata.labels.team = "payments"
    remove metadata.labels.team
    test   spec.template.spec.containers[name=web].env[name=DEBUG] = {"name":"DEBUG","value":"1"}
    remove spec.template.spec.containers[name=web].env[name=DEBUG]
`);
    expect(text)
      .toContain(`  no longer in the desired state, given up (removed unless another manager owns them):
    spec.template.spec.containers[name=web].ports[containerPort=8080]
`);
    expect(text).not.toMatch(/ \/(metadata|spec)\//);
    expect(text).not.toContain('[name="web"]');
  });

  it("without the live objects names what the patch's own tests say, the rest by index", () => {
    expect(renderPlan(named, "text")).toContain(
      `    remove spec.template.spec.containers[0].env[name=DEBUG]\n`,
    );
  });

  it("keeps JSON Pointers and the server's names in -o json", () => {
    const document = JSON.parse(renderPlan(named, "json")) as {
      changes: readonly { patch: readonly { path: string }[]; fields: readonly string[] }[];
    };
    expect(document.changes[0]?.patch.map((operation) => operation.path)).toEqual([
      "/metadata/labels/team",
      "/metadata/labels/team",
      "/spec/template/spec/containers/0/env/0",
      "/spec/template/spec/containers/0/env/0",
    ]);
    expect(document.changes[0]?.fields).toEqual(['.spec.template.spec.containers[name="web"].image']);
  });

  it("names the fields apply took over as the diff does", () => {
    const text = renderApplyResult(
      {
        dryRun: false,
        outcomes: [
          {
            ref: deploymentRef,
            action: "apply",
            status: "applied",
            forced: ['.spec.template.spec.containers[name="web"].image'],
          },
        ],
        summary: { applied: 1, unchanged: 0, skipped: 0, stale: 0, rejected: 0, failed: 0 },
      },
      "text",
      { plan: named },
    );
    expect(text).toContain(
      "applied   apply  Deployment shop/web: took over spec.template.spec.containers[name=web].image\n",
    );
  });
});

describe("colour in plan and apply", () => {
  const style = (format: Parameters<typeof styleText>[0], value: string): string =>
    styleText(format, value, { validateStream: false });

  it("colours the plan like the diff: ~ yellow, + green, - red, removals red, tests dim", () => {
    const deletion: Plan = {
      cluster: "sandbox",
      validated: false,
      changes: [
        ...plan.changes,
        {
          action: "create",
          ref: secretRef,
          body: secret,
          desired: { ref: secretRef, object: secret, source: { file: "app.yaml", line: 20 } },
        },
        { action: "delete", ref: { ...deploymentRef, name: "old" }, resourceVersion: "3" },
      ] as Plan["changes"],
      withheld: [],
    };
    const text = renderPlan(deletion, "text", { color: true });
    expect(text).toContain(
      `${style("yellow", "~")} ${style("bold", "Deployment shop/web")}: server-side apply`,
    );
    expect(text).toContain(`${style("green", "+")} ${style("bold", "Secret shop/db")}: create`);
    expect(text).toContain(`${style("red", "-")} ${style("bold", "Deployment shop/old")}: delete`);
    expect(text).toContain(`    ${style("red", "remove data.token")}\n`);
    expect(text).toContain(`    ${style("dim", 'test   data.token = "(value hidden)"')}\n`);
    expect(text).toContain(style("red", '[dry run: REJECTED (422): Secret "db" is invalid]'));
    expect(
      text.endsWith(
        `${style("bold", "Plan: 1 to update, 1 to create, 1 to delete, 1 rejected by the server's dry run.")}\n`,
      ),
    ).toBe(true);
  });

  it("colours apply's statuses, and nothing at all when colour is off", () => {
    const result = {
      dryRun: false,
      outcomes: [
        { ref: deploymentRef, action: "apply", status: "applied" },
        { ref: secretRef, action: "apply", status: "failed", message: "no" },
      ],
      summary: { applied: 1, unchanged: 0, skipped: 0, stale: 0, rejected: 0, failed: 1 },
    } as const;
    const coloured = renderApplyResult(result, "text", { color: true });
    expect(coloured).toContain(`${style("green", "applied  ")} apply  Deployment shop/web`);
    expect(coloured).toContain(`${style("red", "failed   ")} apply  Secret shop/db: no`);
    for (const output of [
      renderApplyResult(result, "text"),
      renderApplyResult(result, "text", { color: false }),
      renderPlan(plan, "text", { color: false }),
      renderPlan(plan, "text"),
      renderPlan({ ...plan, changes: [], withheld: [] }, "text"),
    ])
      expect(stripVTControlCharacters(output)).toBe(output);
    expect(renderPlan({ ...plan, changes: [], withheld: [] }, "text", { color: true })).toBe(
      `${style("green", "No changes: the cluster matches the desired state.")}\n`,
    );
  });
});
