import { describe, expect, it } from "vitest";
import type { DesiredObject, Drift, LiveObject, ResourceDrift } from "../model/index.js";
import { builtinSchema } from "../kube/schema/builtin.js";
import { buildPlan, removalPatch, restorePatch } from "./plan.js";
import { isCoveredBy, sparseBody } from "./sparse.js";
import { matchesOnly, OnlyRefError, parseOnly } from "./only.js";
import { defaultPlanOptions } from "./types.js";
import type { KubeObject } from "../kube/value/json.js";
import type { ObjectRef } from "../kube/object.js";

const deploymentRef: ObjectRef = {
  group: "apps",
  version: "v1",
  kind: "Deployment",
  namespace: "shop",
  name: "web",
};

const deployment: KubeObject = {
  apiVersion: "apps/v1",
  kind: "Deployment",
  metadata: { name: "web", namespace: "shop", labels: { app: "web", team: "shop" } },
  spec: {
    replicas: 3,
    selector: { matchLabels: { app: "web" } },
    template: {
      metadata: { labels: { app: "web" } },
      spec: {
        containers: [
          {
            name: "web",
            image: "nginx:1.27",
            args: ["--port", "80"],
            ports: [{ containerPort: 80 }, { containerPort: 443, name: "https" }],
          },
          { name: "sidecar", image: "envoy:1.30" },
        ],
        tolerations: [{ key: "a", operator: "Exists" }],
      },
    },
  },
};

function body(pointers: readonly string[]): ReturnType<typeof sparseBody> {
  return sparseBody(builtinSchema, deploymentRef, deployment, { drifted: pointers });
}

const identity = { apiVersion: "apps/v1", kind: "Deployment", metadata: { name: "web", namespace: "shop" } };

describe("the sparse server-side-apply body", () => {
  it("sets a container's image with the container's key, nothing else of it", () => {
    expect(body(["/spec/template/spec/containers/0/image"])).toEqual({
      body: {
        ...identity,
        spec: { template: { spec: { containers: [{ name: "web", image: "nginx:1.27" }] } } },
      },
      fields: ['.spec.template.spec.containers[name="web"].image'],
    });
  });

  it("sets replicas alone", () => {
    expect(body(["/spec/replicas"])).toEqual({
      body: { ...identity, spec: { replicas: 3 } },
      fields: [".spec.replicas"],
    });
  });

  it("puts back a removed port of a keyed list as one item, with its container's key", () => {
    expect(body(["/spec/template/spec/containers/0/ports/1"])).toEqual({
      body: {
        ...identity,
        spec: {
          template: {
            spec: { containers: [{ name: "web", ports: [{ containerPort: 443, name: "https" }] }] },
          },
        },
      },
      fields: ['.spec.template.spec.containers[name="web"].ports[containerPort=443,protocol=null]'],
    });
  });

  it("sets a label in metadata next to the identity", () => {
    expect(body(["/metadata/labels/team"])).toEqual({
      body: { ...identity, metadata: { name: "web", namespace: "shop", labels: { team: "shop" } } },
      fields: [".metadata.labels.team"],
    });
  });

  it("sends an atomic list whole, whichever item drifted", () => {
    expect(
      body(["/spec/template/spec/containers/0/args/1", "/spec/template/spec/tolerations/0/operator"]),
    ).toEqual({
      body: {
        ...identity,
        spec: {
          template: {
            spec: {
              containers: [{ name: "web", args: ["--port", "80"] }],
              tolerations: [{ key: "a", operator: "Exists" }],
            },
          },
        },
      },
      fields: ['.spec.template.spec.containers[name="web"].args', ".spec.template.spec.tolerations"],
    });
  });

  it("merges several drifts of one object into one body, list items in desired order", () => {
    const result = body([
      "/spec/template/spec/containers/1/image",
      "/spec/replicas",
      "/spec/template/spec/containers/0/image",
    ]);
    expect(result.body).toEqual({
      ...identity,
      spec: {
        replicas: 3,
        template: {
          spec: {
            containers: [
              { name: "web", image: "nginx:1.27" },
              { name: "sidecar", image: "envoy:1.30" },
            ],
          },
        },
      },
    });
  });
});

describe("conflicts the force rule may take over", () => {
  const fields = [
    '.spec.template.spec.containers[name="web"].image',
    ".spec.replicas",
    ".spec.template.spec.tolerations",
  ];

  it("covers the drifted fields and what lies within them", () => {
    expect(isCoveredBy(".spec.replicas", fields)).toBe(true);
    expect(isCoveredBy('.spec.template.spec.containers[name="web"].image', fields)).toBe(true);
    expect(isCoveredBy(".spec.template.spec.tolerations", fields)).toBe(true);
  });

  it("does not cover a field that did not drift", () => {
    expect(isCoveredBy('.spec.template.spec.containers[name="sidecar"].image', fields)).toBe(false);
    expect(isCoveredBy(".spec.replicasX", fields)).toBe(false);
    expect(isCoveredBy('.spec.template.spec.containers[name="web"].imagePullPolicy', fields)).toBe(false);
  });

  it("matches a key the server completed with a defaulted field", () => {
    const port = ['.spec.template.spec.containers[name="web"].ports[containerPort=443,protocol=null]'];
    expect(
      isCoveredBy(
        '.spec.template.spec.containers[name="web"].ports[containerPort=443,protocol="TCP"].name',
        port,
      ),
    ).toBe(true);
    expect(
      isCoveredBy(
        '.spec.template.spec.containers[name="web"].ports[containerPort=80,protocol="TCP"].name',
        port,
      ),
    ).toBe(false);
  });
});

function desiredOf(ref: ObjectRef, object: KubeObject): DesiredObject {
  return { ref, object, source: { file: "app.yaml", line: 1 } };
}

function liveOf(ref: ObjectRef, object: KubeObject, resourceVersion: string): LiveObject {
  const metadata = object["metadata"] as Record<string, unknown>;
  return { ref, object: { ...object, metadata: { ...metadata, resourceVersion } } };
}

const drift = (path: string, type: Drift["type"]): Drift => ({ path, type });

describe("removing fields another manager added", () => {
  it("tests each live value before removing it, later list items first", () => {
    const live: KubeObject = {
      metadata: { labels: { app: "web", hotfix: "yes" } },
      spec: {
        template: {
          spec: {
            containers: [
              {
                name: "web",
                env: [
                  { name: "A", value: "1" },
                  { name: "B", value: "2" },
                ],
              },
            ],
          },
        },
      },
    };
    expect(
      removalPatch(live, [
        drift("/spec/template/spec/containers/0/env/0", "Added"),
        drift("/metadata/labels/hotfix", "Added"),
        drift("/spec/template/spec/containers/0/env/1", "Added"),
        drift("/spec/replicas", "Changed"),
      ]),
    ).toEqual([
      { op: "test", path: "/metadata/labels/hotfix", value: "yes" },
      { op: "remove", path: "/metadata/labels/hotfix" },
      { op: "test", path: "/spec/template/spec/containers/0/env/1", value: { name: "B", value: "2" } },
      { op: "remove", path: "/spec/template/spec/containers/0/env/1" },
      { op: "test", path: "/spec/template/spec/containers/0/env/0", value: { name: "A", value: "1" } },
      { op: "remove", path: "/spec/template/spec/containers/0/env/0" },
    ]);
  });
});

describe("the plan", () => {
  const namespaceRef: ObjectRef = {
    group: "",
    version: "v1",
    kind: "Namespace",
    namespace: "",
    name: "shop",
  };
  const crdRef: ObjectRef = {
    group: "apiextensions.k8s.io",
    version: "v1",
    kind: "CustomResourceDefinition",
    namespace: "",
    name: "widgets.example.com",
  };
  const serviceRef: ObjectRef = { group: "", version: "v1", kind: "Service", namespace: "shop", name: "web" };
  const configRef: ObjectRef = {
    group: "",
    version: "v1",
    kind: "ConfigMap",
    namespace: "shop",
    name: "old",
  };
  const oldNamespaceRef: ObjectRef = { ...namespaceRef, name: "old" };
  const service: KubeObject = {
    apiVersion: "v1",
    kind: "Service",
    metadata: { name: "web" },
    spec: { ports: [{ port: 80 }] },
  };
  const resources: readonly ResourceDrift[] = [
    { ref: oldNamespaceRef, status: "Extra", drifts: [] },
    { ref: configRef, status: "Extra", drifts: [] },
    {
      ref: deploymentRef,
      status: "Drifted",
      drifts: [drift("/spec/replicas", "Changed"), drift("/metadata/labels/hotfix", "Added")],
    },
    { ref: serviceRef, status: "Missing", drifts: [] },
    { ref: crdRef, status: "Missing", drifts: [] },
    { ref: namespaceRef, status: "Missing", drifts: [] },
  ];
  const input = {
    report: { cluster: "sandbox", resources },
    desired: [
      desiredOf(deploymentRef, deployment),
      desiredOf(serviceRef, service),
      desiredOf(namespaceRef, { apiVersion: "v1", kind: "Namespace", metadata: { name: "shop" } }),
      desiredOf(crdRef, {
        apiVersion: "apiextensions.k8s.io/v1",
        kind: "CustomResourceDefinition",
        metadata: { name: "widgets.example.com" },
      }),
    ],
    live: [
      liveOf(
        deploymentRef,
        { ...deployment, metadata: { name: "web", namespace: "shop", labels: { hotfix: "yes" } } },
        "41",
      ),
      liveOf(
        configRef,
        { apiVersion: "v1", kind: "ConfigMap", metadata: { name: "old", namespace: "shop" } },
        "7",
      ),
      liveOf(oldNamespaceRef, { apiVersion: "v1", kind: "Namespace", metadata: { name: "old" } }, "3"),
    ],
    schema: builtinSchema,
  };

  it("creates Namespaces and CRDs first; deletes nothing without prune", () => {
    const plan = buildPlan({ ...input, options: defaultPlanOptions });
    expect(plan.changes.map((change) => `${change.action} ${change.ref.kind}/${change.ref.name}`)).toEqual([
      "create Namespace/shop",
      "create CustomResourceDefinition/widgets.example.com",
      "apply Deployment/web",
      "create Service/web",
    ]);
    expect(plan.withheld.map((item) => `${item.ref.kind}/${item.ref.name}: ${item.reason}`)).toEqual([
      "Namespace/old: extra: not deleted without --prune",
      "ConfigMap/old: extra: not deleted without --prune",
    ]);
    const apply = plan.changes[2];
    expect(
      apply?.action === "apply" && { rv: apply.resourceVersion, body: apply.body, removals: apply.removals },
    ).toEqual({
      rv: "41",
      body: { ...identity, spec: { replicas: 3 } },
      removals: [
        { op: "test", path: "/metadata/labels/hotfix", value: "yes" },
        { op: "remove", path: "/metadata/labels/hotfix" },
      ],
    });
    const create = plan.changes[3];
    expect(create?.action === "create" && create.body).toEqual({
      ...service,
      metadata: { name: "web", namespace: "shop" },
    });
  });

  it("deletes last with prune, a Namespace only with prune-namespaces, and last of all", () => {
    const pruned = buildPlan({ ...input, options: { ...defaultPlanOptions, prune: true } });
    expect(
      pruned.changes.filter((change) => change.action === "delete").map((change) => change.ref.name),
    ).toEqual(["old"]);
    expect(pruned.changes.at(-1)).toEqual({ action: "delete", ref: configRef, resourceVersion: "7" });
    expect(pruned.withheld.map((item) => item.reason)).toEqual([
      "extra Namespace: not deleted without --prune-namespaces",
    ]);
    const all = buildPlan({
      ...input,
      options: { ...defaultPlanOptions, prune: true, pruneNamespaces: true },
    });
    expect(all.changes.slice(-2).map((change) => `${change.action} ${change.ref.kind}`)).toEqual([
      "delete ConfigMap",
      "delete Namespace",
    ]);
  });

  it("keeps only what --only names", () => {
    const plan = buildPlan({
      ...input,
      options: { ...defaultPlanOptions, only: ["deployment.apps/shop/web", "Namespace/shop"] },
    });
    expect(plan.changes.map((change) => change.ref.kind)).toEqual(["Namespace", "Deployment"]);
  });
});

describe("--only references", () => {
  it("parses kind, optional group, namespace and name", () => {
    expect(parseOnly("Deployment.apps/shop/web")).toEqual({
      kind: "Deployment",
      group: "apps",
      namespace: "shop",
      name: "web",
    });
    expect(parseOnly("namespace/shop")).toEqual({ kind: "namespace", namespace: "", name: "shop" });
    expect(() => parseOnly("web")).toThrow(
      "--only web: expected KIND/NAMESPACE/NAME, or KIND/NAME for a cluster-scoped object",
    );
    expect(() => parseOnly("a/b/c/d")).toThrow(OnlyRefError);
  });

  it("matches kinds case-insensitively and groups when given", () => {
    expect(matchesOnly(deploymentRef, parseOnly("DEPLOYMENT/shop/web"))).toBe(true);
    expect(matchesOnly(deploymentRef, parseOnly("Deployment.extensions/shop/web"))).toBe(false);
    expect(matchesOnly(deploymentRef, parseOnly("Deployment/other/web"))).toBe(false);
  });
});

describe("putting back an item whose key changed", () => {
  it("replaces each of its fields where it is live, guarded by a test; adds what live lacks", () => {
    const drifts: readonly Drift[] = [
      {
        path: "/spec/ports/0/port",
        livePath: "/spec/ports/1/port",
        type: "Changed",
        desired: 80,
        live: 8080,
      },
      {
        path: "/spec/ports/0/targetPort",
        livePath: "/spec/ports/1/targetPort",
        type: "Removed",
        desired: 8080,
      },
      { path: "/spec/replicas", type: "Changed", desired: 2, live: 3 },
    ];
    expect(restorePatch(drifts)).toEqual([
      { op: "test", path: "/spec/ports/1/port", value: 8080 },
      { op: "replace", path: "/spec/ports/1/port", value: 80 },
      { op: "add", path: "/spec/ports/1/targetPort", value: 8080 },
    ]);
  });
});
