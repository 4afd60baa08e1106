import { writeFileSync } from "node:fs";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startSandbox } from "../sandbox/index.js";
import type { RunningSandbox } from "../sandbox/index.js";
import { kubectlOk, scratchDirectory } from "../../test/support/kubectl.js";
import { connectCluster } from "./kube-cluster.js";
import { openLiveFile } from "./live-file.js";
import type { Cluster, ServedResource } from "./types.js";
import { ClusterError } from "./types.js";

const scratch = scratchDirectory();
let sandbox: RunningSandbox;

beforeAll(async () => {
  sandbox = await startSandbox({ kubeconfigPath: join(scratch.path, "kubeconfig") });
  await kubectlOk(sandbox, ["create", "namespace", "shop"]);
  await kubectlOk(sandbox, [
    "create",
    "deployment",
    "web",
    "--image=nginx:1.27",
    "--replicas=2",
    "-n",
    "shop",
  ]);
  await kubectlOk(sandbox, ["create", "service", "clusterip", "web", "--tcp=80:8080", "-n", "shop"]);
  await kubectlOk(sandbox, ["create", "configmap", "settings", "--from-literal=mode=fast", "-n", "shop"]);
});
afterAll(async () => {
  await sandbox.stop();
  scratch.remove();
});

function write(name: string, text: string): string {
  const path = join(scratch.path, name);
  writeFileSync(path, text);
  return path;
}

async function served(cluster: Cluster, group: string, resource: string): Promise<ServedResource> {
  const found = (await cluster.resources()).find(
    (item) => item.group === group && item.resource === resource,
  );
  if (found === undefined) throw new Error(`${resource}.${group} is not served by ${cluster.name}`);
  return found;
}

async function failure(action: Promise<unknown>): Promise<string> {
  try {
    await action;
  } catch (error: unknown) {
    if (error instanceof ClusterError) return error.message;
    throw error;
  }
  throw new Error("expected a ClusterError");
}

const comparedResources = [
  ["apps", "deployments"],
  ["", "services"],
  ["", "configmaps"],
] as const;

describe("openLiveFile", () => {
  for (const format of ["yaml", "json"] as const) {
    it(`gives the same objects as the cluster for kubectl get -A -o ${format}`, async () => {
      const output = await kubectlOk(sandbox, [
        "get",
        "deploy,svc,cm",
        "-A",
        "-o",
        format,
        "--show-managed-fields",
      ]);
      const path = write(`live.${format}`, output.stdout);
      const file = await openLiveFile(path, { namespace: "default" });
      const cluster = connectCluster({ kubeconfig: sandbox.kubeconfigPath, env: {} });
      expect([file.name, file.namespace]).toEqual([path, "default"]);
      for (const [group, resource] of comparedResources) {
        const live = await cluster.list(await served(cluster, group, resource), undefined);
        const fromFile = await file.list(await served(file, group, resource), undefined);
        expect(fromFile).toEqual(live);
      }
      const shopDeployments = await file.list(await served(file, "apps", "deployments"), "shop");
      expect(shopDeployments.map((object) => object.ref)).toEqual([
        { group: "apps", version: "v1", kind: "Deployment", namespace: "shop", name: "web" },
      ]);
      expect(await file.list(await served(file, "apps", "deployments"), "other")).toEqual([]);
    });
  }

  it("serves every built-in resource, so a kind missing from the file lists as empty", async () => {
    const file = await openLiveFile(write("empty.yaml", ""), { namespace: "default" });
    const secrets = await served(file, "", "secrets");
    expect(secrets).toMatchObject({ group: "", version: "v1", kind: "Secret", namespaced: true });
    expect(await served(file, "autoscaling", "horizontalpodautoscalers")).toMatchObject({ version: "v2" });
    expect(await served(file, "rbac.authorization.k8s.io", "clusterroles")).toMatchObject({
      namespaced: false,
    });
    expect(await file.list(secrets, "default")).toEqual([]);
  });

  it("reads multi-document YAML with custom kinds, and their CRD's schema", async () => {
    const path = write(
      "multi.yaml",
      [
        "apiVersion: apiextensions.k8s.io/v1",
        "kind: CustomResourceDefinition",
        "metadata: { name: widgets.example.com }",
        "spec:",
        "  group: example.com",
        "  names: { kind: Widget, plural: widgets }",
        "  scope: Namespaced",
        "  versions:",
        "  - name: v1",
        "    served: true",
        "    storage: true",
        "    schema: { openAPIV3Schema: { type: object, properties: { spec: { type: object } } } }",
        "---",
        "apiVersion: example.com/v1",
        "kind: Widget",
        "metadata: { name: w1, namespace: shop }",
        "---",
        "apiVersion: v1",
        "kind: Namespace",
        "metadata: { name: shop }",
        "---",
        "",
      ].join("\n"),
    );
    const file = await openLiveFile(path, { namespace: "default" });
    const widgets = await served(file, "example.com", "widgets");
    expect(widgets).toEqual({
      group: "example.com",
      version: "v1",
      kind: "Widget",
      resource: "widgets",
      namespaced: true,
      verbs: ["list"],
    });
    expect((await file.list(widgets, "shop")).map((object) => object.ref)).toEqual([
      { group: "example.com", version: "v1", kind: "Widget", namespace: "shop", name: "w1" },
    ]);
    const namespaces = await file.list(await served(file, "", "namespaces"), "shop");
    expect(namespaces.map((object) => object.ref)).toEqual([
      { group: "", version: "v1", kind: "Namespace", namespace: "", name: "shop" },
    ]);
    const schema = await file.schema();
    expect(schema.rootType({ group: "example.com", version: "v1", kind: "Widget" })?.kind).toBe("struct");
  });

  it("fills apiVersion and kind into the items of a typed List", async () => {
    const path = write(
      "typed.json",
      JSON.stringify({
        apiVersion: "apps/v1",
        kind: "DeploymentList",
        items: [{ metadata: { name: "api", namespace: "shop" }, spec: {} }],
      }),
    );
    const file = await openLiveFile(path, { namespace: "default" });
    const objects = await file.list(await served(file, "apps", "deployments"), undefined);
    expect(objects.map((object) => object.object)).toEqual([
      { apiVersion: "apps/v1", kind: "Deployment", metadata: { name: "api", namespace: "shop" }, spec: {} },
    ]);
  });

  it("gives namespaced objects without a namespace the default namespace", async () => {
    const path = write("single.yaml", "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: lone\n");
    const file = await openLiveFile(path, { namespace: "team" });
    const objects = await file.list(await served(file, "", "configmaps"), "team");
    expect(objects.map((object) => object.ref.namespace)).toEqual(["team"]);
  });

  it("reports malformed input with file and line", async () => {
    const badYaml = write(
      "bad.yaml",
      "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: a\n---\nkind: a: b\n",
    );
    expect(await failure(openLiveFile(badYaml, { namespace: "default" }))).toMatch(
      new RegExp(`^${badYaml}:6: not valid YAML: Nested mappings are not allowed in compact mappings$`),
    );
    const noKind = write(
      "no-kind.yaml",
      "apiVersion: v1\nkind: ConfigMap\nmetadata: { name: a }\n---\napiVersion: v1\nmetadata: { name: b }\n",
    );
    expect(await failure(openLiveFile(noKind, { namespace: "default" }))).toBe(
      `${noKind}:5: object has no kind`,
    );
    const itemWithoutName = write(
      "list.yaml",
      "apiVersion: v1\nkind: List\nitems:\n- apiVersion: v1\n  kind: ConfigMap\n  metadata: { name: a }\n- apiVersion: v1\n  kind: ConfigMap\n  metadata: {}\n",
    );
    expect(await failure(openLiveFile(itemWithoutName, { namespace: "default" }))).toBe(
      `${itemWithoutName}:7: ConfigMap has no metadata.name`,
    );
    const badJson = write("bad.json", '{\n  "apiVersion": "v1",\n  "kind" "List"\n}\n');
    expect(await failure(openLiveFile(badJson, { namespace: "default" }))).toBe(
      `${badJson}:3: not valid JSON: Expected ':' after property name`,
    );
    const missing = join(scratch.path, "absent.yaml");
    expect(await failure(openLiveFile(missing, { namespace: "default" }))).toBe(
      `live file ${missing} does not exist`,
    );
  });

  it("quotes no value of a Secret in its YAML errors", async () => {
    const secret = "apiVersion: v1\nkind: Secret\nmetadata:\n  name: s\ndata:\n  password: ";
    const alias = write("alias.yaml", `${secret}*aHVudGVyMg\n`);
    expect(await failure(openLiveFile(alias, { namespace: "default" }))).toBe(
      `${alias}:1: not valid YAML: Unresolved alias`,
    );
    const escape = write("escape.yaml", `${secret}"aHVudGVy\\q"\n`);
    expect(await failure(openLiveFile(escape, { namespace: "default" }))).toBe(
      `${escape}:6: not valid YAML: Invalid escape sequence`,
    );
    expect(await failure(openLiveFile(scratch.path, { namespace: "default" }))).toBe(
      `live file ${scratch.path} is a directory`,
    );
  });
});
