/**
 * `kubectl apply`, client-side and server-side, against the sandbox: the
 * printed verdicts, the stored object with its defaults, and the managedFields
 * kube-apiserver 1.32 records for each step.
 */
import { describe, expect, it } from "vitest";
import { useSandbox } from "../support/sandbox.js";
import {
  getObject,
  isInServerOrder,
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
import {
  appliedDeploymentFields,
  createdDeploymentFields,
  defaultedDeploymentSpec,
  deploymentManifest,
} from "./deployments.js";

const fixture = useSandbox();

const lastAppliedAnnotation = "kubectl.kubernetes.io/last-applied-configuration";

function applyFile(name: string, text: string, ...flags: readonly string[]): ReturnType<typeof runKubectl> {
  const path = writeManifest(fixture.directory(), name, text);
  return runKubectl(fixture.sandbox(), ["apply", "-f", path, ...flags]);
}

describe("kubectl apply (client-side)", () => {
  const v1 = { name: "web", replicas: 2, image: "nginx:1.25", port: 80 } as const;
  // Client-side apply stores the manifest as Go's json encoding (sorted keys, namespace filled in,
  // an emptied annotations map) plus the encoder's trailing newline.
  const lastAppliedV1 =
    '{"apiVersion":"apps/v1","kind":"Deployment","metadata":{"annotations":{},"labels":{"app":"web"},"name":"web","namespace":"default"},' +
    '"spec":{"replicas":2,"selector":{"matchLabels":{"app":"web"}},"template":{"metadata":{"labels":{"app":"web"}},' +
    '"spec":{"containers":[{"image":"nginx:1.25","name":"web","ports":[{"containerPort":80}]}]}}}}\n';

  it("creates the object with the last-applied annotation, owned by kubectl-client-side-apply through an Update", async () => {
    const result = await applyFile("web-v1.yaml", deploymentManifest(v1));
    expect(result).toEqual({ code: 0, stdout: "deployment.apps/web created\n", stderr: "" });

    const live = await getObject(fixture.sandbox(), "deployment", "web");
    expect(stableObject(live)).toEqual({
      apiVersion: "apps/v1",
      kind: "Deployment",
      metadata: {
        annotations: { [lastAppliedAnnotation]: lastAppliedV1 },
        creationTimestamp: "<creationTimestamp>",
        generation: 1,
        labels: { app: "web" },
        managedFields: [
          {
            apiVersion: "apps/v1",
            fieldsType: "FieldsV1",
            fieldsV1: {
              ...createdDeploymentFields("web", 80),
              "f:metadata": {
                "f:annotations": { ".": {}, [`f:${lastAppliedAnnotation}`]: {} },
                "f:labels": { ".": {}, "f:app": {} },
              },
            },
            manager: "kubectl-client-side-apply",
            operation: "Update",
            time: "<time>",
          },
        ],
        name: "web",
        namespace: "default",
        resourceVersion: "<resourceVersion>",
        uid: "<uid>",
      },
      spec: defaultedDeploymentSpec(v1),
      status: {},
    });
  });

  it("reports an identical manifest as unchanged and writes nothing", async () => {
    const before = await getObject(fixture.sandbox(), "deployment", "web");
    const result = await applyFile("web-v1-again.yaml", deploymentManifest(v1));
    expect(result).toEqual({ code: 0, stdout: "deployment.apps/web unchanged\n", stderr: "" });

    const after = await getObject(fixture.sandbox(), "deployment", "web");
    expect(resourceVersionOf(after)).toBe(resourceVersionOf(before));
    expect(after).toEqual(before);
  });

  it("configures a changed manifest with a three-way patch that also removes what the manifest dropped", async () => {
    const before = await getObject(fixture.sandbox(), "deployment", "web");
    const v2 = { name: "web", replicas: 3, image: "nginx:1.26" } as const;
    const result = await applyFile("web-v2.yaml", deploymentManifest(v2));
    expect(result).toEqual({ code: 0, stdout: "deployment.apps/web configured\n", stderr: "" });

    const live = await getObject(fixture.sandbox(), "deployment", "web");
    expect(resourceVersionOf(live)).not.toBe(resourceVersionOf(before));
    expect(valueAt(live, "metadata", "generation")).toBe(2);
    expect(valueAt(live, "metadata", "uid")).toBe(valueAt(before, "metadata", "uid"));
    expect(valueAt(live, "metadata", "annotations", lastAppliedAnnotation)).toBe(
      '{"apiVersion":"apps/v1","kind":"Deployment","metadata":{"annotations":{},"labels":{"app":"web"},"name":"web","namespace":"default"},' +
        '"spec":{"replicas":3,"selector":{"matchLabels":{"app":"web"}},"template":{"metadata":{"labels":{"app":"web"}},' +
        '"spec":{"containers":[{"image":"nginx:1.26","name":"web"}]}}}}\n',
    );
    // The ports were in the last-applied configuration and are not in the new one: the patch deletes them.
    expect(valueAt(live, "spec")).toEqual(defaultedDeploymentSpec(v2));
    // The same manager updated again: one entry, and the removed ports are no longer owned.
    expect(managedFieldsOf(live).map(stableEntry)).toEqual([
      {
        apiVersion: "apps/v1",
        fieldsType: "FieldsV1",
        fieldsV1: {
          ...createdDeploymentFields("web"),
          "f:metadata": {
            "f:annotations": { ".": {}, [`f:${lastAppliedAnnotation}`]: {} },
            "f:labels": { ".": {}, "f:app": {} },
          },
        },
        manager: "kubectl-client-side-apply",
        operation: "Update",
        time: "<time>",
      },
    ]);
  });
});

describe("kubectl apply --server-side", () => {
  const api = { name: "api", replicas: 2, image: "nginx:1.25", port: 8080 } as const;

  it("creates the object owned by manager kubectl through an Apply that owns only what the manifest sets", async () => {
    const result = await applyFile("api.yaml", deploymentManifest(api), "--server-side");
    expect(result).toEqual({ code: 0, stdout: "deployment.apps/api serverside-applied\n", stderr: "" });

    const live = await getObject(fixture.sandbox(), "deployment", "api");
    expect(stableObject(live)).toEqual({
      apiVersion: "apps/v1",
      kind: "Deployment",
      metadata: {
        creationTimestamp: "<creationTimestamp>",
        generation: 1,
        labels: { app: "api" },
        managedFields: [
          {
            apiVersion: "apps/v1",
            fieldsType: "FieldsV1",
            fieldsV1: appliedDeploymentFields("api", 8080),
            manager: "kubectl",
            operation: "Apply",
            time: "<time>",
          },
        ],
        name: "api",
        namespace: "default",
        resourceVersion: "<resourceVersion>",
        uid: "<uid>",
      },
      spec: defaultedDeploymentSpec(api),
      status: {},
    });
  });

  it("re-applying the same manifest changes nothing", async () => {
    const before = await getObject(fixture.sandbox(), "deployment", "api");
    const result = await applyFile("api-again.yaml", deploymentManifest(api), "--server-side");
    expect(result).toEqual({ code: 0, stdout: "deployment.apps/api serverside-applied\n", stderr: "" });
    const after = await getObject(fixture.sandbox(), "deployment", "api");
    expect(resourceVersionOf(after)).toBe(resourceVersionOf(before));
  });

  it("refuses to take a field that kubectl-edit changed, with kubectl's conflict message", async () => {
    const editor = writeEditorScript(fixture.directory(), "s/^  replicas: 2$/  replicas: 4/");
    const edit = await runKubectl(fixture.sandbox(), ["edit", "deployment/api"], {
      env: { KUBE_EDITOR: editor },
    });
    expect(edit).toEqual({ code: 0, stdout: "deployment.apps/api edited\n", stderr: "" });

    const edited = await getObject(fixture.sandbox(), "deployment", "api");
    expect(summarizeManagers(edited)).toEqual(["kubectl/Apply", "kubectl-edit/Update"]);
    expect(stableEntry(managedFieldsEntry(edited, "kubectl-edit"))).toEqual({
      apiVersion: "apps/v1",
      fieldsType: "FieldsV1",
      fieldsV1: { "f:spec": { "f:replicas": {} } },
      manager: "kubectl-edit",
      operation: "Update",
      time: "<time>",
    });
    // An Update takes the fields it changes away from every other manager, appliers included.
    expect(
      valueAt(managedFieldsEntry(edited, "kubectl").fieldsV1 ?? {}, "f:spec", "f:replicas"),
    ).toBeUndefined();

    const result = await applyFile("api-conflict.yaml", deploymentManifest(api), "--server-side");
    expect(result.code).toBe(1);
    expect(result.stdout).toBe("");
    expect(result.stderr).toBe(
      [
        'error: Apply failed with 1 conflict: conflict with "kubectl-edit" using apps/v1: .spec.replicas',
        "Please review the fields above--they currently have other managers. Here",
        "are the ways you can resolve this warning:",
        "* If you intend to manage all of these fields, please re-run the apply",
        "  command with the `--force-conflicts` flag.",
        "* If you do not intend to manage all of the fields, please edit your",
        "  manifest to remove references to the fields that should keep their",
        "  current managers.",
        "* You may co-own fields by updating your manifest to match the existing",
        "  value; in this case, you'll become the manager if the other manager(s)",
        "  stop managing the field (remove it from their configuration).",
        "See https://kubernetes.io/docs/reference/using-api/server-side-apply/#conflicts",
        "",
      ].join("\n"),
    );
    const after = await getObject(fixture.sandbox(), "deployment", "api");
    expect(resourceVersionOf(after)).toBe(resourceVersionOf(edited));
    expect(valueAt(after, "spec", "replicas")).toBe(4);
  });

  it("takes the field over with --force-conflicts, leaving the other manager with nothing (so no entry)", async () => {
    const result = await applyFile(
      "api-force.yaml",
      deploymentManifest(api),
      "--server-side",
      "--force-conflicts",
    );
    expect(result).toEqual({ code: 0, stdout: "deployment.apps/api serverside-applied\n", stderr: "" });

    const live = await getObject(fixture.sandbox(), "deployment", "api");
    expect(valueAt(live, "spec", "replicas")).toBe(2);
    expect(valueAt(live, "metadata", "generation")).toBe(3);
    expect(managedFieldsOf(live).map(stableEntry)).toEqual([
      {
        apiVersion: "apps/v1",
        fieldsType: "FieldsV1",
        fieldsV1: appliedDeploymentFields("api", 8080),
        manager: "kubectl",
        operation: "Apply",
        time: "<time>",
      },
    ]);
  });

  it("lets a manifest co-own a field whose live value it matches without a conflict", async () => {
    const editor = writeEditorScript(
      fixture.directory(),
      "s/^      - image: nginx:1.25$/      - image: nginx:1.27/",
    );
    const edit = await runKubectl(fixture.sandbox(), ["edit", "deployment/api"], {
      env: { KUBE_EDITOR: editor },
    });
    expect(edit).toEqual({ code: 0, stdout: "deployment.apps/api edited\n", stderr: "" });

    const result = await applyFile(
      "api-coown.yaml",
      deploymentManifest({ ...api, image: "nginx:1.27" }),
      "--server-side",
    );
    expect(result).toEqual({ code: 0, stdout: "deployment.apps/api serverside-applied\n", stderr: "" });
    const live = await getObject(fixture.sandbox(), "deployment", "api");
    expect(summarizeManagers(live)).toEqual(["kubectl/Apply", "kubectl-edit/Update"]);
    const imagePath = [
      "f:spec",
      "f:template",
      "f:spec",
      "f:containers",
      'k:{"name":"api"}',
      "f:image",
    ] as const;
    expect(valueAt(managedFieldsEntry(live, "kubectl").fieldsV1 ?? {}, ...imagePath)).toEqual({});
    expect(valueAt(managedFieldsEntry(live, "kubectl-edit").fieldsV1 ?? {}, ...imagePath)).toEqual({});
  });
});

describe("kubectl apply --server-side on an object created by client-side apply", () => {
  const mig = { name: "mig", replicas: 1, image: "nginx:1.25" } as const;

  it("migrates the kubectl-client-side-apply entry into kubectl's Apply entry and keeps the annotation", async () => {
    const created = await applyFile("mig.yaml", deploymentManifest(mig));
    expect(created).toEqual({ code: 0, stdout: "deployment.apps/mig created\n", stderr: "" });

    // kubectl 1.32 applies, saves the annotation under the manager kubectl-last-applied, rewrites
    // managedFields with a JSON patch (csaupgrade) and applies again so that dropped fields go.
    const result = await applyFile("mig-ssa.yaml", deploymentManifest(mig), "--server-side");
    expect(result).toEqual({ code: 0, stdout: "deployment.apps/mig serverside-applied\n", stderr: "" });

    const live = await getObject(fixture.sandbox(), "deployment", "mig");
    const entries = managedFieldsOf(live);
    expect(isInServerOrder(entries)).toBe(true);
    expect([...summarizeManagers(live)].sort()).toEqual(["kubectl-last-applied/Apply", "kubectl/Apply"]);
    expect(stableEntry(managedFieldsEntry(live, "kubectl"))).toEqual({
      apiVersion: "apps/v1",
      fieldsType: "FieldsV1",
      fieldsV1: appliedDeploymentFields("mig"),
      manager: "kubectl",
      operation: "Apply",
      time: "<time>",
    });
    expect(stableEntry(managedFieldsEntry(live, "kubectl-last-applied"))).toEqual({
      apiVersion: "apps/v1",
      fieldsType: "FieldsV1",
      fieldsV1: { "f:metadata": { "f:annotations": { [`f:${lastAppliedAnnotation}`]: {} } } },
      manager: "kubectl-last-applied",
      operation: "Apply",
      // unverified: this apply re-sends the annotation's current value, a no-op for the object, and
      // kube-apiserver stamps an Apply entry's time only when the apply changed the object.
    });
    // Defaults the client-side entry owned were released and defaulted again: the spec is as before.
    expect(valueAt(live, "spec")).toEqual(defaultedDeploymentSpec(mig));
    // unverified: kube-apiserver rewrites the annotation from the applied configuration when the
    // manager is "kubectl" (lastAppliedUpdater), so it no longer carries the empty "annotations" map.
    const annotation = valueAt(live, "metadata", "annotations", lastAppliedAnnotation);
    expect(typeof annotation).toBe("string");
    expect(JSON.parse(annotation as string)).toEqual({
      apiVersion: "apps/v1",
      kind: "Deployment",
      metadata: { labels: { app: "mig" }, name: "mig", namespace: "default" },
      spec: {
        replicas: 1,
        selector: { matchLabels: { app: "mig" } },
        template: {
          metadata: { labels: { app: "mig" } },
          spec: { containers: [{ image: "nginx:1.25", name: "mig" }] },
        },
      },
    });
  });
});

describe("kubectl apply --dry-run=server", () => {
  it("prints the verdict with (server dry run) and stores nothing", async () => {
    const result = await applyFile(
      "dry.yaml",
      deploymentManifest({ name: "dry", replicas: 1, image: "nginx:1.25" }),
      "--dry-run=server",
    );
    expect(result).toEqual({ code: 0, stdout: "deployment.apps/dry created (server dry run)\n", stderr: "" });
    const get = await runKubectl(fixture.sandbox(), ["get", "deployment", "dry"]);
    expect(get).toEqual({
      code: 1,
      stdout: "",
      stderr: 'Error from server (NotFound): deployments.apps "dry" not found\n',
    });
  });
});

describe("kubectl apply of a Service (allocated and defaulted fields)", () => {
  it("allocates the cluster IP and defaults the rest; the applier owns the defaults but not the allocations", async () => {
    const manifest = [
      "apiVersion: v1",
      "kind: Service",
      "metadata:",
      "  name: frontend",
      "spec:",
      "  selector:",
      "    app: web",
      "  ports:",
      "  - name: http",
      "    port: 80",
      "    targetPort: 8080",
      "  - name: metrics",
      "    port: 9090",
      "---",
      "apiVersion: v1",
      "kind: ConfigMap",
      "metadata:",
      "  name: frontend-settings",
      "data:",
      "  mode: fast",
      "",
    ].join("\n");
    const result = await applyFile("frontend.yaml", manifest);
    // Every document of the file, in order.
    expect(result).toEqual({
      code: 0,
      stdout: "service/frontend created\nconfigmap/frontend-settings created\n",
      stderr: "",
    });

    const live = await getObject(fixture.sandbox(), "service", "frontend");
    const spec = valueAt(live, "spec") as Record<string, unknown>;
    expect(spec["clusterIP"]).toMatch(/^\d{1,3}\.\d{1,3}\.\d{1,3}\.\d{1,3}$/);
    expect(spec).toEqual({
      clusterIP: spec["clusterIP"],
      clusterIPs: [spec["clusterIP"]],
      internalTrafficPolicy: "Cluster",
      ipFamilies: ["IPv4"],
      ipFamilyPolicy: "SingleStack",
      ports: [
        { name: "http", port: 80, protocol: "TCP", targetPort: 8080 },
        // targetPort defaults to the port.
        { name: "metrics", port: 9090, protocol: "TCP", targetPort: 9090 },
      ],
      selector: { app: "web" },
      sessionAffinity: "None",
      type: "ClusterIP",
    });
    expect(valueAt(live, "status")).toEqual({ loadBalancer: {} });
    // Defaulting happens when the request is decoded, before the field manager looks, so the applier owns
    // internalTrafficPolicy, protocol, targetPort, sessionAffinity and type; the registry allocates
    // clusterIP(s) and ipFamilies/ipFamilyPolicy afterwards, so nobody owns those.
    expect(managedFieldsOf(live).map(stableEntry)).toEqual([
      {
        apiVersion: "v1",
        fieldsType: "FieldsV1",
        fieldsV1: {
          "f:metadata": { "f:annotations": { ".": {}, [`f:${lastAppliedAnnotation}`]: {} } },
          "f:spec": {
            "f:internalTrafficPolicy": {},
            "f:ports": {
              ".": {},
              'k:{"port":80,"protocol":"TCP"}': {
                ".": {},
                "f:name": {},
                "f:port": {},
                "f:protocol": {},
                "f:targetPort": {},
              },
              'k:{"port":9090,"protocol":"TCP"}': {
                ".": {},
                "f:name": {},
                "f:port": {},
                "f:protocol": {},
                "f:targetPort": {},
              },
            },
            // Service.spec.selector is x-kubernetes-map-type: atomic.
            "f:selector": {},
            "f:sessionAffinity": {},
            "f:type": {},
          },
        },
        manager: "kubectl-client-side-apply",
        operation: "Update",
        time: "<time>",
      },
    ]);
  });
});

describe("kubectl apply --server-side on ConfigMaps", () => {
  const settings = (data: Readonly<Record<string, string>>): string =>
    [
      "apiVersion: v1",
      "kind: ConfigMap",
      "metadata:",
      "  name: shared",
      "data:",
      ...Object.entries(data).map(([key, value]) => `  ${key}: "${value}"`),
      "",
    ].join("\n");

  it("--field-manager names the applier", async () => {
    const result = await applyFile(
      "shared.yaml",
      settings({ a: "1", b: "2" }),
      "--server-side",
      "--field-manager=kubedrift",
    );
    expect(result).toEqual({ code: 0, stdout: "configmap/shared serverside-applied\n", stderr: "" });
    const live = await getObject(fixture.sandbox(), "configmap", "shared");
    expect(managedFieldsOf(live).map(stableEntry)).toEqual([
      {
        apiVersion: "v1",
        fieldsType: "FieldsV1",
        fieldsV1: { "f:data": { "f:a": {}, "f:b": {} } },
        manager: "kubedrift",
        operation: "Apply",
        time: "<time>",
      },
    ]);
  });

  it("removes a field the applier no longer sets, but keeps one that another applier also owns", async () => {
    const other = await applyFile(
      "shared-other.yaml",
      settings({ b: "2" }),
      "--server-side",
      "--field-manager=other",
    );
    expect(other.code).toBe(0);
    const result = await applyFile(
      "shared-v2.yaml",
      settings({ c: "3" }),
      "--server-side",
      "--field-manager=kubedrift",
    );
    expect(result).toEqual({ code: 0, stdout: "configmap/shared serverside-applied\n", stderr: "" });
    const live = await getObject(fixture.sandbox(), "configmap", "shared");
    // a was kubedrift's alone and goes; b stays because "other" still applies it.
    expect(valueAt(live, "data")).toEqual({ b: "2", c: "3" });
    expect(stableEntry(managedFieldsEntry(live, "kubedrift"))).toEqual({
      apiVersion: "v1",
      fieldsType: "FieldsV1",
      fieldsV1: { "f:data": { "f:c": {} } },
      manager: "kubedrift",
      operation: "Apply",
      time: "<time>",
    });
    expect(managedFieldsEntry(live, "other").fieldsV1).toEqual({ "f:data": { "f:b": {} } });
  });
});
