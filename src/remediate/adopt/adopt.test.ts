import { mkdtempSync, mkdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { afterAll, describe, expect, it } from "vitest";

import type { DesiredObject, Drift, LiveObject, ResourceDrift } from "../../model/index.js";
import { summarize } from "../../model/index.js";
import { buildKustomization } from "../../sources/kustomize.js";
import { ReadModes, parseManifests } from "../../sources/manifest.js";
import { loadTerraform } from "../../sources/terraform/index.js";
import { planAdoption, renderAdoption, writeAdoption } from "./index.js";
import type { AdoptPlan } from "./index.js";
import type { KubeObject } from "../../kube/value/json.js";

const cwd = "/repo";

function drifted(object: DesiredObject, drifts: readonly Drift[]): ResourceDrift {
  return { ref: object.ref, status: "Drifted", source: object.source, drifts };
}

function report(resources: readonly ResourceDrift[]) {
  return { generatedAt: "2026-01-01T00:00:00Z", cluster: "test", summary: summarize(resources), resources };
}

function reader(files: Readonly<Record<string, string>>) {
  return (file: string): string => {
    const text = files[path.relative(cwd, file)];
    if (text === undefined) throw new Error(`ENOENT ${file}`);
    return text;
  };
}

/** Adopts the drifts of the one object in `file`, against a live object when given. */
function adoptOne(file: string, text: string, drifts: readonly Drift[], live?: KubeObject): AdoptPlan {
  const [object] = parseManifests(text, file, ReadModes.named).objects;
  const liveObjects: LiveObject[] = live === undefined ? [] : [{ ref: object.ref, object: live }];
  return planAdoption(
    { report: report([drifted(object, drifts)]), desired: [object], live: liveObjects, cwd },
    reader({ [file]: text }),
  );
}

describe("YAML manifests", () => {
  const web = `# The web tier.
apiVersion: apps/v1
kind: Deployment # served by apps/v1
metadata:
  name: web
  labels: {app: web, tier: 'front'}
spec:
  replicas: 3 # scaled by hand during incidents
  template:
    spec:
      containers:
      - name: web
        image: "nginx:1.25" # pinned
        args: [--port, "8080"]
      - name: sidecar
        image: busybox:1.36
`;

  it("replaces a scalar and a list item's value, keeping comments, quotes and flow style", () => {
    const plan = adoptOne("web.yaml", web, [
      { path: "/spec/replicas", type: "Changed", desired: 3, live: 5 },
      {
        path: "/spec/template/spec/containers/0/image",
        type: "Changed",
        desired: "nginx:1.25",
        live: "nginx:1.27",
      },
      {
        path: "/spec/template/spec/containers/0/args",
        type: "Changed",
        desired: ["--port", "8080"],
        live: ["--port", "9090"],
      },
      { path: "/metadata/labels/tier", type: "Changed", desired: "front", live: "edge" },
    ]);
    expect(plan.refused).toEqual([]);
    expect(plan.edits).toHaveLength(1);
    expect(plan.edits[0].file).toBe("web.yaml");
    expect(plan.edits[0].after).toBe(`# The web tier.
apiVersion: apps/v1
kind: Deployment # served by apps/v1
metadata:
  name: web
  labels: {app: web, tier: 'edge'}
spec:
  replicas: 5 # scaled by hand during incidents
  template:
    spec:
      containers:
      - name: web
        image: "nginx:1.27" # pinned
        args: [--port, "9090"]
      - name: sidecar
        image: busybox:1.36
`);
  });

  it("removes a field live lacks and inserts an added label after its live predecessor", () => {
    const live = {
      apiVersion: "apps/v1",
      kind: "Deployment",
      metadata: { name: "web", labels: { app: "web", team: "checkout", tier: "front" } },
      spec: {
        template: { spec: { containers: [{ name: "web" }, { name: "sidecar", image: "busybox:1.36" }] } },
      },
    };
    const plan = adoptOne(
      "web.yaml",
      web,
      [
        { path: "/spec/template/spec/containers/0/args", type: "Removed", desired: ["--port", "8080"] },
        { path: "/metadata/labels/team", type: "Added", live: "checkout" },
      ],
      live,
    );
    expect(plan.refused).toEqual([]);
    expect(plan.edits[0].after).toBe(`# The web tier.
apiVersion: apps/v1
kind: Deployment # served by apps/v1
metadata:
  name: web
  labels: {app: web, tier: 'front', team: checkout}
spec:
  replicas: 3 # scaled by hand during incidents
  template:
    spec:
      containers:
      - name: web
        image: "nginx:1.25" # pinned
      - name: sidecar
        image: busybox:1.36
`);
  });

  it("adds a label map that desired lacks, in block style with the file's indentation", () => {
    const text = `apiVersion: v1
kind: Service
metadata:
    name: api   # four-space indentation
spec:
    ports:
    -   port: 80
`;
    const live = {
      apiVersion: "v1",
      kind: "Service",
      metadata: { name: "api", namespace: "default", labels: { team: "a" } },
    };
    const plan = adoptOne(
      "svc.yaml",
      text,
      [{ path: "/metadata/labels/team", type: "Added", live: "a" }],
      live,
    );
    expect(plan.edits[0].after).toBe(`apiVersion: v1
kind: Service
metadata:
    name: api   # four-space indentation
    labels:
        team: a
spec:
    ports:
    -   port: 80
`);
  });

  it("writes an added list item back without the members the server defaulted in it", () => {
    const text = `apiVersion: apps/v1
kind: Deployment
metadata:
  name: web
spec:
  selector:
    matchLabels: {app: web}
  template:
    metadata:
      labels: {app: web}
    spec:
      containers:
        - name: web
          image: nginx:1.27
          ports:
            - containerPort: 80
`;
    const port = { containerPort: 9090, protocol: "TCP" };
    const sidecar = {
      name: "proxy",
      image: "envoy:1.31",
      args: ["--port", "15000"],
      ports: [{ containerPort: 15000, protocol: "UDP" }],
      resources: {},
      imagePullPolicy: "IfNotPresent",
      terminationMessagePath: "/dev/termination-log",
      terminationMessagePolicy: "File",
    };
    const live = {
      apiVersion: "apps/v1",
      kind: "Deployment",
      metadata: { name: "web", namespace: "default" },
      spec: {
        template: {
          spec: {
            containers: [
              { name: "web", image: "nginx:1.27", ports: [{ containerPort: 80, protocol: "TCP" }, port] },
              sidecar,
            ],
          },
        },
      },
    };
    const plan = adoptOne(
      "web.yaml",
      text,
      [
        { path: "/spec/template/spec/containers/0/ports/1", type: "Added", live: port },
        { path: "/spec/template/spec/containers/1", type: "Added", live: sidecar },
      ],
      live,
    );
    expect(plan.refused).toEqual([]);
    // The default protocol TCP, pull policy and termination message go; UDP is no default and stays.
    expect(plan.edits[0].after).toBe(
      text +
        `            - containerPort: 9090
        - name: proxy
          image: envoy:1.31
          args:
            - --port
            - "15000"
          ports:
            - containerPort: 15000
              protocol: UDP
`,
    );
  });

  it("edits only the second document of a multi-document file", () => {
    const text = `apiVersion: v1
kind: ConfigMap
metadata:
  name: first
data:
  mode: fast
---
# second
apiVersion: v1
kind: ConfigMap
metadata:
  name: second
data:
  mode: fast   # same text as the first
`;
    const objects = parseManifests(text, "cm.yaml", ReadModes.named).objects;
    const plan = planAdoption(
      {
        report: report([
          drifted(objects[1], [{ path: "/data/mode", type: "Changed", desired: "fast", live: "slow" }]),
        ]),
        desired: objects,
        live: [],
        cwd,
      },
      reader({ "cm.yaml": text }),
    );
    expect(plan.edits[0].after).toBe(text.replace("mode: fast   #", "mode: slow   #"));
    expect(plan.edits[0].adopted).toEqual([{ ref: objects[1].ref, path: "/data/mode" }]);
  });

  it("writes through an anchor nobody else uses, and refuses a value that comes from an alias", () => {
    const text = `apiVersion: v1
kind: ConfigMap
metadata:
  name: anchors
data:
  a: &shared "one"
  b: *shared
  c: &own two
`;
    const plan = adoptOne("anchors.yaml", text, [
      { path: "/data/b", type: "Changed", desired: "one", live: "uno" },
      { path: "/data/a", type: "Changed", desired: "one", live: "uno" },
      { path: "/data/c", type: "Changed", desired: "two", live: "dos" },
    ]);
    expect(plan.edits[0].after).toBe(text.replace("&own two", "&own dos"));
    expect(plan.refused.map((refusal) => [refusal.path, refusal.reason])).toEqual([
      ["/data/b", "the value comes from the alias *shared: edit its anchor &shared by hand"],
      ["/data/a", "the value is the anchor &shared, which aliases share: edit it by hand"],
    ]);
  });

  it("quotes a value YAML 1.1 would read as another type, and keeps block scalars as blocks", () => {
    const text = `apiVersion: v1
kind: ConfigMap
metadata:
  name: flags
data:
  enabled: "true"
  level: low
  script: |
    echo one
`;
    const plan = adoptOne("flags.yaml", text, [
      { path: "/data/level", type: "Changed", desired: "low", live: "on" },
      { path: "/data/script", type: "Changed", desired: "echo one\n", live: "echo one\necho two\n" },
    ]);
    expect(plan.edits[0].after).toBe(`apiVersion: v1
kind: ConfigMap
metadata:
  name: flags
data:
  enabled: "true"
  level: "on"
  script: |
    echo one
    echo two
`);
  });

  it("refuses Secret data, Helm releases, stdin, and Missing or Extra objects", () => {
    const secret = `apiVersion: v1
kind: Secret
metadata:
  name: creds
stringData:
  password: hunter2
`;
    const [object] = parseManifests(secret, "secret.yaml", ReadModes.named).objects;
    const helm: DesiredObject = {
      ...object,
      ref: { ...object.ref, kind: "ConfigMap", name: "chart" },
      origin: {
        kind: "helm",
        release: "r",
        namespace: "default",
        revision: 1,
        chart: "c",
        chartVersion: "1",
      },
    };
    const missing: ResourceDrift = {
      ref: { ...object.ref, kind: "Service", name: "gone" },
      status: "Missing",
      drifts: [],
    };
    const plan = planAdoption(
      {
        report: report([
          drifted(object, [
            { path: "/stringData/password", type: "Changed", redacted: { desired: "a", live: "b" } },
          ]),
          drifted(helm, [{ path: "/data/x", type: "Changed", desired: "1", live: "2" }]),
          missing,
        ]),
        desired: [object, helm],
        live: [],
        cwd,
      },
      reader({ "secret.yaml": secret }),
    );
    expect(plan.edits).toEqual([]);
    expect(plan.refused.map((refusal) => [refusal.ref.name, refusal.path, refusal.reason])).toEqual([
      ["creds", "/stringData/password", "Secret values are never written into files"],
      ["chart", "/data/x", "rendered by Helm: change the chart's values instead"],
      ["gone", "", "nothing to adopt: use kubedrift apply --prune or add the manifest"],
    ]);
    expect(renderAdoption(plan, { color: false })).toBe(`Nothing to write.

Not adopted:
  Secret creds stringData.password: Secret values are never written into files
  ConfigMap chart data.x: rendered by Helm: change the chart's values instead
  Service gone: nothing to adopt: use kubedrift apply --prune or add the manifest
`);
  });

  it("honours --only", () => {
    const plan = planAdoption(
      {
        report: report([
          drifted(parseManifests(web, "web.yaml", ReadModes.named).objects[0], [
            { path: "/spec/replicas", type: "Changed", desired: 3, live: 5 },
          ]),
        ]),
        desired: parseManifests(web, "web.yaml", ReadModes.named).objects,
        live: [],
        cwd,
        only: ["Deployment/other/web"],
      },
      reader({ "web.yaml": web }),
    );
    expect(plan).toEqual({ edits: [], refused: [] });
  });
});

const root = mkdtempSync(path.join(tmpdir(), "kubedrift-adopt-"));
afterAll(() => rmSync(root, { recursive: true, force: true }));

function tree(name: string, files: Readonly<Record<string, string>>): string {
  const directory = path.join(root, name);
  for (const [file, text] of Object.entries(files)) {
    mkdirSync(path.dirname(path.join(directory, file)), { recursive: true });
    writeFileSync(path.join(directory, file), text);
  }
  return directory;
}

const readDisk = (file: string): string => readFileSync(file, "utf8");

describe("Kustomize", () => {
  const base = `apiVersion: apps/v1
kind: Deployment
metadata:
  name: web
spec:
  replicas: 1
  selector:
    matchLabels: {app: web}
  template:
    metadata:
      labels: {app: web}
    spec:
      containers:
      - name: web
        image: nginx:1.25   # base image
`;
  const patch = `apiVersion: apps/v1
kind: Deployment
metadata:
  name: web
spec:
  replicas: 3   # production size
`;
  it("writes a field the overlay patches into the patch, and one from the base into the base", async () => {
    const directory = tree("kustomize", {
      "base/kustomization.yaml": "resources:\n  - deployment.yaml\n",
      "base/deployment.yaml": base,
      "overlays/prod/kustomization.yaml":
        "resources:\n  - ../../base\nnamePrefix: prod-\npatches:\n  - path: replicas.yaml\n",
      "overlays/prod/replicas.yaml": patch,
    });
    const objects = await buildKustomization("overlays/prod", { cwd: directory });
    const [deployment] = objects;
    expect(deployment.ref.name).toBe("prod-web");
    const plan = planAdoption(
      {
        report: report([
          drifted(deployment, [
            { path: "/spec/replicas", type: "Changed", desired: 3, live: 6 },
            {
              path: "/spec/template/spec/containers/0/image",
              type: "Changed",
              desired: "nginx:1.25",
              live: "nginx:1.27",
            },
          ]),
        ]),
        desired: objects,
        live: [],
        cwd: directory,
        kustomizations: ["overlays/prod"],
      },
      readDisk,
    );
    expect(plan.refused).toEqual([]);
    expect(plan.edits.map((edit) => [edit.file, edit.after])).toEqual([
      ["overlays/prod/replicas.yaml", patch.replace("replicas: 3", "replicas: 6")],
      ["base/deployment.yaml", base.replace("nginx:1.25", "nginx:1.27")],
    ]);
    writeAdoption(plan);
    const rebuilt = await buildKustomization("overlays/prod", { cwd: directory });
    expect(rebuilt[0].object["spec"]).toMatchObject({ replicas: 6 });
  });

  it("refuses a field an overlay sets in a way it cannot locate (an inline patch)", async () => {
    const directory = tree("kustomize-inline", {
      "base/kustomization.yaml": "resources:\n  - deployment.yaml\n",
      "base/deployment.yaml": base,
      "overlay/kustomization.yaml": `resources:\n  - ../base\npatches:\n  - patch: |-\n      - op: replace\n        path: /spec/replicas\n        value: 4\n    target:\n      kind: Deployment\n`,
    });
    const objects = await buildKustomization("overlay", { cwd: directory });
    const plan = planAdoption(
      {
        report: report([
          drifted(objects[0], [{ path: "/spec/replicas", type: "Changed", desired: 4, live: 6 }]),
        ]),
        desired: objects,
        live: [],
        cwd: directory,
        kustomizations: ["overlay"],
      },
      readDisk,
    );
    expect(plan.edits).toEqual([]);
    expect(plan.refused.map((refusal) => refusal.reason)).toEqual(["set by a patch kubedrift cannot locate"]);
  });
});

describe("Terraform", () => {
  it("replaces literals in place and refuses expressions", async () => {
    const main = `variable "replicas" { default = 2 }

resource "kubernetes_deployment" "web" {
  metadata {
    name   = "web"
    labels = { app = "web", tier = "front" }
  }
  spec {
    replicas = var.replicas
    template {
      spec {
        container {
          name  = "web"
          image = "nginx:1.25" # pinned
        }
      }
    }
  }
}
`;
    const directory = tree("terraform", { "main.tf": main });
    const loaded = await loadTerraform(
      { paths: ["."], mode: "config", vars: {}, varFiles: [] },
      { cwd: directory },
    );
    const [deployment] = loaded.objects;
    const plan = planAdoption(
      {
        report: report([
          drifted(deployment, [
            { path: "/metadata/labels/tier", type: "Changed", desired: "front", live: "edge" },
            {
              path: "/spec/template/spec/containers/0/image",
              type: "Changed",
              desired: "nginx:1.25",
              live: "nginx:1.27",
            },
            { path: "/spec/replicas", type: "Changed", desired: 2, live: 5 },
          ]),
        ]),
        desired: loaded.objects,
        live: [],
        cwd: directory,
      },
      readDisk,
    );
    expect(plan.edits.map((edit) => edit.after)).toEqual([
      main.replace('tier = "front"', 'tier = "edge"').replace('"nginx:1.25"', '"nginx:1.27"'),
    ]);
    expect(plan.refused.map((refusal) => [refusal.path, refusal.reason])).toEqual([
      ["/spec/replicas", "set by an expression: var.replicas"],
    ]);
  });
});
