/**
 * Reading (get in its output formats, watch), kubectl diff, delete, and the
 * errors kubectl prints for what kube-apiserver 1.32 refuses.
 */
import { describe, expect, it } from "vitest";
import { parse as parseYaml } from "yaml";
import { useSandbox } from "../support/sandbox.js";
import {
  getObject,
  kubectlOk,
  managedFieldsOf,
  resourceVersionOf,
  runKubectl,
  startKubectl,
  summarizeManagers,
  valueAt,
  rawRequest,
  writeWrongTokenKubeconfig,
  writeManifest,
} from "../support/kubectl.js";
import { deploymentManifest } from "./deployments.js";
import type { JsonObject } from "../../src/kube/value/json.js";

const fixture = useSandbox();

function configMapManifest(
  name: string,
  data: Readonly<Record<string, string>>,
  labels: Readonly<Record<string, string>> = {},
): string {
  const labelLines = Object.entries(labels).map(([key, value]) => `    ${key}: "${value}"`);
  return [
    "apiVersion: v1",
    "kind: ConfigMap",
    "metadata:",
    `  name: ${name}`,
    ...(labelLines.length === 0 ? [] : ["  labels:", ...labelLines]),
    "data:",
    ...Object.entries(data).map(([key, value]) => `  ${key}: "${value}"`),
    "",
  ].join("\n");
}

async function applyManifest(name: string, text: string): Promise<string> {
  const path = writeManifest(fixture.directory(), name, text);
  await kubectlOk(fixture.sandbox(), ["apply", "-f", path]);
  return path;
}

describe("kubectl get", () => {
  it("-o json hides managedFields unless --show-managed-fields is given", async () => {
    await applyManifest(
      "reader.yaml",
      deploymentManifest({ name: "reader", replicas: 2, image: "nginx:1.25" }),
    );
    const plain = await kubectlOk(fixture.sandbox(), ["get", "deployment", "reader", "-o", "json"]);
    const object = JSON.parse(plain.stdout) as JsonObject;
    expect(valueAt(object, "metadata", "managedFields")).toBeUndefined();
    expect(valueAt(object, "metadata", "name")).toBe("reader");

    const shown = await getObject(fixture.sandbox(), "deployment", "reader");
    expect(summarizeManagers(shown)).toEqual(["kubectl-client-side-apply/Update"]);
    const metadataWithout: Record<string, unknown> = { ...(shown["metadata"] as JsonObject) };
    delete metadataWithout["managedFields"];
    expect({ ...shown, metadata: metadataWithout }).toEqual(object);
  });

  it("-o yaml prints the same object as -o json", async () => {
    const yaml = await kubectlOk(fixture.sandbox(), [
      "get",
      "deployment",
      "reader",
      "-o",
      "yaml",
      "--show-managed-fields",
    ]);
    const json = await getObject(fixture.sandbox(), "deployment", "reader");
    expect(parseYaml(yaml.stdout)).toEqual(json);
    // The last-applied annotation ends with a newline, so YAML prints it as a literal block.
    expect(yaml.stdout).toContain("    kubectl.kubernetes.io/last-applied-configuration: |\n");
  });

  it("-o name and -o jsonpath", async () => {
    const name = await runKubectl(fixture.sandbox(), ["get", "deployment", "reader", "-o", "name"]);
    expect(name).toEqual({ code: 0, stdout: "deployment.apps/reader\n", stderr: "" });
    const jsonpath = await runKubectl(fixture.sandbox(), [
      "get",
      "deployment",
      "reader",
      "-o",
      "jsonpath={.spec.template.spec.containers[0].imagePullPolicy}",
    ]);
    expect(jsonpath).toEqual({ code: 0, stdout: "IfNotPresent", stderr: "" });
  });

  it("prints the server-side table columns of a Deployment", async () => {
    const table = await runKubectl(fixture.sandbox(), ["get", "deployment", "reader"]);
    expect(table.code).toBe(0);
    expect(table.stderr).toBe("");
    // No controller runs in the sandbox, so nothing is ready: READY is status.readyReplicas/spec.replicas.
    expect(table.stdout).toMatch(
      /^NAME {5}READY {3}UP-TO-DATE {3}AVAILABLE {3}AGE\nreader {3}0\/2 {5}0 {12}0 {11}\d+s\n$/,
    );
  });

  it("-o wide adds the columns of priority 1", async () => {
    const table = await runKubectl(fixture.sandbox(), ["get", "deployment", "reader", "-o", "wide"]);
    expect(table.code).toBe(0);
    const [header, row] = table.stdout.split("\n");
    expect(header?.split(/\s+/)).toEqual([
      "NAME",
      "READY",
      "UP-TO-DATE",
      "AVAILABLE",
      "AGE",
      "CONTAINERS",
      "IMAGES",
      "SELECTOR",
    ]);
    expect(row?.split(/\s+/)).toEqual([
      "reader",
      "0/2",
      "0",
      "0",
      expect.stringMatching(/^\d+s$/),
      "reader",
      "nginx:1.25",
      "app=reader",
    ]);
  });

  it("lists by label selector in name order, with the ConfigMap columns", async () => {
    await applyManifest(
      "cm-b.yaml",
      configMapManifest("listed-b", { one: "1", two: "2" }, { group: "listed" }),
    );
    await applyManifest("cm-a.yaml", configMapManifest("listed-a", { one: "1" }, { group: "listed" }));
    await applyManifest("cm-c.yaml", configMapManifest("unlisted-c", { one: "1" }, { group: "other" }));
    const names = await runKubectl(fixture.sandbox(), [
      "get",
      "configmaps",
      "-l",
      "group=listed",
      "-o",
      "name",
    ]);
    expect(names).toEqual({ code: 0, stdout: "configmap/listed-a\nconfigmap/listed-b\n", stderr: "" });
    const table = await runKubectl(fixture.sandbox(), ["get", "configmaps", "-l", "group=listed"]);
    expect(table.stdout).toMatch(/^NAME {7}DATA {3}AGE\nlisted-a {3}1 {6}\d+s\nlisted-b {3}2 {6}\d+s\n$/);
  });

  it("an empty selection prints kubectl's notice on stderr", async () => {
    const result = await runKubectl(fixture.sandbox(), ["get", "configmaps", "-l", "group=nobody"]);
    expect(result).toEqual({ code: 0, stdout: "", stderr: "No resources found in default namespace.\n" });
  });
});

describe("a cluster-scoped object: Namespace", () => {
  it("is defaulted with its name label and the kubernetes finalizer, and the label is owned by the creator", async () => {
    await applyManifest(
      "ns.yaml",
      ["apiVersion: v1", "kind: Namespace", "metadata:", "  name: team-a", ""].join("\n"),
    );
    const live = await getObject(fixture.sandbox(), "namespace", "team-a");
    const metadata = valueAt(live, "metadata") as JsonObject;
    expect(metadata["namespace"]).toBeUndefined();
    expect(metadata["labels"]).toEqual({ "kubernetes.io/metadata.name": "team-a" });
    expect(metadata["annotations"]).toEqual({
      "kubectl.kubernetes.io/last-applied-configuration":
        '{"apiVersion":"v1","kind":"Namespace","metadata":{"annotations":{},"name":"team-a"}}\n',
    });
    expect(valueAt(live, "spec")).toEqual({ finalizers: ["kubernetes"] });
    expect(valueAt(live, "status")).toEqual({ phase: "Active" });
    // The label comes from SetDefaults_Namespace, which runs when the request is decoded, before the
    // field manager looks; the finalizer comes later from the strategy, and status is reset.
    expect(managedFieldsOf(live).map((entry) => [entry.manager, entry.operation, entry.fieldsV1])).toEqual([
      [
        "kubectl-client-side-apply",
        "Update",
        {
          "f:metadata": {
            "f:annotations": { ".": {}, "f:kubectl.kubernetes.io/last-applied-configuration": {} },
            "f:labels": { ".": {}, "f:kubernetes.io/metadata.name": {} },
          },
        },
      ],
    ]);
  });

  it("gets the default ServiceAccount and the kube-root-ca.crt ConfigMap from the controllers", async () => {
    const deadline = Date.now() + 10_000;
    let names = "";
    while (Date.now() < deadline) {
      const sa = await runKubectl(fixture.sandbox(), [
        "get",
        "serviceaccount",
        "default",
        "-n",
        "team-a",
        "-o",
        "name",
        "--ignore-not-found",
      ]);
      const cm = await runKubectl(fixture.sandbox(), [
        "get",
        "configmap",
        "kube-root-ca.crt",
        "-n",
        "team-a",
        "-o",
        "name",
        "--ignore-not-found",
      ]);
      names = sa.stdout + cm.stdout;
      if (names === "serviceaccount/default\nconfigmap/kube-root-ca.crt\n") break;
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
    expect(names).toBe("serviceaccount/default\nconfigmap/kube-root-ca.crt\n");
  });

  it("is deleted with its content once the namespace controller has emptied it", async () => {
    await kubectlOk(fixture.sandbox(), [
      "apply",
      "-n",
      "team-a",
      "-f",
      writeManifest(fixture.directory(), "in-ns.yaml", configMapManifest("inside", { a: "b" })),
    ]);
    const result = await runKubectl(fixture.sandbox(), ["delete", "namespace", "team-a"]);
    expect(result).toEqual({ code: 0, stdout: 'namespace "team-a" deleted\n', stderr: "" });
    const get = await runKubectl(fixture.sandbox(), ["get", "namespace", "team-a"]);
    expect(get).toEqual({
      code: 1,
      stdout: "",
      stderr: 'Error from server (NotFound): namespaces "team-a" not found\n',
    });
  });
});

describe("discovery and OpenAPI through kubectl", () => {
  it("kubectl version reports a 1.32 server", async () => {
    const result = await kubectlOk(fixture.sandbox(), ["version", "-o", "json"]);
    const version = JSON.parse(result.stdout) as JsonObject;
    expect(valueAt(version, "serverVersion", "major")).toBe("1");
    expect(valueAt(version, "serverVersion", "minor")).toBe("32");
    expect(valueAt(version, "serverVersion", "gitVersion")).toMatch(/^v1\.32\.\d+/);
  });

  it("api-resources lists the apps group as kube-apiserver 1.32 serves it", async () => {
    const names = await runKubectl(fixture.sandbox(), ["api-resources", "--api-group=apps", "-o", "name"]);
    expect(names).toEqual({
      code: 0,
      stdout:
        "controllerrevisions.apps\ndaemonsets.apps\ndeployments.apps\nreplicasets.apps\nstatefulsets.apps\n",
      stderr: "",
    });
    const table = await kubectlOk(fixture.sandbox(), ["api-resources", "--api-group=apps"]);
    const deployments = table.stdout.split("\n").find((line) => line.startsWith("deployments "));
    expect(deployments?.split(/\s+/)).toEqual(["deployments", "deploy", "apps/v1", "true", "Deployment"]);
  });

  it("explain reads the field from /openapi/v3", async () => {
    const result = await kubectlOk(fixture.sandbox(), ["explain", "deployment.spec.replicas"]);
    expect(result.stdout).toContain(
      "GROUP:      apps\nKIND:       Deployment\nVERSION:    v1\n\nFIELD: replicas <integer>\n",
    );
    expect(result.stdout).toContain("Number of desired pods.");
  });

  it("get -o json of several objects prints a v1 List in name order", async () => {
    await applyManifest("listed-d1.yaml", configMapManifest("zz-list-2", { a: "b" }, { list: "json" }));
    await applyManifest("listed-d2.yaml", configMapManifest("zz-list-1", { a: "b" }, { list: "json" }));
    const result = await kubectlOk(fixture.sandbox(), ["get", "configmaps", "-l", "list=json", "-o", "json"]);
    const list = JSON.parse(result.stdout) as JsonObject;
    expect(list["apiVersion"]).toBe("v1");
    expect(list["kind"]).toBe("List");
    expect(list["metadata"]).toEqual({ resourceVersion: "" });
    const items = list["items"] as readonly JsonObject[];
    expect(
      items.map((item) => [item["kind"], item["apiVersion"], valueAt(item, "metadata", "name")]),
    ).toEqual([
      ["ConfigMap", "v1", "zz-list-1"],
      ["ConfigMap", "v1", "zz-list-2"],
    ]);
  });
});

describe("kubectl get -w", () => {
  it("prints a line per event: the initial state, a modification and the deletion", async () => {
    await applyManifest("watched.yaml", configMapManifest("watched", { one: "1" }));
    const watch = startKubectl(fixture.sandbox(), [
      "get",
      "configmap",
      "watched",
      "-w",
      "--output-watch-events",
    ]);
    try {
      await watch.waitFor((out) => /^ADDED\s+watched\s+1\s+\d+s$/m.test(out));
      await kubectlOk(fixture.sandbox(), ["patch", "configmap", "watched", "-p", '{"data":{"two":"2"}}']);
      await watch.waitFor((out) => /^MODIFIED\s+watched\s+2\s+\d+s$/m.test(out));
      await kubectlOk(fixture.sandbox(), ["delete", "configmap", "watched"]);
      const out = await watch.waitFor((text) => /^DELETED\s+watched\s+2\s+\d+s$/m.test(text));
      expect(out.split("\n")[0]?.split(/\s+/)).toEqual(["EVENT", "NAME", "DATA", "AGE"]);
      expect(out.split("\n").filter((line) => line.length > 0)).toHaveLength(4);
    } finally {
      await watch.stop();
    }
  });
});

describe("kubectl diff", () => {
  it("exits 0 and prints nothing when the manifest matches, 1 with a unified diff when it does not", async () => {
    const same = await applyManifest("diffed.yaml", configMapManifest("diffed", { level: "1" }));
    const before = await getObject(fixture.sandbox(), "configmap", "diffed");
    const unchanged = await runKubectl(fixture.sandbox(), ["diff", "-f", same]);
    expect(unchanged).toEqual({ code: 0, stdout: "", stderr: "" });

    const changed = writeManifest(
      fixture.directory(),
      "diffed-v2.yaml",
      configMapManifest("diffed", { level: "2" }),
    );
    const result = await runKubectl(fixture.sandbox(), ["diff", "-f", changed]);
    expect(result.stderr).toBe("");
    expect(result.code).toBe(1);
    expect(result.stdout).toMatch(
      /^diff -u -N \S+\/LIVE-\d+\/v1\.ConfigMap\.default\.diffed \S+\/MERGED-\d+\/v1\.ConfigMap\.default\.diffed$/m,
    );
    expect(result.stdout).toContain('\n-  level: "1"\n+  level: "2"\n');
    // The merged side comes from a server-side dry run: nothing was stored.
    const after = await getObject(fixture.sandbox(), "configmap", "diffed");
    expect(resourceVersionOf(after)).toBe(resourceVersionOf(before));
    expect(valueAt(after, "data")).toEqual({ level: "1" });
  });

  it("--server-side diffs what a server-side apply would do", async () => {
    const changed = writeManifest(
      fixture.directory(),
      "diffed-v3.yaml",
      configMapManifest("diffed", { level: "3" }),
    );
    const result = await runKubectl(fixture.sandbox(), [
      "diff",
      "--server-side",
      "--force-conflicts",
      "-f",
      changed,
    ]);
    expect(result.code).toBe(1);
    expect(result.stdout).toContain('\n-  level: "1"\n+  level: "3"\n');
  });
});

describe("kubectl delete", () => {
  it("deletes by name and the object is gone", async () => {
    await kubectlOk(fixture.sandbox(), ["create", "configmap", "doomed", "--from-literal=a=b"]);
    const result = await runKubectl(fixture.sandbox(), ["delete", "configmap", "doomed"]);
    expect(result).toEqual({ code: 0, stdout: 'configmap "doomed" deleted\n', stderr: "" });
    const get = await runKubectl(fixture.sandbox(), ["get", "configmap", "doomed"]);
    expect(get).toEqual({
      code: 1,
      stdout: "",
      stderr: 'Error from server (NotFound): configmaps "doomed" not found\n',
    });
  });

  it("deletes what a file names", async () => {
    const path = await applyManifest("from-file.yaml", configMapManifest("from-file", { a: "b" }));
    const result = await runKubectl(fixture.sandbox(), ["delete", "-f", path]);
    expect(result).toEqual({ code: 0, stdout: 'configmap "from-file" deleted\n', stderr: "" });
  });

  it("deletes a Deployment with --cascade=orphan and with the default background cascade", async () => {
    await applyManifest(
      "orphaned.yaml",
      deploymentManifest({ name: "orphaned", replicas: 1, image: "nginx:1.25" }),
    );
    await applyManifest(
      "cascaded.yaml",
      deploymentManifest({ name: "cascaded", replicas: 1, image: "nginx:1.25" }),
    );
    const orphan = await runKubectl(fixture.sandbox(), [
      "delete",
      "deployment",
      "orphaned",
      "--cascade=orphan",
    ]);
    expect(orphan).toEqual({ code: 0, stdout: 'deployment.apps "orphaned" deleted\n', stderr: "" });
    const background = await runKubectl(fixture.sandbox(), ["delete", "deployment/cascaded"]);
    expect(background).toEqual({ code: 0, stdout: 'deployment.apps "cascaded" deleted\n', stderr: "" });
    const list = await runKubectl(fixture.sandbox(), [
      "get",
      "deployments",
      "orphaned",
      "cascaded",
      "--ignore-not-found",
      "-o",
      "name",
    ]);
    expect(list).toEqual({ code: 0, stdout: "", stderr: "" });
  });

  it("deletes with --cascade=foreground once the garbage collector has released the object", async () => {
    await applyManifest(
      "foreground.yaml",
      deploymentManifest({ name: "foreground", replicas: 1, image: "nginx:1.25" }),
    );
    const result = await runKubectl(fixture.sandbox(), [
      "delete",
      "deployment",
      "foreground",
      "--cascade=foreground",
      "--timeout=20s",
    ]);
    expect(result).toEqual({ code: 0, stdout: 'deployment.apps "foreground" deleted\n', stderr: "" });
    const get = await runKubectl(fixture.sandbox(), [
      "get",
      "deployment",
      "foreground",
      "--ignore-not-found",
      "-o",
      "name",
    ]);
    expect(get).toEqual({ code: 0, stdout: "", stderr: "" });
  });

  it("deletes by label selector, one line per object in name order", async () => {
    await applyManifest("trash-2.yaml", configMapManifest("trash-2", { a: "b" }, { bin: "yes" }));
    await applyManifest("trash-1.yaml", configMapManifest("trash-1", { a: "b" }, { bin: "yes" }));
    const result = await runKubectl(fixture.sandbox(), ["delete", "configmaps", "-l", "bin=yes"]);
    expect(result).toEqual({
      code: 0,
      stdout: 'configmap "trash-1" deleted\nconfigmap "trash-2" deleted\n',
      stderr: "",
    });
  });

  it("reports a missing object, unless --ignore-not-found", async () => {
    const missing = await runKubectl(fixture.sandbox(), ["delete", "configmap", "ghost"]);
    expect(missing).toEqual({
      code: 1,
      stdout: "",
      stderr: 'Error from server (NotFound): configmaps "ghost" not found\n',
    });
    const ignored = await runKubectl(fixture.sandbox(), [
      "delete",
      "configmap",
      "ghost",
      "--ignore-not-found",
    ]);
    expect(ignored).toEqual({ code: 0, stdout: "", stderr: "" });
  });
});

describe("errors", () => {
  it("a missing object", async () => {
    const result = await runKubectl(fixture.sandbox(), ["get", "deploy", "nope"]);
    expect(result).toEqual({
      code: 1,
      stdout: "",
      stderr: 'Error from server (NotFound): deployments.apps "nope" not found\n',
    });
  });

  it("a resource type discovery does not know", async () => {
    const result = await runKubectl(fixture.sandbox(), ["get", "frobs"]);
    expect(result).toEqual({
      code: 1,
      stdout: "",
      stderr: 'error: the server doesn\'t have a resource type "frobs"\n',
    });
  });

  it("applying a kind no API serves", async () => {
    const path = writeManifest(
      fixture.directory(),
      "frob.yaml",
      [
        "apiVersion: example.com/v1",
        "kind: Frob",
        "metadata:",
        "  name: thing",
        "spec:",
        "  size: 1",
        "",
      ].join("\n"),
    );
    const result = await runKubectl(fixture.sandbox(), ["apply", "-f", path]);
    expect(result).toEqual({
      code: 1,
      stdout: "",
      stderr: `error: resource mapping not found for name: "thing" namespace: "" from "${path}": no matches for kind "Frob" in version "example.com/v1"\nensure CRDs are installed first\n`,
    });
  });

  it("an object that fails validation (422) prints the causes", async () => {
    const path = writeManifest(
      fixture.directory(),
      "bad.yaml",
      deploymentManifest({ name: "bad", replicas: -1, image: "nginx:1.25" }),
    );
    const result = await runKubectl(fixture.sandbox(), ["apply", "-f", path]);
    expect(result).toEqual({
      code: 1,
      stdout: "",
      stderr:
        'The Deployment "bad" is invalid: spec.replicas: Invalid value: -1: must be greater than or equal to 0\n',
    });
  });

  it("an invalid name", async () => {
    const path = writeManifest(
      fixture.directory(),
      "bad-name.yaml",
      configMapManifest("Bad_Name", { a: "b" }),
    );
    const result = await runKubectl(fixture.sandbox(), ["apply", "-f", path]);
    expect(result).toEqual({
      code: 1,
      stdout: "",
      stderr:
        'The ConfigMap "Bad_Name" is invalid: metadata.name: Invalid value: "Bad_Name": a lowercase RFC 1123 subdomain must consist of lower case ' +
        "alphanumeric characters, '-' or '.', and must start and end with an alphanumeric character (e.g. 'example.com', regex used for " +
        "validation is '[a-z0-9]([-a-z0-9]*[a-z0-9])?(\\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*')\n",
    });
  });

  it("a selector that does not match the template's labels", async () => {
    const path = writeManifest(
      fixture.directory(),
      "bad-many.yaml",
      deploymentManifest({ name: "bad-many", replicas: 1, image: "nginx:1.25" }).replace(
        "      app: bad-many\n  template",
        "      app: other\n  template",
      ),
    );
    const result = await runKubectl(fixture.sandbox(), ["apply", "-f", path]);
    expect(result.code).toBe(1);
    expect(result.stderr).toBe(
      'The Deployment "bad-many" is invalid: spec.template.metadata.labels: Invalid value: map[string]string{"app":"bad-many"}: `selector` does not match template `labels`\n',
    );
  });

  it("a request with a token the server does not know is refused with 401", async () => {
    const stranger = {
      ...fixture.sandbox(),
      kubeconfigPath: writeWrongTokenKubeconfig(fixture.directory(), fixture.sandbox()),
    };
    const result = await runKubectl(stranger, ["get", "configmaps"]);
    expect(result.code).toBe(1);
    expect(result.stdout).toBe("");
    // unverified: which message kubectl quotes depends on whether discovery or the list fails first.
    expect(result.stderr).toMatch(
      /^error: You must be logged in to the server \((Unauthorized|the server has asked for the client to provide credentials)\)$/m,
    );
  });

  it("a request without the token is refused with kube-apiserver's 401 Status", async () => {
    const response = await rawRequest(fixture.sandbox(), "/api/v1/namespaces/default/configmaps");
    expect(response.status).toBe(401);
    expect(JSON.parse(response.body)).toEqual({
      kind: "Status",
      apiVersion: "v1",
      metadata: {},
      status: "Failure",
      message: "Unauthorized",
      reason: "Unauthorized",
      code: 401,
    });
    const withToken = await rawRequest(fixture.sandbox(), "/api/v1/namespaces/default/configmaps", {
      authorization: `Bearer ${fixture.sandbox().token}`,
    });
    expect(withToken.status).toBe(200);
  });
});

describe("server bookkeeping visible through kubectl", () => {
  it("resourceVersions grow across writes and every object carries one managedFields entry per writer", async () => {
    await kubectlOk(fixture.sandbox(), ["create", "configmap", "counted", "--from-literal=a=1"]);
    const first = await getObject(fixture.sandbox(), "configmap", "counted");
    await kubectlOk(fixture.sandbox(), ["patch", "configmap", "counted", "-p", '{"data":{"a":"2"}}']);
    const second = await getObject(fixture.sandbox(), "configmap", "counted");
    expect(Number(resourceVersionOf(second))).toBeGreaterThan(Number(resourceVersionOf(first)));
    // Both are Updates; kubectl-create is older (or the same second and sorts first by name).
    expect(summarizeManagers(second)).toEqual(["kubectl-create/Update", "kubectl-patch/Update"]);
    // The patch took f:a; kubectl-create still owns the data map it created, now a member without children.
    expect(managedFieldsOf(second).find((entry) => entry.manager === "kubectl-create")?.fieldsV1).toEqual({
      "f:data": {},
    });
    expect(managedFieldsOf(second).find((entry) => entry.manager === "kubectl-patch")?.fieldsV1).toEqual({
      "f:data": { "f:a": {} },
    });
  });
});
