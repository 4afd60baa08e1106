/**
 * Rule 5 end to end: `kubectl edit` changes the key of a keyed-list item — a Service port from 80 to
 * 8080 (name `http`), a container port, an env var's name, a volume mount's path. `kubedrift diff`
 * reports one changed field per item, `apply` puts each item back in place (the Service is never
 * sent without its port), and `adopt` writes the live values into the manifest where they stand.
 */
import { mkdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import {
  kubectlJson,
  kubectlOk,
  runKubectl,
  valueAt,
  writeEditorScript,
  writeManifest,
} from "../support/kubectl.js";
import { runKubedrift } from "../support/kubedrift.js";
import { useSandbox } from "../support/sandbox.js";

const fixture = useSandbox();

const manifests = (namespace: string): string => `apiVersion: v1
kind: Namespace
metadata:
  name: ${namespace}
---
apiVersion: v1
kind: Service
metadata:
  name: web
  namespace: ${namespace}
spec:
  selector:
    app: web
  ports:
    - name: http
      port: 80 # the port clients use
      targetPort: 8080
---
apiVersion: apps/v1
kind: Deployment
metadata:
  name: web
  namespace: ${namespace}
spec:
  selector:
    matchLabels:
      app: web
  template:
    metadata:
      labels:
        app: web
    spec:
      containers:
        - name: web
          image: nginx:1.27
          ports:
            - containerPort: 8080
            - containerPort: 443
          env:
            - name: MODE
              value: prod
            - name: LEVEL
              value: debug
          volumeMounts:
            - name: cache
              mountPath: /var/cache/nginx
      volumes:
        - name: cache
          emptyDir: {}
`;

interface Drift {
  readonly path: string;
  readonly type: string;
  readonly desired?: unknown;
  readonly live?: unknown;
  readonly manager?: string;
}

async function edit(namespace: string, what: string, sed: string): Promise<void> {
  const editor = writeEditorScript(fixture.directory(), sed);
  const result = await runKubectl(fixture.sandbox(), ["edit", "-n", namespace, what], {
    env: { KUBE_EDITOR: editor },
  });
  expect(result.stderr).toBe("");
  expect(result.code).toBe(0);
}

async function renameEverything(namespace: string): Promise<void> {
  await edit(namespace, "service/web", "s/^    port: 80$/    port: 8080/");
  await edit(
    namespace,
    "deployment/web",
    "s/- containerPort: 443$/- containerPort: 8443/; s/- name: LEVEL$/- name: LOG_LEVEL/; s|mountPath: /var/cache/nginx$|mountPath: /cache|",
  );
}

async function diffJson(
  directory: string,
): Promise<{ readonly code: number; readonly drifts: readonly Drift[] }> {
  const kubeconfig = fixture.sandbox().kubeconfigPath;
  const result = await runKubedrift(["diff", "-f", "deploy", "--kubeconfig", kubeconfig, "-o", "json"], {
    cwd: directory,
  });
  expect(result.stderr).toBe("");
  const report = JSON.parse(result.stdout) as { resources: { drifts: Drift[] }[] };
  return { code: result.code, drifts: report.resources.flatMap((resource) => resource.drifts) };
}

const container = "/spec/template/spec/containers/0";

describe.each([
  ["client-side", ["apply"]],
  ["server-side", ["apply", "--server-side"]],
])("a keyed-list item whose key changed, after %s apply", (mode, applyArgs) => {
  async function deploy(namespace: string): Promise<string> {
    const directory = join(fixture.directory(), namespace);
    mkdirSync(join(directory, "deploy"), { recursive: true });
    writeManifest(join(directory, "deploy"), "web.yaml", manifests(namespace));
    await kubectlOk(fixture.sandbox(), [...applyArgs, "-f", join(directory, "deploy", "web.yaml")]);
    return directory;
  }

  it("is one changed field per item; apply puts each back in place and diff is then clean", async () => {
    const namespace = `renamed-apply-${mode}`;
    const directory = await deploy(namespace);
    await renameEverything(namespace);

    const found = await diffJson(directory);
    expect(found.code).toBe(2);
    expect(
      found.drifts.map((drift) => [drift.path, drift.type, drift.desired, drift.live, drift.manager]),
    ).toEqual([
      [`${container}/env/1/name`, "Changed", "LEVEL", "LOG_LEVEL", "kubectl-edit"],
      [`${container}/ports/1/containerPort`, "Changed", 443, 8443, "kubectl-edit"],
      [`${container}/volumeMounts/0/mountPath`, "Changed", "/var/cache/nginx", "/cache", "kubectl-edit"],
      ["/spec/ports/0/port", "Changed", 80, 8080, "kubectl-edit"],
    ]);

    const kubeconfig = fixture.sandbox().kubeconfigPath;
    const plan = await runKubedrift(["plan", "-f", "deploy", "--kubeconfig", kubeconfig], { cwd: directory });
    expect(plan.stderr).toBe("");
    expect(plan.code).toBe(2);
    // The item named as the diff names it: by its live key, or by name where the CLI hands the
    // renderer the live object.
    expect(plan.stdout).toMatch(/ {4}replace spec\.ports\[(port=8080|name=http)\]\.port = 80\n/);
    expect(plan.stdout).not.toContain("rejected");

    const applied = await runKubedrift(["apply", "-f", "deploy", "--kubeconfig", kubeconfig, "--yes"], {
      cwd: directory,
    });
    expect(applied.stderr).toContain("put back items whose key changed");
    expect(applied.stderr).not.toMatch(/rejected|failed/);
    expect(applied.code).toBe(0);
    const service = await kubectlJson(fixture.sandbox(), [
      "get",
      "-n",
      namespace,
      "service/web",
      "-o",
      "json",
    ]);
    expect(valueAt(service, "spec", "ports")).toEqual([
      { name: "http", port: 80, protocol: "TCP", targetPort: 8080 },
    ]);
    const deployment = await kubectlJson(fixture.sandbox(), [
      "get",
      "-n",
      namespace,
      "deployment/web",
      "-o",
      "json",
    ]);
    const live = valueAt(deployment, "spec", "template", "spec", "containers") as readonly Record<
      string,
      unknown
    >[];
    expect(live[0]?.["ports"]).toEqual([
      { containerPort: 8080, protocol: "TCP" },
      { containerPort: 443, protocol: "TCP" },
    ]);
    expect(live[0]?.["env"]).toEqual([
      { name: "MODE", value: "prod" },
      { name: "LEVEL", value: "debug" },
    ]);
    expect(live[0]?.["volumeMounts"]).toEqual([{ name: "cache", mountPath: "/var/cache/nginx" }]);
    expect((await diffJson(directory)).code).toBe(0);
  });

  it("adopt writes the live values in place, changing nothing else, and diff is then clean", async () => {
    const namespace = `renamed-adopt-${mode}`;
    const directory = await deploy(namespace);
    await renameEverything(namespace);
    const kubeconfig = fixture.sandbox().kubeconfigPath;
    const adopted = await runKubedrift(["adopt", "-f", "deploy", "--kubeconfig", kubeconfig, "--yes"], {
      cwd: directory,
    });
    expect(adopted.stderr).toBe("");
    expect(adopted.code).toBe(0);
    const expected = manifests(namespace)
      .replace("      port: 80 # the port clients use", "      port: 8080 # the port clients use")
      .replace("- containerPort: 443", "- containerPort: 8443")
      .replace("- name: LEVEL", "- name: LOG_LEVEL")
      .replace("mountPath: /var/cache/nginx", "mountPath: /cache");
    expect(readFileSync(join(directory, "deploy", "web.yaml"), "utf8")).toBe(expected);
    expect((await diffJson(directory)).code).toBe(0);
  });
});
