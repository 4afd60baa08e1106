import { mkdir, mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";

import { afterAll, beforeAll, describe, expect, it } from "vitest";

import { buildKustomization, loadSources, SourceError } from "./index.js";

const kubectl = "/usr/bin/kubectl";
let root: string;

async function write(file: string, text: string): Promise<void> {
  await mkdir(path.dirname(path.join(root, file)), { recursive: true });
  await writeFile(path.join(root, file), text);
}

async function failure(promise: Promise<unknown>): Promise<string> {
  const error: unknown = await promise.then(
    () => undefined,
    (caught: unknown) => caught,
  );
  expect(error).toBeInstanceOf(SourceError);
  return (error as SourceError).message;
}

beforeAll(async () => {
  root = await mkdtemp(path.join(tmpdir(), "kubedrift-kustomize-test-"));
  await write(
    "base/app.yaml",
    `apiVersion: apps/v1
kind: Deployment
metadata:
  name: web
spec:
  replicas: 1
  template:
    spec:
      containers:
        - name: web
          image: nginx:1.27
---
apiVersion: v1
kind: Service
metadata:
  name: web
spec:
  ports:
    - port: 80
`,
  );
  await write("base/kustomization.yaml", "resources:\n  - app.yaml\n");
  await write(
    "overlay/kustomization.yaml",
    `namePrefix: prod-
commonLabels:
  env: prod
resources:
  - ../base
patches:
  - path: replicas.yaml
configMapGenerator:
  - name: settings
    literals:
      - mode=fast
`,
  );
  await write(
    "overlay/replicas.yaml",
    "apiVersion: apps/v1\nkind: Deployment\nmetadata:\n  name: web\nspec:\n  replicas: 3\n",
  );
  await write("broken/kustomization.yaml", "resources:\n  - missing.yaml\n");
  await write(
    "own-origins/kustomization.yaml",
    "resources:\n  - cm.yaml\nbuildMetadata: [originAnnotations]\n",
  );
  await write("own-origins/cm.yaml", "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: c\n");
});

afterAll(async () => {
  await rm(root, { recursive: true, force: true });
});

describe("kustomize through the real kubectl", () => {
  it("renders an overlay with namePrefix and commonLabels, each object pointing at the file it was written in", async () => {
    const { objects } = await loadSources(
      { filenames: [], kustomize: ["overlay"] },
      { cwd: root, kubectlPath: kubectl },
    );
    expect(objects.map((object) => [object.ref, object.source])).toEqual([
      [
        { group: "", version: "v1", kind: "ConfigMap", namespace: "", name: "prod-settings-t82mkhg8fd" },
        { file: "overlay/kustomization.yaml", line: 9 },
      ],
      [
        { group: "", version: "v1", kind: "Service", namespace: "", name: "prod-web" },
        { file: "base/app.yaml", line: 13 },
      ],
      [
        { group: "apps", version: "v1", kind: "Deployment", namespace: "", name: "prod-web" },
        { file: "base/app.yaml", line: 1 },
      ],
    ]);
    expect(objects[2].object).toEqual({
      apiVersion: "apps/v1",
      kind: "Deployment",
      metadata: { labels: { env: "prod" }, name: "prod-web" },
      spec: {
        replicas: 3,
        selector: { matchLabels: { env: "prod" } },
        template: {
          metadata: { labels: { env: "prod" } },
          spec: { containers: [{ image: "nginx:1.27", name: "web" }] },
        },
      },
    });
    // The name (prefixed) and the replicas (patched) are not what base/app.yaml says: they get no line there.
    expect(Object.fromEntries(objects[2].fieldLines ?? [])).toEqual({
      "": 1,
      "/apiVersion": 1,
      "/kind": 2,
      "/metadata": 3,
      "/spec": 5,
      "/spec/template": 7,
      "/spec/template/spec": 8,
      "/spec/template/spec/containers": 9,
      "/spec/template/spec/containers/0": 10,
      "/spec/template/spec/containers/0/name": 10,
      "/spec/template/spec/containers/0/image": 11,
    });
    expect(objects[0].object).toEqual({
      apiVersion: "v1",
      kind: "ConfigMap",
      metadata: { labels: { env: "prod" }, name: "prod-settings-t82mkhg8fd" },
      data: { mode: "fast" },
    });
  });

  it("shows absolute paths when the directory was given as one", async () => {
    const objects = await buildKustomization(path.join(root, "base"), { cwd: "/", kubectlPath: kubectl });
    expect(objects.map((object) => object.source)).toEqual([
      { file: path.join(root, "base/app.yaml"), line: 13 },
      { file: path.join(root, "base/app.yaml"), line: 1 },
    ]);
  });

  it("keeps origin annotations that the kustomization asks for itself", async () => {
    const objects = await buildKustomization("own-origins", { cwd: root, kubectlPath: kubectl });
    expect(objects.map((object) => [object.object["metadata"], object.source])).toEqual([
      [
        { annotations: { "config.kubernetes.io/origin": "path: cm.yaml\n" }, name: "c" },
        { file: "own-origins/kustomization.yaml", line: 1 },
      ],
    ]);
  });

  it("reports a failing build in one line with kustomize's message", async () => {
    const message = await failure(buildKustomization("broken", { cwd: root, kubectlPath: kubectl }));
    const missing = path.join(root, "broken/missing.yaml");
    expect(message).toBe(
      `cannot build broken: accumulating resources: accumulation err='accumulating resources from 'missing.yaml': evalsymlink failure on '${missing}' : lstat ${missing}: no such file or directory': must build at directory: not a valid directory: evalsymlink failure on '${missing}' : lstat ${missing}: no such file or directory`,
    );
  });

  it("says when neither kubectl nor kustomize is on PATH", async () => {
    expect(await failure(buildKustomization("overlay", { cwd: root, env: { PATH: "/nonexistent" } }))).toBe(
      "cannot build overlay: neither kubectl nor kustomize is on PATH",
    );
  });

  it("finds kubectl on PATH", async () => {
    const objects = await buildKustomization("base", { cwd: root, env: { PATH: "/nonexistent:/usr/bin" } });
    expect(objects.map((object) => object.ref.name)).toEqual(["web", "web"]);
  });

  it("names a directory that is not there or has no kustomization", async () => {
    expect(await failure(buildKustomization("nowhere", { cwd: root, kubectlPath: kubectl }))).toBe(
      "no such file or directory: nowhere",
    );
    expect(await failure(buildKustomization("base/..", { cwd: root, kubectlPath: kubectl }))).toBe(
      "cannot build base/..: it has no kustomization.yaml",
    );
  });
});
