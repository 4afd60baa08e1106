/**
 * The contract of the `Cluster` port (src/cluster/types.ts), written once and run against both
 * implementations:
 *
 * - the client-node cluster (`connectCluster`) against a running sandbox, and
 * - the live file (`openLiveFile`) fed with what the real kubectl printed for the same sandbox
 *   (`kubectl get … -A -o yaml --show-managed-fields`).
 *
 * The expected objects are kubectl's own JSON output of the sandbox, not either implementation's.
 * Where the two implementations must differ (their name, custom kinds' verbs, writes), the subject
 * says so in `differences` and the suite checks each side of the difference explicitly.
 */
import { readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { parse as parseYaml } from "yaml";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { connectCluster, openLiveFile } from "../../src/cluster/index.js";
import type { Cluster, ServedResource } from "../../src/cluster/index.js";
import { startSandbox } from "../../src/sandbox/index.js";
import type { RunningSandbox } from "../../src/sandbox/index.js";
import type { JsonObject, JsonValue } from "../../src/kube/value/json.js";
import { isJsonObject } from "../../src/kube/value/json.js";
import { kubectlOk, scratchDirectory } from "../support/kubectl.js";

// ---------------------------------------------------------------------------
// the cluster both implementations look at

const crd = (plural: string, kind: string, scope: "Namespaced" | "Cluster"): string => `
apiVersion: apiextensions.k8s.io/v1
kind: CustomResourceDefinition
metadata:
  name: ${plural}.example.com
spec:
  group: example.com
  names: { kind: ${kind}, plural: ${plural}, singular: ${kind.toLowerCase()} }
  scope: ${scope}
  versions:
  - name: v1
    served: true
    storage: true
    schema:
      openAPIV3Schema:
        type: object
        properties:
          spec:
            type: object
            properties:
              size: { type: string }
`;

const customObjects = `apiVersion: example.com/v1
kind: Widget
metadata: { name: w1, namespace: shop }
spec: { size: small }
---
apiVersion: example.com/v1
kind: Widget
metadata: { name: w2, namespace: other }
spec: { size: large }
---
apiVersion: example.com/v1
kind: Gizmo
metadata: { name: g1 }
spec: { size: medium }
`;

const clusterRole = `apiVersion: rbac.authorization.k8s.io/v1
kind: ClusterRole
metadata: { name: drift-reader }
rules:
- apiGroups: [apps]
  resources: [deployments]
  verbs: [get, list]
`;

/** The kinds the contract names: group, resource, kind, version, scope. */
const kinds = [
  { group: "", resource: "namespaces", kind: "Namespace", version: "v1", namespaced: false },
  { group: "", resource: "configmaps", kind: "ConfigMap", version: "v1", namespaced: true },
  { group: "", resource: "services", kind: "Service", version: "v1", namespaced: true },
  { group: "apps", resource: "deployments", kind: "Deployment", version: "v1", namespaced: true },
  {
    group: "rbac.authorization.k8s.io",
    resource: "clusterroles",
    kind: "ClusterRole",
    version: "v1",
    namespaced: false,
  },
  {
    group: "apiextensions.k8s.io",
    resource: "customresourcedefinitions",
    kind: "CustomResourceDefinition",
    version: "v1",
    namespaced: false,
  },
  { group: "example.com", resource: "widgets", kind: "Widget", version: "v1", namespaced: true },
  { group: "example.com", resource: "gizmos", kind: "Gizmo", version: "v1", namespaced: false },
] as const;

const kubectlKinds = kinds.map((entry) =>
  entry.group === "" ? entry.resource : `${entry.resource}.${entry.group}`,
);

const scratch = scratchDirectory();
let sandbox: RunningSandbox;
/** kubectl's JSON of every object of `kinds`: the expected answer for both implementations. */
let expected: readonly JsonObject[];
/** kubectl's YAML of the same objects, as a user would save it for `--live-file`. */
let liveFilePath: string;

async function kubectlItems(
  format: "json" | "yaml",
): Promise<{ text: string; items: readonly JsonObject[] }> {
  const printed = await kubectlOk(sandbox, [
    "get",
    kubectlKinds.join(","),
    "-A",
    "-o",
    format,
    "--show-managed-fields",
  ]);
  const parsed: unknown = format === "json" ? JSON.parse(printed.stdout) : parseYaml(printed.stdout);
  if (!isJsonObject(parsed) || !Array.isArray(parsed["items"]))
    throw new Error(`kubectl printed no List: ${printed.stdout.slice(0, 200)}`);
  return { text: printed.stdout, items: (parsed["items"] as JsonValue[]).filter(isJsonObject) };
}

beforeAll(async () => {
  sandbox = await startSandbox({ kubeconfigPath: join(scratch.path, "kubeconfig") });
  for (const namespace of ["shop", "other"]) await kubectlOk(sandbox, ["create", "namespace", namespace]);
  await kubectlOk(sandbox, ["apply", "-f", "-"], {
    input: [crd("widgets", "Widget", "Namespaced"), crd("gizmos", "Gizmo", "Cluster")].join("---\n"),
  });
  await kubectlOk(sandbox, [
    "create",
    "deployment",
    "web",
    "--image=nginx:1.27",
    "--replicas=2",
    "-n",
    "shop",
  ]);
  await kubectlOk(sandbox, ["create", "deployment", "api", "--image=busybox:1.36", "-n", "other"]);
  await kubectlOk(sandbox, ["create", "service", "clusterip", "web", "--tcp=80:8080", "-n", "shop"]);
  await kubectlOk(sandbox, ["create", "configmap", "settings", "--from-literal=mode=fast", "-n", "shop"]);
  // A field of another manager, so that managedFields hold more than one entry.
  await kubectlOk(sandbox, ["label", "deployment", "web", "tier=front", "-n", "shop"]);
  await kubectlOk(sandbox, ["apply", "--server-side", "-f", "-"], {
    input: `${customObjects}---\n${clusterRole}`,
  });
  // Namespaces get their ServiceAccount and kube-root-ca.crt asynchronously: wait for a state that holds still.
  let previous = "";
  for (let attempt = 0; attempt < 40; attempt += 1) {
    const { text, items } = await kubectlItems("json");
    if (text === previous) {
      expected = items;
      break;
    }
    previous = text;
    await new Promise((resolve) => setTimeout(resolve, 250));
  }
  if (expected === undefined) throw new Error("the sandbox's objects did not settle");
  const yaml = await kubectlItems("yaml");
  expect(yaml.items, "kubectl's YAML and JSON of the same state").toEqual(expected);
  liveFilePath = join(scratch.path, "live.yaml");
  writeFileSync(liveFilePath, yaml.text);
});

afterAll(async () => {
  await sandbox?.stop();
  scratch.remove();
});

// ---------------------------------------------------------------------------
// the contract

/** How an implementation is opened, and where it must differ from the other one. */
interface Subject {
  readonly label: string;
  readonly open: () => Promise<Cluster>;
  readonly differences: {
    /** What `name` says: the kubeconfig context, or the live file's path. */
    readonly name: () => string;
    /** Writes: a real cluster takes them, a live file cannot. */
    readonly writes: boolean;
    /**
     * The verbs of a custom kind: discovery's full set from a real cluster; a live file knows
     * only that it can list what it holds.
     */
    readonly customVerbs: "discovered" | "list only";
  };
}

function gvk(entry: (typeof kinds)[number]): { group: string; version: string; kind: string } {
  return { group: entry.group, version: entry.version, kind: entry.kind };
}

function metadataOf(object: JsonObject): JsonObject {
  const metadata = object["metadata"];
  return isJsonObject(metadata) ? metadata : {};
}

function textOf(value: JsonValue | undefined): string {
  return typeof value === "string" ? value : "";
}

function apiGroup(object: JsonObject): string {
  const apiVersion = textOf(object["apiVersion"]);
  return apiVersion.includes("/") ? apiVersion.split("/")[0] : "";
}

/** The expected objects of one kind, in one namespace or all; sorted as `sorted` sorts. */
function expectedOf(entry: (typeof kinds)[number], namespace: string | undefined): readonly JsonObject[] {
  return expected.filter(
    (object) =>
      object["kind"] === entry.kind &&
      apiGroup(object) === entry.group &&
      (namespace === undefined || !entry.namespaced || metadataOf(object)["namespace"] === namespace),
  );
}

function key(object: JsonObject): string {
  const metadata = metadataOf(object);
  return `${textOf(metadata["namespace"])}/${textOf(metadata["name"])}`;
}

/** The port promises no order; both sides are compared in one. */
function sorted<T>(items: readonly T[], keyOf: (item: T) => string): readonly T[] {
  return [...items].sort((a, b) => keyOf(a).localeCompare(keyOf(b)));
}

function clusterContract(subject: Subject): void {
  describe(`the Cluster port: ${subject.label}`, () => {
    let cluster: Cluster;
    let served: readonly ServedResource[];

    beforeAll(async () => {
      cluster = await subject.open();
      served = await cluster.resources();
    });

    function resourceOf(entry: (typeof kinds)[number]): ServedResource {
      const found = served.find((item) => item.group === entry.group && item.kind === entry.kind);
      if (found === undefined)
        throw new Error(`${entry.kind}.${entry.group} is not served by ${subject.label}`);
      return found;
    }

    it("names itself, and defaults namespaced objects to the context's namespace", () => {
      expect(cluster.name).toBe(subject.differences.name());
      expect(cluster.namespace).toBe("default");
    });

    it("discovery contains every kind listed, with its plural, preferred version and scope", () => {
      for (const entry of kinds) {
        const resource = resourceOf(entry);
        expect(
          {
            group: resource.group,
            version: resource.version,
            kind: resource.kind,
            resource: resource.resource,
          },
          entry.kind,
        ).toEqual({ group: entry.group, version: entry.version, kind: entry.kind, resource: entry.resource });
        expect(resource.namespaced, `${entry.kind} namespaced`).toBe(entry.namespaced);
        expect(resource.verbs, `${entry.kind} verbs`).toContain("list");
      }
      // Discovery lists each group/kind once, at one version.
      const keys = served.map((item) => `${item.group}/${item.kind}`);
      expect(new Set(keys).size).toBe(keys.length);
    });

    it(`custom kinds' verbs: ${subject.differences.customVerbs}`, () => {
      const verbs = resourceOf(kinds[6]).verbs;
      if (subject.differences.customVerbs === "list only") expect(verbs).toEqual(["list"]);
      else expect(verbs).toEqual(expect.arrayContaining(["get", "list", "watch", "patch", "delete"]));
    });

    it("lists, for all namespaces, exactly the objects kubectl prints, managedFields included", async () => {
      for (const entry of kinds) {
        const listed = await cluster.list(resourceOf(entry), undefined);
        const want = expectedOf(entry, undefined);
        expect(want.length, `${entry.kind}: objects to compare`).toBeGreaterThan(0);
        expect(
          sorted(
            listed.map((live) => live.object),
            key,
          ),
          entry.kind,
        ).toEqual(sorted(want, key));
      }
    });

    it("gives every object its ref: group, version, kind, namespace ('' when cluster-scoped), name", async () => {
      for (const entry of kinds) {
        const listed = await cluster.list(resourceOf(entry), undefined);
        for (const live of listed) {
          const metadata = metadataOf(live.object);
          expect(live.ref).toEqual({
            ...gvk(entry),
            namespace: entry.namespaced ? metadata["namespace"] : "",
            name: metadata["name"],
          });
        }
      }
    });

    it("keeps managedFields as the server wrote them (several managers, times, operations)", async () => {
      const [web] = (await cluster.list(resourceOf(kinds[3]), "shop")).filter(
        (live) => live.ref.name === "web",
      );
      const managedFields = metadataOf(web.object)["managedFields"];
      const fromKubectl = metadataOf(
        expectedOf(kinds[3], "shop").find((object) => key(object) === "shop/web")!,
      )["managedFields"];
      expect(managedFields).toEqual(fromKubectl);
      expect((managedFields as readonly JsonObject[]).map((entry) => entry["manager"])).toEqual(
        expect.arrayContaining(["kubectl-create", "kubectl-label"]),
      );
      const [gizmo] = await cluster.list(resourceOf(kinds[7]), undefined);
      expect(metadataOf(gizmo.object)["managedFields"]).toMatchObject([
        { manager: "kubectl", operation: "Apply" },
      ]);
    });

    it("lists a namespaced kind in one namespace: only that namespace's objects", async () => {
      for (const entry of kinds.filter((item) => item.namespaced)) {
        for (const namespace of ["shop", "other", "empty-namespace"]) {
          const listed = await cluster.list(resourceOf(entry), namespace);
          expect(listed.every((live) => live.ref.namespace === namespace)).toBe(true);
          expect(
            sorted(
              listed.map((live) => live.object),
              key,
            ),
            `${entry.kind} in ${namespace}`,
          ).toEqual(sorted(expectedOf(entry, namespace), key));
        }
      }
      const refs = (await cluster.list(resourceOf(kinds[6]), "shop")).map((live) => live.ref);
      expect(refs).toEqual([
        { group: "example.com", version: "v1", kind: "Widget", namespace: "shop", name: "w1" },
      ]);
    });

    it("lists a cluster-scoped kind whole, whatever namespace is asked", async () => {
      for (const entry of kinds.filter((item) => !item.namespaced)) {
        const all = await cluster.list(resourceOf(entry), undefined);
        const inShop = await cluster.list(resourceOf(entry), "shop");
        expect(
          sorted(inShop, (live) => live.ref.name),
          entry.kind,
        ).toEqual(sorted(all, (live) => live.ref.name));
      }
      const namespaces = (await cluster.list(resourceOf(kinds[0]), undefined)).map((live) => live.ref.name);
      expect(namespaces).toEqual(expect.arrayContaining(["default", "shop", "other"]));
    });

    it("knows the schemas of built-in kinds and of the CRDs present, and of nothing else", async () => {
      const schema = await cluster.schema();
      const fieldsOf = (kind: { group: string; version: string; kind: string }): readonly string[] => {
        const root = schema.rootType(kind);
        if (root === undefined) return [];
        const resolved = schema.resolve(root);
        return resolved.kind === "struct" ? Object.keys(resolved.fields) : [];
      };
      for (const entry of kinds) expect(fieldsOf(gvk(entry)), `${entry.kind} schema`).toContain("metadata");
      expect(fieldsOf(gvk(kinds[3]))).toEqual(expect.arrayContaining(["spec", "status"]));
      expect(fieldsOf({ group: "", version: "v1", kind: "Secret" })).toEqual(
        expect.arrayContaining(["data"]),
      );
      expect(fieldsOf({ group: "batch", version: "v1", kind: "CronJob" })).toContain("spec");
      // The CRDs' own openAPIV3Schema, not a guess: the Widget's spec has `size`.
      const widget = schema.resolve(schema.rootType(gvk(kinds[6])) ?? { kind: "untyped" });
      const widgetSpec = widget.kind === "struct" ? schema.resolve(widget.fields["spec"]) : widget;
      expect(widgetSpec).toMatchObject({ kind: "struct", fields: { size: { kind: "scalar" } } });
      expect(schema.rootType({ group: "example.com", version: "v1", kind: "Sprocket" })).toBeUndefined();
      expect(schema.rootType({ group: "example.com", version: "v2", kind: "Widget" })).toBeUndefined();
    });

    it(subject.differences.writes ? "offers a writer" : "offers no writer", () => {
      if (subject.differences.writes) {
        expect(cluster.writer).toBeDefined();
        for (const method of ["get", "apply", "jsonPatch", "delete"] as const)
          expect(typeof cluster.writer?.[method]).toBe("function");
      } else {
        expect(cluster.writer).toBeUndefined();
      }
    });
  });
}

function contextName(): string {
  const kubeconfig: unknown = parseYaml(readFileSync(sandbox.kubeconfigPath, "utf8"));
  if (!isJsonObject(kubeconfig) || typeof kubeconfig["current-context"] !== "string")
    throw new Error("the sandbox's kubeconfig has no current-context");
  return kubeconfig["current-context"];
}

clusterContract({
  label: "client-node cluster against the sandbox",
  open: () => Promise.resolve(connectCluster({ kubeconfig: sandbox.kubeconfigPath, env: {} })),
  differences: { name: contextName, writes: true, customVerbs: "discovered" },
});

clusterContract({
  label: "live file of kubectl's YAML of the sandbox",
  open: () => openLiveFile(liveFilePath, { namespace: "default" }),
  differences: { name: () => liveFilePath, writes: false, customVerbs: "list only" },
});
