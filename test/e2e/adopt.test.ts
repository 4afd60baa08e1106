/**
 * kubedrift adopt end to end: manifests applied to the sandbox with the real kubectl, changed with
 * kubectl (scale, set image, label), the report built as `kubedrift diff` builds it, the live values
 * adopted into the files, and then the built `kubedrift diff` exits 0.
 */
import { lstatSync, mkdirSync, readFileSync, symlinkSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";

import { connectCluster } from "../../src/cluster/index.js";
import { compare, defaultEngineConfig } from "../../src/engine/index.js";
import type { DesiredObject, LiveObject } from "../../src/model/index.js";
import { refKey } from "../../src/model/index.js";
import { planAdoption, renderAdoption, writeAdoption } from "../../src/remediate/adopt/index.js";
import { loadSources } from "../../src/sources/index.js";
import { kubectlOk } from "../support/kubectl.js";
import { runKubedrift } from "../support/kubedrift.js";
import { useSandbox } from "../support/sandbox.js";

const fixture = useSandbox();

const web = (namespace: string): string => `# The shop's web tier.
apiVersion: apps/v1
kind: Deployment
metadata:
  name: web
  namespace: ${namespace}
  labels: {app: web}   # flow style on purpose
spec:
  replicas: 2 # two is enough off-peak
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
          image: "nginx:1.27"   # pinned
          ports:
            - containerPort: 80
---
apiVersion: v1
kind: ConfigMap
metadata:
  name: web-config
  namespace: ${namespace}
data:
  CACHE_TTL: '300'
`;

/** The report, desired and live objects, as `kubedrift diff -f deploy` computes them. */
async function compareWithSandbox(directory: string) {
  const cluster = connectCluster({ kubeconfig: fixture.sandbox().kubeconfigPath, env: {} });
  const served = await cluster.resources();
  const { objects } = await loadSources({ filenames: ["deploy"], kustomize: [] }, { cwd: directory });
  const desired: readonly DesiredObject[] = objects;
  const live: LiveObject[] = [];
  for (const object of desired) {
    const resource = served.find(
      (candidate) => candidate.group === object.ref.group && candidate.kind === object.ref.kind,
    );
    if (resource === undefined) throw new Error(`not served: ${object.ref.kind}`);
    const listed = await cluster.list(resource, object.ref.namespace);
    live.push(...listed.filter((item) => refKey(item.ref) === refKey(object.ref)));
  }
  const namespaces = [...new Set(desired.map((object) => object.ref.namespace))];
  const kinds = [...new Set(desired.map((object) => `${object.ref.group}/${object.ref.kind}`))];
  const report = compare({
    desired,
    live,
    scope: { kinds, namespaces },
    schema: await cluster.schema(),
    config: defaultEngineConfig,
    cluster: cluster.name,
    generatedAt: "2026-01-01T00:00:00Z",
  });
  return { report, desired, live };
}

describe("kubedrift adopt against the sandbox", () => {
  it("writes scaled replicas, a set image and a new label into the manifest; diff is then clean", async () => {
    const namespace = "adopted";
    const directory = join(fixture.directory(), namespace);
    mkdirSync(join(directory, "deploy"), { recursive: true });
    const file = join(directory, "deploy", "web.yaml");
    writeFileSync(file, web(namespace));
    await kubectlOk(fixture.sandbox(), ["create", "namespace", namespace]);
    await kubectlOk(fixture.sandbox(), ["apply", "-f", file]);
    await kubectlOk(fixture.sandbox(), ["-n", namespace, "scale", "deployment/web", "--replicas=4"]);
    await kubectlOk(fixture.sandbox(), ["-n", namespace, "set", "image", "deployment/web", "web=nginx:1.28"]);
    await kubectlOk(fixture.sandbox(), ["-n", namespace, "label", "deployment/web", "team=checkout"]);

    const { report, desired, live } = await compareWithSandbox(directory);
    expect(report.summary.drifted).toBe(1);
    const plan = planAdoption({ report, desired, live, cwd: directory }, (path) =>
      readFileSync(path, "utf8"),
    );
    expect(plan.refused).toEqual([]);
    expect(plan.edits.map((edit) => edit.file)).toEqual(["deploy/web.yaml"]);
    expect(plan.edits[0].after).toBe(
      web(namespace)
        .replace("labels: {app: web}", "labels: {app: web, team: checkout}")
        .replace("replicas: 2", "replicas: 4")
        .replace('"nginx:1.27"', '"nginx:1.28"'),
    );
    expect(renderAdoption(plan, { color: false })).toContain(`-  replicas: 2 # two is enough off-peak
+  replicas: 4 # two is enough off-peak`);
    expect(writeAdoption(plan)).toEqual({ written: ["deploy/web.yaml"], refused: [] });
    expect(readFileSync(file, "utf8")).toBe(plan.edits[0].after);

    const again = await compareWithSandbox(directory);
    expect(again.report.summary).toMatchObject({ drifted: 0, missing: 0, extra: 0, errors: 0 });
    const diff = await runKubedrift(
      ["diff", "-f", "deploy", "--kubeconfig", fixture.sandbox().kubeconfigPath],
      {
        cwd: directory,
      },
    );
    expect(diff.stderr).toBe("");
    expect(diff.code).toBe(0);
  });

  it("appends an env var added by kubectl set env to the container's list, in the file's block style", async () => {
    const namespace = "adopted-env";
    const directory = join(fixture.directory(), namespace);
    mkdirSync(join(directory, "deploy"), { recursive: true });
    const file = join(directory, "deploy", "web.yaml");
    const text = web(namespace).replace(
      "            - containerPort: 80\n",
      "            - containerPort: 80\n          env:\n            - name: LOG_LEVEL\n              value: info\n",
    );
    writeFileSync(file, text);
    await kubectlOk(fixture.sandbox(), ["create", "namespace", namespace]);
    await kubectlOk(fixture.sandbox(), ["apply", "-f", file]);
    await kubectlOk(fixture.sandbox(), ["-n", namespace, "set", "env", "deployment/web", "DEBUG=1"]);

    const { report, desired, live } = await compareWithSandbox(directory);
    const plan = planAdoption({ report, desired, live, cwd: directory }, (path) =>
      readFileSync(path, "utf8"),
    );
    expect(plan.refused).toEqual([]);
    expect(plan.edits[0].after).toBe(
      text.replace(
        "              value: info\n",
        '              value: info\n            - name: DEBUG\n              value: "1"\n',
      ),
    );
    writeAdoption(plan);
    const diff = await runKubedrift(
      ["diff", "-f", "deploy", "--kubeconfig", fixture.sandbox().kubeconfigPath],
      {
        cwd: directory,
      },
    );
    expect(diff.code).toBe(0);
  });

  it("kubedrift adopt writes through a symlinked manifest into its target; the link stays a link", async () => {
    const namespace = "adopted-link";
    const directory = join(fixture.directory(), namespace);
    mkdirSync(join(directory, "shared"), { recursive: true });
    mkdirSync(join(directory, "deploy"));
    const target = join(directory, "shared", "web.yaml");
    writeFileSync(target, web(namespace));
    const link = join(directory, "deploy", "web.yaml");
    symlinkSync("../shared/web.yaml", link);
    await kubectlOk(fixture.sandbox(), ["create", "namespace", namespace]);
    await kubectlOk(fixture.sandbox(), ["apply", "-f", target]);
    await kubectlOk(fixture.sandbox(), ["-n", namespace, "scale", "deployment/web", "--replicas=4"]);

    const kubeconfig = ["--kubeconfig", fixture.sandbox().kubeconfigPath];
    const adopt = await runKubedrift(["adopt", "-f", "deploy", "--yes", ...kubeconfig], { cwd: directory });
    expect(adopt.code).toBe(0);
    expect(adopt.stdout).toContain("wrote deploy/web.yaml\n");
    expect(lstatSync(link).isSymbolicLink()).toBe(true);
    expect(readFileSync(target, "utf8")).toBe(web(namespace).replace("replicas: 2", "replicas: 4"));
    const diff = await runKubedrift(["diff", "-f", "deploy", ...kubeconfig], { cwd: directory });
    expect(diff.code).toBe(0);
  });
});
