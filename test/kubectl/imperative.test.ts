/**
 * Imperative kubectl commands (create, scale, set, label, annotate, patch,
 * edit, rollout restart) against the sandbox, with the field manager each one
 * identifies as and the fields kube-apiserver 1.32 records for it.
 */
import { describe, expect, it } from "vitest";
import { useSandbox } from "../support/sandbox.js";
import {
  getObject,
  isInServerOrder,
  kubectlOk,
  managedFieldsEntry,
  managedFieldsOf,
  resourceVersionOf,
  runKubectl,
  stableEntry,
  stableObject,
  summarizeManagers,
  valueAt,
  writeEditorScript,
  writeManifest,
} from "../support/kubectl.js";
import { createdDeploymentFields, defaultedDeploymentSpec, deploymentManifest } from "./deployments.js";
import type { JsonObject, JsonValue } from "../../src/kube/value/json.js";

const fixture = useSandbox();

/** `kubectl create deployment NAME --image=nginx:1.25 --replicas=2`: container "nginx", label app=NAME. */
async function createDeployment(name: string): Promise<JsonObject> {
  const result = await runKubectl(fixture.sandbox(), [
    "create",
    "deployment",
    name,
    "--image=nginx:1.25",
    "--replicas=2",
  ]);
  expect(result).toEqual({ code: 0, stdout: `deployment.apps/${name} created\n`, stderr: "" });
  return getObject(fixture.sandbox(), "deployment", name);
}

function fieldsOf(object: JsonObject, manager: string, subresource?: string): JsonObject | undefined {
  return managedFieldsEntry(object, manager, subresource === undefined ? {} : { subresource }).fieldsV1;
}

const nginxContainer = 'k:{"name":"nginx"}';

describe("kubectl create", () => {
  it("creates a Deployment with its full defaulted spec, owned by kubectl-create through an Update", async () => {
    const live = await createDeployment("created");
    expect(stableObject(live)).toEqual({
      apiVersion: "apps/v1",
      kind: "Deployment",
      metadata: {
        creationTimestamp: "<creationTimestamp>",
        generation: 1,
        labels: { app: "created" },
        managedFields: [
          {
            apiVersion: "apps/v1",
            fieldsType: "FieldsV1",
            fieldsV1: createdDeploymentFields("nginx"),
            manager: "kubectl-create",
            operation: "Update",
            time: "<time>",
          },
        ],
        name: "created",
        namespace: "default",
        resourceVersion: "<resourceVersion>",
        uid: "<uid>",
      },
      spec: defaultedDeploymentSpec({
        name: "created",
        replicas: 2,
        image: "nginx:1.25",
        containerName: "nginx",
      }),
      status: {},
    });
  });

  it("creates a ConfigMap from literals", async () => {
    const result = await runKubectl(fixture.sandbox(), [
      "create",
      "configmap",
      "settings",
      "--from-literal=mode=fast",
      "--from-literal=level=3",
    ]);
    expect(result).toEqual({ code: 0, stdout: "configmap/settings created\n", stderr: "" });
    const live = await getObject(fixture.sandbox(), "configmap", "settings");
    expect(stableObject(live)).toEqual({
      apiVersion: "v1",
      data: { level: "3", mode: "fast" },
      kind: "ConfigMap",
      metadata: {
        creationTimestamp: "<creationTimestamp>",
        managedFields: [
          {
            apiVersion: "v1",
            fieldsType: "FieldsV1",
            fieldsV1: { "f:data": { ".": {}, "f:level": {}, "f:mode": {} } },
            manager: "kubectl-create",
            operation: "Update",
            time: "<time>",
          },
        ],
        name: "settings",
        namespace: "default",
        resourceVersion: "<resourceVersion>",
        uid: "<uid>",
      },
    });
  });

  it("creates a generic Secret with base64 data and the defaulted type Opaque", async () => {
    const result = await runKubectl(fixture.sandbox(), [
      "create",
      "secret",
      "generic",
      "creds",
      "--from-literal=password=s3cr3t!",
    ]);
    expect(result).toEqual({ code: 0, stdout: "secret/creds created\n", stderr: "" });
    const live = await getObject(fixture.sandbox(), "secret", "creds");
    expect(stableObject(live)).toEqual({
      apiVersion: "v1",
      data: { password: "czNjcjN0IQ==" },
      kind: "Secret",
      metadata: {
        creationTimestamp: "<creationTimestamp>",
        managedFields: [
          {
            apiVersion: "v1",
            fieldsType: "FieldsV1",
            fieldsV1: { "f:data": { ".": {}, "f:password": {} }, "f:type": {} },
            manager: "kubectl-create",
            operation: "Update",
            time: "<time>",
          },
        ],
        name: "creds",
        namespace: "default",
        resourceVersion: "<resourceVersion>",
        uid: "<uid>",
      },
      type: "Opaque",
    });
  });

  it("refuses to create an object that exists", async () => {
    const result = await runKubectl(fixture.sandbox(), [
      "create",
      "configmap",
      "settings",
      "--from-literal=mode=slow",
    ]);
    expect(result).toEqual({
      code: 1,
      stdout: "",
      stderr: 'error: failed to create configmap: configmaps "settings" already exists\n',
    });
  });
});

describe("kubectl create -f and replace -f", () => {
  const fromFile = { name: "fromfile", replicas: 2, image: "nginx:1.25", port: 80 } as const;

  it("create -f stores the defaulted object, owned by kubectl-create, without a last-applied annotation", async () => {
    const path = writeManifest(fixture.directory(), "fromfile.yaml", deploymentManifest(fromFile));
    const result = await runKubectl(fixture.sandbox(), ["create", "-f", path]);
    expect(result).toEqual({ code: 0, stdout: "deployment.apps/fromfile created\n", stderr: "" });
    const live = await getObject(fixture.sandbox(), "deployment", "fromfile");
    expect(valueAt(live, "metadata", "annotations")).toBeUndefined();
    expect(valueAt(live, "spec")).toEqual(defaultedDeploymentSpec(fromFile));
    expect(managedFieldsOf(live).map(stableEntry)).toEqual([
      {
        apiVersion: "apps/v1",
        fieldsType: "FieldsV1",
        fieldsV1: createdDeploymentFields("fromfile", 80),
        manager: "kubectl-create",
        operation: "Update",
        time: "<time>",
      },
    ]);
  });

  it("create -f of an existing object fails with AlreadyExists", async () => {
    const path = writeManifest(fixture.directory(), "fromfile-again.yaml", deploymentManifest(fromFile));
    const result = await runKubectl(fixture.sandbox(), ["create", "-f", path]);
    expect(result).toEqual({
      code: 1,
      stdout: "",
      stderr: `Error from server (AlreadyExists): error when creating "${path}": deployments.apps "fromfile" already exists\n`,
    });
  });

  it("replace -f sends the whole object; kubectl-replace owns only what changed", async () => {
    const path = writeManifest(
      fixture.directory(),
      "fromfile-v2.yaml",
      deploymentManifest({ ...fromFile, replicas: 3, image: "nginx:1.26" }),
    );
    const result = await runKubectl(fixture.sandbox(), ["replace", "-f", path]);
    expect(result).toEqual({ code: 0, stdout: "deployment.apps/fromfile replaced\n", stderr: "" });
    const live = await getObject(fixture.sandbox(), "deployment", "fromfile");
    expect(valueAt(live, "spec")).toEqual(
      defaultedDeploymentSpec({ ...fromFile, replicas: 3, image: "nginx:1.26" }),
    );
    expect(valueAt(live, "metadata", "generation")).toBe(2);
    expect(stableEntry(managedFieldsEntry(live, "kubectl-replace"))).toEqual({
      apiVersion: "apps/v1",
      fieldsType: "FieldsV1",
      fieldsV1: {
        "f:spec": {
          "f:replicas": {},
          "f:template": { "f:spec": { "f:containers": { 'k:{"name":"fromfile"}': { "f:image": {} } } } },
        },
      },
      manager: "kubectl-replace",
      operation: "Update",
      time: "<time>",
    });
    const created = fieldsOf(live, "kubectl-create");
    expect(valueAt(created, "f:spec", "f:replicas")).toBeUndefined();
    expect(valueAt(created, "f:spec", "f:progressDeadlineSeconds")).toEqual({});
  });
});

describe("kubectl scale", () => {
  it("writes spec.replicas through the scale subresource, as manager kubectl (the user agent)", async () => {
    await createDeployment("scaled");
    const result = await runKubectl(fixture.sandbox(), ["scale", "deployment/scaled", "--replicas=5"]);
    expect(result).toEqual({ code: 0, stdout: "deployment.apps/scaled scaled\n", stderr: "" });

    const live = await getObject(fixture.sandbox(), "deployment", "scaled");
    expect(valueAt(live, "spec", "replicas")).toBe(5);
    expect(valueAt(live, "metadata", "generation")).toBe(2);
    expect(summarizeManagers(live)).toEqual(["kubectl/Update/scale", "kubectl-create/Update"]);
    // kube-apiserver converts managedFields between Scale and the parent (ScaleHandler.ToParent) keeping
    // only the parent's times, so a manager new to the parent gets no `time`; published
    // `--show-managed-fields` outputs of /scale writers show none. Without a time it sorts first.
    // unverified: not observed on a 1.32 cluster specifically.
    expect(managedFieldsEntry(live, "kubectl", { subresource: "scale" })).toEqual({
      apiVersion: "apps/v1",
      fieldsType: "FieldsV1",
      fieldsV1: { "f:spec": { "f:replicas": {} } },
      manager: "kubectl",
      operation: "Update",
      subresource: "scale",
    });
    expect(valueAt(fieldsOf(live, "kubectl-create"), "f:spec", "f:replicas")).toBeUndefined();
    expect(isInServerOrder(managedFieldsOf(live))).toBe(true);
  });

  it("refuses --current-replicas that does not match", async () => {
    const result = await runKubectl(fixture.sandbox(), [
      "scale",
      "deployment/scaled",
      "--current-replicas=3",
      "--replicas=1",
    ]);
    expect(result.code).toBe(1);
    // unverified: kubectl's PreconditionError text, returned unwrapped by the retry loop.
    expect(result.stderr).toBe("error: Expected replicas to be 3, was 5\n");
  });
});

describe("kubectl set", () => {
  it("set image and set env share the manager kubectl-set, whose entry grows", async () => {
    await createDeployment("setter");
    const image = await runKubectl(fixture.sandbox(), [
      "set",
      "image",
      "deployment/setter",
      "nginx=nginx:1.27",
    ]);
    expect(image).toEqual({ code: 0, stdout: "deployment.apps/setter image updated\n", stderr: "" });
    const afterImage = await getObject(fixture.sandbox(), "deployment", "setter");
    expect(valueAt(afterImage, "spec", "template", "spec", "containers")).toEqual([
      {
        image: "nginx:1.27",
        imagePullPolicy: "IfNotPresent",
        name: "nginx",
        resources: {},
        terminationMessagePath: "/dev/termination-log",
        terminationMessagePolicy: "File",
      },
    ]);
    expect(stableEntry(managedFieldsEntry(afterImage, "kubectl-set"))).toEqual({
      apiVersion: "apps/v1",
      fieldsType: "FieldsV1",
      fieldsV1: {
        "f:spec": { "f:template": { "f:spec": { "f:containers": { [nginxContainer]: { "f:image": {} } } } } },
      },
      manager: "kubectl-set",
      operation: "Update",
      time: "<time>",
    });
    expect(
      valueAt(
        fieldsOf(afterImage, "kubectl-create"),
        "f:spec",
        "f:template",
        "f:spec",
        "f:containers",
        nginxContainer,
        "f:image",
      ),
    ).toBeUndefined();

    const env = await runKubectl(fixture.sandbox(), ["set", "env", "deployment/setter", "FOO=bar"]);
    expect(env).toEqual({ code: 0, stdout: "deployment.apps/setter env updated\n", stderr: "" });
    const afterEnv = await getObject(fixture.sandbox(), "deployment", "setter");
    expect(valueAt(afterEnv, "spec", "template", "spec", "containers")).toEqual([
      {
        env: [{ name: "FOO", value: "bar" }],
        image: "nginx:1.27",
        imagePullPolicy: "IfNotPresent",
        name: "nginx",
        resources: {},
        terminationMessagePath: "/dev/termination-log",
        terminationMessagePolicy: "File",
      },
    ]);
    expect(valueAt(afterEnv, "metadata", "generation")).toBe(3);
    expect(summarizeManagers(afterEnv).filter((name) => name.startsWith("kubectl-set"))).toEqual([
      "kubectl-set/Update",
    ]);
    expect(fieldsOf(afterEnv, "kubectl-set")).toEqual({
      "f:spec": {
        "f:template": {
          "f:spec": {
            "f:containers": {
              [nginxContainer]: {
                "f:env": { ".": {}, 'k:{"name":"FOO"}': { ".": {}, "f:name": {}, "f:value": {} } },
                "f:image": {},
              },
            },
          },
        },
      },
    });
  });
});

describe("kubectl label and annotate", () => {
  it("label is owned by kubectl-label and does not bump the generation", async () => {
    const before = await createDeployment("tagged");
    const result = await runKubectl(fixture.sandbox(), ["label", "deployment", "tagged", "tier=frontend"]);
    expect(result).toEqual({ code: 0, stdout: "deployment.apps/tagged labeled\n", stderr: "" });
    const live = await getObject(fixture.sandbox(), "deployment", "tagged");
    expect(valueAt(live, "metadata", "labels")).toEqual({ app: "tagged", tier: "frontend" });
    expect(valueAt(live, "metadata", "generation")).toBe(1);
    expect(resourceVersionOf(live)).not.toBe(resourceVersionOf(before));
    expect(stableEntry(managedFieldsEntry(live, "kubectl-label"))).toEqual({
      apiVersion: "apps/v1",
      fieldsType: "FieldsV1",
      // labels existed already, so the map itself is not a new member: no "." here.
      fieldsV1: { "f:metadata": { "f:labels": { "f:tier": {} } } },
      manager: "kubectl-label",
      operation: "Update",
      time: "<time>",
    });
  });

  it("refuses to change an existing label without --overwrite", async () => {
    const result = await runKubectl(fixture.sandbox(), ["label", "deployment", "tagged", "tier=backend"]);
    expect(result).toEqual({
      code: 1,
      stdout: "",
      stderr: "error: 'tier' already has a value (frontend), and --overwrite is false\n",
    });
  });

  it("annotate is owned by kubectl-annotate; the new annotations map is itself a member", async () => {
    const result = await runKubectl(fixture.sandbox(), ["annotate", "deployment", "tagged", "owner=team-a"]);
    expect(result).toEqual({ code: 0, stdout: "deployment.apps/tagged annotated\n", stderr: "" });
    const live = await getObject(fixture.sandbox(), "deployment", "tagged");
    expect(valueAt(live, "metadata", "annotations")).toEqual({ owner: "team-a" });
    expect(stableEntry(managedFieldsEntry(live, "kubectl-annotate"))).toEqual({
      apiVersion: "apps/v1",
      fieldsType: "FieldsV1",
      fieldsV1: { "f:metadata": { "f:annotations": { ".": {}, "f:owner": {} } } },
      manager: "kubectl-annotate",
      operation: "Update",
      time: "<time>",
    });
  });

  it("removing the label with key- drops it from the object and from kubectl-label's entry (and the empty entry)", async () => {
    const result = await runKubectl(fixture.sandbox(), ["label", "deployment", "tagged", "tier-"]);
    expect(result).toEqual({ code: 0, stdout: "deployment.apps/tagged unlabeled\n", stderr: "" });
    const live = await getObject(fixture.sandbox(), "deployment", "tagged");
    expect(valueAt(live, "metadata", "labels")).toEqual({ app: "tagged" });
    expect(summarizeManagers(live).filter((name) => name.startsWith("kubectl-label"))).toEqual([]);
  });
});

describe("kubectl patch", () => {
  it("strategic, merge and JSON patches all record manager kubectl-patch", async () => {
    await createDeployment("patched");
    const sandbox = fixture.sandbox();
    const strategic = await runKubectl(sandbox, [
      "patch",
      "deployment",
      "patched",
      "-p",
      '{"spec":{"replicas":3}}',
    ]);
    expect(strategic).toEqual({ code: 0, stdout: "deployment.apps/patched patched\n", stderr: "" });
    const merge = await runKubectl(sandbox, [
      "patch",
      "deployment",
      "patched",
      "--type",
      "merge",
      "-p",
      '{"metadata":{"labels":{"team":"a"}}}',
    ]);
    expect(merge).toEqual({ code: 0, stdout: "deployment.apps/patched patched\n", stderr: "" });
    const json = await runKubectl(sandbox, [
      "patch",
      "deployment",
      "patched",
      "--type",
      "json",
      "-p",
      '[{"op":"replace","path":"/spec/template/spec/containers/0/image","value":"nginx:1.28"}]',
    ]);
    expect(json).toEqual({ code: 0, stdout: "deployment.apps/patched patched\n", stderr: "" });

    const live = await getObject(sandbox, "deployment", "patched");
    expect(valueAt(live, "spec", "replicas")).toBe(3);
    expect(valueAt(live, "metadata", "labels")).toEqual({ app: "patched", team: "a" });
    expect(stableEntry(managedFieldsEntry(live, "kubectl-patch"))).toEqual({
      apiVersion: "apps/v1",
      fieldsType: "FieldsV1",
      fieldsV1: {
        "f:metadata": { "f:labels": { "f:team": {} } },
        "f:spec": {
          "f:replicas": {},
          "f:template": { "f:spec": { "f:containers": { [nginxContainer]: { "f:image": {} } } } },
        },
      },
      manager: "kubectl-patch",
      operation: "Update",
      time: "<time>",
    });
  });

  it("a patch that changes nothing is reported as (no change) and keeps the resourceVersion", async () => {
    const before = await getObject(fixture.sandbox(), "deployment", "patched");
    const result = await runKubectl(fixture.sandbox(), [
      "patch",
      "deployment",
      "patched",
      "-p",
      '{"spec":{"replicas":3}}',
    ]);
    expect(result).toEqual({ code: 0, stdout: "deployment.apps/patched patched (no change)\n", stderr: "" });
    const after = await getObject(fixture.sandbox(), "deployment", "patched");
    expect(resourceVersionOf(after)).toBe(resourceVersionOf(before));
    expect(after).toEqual(before);
  });

  it("a strategic patch merges the containers list by name instead of replacing it", async () => {
    const result = await runKubectl(fixture.sandbox(), [
      "patch",
      "deployment",
      "patched",
      "-p",
      '{"spec":{"template":{"spec":{"containers":[{"name":"sidecar","image":"busybox:1.36"}]}}}}',
    ]);
    expect(result.code).toBe(0);
    const live = await getObject(fixture.sandbox(), "deployment", "patched");
    const containers = valueAt(live, "spec", "template", "spec", "containers");
    const names = Array.isArray(containers)
      ? (containers as readonly JsonValue[]).map((container) => valueAt(container, "name"))
      : containers;
    // Without $setElementOrder, strategic merge puts the patch's new items before the existing ones.
    expect(names).toEqual(["sidecar", "nginx"]);
  });

  it("a JSON patch whose test fails is rejected with the server's message", async () => {
    const result = await runKubectl(fixture.sandbox(), [
      "patch",
      "deployment",
      "patched",
      "--type",
      "json",
      "-p",
      '[{"op":"test","path":"/spec/replicas","value":9}]',
    ]);
    // kube-apiserver answers NewGenericServerResponse(422, …): reason Invalid with a generic message and no
    // causes (the json-patch error text is dropped), and kubectl appends that message to its invalid-error line.
    expect(result).toEqual({
      code: 1,
      stdout: "",
      stderr: "The request is invalid: the server rejected our request due to an error in our request\n",
    });
  });
});

describe("kubectl edit", () => {
  it("sends the editor's change as a patch owned by kubectl-edit", async () => {
    await createDeployment("edited");
    const editor = writeEditorScript(fixture.directory(), "s/^  replicas: 2$/  replicas: 7/");
    const result = await runKubectl(fixture.sandbox(), ["edit", "deployment/edited"], {
      env: { KUBE_EDITOR: editor },
    });
    expect(result).toEqual({ code: 0, stdout: "deployment.apps/edited edited\n", stderr: "" });
    const live = await getObject(fixture.sandbox(), "deployment", "edited");
    expect(valueAt(live, "spec", "replicas")).toBe(7);
    expect(stableEntry(managedFieldsEntry(live, "kubectl-edit"))).toEqual({
      apiVersion: "apps/v1",
      fieldsType: "FieldsV1",
      fieldsV1: { "f:spec": { "f:replicas": {} } },
      manager: "kubectl-edit",
      operation: "Update",
      time: "<time>",
    });
  });

  it("an editor that changes nothing cancels the edit", async () => {
    const before = await getObject(fixture.sandbox(), "deployment", "edited");
    const editor = writeEditorScript(fixture.directory(), "s/^no such line$//");
    const result = await runKubectl(fixture.sandbox(), ["edit", "deployment/edited"], {
      env: { KUBE_EDITOR: editor },
    });
    expect(result).toEqual({ code: 0, stdout: "", stderr: "Edit cancelled, no changes made.\n" });
    const after = await getObject(fixture.sandbox(), "deployment", "edited");
    expect(resourceVersionOf(after)).toBe(resourceVersionOf(before));
  });
});

describe("kubectl rollout restart", () => {
  it("stamps kubectl.kubernetes.io/restartedAt into the pod template, owned by kubectl-rollout", async () => {
    await createDeployment("restarted");
    const result = await runKubectl(fixture.sandbox(), ["rollout", "restart", "deployment/restarted"]);
    expect(result).toEqual({ code: 0, stdout: "deployment.apps/restarted restarted\n", stderr: "" });
    const live = await getObject(fixture.sandbox(), "deployment", "restarted");
    const annotations = valueAt(live, "spec", "template", "metadata", "annotations");
    expect(Object.keys(annotations as JsonObject)).toEqual(["kubectl.kubernetes.io/restartedAt"]);
    // kubectl formats time.Now() as RFC 3339 in the local zone (TZ=UTC here).
    expect(valueAt(annotations, "kubectl.kubernetes.io/restartedAt")).toMatch(
      /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}Z$/,
    );
    expect(valueAt(live, "metadata", "generation")).toBe(2);
    expect(stableEntry(managedFieldsEntry(live, "kubectl-rollout"))).toEqual({
      apiVersion: "apps/v1",
      fieldsType: "FieldsV1",
      fieldsV1: {
        "f:spec": {
          "f:template": {
            "f:metadata": { "f:annotations": { ".": {}, "f:kubectl.kubernetes.io/restartedAt": {} } },
          },
        },
      },
      manager: "kubectl-rollout",
      operation: "Update",
      time: "<time>",
    });
  });
});

describe("managedFields ordering", () => {
  it("after several managers the entries are in kube-apiserver's order", async () => {
    await createDeployment("many");
    const sandbox = fixture.sandbox();
    await kubectlOk(sandbox, ["label", "deployment", "many", "x=1"]);
    await kubectlOk(sandbox, ["scale", "deployment/many", "--replicas=4"]);
    await kubectlOk(sandbox, ["annotate", "deployment", "many", "y=2"]);
    const live = await getObject(sandbox, "deployment", "many");
    expect([...summarizeManagers(live)].sort()).toEqual([
      "kubectl-annotate/Update",
      "kubectl-create/Update",
      "kubectl-label/Update",
      "kubectl/Update/scale",
    ]);
    expect(isInServerOrder(managedFieldsOf(live))).toBe(true);
  });
});
