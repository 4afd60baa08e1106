/**
 * Empty byte values (Secret `data`, ConfigMap `binaryData`) through the real kubectl and
 * @kubernetes/client-node. kube-apiserver 1.32 returns `""` for them from storage (a JSON `null`
 * keeps its key and reads back as `""` too, see src/sandbox/kinds/empty-bytes.ts); re-applying the
 * same manifest changes nothing, and kubedrift finds the objects in sync.
 */
import { CoreV1Api, KubeConfig } from "@kubernetes/client-node";
import { describe, expect, it } from "vitest";
import type { JsonObject } from "../../src/kube/value/json.js";
import { useSandbox } from "../support/sandbox.js";
import {
  getObject,
  kubectlJson,
  kubectlOk,
  managedFieldsEntry,
  resourceVersionOf,
  startKubectl,
  summarizeManagers,
  valueAt,
  writeManifest,
} from "../support/kubectl.js";
import { runKubedrift } from "../support/kubedrift.js";

const fixture = useSandbox();

const token = Buffer.from("token").toString("base64");

/** A Secret and a ConfigMap with an empty byte value each; a namespace of their own keeps kubedrift's scope to them. */
function emptyBytesManifest(namespace: string): string {
  return [
    "apiVersion: v1",
    "kind: Secret",
    "metadata:",
    `  name: ${namespace}-secret`,
    `  namespace: ${namespace}`,
    "data:",
    '  empty: ""',
    `  token: ${token}`,
    "---",
    "apiVersion: v1",
    "kind: ConfigMap",
    "metadata:",
    `  name: ${namespace}-files`,
    `  namespace: ${namespace}`,
    "binaryData:",
    '  blank: ""',
    "",
  ].join("\n");
}

function nullBytesManifest(name: string): string {
  return [
    "apiVersion: v1",
    "kind: Secret",
    "metadata:",
    `  name: ${name}`,
    "  namespace: default",
    "data:",
    "  unset: null",
    `  token: ${token}`,
    "",
  ].join("\n");
}

function writeFile(name: string, text: string): string {
  return writeManifest(fixture.directory(), name, text);
}

async function readBack(
  namespace: string,
): Promise<{ readonly secret: JsonObject; readonly files: JsonObject }> {
  const secret = await kubectlJson(fixture.sandbox(), [
    "-n",
    namespace,
    "get",
    "secret",
    `${namespace}-secret`,
  ]);
  const files = await kubectlJson(fixture.sandbox(), [
    "-n",
    namespace,
    "get",
    "configmap",
    `${namespace}-files`,
  ]);
  return { secret, files };
}

async function resourceVersions(namespace: string): Promise<readonly string[]> {
  const { secret, files } = await readBack(namespace);
  return [resourceVersionOf(secret), resourceVersionOf(files)];
}

async function expectInSync(path: string): Promise<void> {
  const result = await runKubedrift(["diff", "-f", path, "--kubeconfig", fixture.sandbox().kubeconfigPath], {
    cwd: fixture.directory(),
  });
  expect(result.code, `kubedrift diff: ${result.stdout}${result.stderr}`).toBe(0);
}

describe("empty byte values with kubectl apply (client-side)", () => {
  it('stores "" as empty bytes next to the other value, and a second apply leaves both unchanged', async () => {
    await kubectlOk(fixture.sandbox(), ["create", "namespace", "client-side"]);
    const path = writeFile("client-side.yaml", emptyBytesManifest("client-side"));
    const created = await kubectlOk(fixture.sandbox(), ["apply", "-f", path]);
    expect(created.stdout).toBe("secret/client-side-secret created\nconfigmap/client-side-files created\n");

    const { secret, files } = await readBack("client-side");
    expect(secret["data"]).toEqual({ empty: "", token });
    expect(files["binaryData"]).toEqual({ blank: "" });
    const creator = managedFieldsEntry(secret, "kubectl-client-side-apply", { operation: "Update" });
    expect(valueAt(creator.fieldsV1, "f:data")).toEqual({ ".": {}, "f:empty": {}, "f:token": {} });

    const before = await resourceVersions("client-side");
    const again = await kubectlOk(fixture.sandbox(), ["apply", "-f", path]);
    expect(again.stdout).toBe("secret/client-side-secret unchanged\nconfigmap/client-side-files unchanged\n");
    expect(await resourceVersions("client-side")).toEqual(before);
    await expectInSync(path);
  });
});

describe("empty byte values with kubectl apply --server-side", () => {
  it('stores "" as empty bytes owned by the applier, and a second apply writes nothing', async () => {
    await kubectlOk(fixture.sandbox(), ["create", "namespace", "server-side"]);
    const path = writeFile("server-side.yaml", emptyBytesManifest("server-side"));
    const applied = await kubectlOk(fixture.sandbox(), ["apply", "--server-side", "-f", path]);
    expect(applied.stdout).toBe(
      "secret/server-side-secret serverside-applied\nconfigmap/server-side-files serverside-applied\n",
    );

    const { secret, files } = await readBack("server-side");
    expect(secret["data"]).toEqual({ empty: "", token });
    expect(files["binaryData"]).toEqual({ blank: "" });
    const applier = managedFieldsEntry(secret, "kubectl", { operation: "Apply" });
    expect(valueAt(applier.fieldsV1, "f:data")).toEqual({ "f:empty": {}, "f:token": {} });
    const fileApplier = managedFieldsEntry(files, "kubectl", { operation: "Apply" });
    expect(valueAt(fileApplier.fieldsV1, "f:binaryData")).toEqual({ "f:blank": {} });

    const before = await resourceVersions("server-side");
    await kubectlOk(fixture.sandbox(), ["apply", "--server-side", "-f", path]);
    expect(await resourceVersions("server-side")).toEqual(before);
    await expectInSync(path);
  });

  it("answers a server-side dry run with the empty value as it would store it", async () => {
    const path = writeFile("dry-run.yaml", emptyBytesManifest("default"));
    const answer = await kubectlJson(fixture.sandbox(), [
      "apply",
      "--server-side",
      "--dry-run=server",
      "-f",
      path,
    ]);
    const items = answer["items"];
    expect(
      Array.isArray(items)
        ? items.map((item) => valueAt(item, "data") ?? valueAt(item, "binaryData"))
        : items,
    ).toEqual([{ empty: "", token }, { blank: "" }]);
  });
});

describe("a null byte value", () => {
  it("keeps its key and reads back as empty bytes, which the applier owns", async () => {
    const path = writeFile("null-value.yaml", nullBytesManifest("nulled"));
    await kubectlOk(fixture.sandbox(), ["apply", "--server-side", "-f", path]);
    const secret = await getObject(fixture.sandbox(), "secret", "nulled");
    expect(secret["data"]).toEqual({ unset: "", token });
    const applier = managedFieldsEntry(secret, "kubectl", { operation: "Apply" });
    expect(valueAt(applier.fieldsV1, "f:data")).toEqual({ "f:token": {}, "f:unset": {} });

    // The applied null still differs from the stored "" (structured-merge-diff compares values), so a
    // second apply writes again; it converges on the same data and ownership.
    await kubectlOk(fixture.sandbox(), ["apply", "--server-side", "-f", path]);
    const reapplied = await getObject(fixture.sandbox(), "secret", "nulled");
    expect(reapplied["data"]).toEqual({ unset: "", token });
    expect(summarizeManagers(reapplied)).toEqual(["kubectl/Apply"]);
  });

  it("is empty bytes in a created object and in the watch events that follow", async () => {
    const path = writeFile("null-created.yaml", nullBytesManifest("watched"));
    await kubectlOk(fixture.sandbox(), ["create", "-f", path]);
    const watch = startKubectl(fixture.sandbox(), [
      "get",
      "secret",
      "watched",
      "--watch",
      "-o",
      "jsonpath={.data}{'\\n'}",
    ]);
    try {
      await watch.waitFor((stdout) => stdout.split("\n").length > 1);
      await kubectlOk(fixture.sandbox(), ["label", "secret", "watched", "step=two"]);
      const printed = await watch.waitFor((stdout) => stdout.split("\n").length > 2);
      const events = printed
        .trim()
        .split("\n")
        .map((line) => JSON.parse(line) as unknown);
      expect(events).toEqual([
        { token, unset: "" },
        { token, unset: "" },
      ]);
    } finally {
      await watch.stop();
    }
  });
});

describe("empty byte values with @kubernetes/client-node", () => {
  it('reads "" back from create, get and list', async () => {
    const config = new KubeConfig();
    config.loadFromFile(fixture.sandbox().kubeconfigPath);
    const core = config.makeApiClient(CoreV1Api);
    const created = await core.createNamespacedSecret({
      namespace: "default",
      body: { metadata: { name: "client-node" }, data: { empty: "", token } },
    });
    expect(created.data).toEqual({ empty: "", token });
    const read = await core.readNamespacedSecret({ namespace: "default", name: "client-node" });
    expect(read.data).toEqual({ empty: "", token });
    const listed = await core.listNamespacedSecret({
      namespace: "default",
      fieldSelector: "metadata.name=client-node",
    });
    expect(listed.items.map((item) => item.data)).toEqual([{ empty: "", token }]);
  });
});
