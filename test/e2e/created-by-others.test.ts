/**
 * No false alarms on objects others created (DESIGN "Drift semantics", rules 3 and 4; issue 10,
 * part 2). Objects are created in the sandbox by someone other than a known deployer: `kubectl
 * create -f` (an `Update` by kubectl-create), programs using @kubernetes/client-node with field
 * managers of their own (an `Update` by an untrusted manager that owns every field the API server
 * defaulted), an operator that writes back what it read, and a deployer under another name that
 * keeps the `kubectl.kubernetes.io/last-applied-configuration` annotation itself. Then the built
 * `kubedrift diff -f deploy -o json` must exit 0 with every resource InSync when the manifests
 * match, and exit 2 with exactly the out-of-band field once kubectl scales or labels the object.
 */
import { mkdirSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { AppsV1Api, CoreV1Api, KubeConfig, type V1Deployment, type V1Service } from "@kubernetes/client-node";
import { parseAllDocuments } from "yaml";
import { describe, expect, it } from "vitest";
import { kubectlJson, kubectlOk, managedFieldsEntry, summarizeManagers } from "../support/kubectl.js";
import { runKubedrift } from "../support/kubedrift.js";
import { useSandbox } from "../support/sandbox.js";

const fixture = useSandbox();

const lastApplied = "kubectl.kubernetes.io/last-applied-configuration";

// ---------------------------------------------------------------------------
// manifests: every field a user writes, none of the ones the API server defaults

/**
 * A Deployment whose containers have ports without protocol, env (one value from a fieldRef without
 * apiVersion), probes with only their handler, and no resources: kube-apiserver defaults protocol
 * TCP, fieldRef apiVersion v1, probe scheme/timeouts/periods/thresholds, strategy, revisionHistory,
 * progressDeadline, terminationMessage*, imagePullPolicy, restartPolicy, dnsPolicy, schedulerName …
 */
const deployment = (namespace: string, name: string, extraAnnotations = ""): string => `apiVersion: apps/v1
kind: Deployment
metadata:
  name: ${name}
  namespace: ${namespace}
  labels:
    app: ${name}${extraAnnotations}
spec:
  replicas: 2
  selector:
    matchLabels:
      app: ${name}
  template:
    metadata:
      labels:
        app: ${name}
    spec:
      containers:
        - name: web
          image: nginx:1.27
          ports:
            - name: http
              containerPort: 8080
            - name: metrics
              containerPort: 9090
          env:
            - name: LOG_LEVEL
              value: info
            - name: POD_NAME
              valueFrom:
                fieldRef:
                  fieldPath: metadata.name
          livenessProbe:
            httpGet:
              path: /healthz
              port: http
          readinessProbe:
            tcpSocket:
              port: 8080
`;

/** A Service whose ports have neither protocol nor targetPort (defaulted to TCP and to the port). */
const service = (namespace: string, name: string): string => `apiVersion: v1
kind: Service
metadata:
  name: ${name}
  namespace: ${namespace}
spec:
  selector:
    app: ${name}
  ports:
    - name: http
      port: 8080
    - name: metrics
      port: 9090
`;

const configMap = (namespace: string): string => `apiVersion: v1
kind: ConfigMap
metadata:
  name: web-config
  namespace: ${namespace}
data:
  CACHE_TTL: "300"
  greeting.txt: |
    hello
`;

/**
 * A StatefulSet with its headless Service and a volume claim template (kube-apiserver defaults the
 * claim's volumeMode, the set's podManagementPolicy, updateStrategy, PVC retention policy, …).
 * With `mounted`, the container mounts the claim template, as in the Kubernetes documentation's
 * StatefulSet example: a volumeMount that names a claim template, not a pod volume.
 */
const statefulSet = (namespace: string, mounted: boolean): string => `apiVersion: v1
kind: Service
metadata:
  name: db
  namespace: ${namespace}
spec:
  clusterIP: None
  selector:
    app: db
  ports:
    - port: 5432
---
apiVersion: apps/v1
kind: StatefulSet
metadata:
  name: db
  namespace: ${namespace}
spec:
  serviceName: db
  replicas: 1
  selector:
    matchLabels:
      app: db
  template:
    metadata:
      labels:
        app: db
    spec:
      containers:
        - name: postgres
          image: postgres:17
          ports:
            - containerPort: 5432${
              mounted
                ? `
          volumeMounts:
            - name: data
              mountPath: /var/lib/postgresql/data`
                : ""
            }
  volumeClaimTemplates:
    - metadata:
        name: data
      spec:
        accessModes: [ReadWriteOnce]
        resources:
          requests:
            storage: 1Gi
`;

const cronJob = (namespace: string): string => `apiVersion: batch/v1
kind: CronJob
metadata:
  name: nightly-report
  namespace: ${namespace}
spec:
  schedule: "0 3 * * *"
  jobTemplate:
    spec:
      template:
        spec:
          restartPolicy: OnFailure
          containers:
            - name: report
              image: busybox:1.37
              command: [sh, -c, "echo report"]
`;

// ---------------------------------------------------------------------------
// helpers

interface Drift {
  readonly path: string;
  readonly type: string;
  readonly desired?: unknown;
  readonly live?: unknown;
  readonly manager?: string;
  readonly operation?: string;
  readonly subresource?: string;
  readonly reason?: string;
}

interface Resource {
  readonly kind: string;
  readonly name: string;
  readonly status: string;
  readonly drifts?: readonly Drift[];
}

interface Report {
  readonly summary: Readonly<Record<string, number>>;
  readonly resources: readonly Resource[];
}

/** A namespace of its own and a scratch directory with `deploy/<file>` for each manifest. */
async function prepare(namespace: string, files: Readonly<Record<string, string>>): Promise<string> {
  const directory = join(fixture.directory(), namespace);
  mkdirSync(join(directory, "deploy"), { recursive: true });
  for (const [file, text] of Object.entries(files)) writeFileSync(join(directory, "deploy", file), text);
  await kubectlOk(fixture.sandbox(), ["create", "namespace", namespace]);
  return directory;
}

async function diff(directory: string): Promise<{ code: number; report: Report; stderr: string }> {
  const result = await runKubedrift(
    ["diff", "-f", "deploy", "--kubeconfig", fixture.sandbox().kubeconfigPath, "-o", "json"],
    { cwd: directory },
  );
  if (result.stdout === "")
    throw new Error(`kubedrift diff printed nothing (exit ${result.code}): ${result.stderr}`);
  return { code: result.code, report: JSON.parse(result.stdout) as Report, stderr: result.stderr };
}

/** `Kind/name: status` for every resource, and the drifts of those not in sync, for readable failures. */
function statuses(report: Report): readonly string[] {
  return report.resources.map(
    (resource) =>
      `${resource.kind}/${resource.name}: ${resource.status}` +
      (resource.drifts === undefined || resource.drifts.length === 0
        ? ""
        : ` ${JSON.stringify(resource.drifts)}`),
  );
}

async function expectInSync(directory: string, resources: readonly string[]): Promise<void> {
  const { code, report, stderr } = await diff(directory);
  expect([...statuses(report)].sort()).toEqual(resources.map((resource) => `${resource}: InSync`).sort());
  expect(report.summary).toMatchObject({
    total: resources.length,
    inSync: resources.length,
    drifted: 0,
    missing: 0,
    extra: 0,
    errors: 0,
  });
  expect(stderr).toBe("");
  expect(code).toBe(0);
}

function clients(): { apps: AppsV1Api; core: CoreV1Api } {
  const config = new KubeConfig();
  config.loadFromFile(fixture.sandbox().kubeconfigPath);
  return { apps: config.makeApiClient(AppsV1Api), core: config.makeApiClient(CoreV1Api) };
}

/** The object of a one-document manifest text, as a program would build it. */
function single<T>(text: string): T {
  const [document] = parseAllDocuments(text);
  if (document === undefined) throw new Error(`no object in ${text}`);
  return document.toJS() as T;
}

/** A client-node program with its own field manager creates a Deployment and a Service (case 2). */
async function inventorySync(namespace: string): Promise<string> {
  const directory = await prepare(namespace, {
    "web.yaml": `${deployment(namespace, "web")}---\n${service(namespace, "web")}`,
  });
  const { apps, core } = clients();
  await apps.createNamespacedDeployment({
    namespace,
    body: single<V1Deployment>(deployment(namespace, "web")),
    fieldManager: "inventory-sync",
  });
  await core.createNamespacedService({
    namespace,
    body: single<V1Service>(service(namespace, "web")),
    fieldManager: "inventory-sync",
  });
  return directory;
}

// ---------------------------------------------------------------------------

describe("kubedrift diff on objects others created", () => {
  it("1. kubectl create -f of a Deployment, Services, a ConfigMap, a StatefulSet and a CronJob: all InSync", async () => {
    const namespace = "created";
    const directory = await prepare(namespace, {
      "web.yaml": `${deployment(namespace, "web")}---\n${service(namespace, "web")}`,
      "config.yaml": configMap(namespace),
      "db.yaml": statefulSet(namespace, false),
      "cron.yaml": cronJob(namespace),
    });
    await kubectlOk(fixture.sandbox(), ["create", "-f", join(directory, "deploy")]);
    const created = await kubectlOk(fixture.sandbox(), [
      "get",
      "deployment,service,configmap,statefulset,cronjob",
      "-n",
      namespace,
      "-o",
      "jsonpath={range .items[*]}{.kind}/{.metadata.name} {.metadata.managedFields[*].manager}{'\\n'}{end}",
    ]);
    // Every object is the creator's alone: kubectl create -f is an Update by kubectl-create.
    expect(created.stdout).toContain("Deployment/web kubectl-create\n");
    expect(created.stdout).toContain("CronJob/nightly-report kubectl-create\n");
    await expectInSync(directory, [
      "ConfigMap/web-config",
      "CronJob/nightly-report",
      "Deployment/web",
      "Service/db",
      "Service/web",
      "StatefulSet/db",
    ]);
  });

  // kube-apiserver does not check a StatefulSet's pod template volumes against its mounts
  // (ValidatePodTemplateSpecForStatefulSet): a mount may name a volumeClaimTemplate.
  it("1b. kubectl create -f of a StatefulSet that mounts its volume claim template: InSync", async () => {
    const namespace = "created-mounted";
    const directory = await prepare(namespace, { "db.yaml": statefulSet(namespace, true) });
    await kubectlOk(fixture.sandbox(), ["create", "-f", join(directory, "deploy")]);
    await expectInSync(directory, ["Service/db", "StatefulSet/db"]);
  });

  it("2. a client-node program with field manager inventory-sync creates a Deployment and a Service: InSync", async () => {
    const directory = await inventorySync("inventory");
    // The premise: the live objects carry what kube-apiserver defaulted, and inventory-sync, the
    // only manager, owns it through its create (an Update).
    const service = await kubectlJson(fixture.sandbox(), ["-n", "inventory", "get", "service", "web"]);
    expect(summarizeManagers(service)).toEqual(["inventory-sync/Update"]);
    expect(service["spec"]).toMatchObject({
      ports: [
        { name: "http", port: 8080, protocol: "TCP", targetPort: 8080 },
        { name: "metrics", port: 9090, protocol: "TCP", targetPort: 9090 },
      ],
      sessionAffinity: "None",
      type: "ClusterIP",
    });
    const serviceFields = JSON.stringify(managedFieldsEntry(service, "inventory-sync").fieldsV1);
    expect(serviceFields).toContain('"k:{\\"port\\":8080,\\"protocol\\":\\"TCP\\"}"');
    expect(serviceFields).toContain('"f:targetPort"');
    expect(serviceFields).toContain('"f:sessionAffinity"');
    const web = await kubectlJson(fixture.sandbox(), ["-n", "inventory", "get", "deployment", "web"]);
    expect(summarizeManagers(web)).toEqual(["inventory-sync/Update"]);
    expect(web["spec"]).toMatchObject({
      strategy: { type: "RollingUpdate" },
      template: {
        spec: {
          containers: [
            {
              imagePullPolicy: "IfNotPresent",
              ports: [{ protocol: "TCP" }, { protocol: "TCP" }],
              env: [{}, { valueFrom: { fieldRef: { apiVersion: "v1" } } }],
              livenessProbe: { httpGet: { scheme: "HTTP" }, timeoutSeconds: 1, periodSeconds: 10 },
            },
          ],
          dnsPolicy: "ClusterFirst",
        },
      },
    });
    const webFields = JSON.stringify(managedFieldsEntry(web, "inventory-sync").fieldsV1);
    // (fieldRef is an atomic struct: its defaulted apiVersion is owned as part of f:fieldRef.)
    for (const field of ["f:strategy", "f:imagePullPolicy", "f:scheme", "f:dnsPolicy"])
      expect(webFields).toContain(`"${field}"`);
    await expectInSync(directory, ["Deployment/web", "Service/web"]);
  });

  it("2, counter-check: kubectl scale after inventory-sync created it is Changed /spec/replicas", async () => {
    const namespace = "inventory-scaled";
    const directory = await inventorySync(namespace);
    await kubectlOk(fixture.sandbox(), ["-n", namespace, "scale", "deployment/web", "--replicas=5"]);
    const { code, report } = await diff(directory);
    expect(
      report.resources.map((resource) => `${resource.kind}/${resource.name}: ${resource.status}`),
    ).toEqual(["Deployment/web: Drifted", "Service/web: InSync"]);
    expect(report.resources[0]?.drifts).toEqual([
      expect.objectContaining({
        path: "/spec/replicas",
        type: "Changed",
        desired: 2,
        live: 5,
        manager: "kubectl",
        operation: "Update",
        subresource: "scale",
      }),
    ]);
    expect(code).toBe(2);
  });

  it("2, counter-check: kubectl label after inventory-sync created it is Added /metadata/labels/hotfix", async () => {
    const namespace = "inventory-labelled";
    const directory = await inventorySync(namespace);
    await kubectlOk(fixture.sandbox(), ["-n", namespace, "label", "deployment/web", "hotfix=true"]);
    const { code, report } = await diff(directory);
    expect(
      report.resources.map((resource) => `${resource.kind}/${resource.name}: ${resource.status}`),
    ).toEqual(["Deployment/web: Drifted", "Service/web: InSync"]);
    expect(report.resources[0]?.drifts).toEqual([
      expect.objectContaining({
        path: "/metadata/labels/hotfix",
        type: "Added",
        live: "true",
        manager: "kubectl-label",
        operation: "Update",
        reason: "outOfBand",
      }),
    ]);
    expect(code).toBe(2);
  });

  it("3. an operator (widget-operator) creates a Deployment, then PUTs what it read with an annotation changed: InSync", async () => {
    const namespace = "operated";
    const declared = deployment(
      namespace,
      "widget",
      `\n  annotations:\n    widgets.example.com/revision: "2"`,
    );
    const directory = await prepare(namespace, { "widget.yaml": declared });
    const { apps } = clients();
    const first = single<V1Deployment>(declared);
    first.metadata = { ...first.metadata, annotations: { "widgets.example.com/revision": "1" } };
    await apps.createNamespacedDeployment({ namespace, body: first, fieldManager: "widget-operator" });
    // The reconcile loop: read, change one annotation, write the whole object back (an Update).
    const read = await apps.readNamespacedDeployment({ name: "widget", namespace });
    read.metadata = {
      ...read.metadata,
      annotations: { ...read.metadata?.annotations, "widgets.example.com/revision": "2" },
    };
    const written = await apps.replaceNamespacedDeployment({
      name: "widget",
      namespace,
      body: read,
      fieldManager: "widget-operator",
    });
    expect(written.metadata?.annotations?.["widgets.example.com/revision"]).toBe("2");
    expect(written.metadata?.managedFields?.map((entry) => `${entry.manager}/${entry.operation}`)).toEqual([
      "widget-operator/Update",
    ]);
    await expectInSync(directory, ["Deployment/widget"]);
  });

  /**
   * A CD tool doing its own client-side apply (as Pulumi's client-side mode does): it writes with
   * Updates under its own name, keeps the last-applied annotation with the manifest it applied, and
   * stamps a tracking annotation of its own that is in neither the manifests nor that record. As the
   * owner of the last-applied annotation it is a deployer (rule 4), so its annotation is not drift.
   */
  async function acmeDeploy(namespace: string, keepsLastApplied: boolean): Promise<string> {
    const directory = await prepare(namespace, { "web.yaml": deployment(namespace, "web") });
    const { apps } = clients();
    const manifest = single<V1Deployment>(deployment(namespace, "web"));
    const stamped = (revision: string): V1Deployment => ({
      ...manifest,
      metadata: {
        ...manifest.metadata,
        annotations: {
          "deploy.acme.example/revision": revision,
          ...(keepsLastApplied ? { [lastApplied]: `${JSON.stringify(manifest)}\n` } : {}),
        },
      },
    });
    await apps.createNamespacedDeployment({ namespace, body: stamped("41"), fieldManager: "acme-deployer" });
    // The next deploy of the same manifest: a PUT over the live object, with the new revision stamped.
    const live = await apps.readNamespacedDeployment({ name: "web", namespace });
    const resourceVersion = live.metadata?.resourceVersion;
    if (resourceVersion === undefined) throw new Error("the live Deployment has no resourceVersion");
    const next = stamped("42");
    next.metadata = { ...next.metadata, resourceVersion };
    await apps.replaceNamespacedDeployment({
      name: "web",
      namespace,
      body: next,
      fieldManager: "acme-deployer",
    });
    return directory;
  }

  it("4. a client-side deployer under another name (acme-deployer, owns last-applied): InSync", async () => {
    const directory = await acmeDeploy("acme", true);
    await expectInSync(directory, ["Deployment/web"]);
  });

  it("4, counter-check: the same writes without the last-applied annotation are untrusted: Added annotation", async () => {
    const directory = await acmeDeploy("acme-untrusted", false);
    const { code, report } = await diff(directory);
    expect(report.resources[0]?.drifts).toEqual([
      expect.objectContaining({
        path: "/metadata/annotations/deploy.acme.example~1revision",
        type: "Added",
        live: "42",
        manager: "acme-deployer",
        operation: "Update",
        reason: "outOfBand",
      }),
    ]);
    expect(code).toBe(2);
  });
});
