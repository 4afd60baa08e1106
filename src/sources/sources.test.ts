import { mkdir, mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { Readable } from "node:stream";

import { afterAll, beforeAll, describe, expect, it } from "vitest";

import { assertNoDuplicates, loadSources, parseManifests, ReadModes, SourceError } from "./index.js";

let root: string;

async function write(file: string, text: string): Promise<void> {
  await mkdir(path.dirname(path.join(root, file)), { recursive: true });
  await writeFile(path.join(root, file), text);
}

function load(filenames: readonly string[], stdin?: string | NodeJS.ReadableStream) {
  return loadSources(
    { filenames, kustomize: [] },
    stdin === undefined ? { cwd: root } : { cwd: root, stdin },
  );
}

async function loadError(filenames: readonly string[], stdin?: string): Promise<string> {
  const error: unknown = await load(filenames, stdin).then(
    () => undefined,
    (caught: unknown) => caught,
  );
  expect(error).toBeInstanceOf(SourceError);
  return (error as SourceError).message;
}

const webYaml = `# the web tier
apiVersion: apps/v1
kind: Deployment
metadata:
  name: web
  namespace: shop
  annotations:
    example.com/owner: team-a
spec:
  replicas: 3
  template:
    spec:
      containers:
        - name: web
          image: nginx:1.27
          ports:
            - containerPort: 80
        - name: sidecar
          image: envoy:1.30
      volumes:
        - name: settings
          configMap: { name: settings, defaultMode: 0644 }
---

---
apiVersion: v1
kind: ConfigMap
metadata:
  name: settings
data:
  verbose: "yes"
  strict: yes
`;

beforeAll(async () => {
  root = await mkdtemp(path.join(tmpdir(), "kubedrift-sources-"));
  await write("deploy/web.yaml", webYaml);
});

afterAll(async () => {
  await rm(root, { recursive: true, force: true });
});

describe("multi-document YAML", () => {
  it("keeps the line of each object and of each field, list items by index", async () => {
    const { objects, notes } = await load(["deploy/web.yaml"]);
    expect(notes).toEqual([]);
    expect(objects.map((object) => [object.ref, object.source])).toEqual([
      [
        { group: "apps", version: "v1", kind: "Deployment", namespace: "shop", name: "web" },
        { file: "deploy/web.yaml", line: 2 },
      ],
      [
        { group: "", version: "v1", kind: "ConfigMap", namespace: "", name: "settings" },
        { file: "deploy/web.yaml", line: 26 },
      ],
    ]);
    expect(Object.fromEntries(objects[0].fieldLines ?? [])).toEqual({
      "": 2,
      "/apiVersion": 2,
      "/kind": 3,
      "/metadata": 4,
      "/metadata/name": 5,
      "/metadata/namespace": 6,
      "/metadata/annotations": 7,
      "/metadata/annotations/example.com~1owner": 8,
      "/spec": 9,
      "/spec/replicas": 10,
      "/spec/template": 11,
      "/spec/template/spec": 12,
      "/spec/template/spec/containers": 13,
      "/spec/template/spec/containers/0": 14,
      "/spec/template/spec/containers/0/name": 14,
      "/spec/template/spec/containers/0/image": 15,
      "/spec/template/spec/containers/0/ports": 16,
      "/spec/template/spec/containers/0/ports/0": 17,
      "/spec/template/spec/containers/0/ports/0/containerPort": 17,
      "/spec/template/spec/containers/1": 18,
      "/spec/template/spec/containers/1/name": 18,
      "/spec/template/spec/containers/1/image": 19,
      "/spec/template/spec/volumes": 20,
      "/spec/template/spec/volumes/0": 21,
      "/spec/template/spec/volumes/0/name": 21,
      "/spec/template/spec/volumes/0/configMap": 22,
      "/spec/template/spec/volumes/0/configMap/name": 22,
      "/spec/template/spec/volumes/0/configMap/defaultMode": 22,
    });
    expect(Object.fromEntries(objects[1].fieldLines ?? [])).toEqual({
      "": 26,
      "/apiVersion": 26,
      "/kind": 27,
      "/metadata": 28,
      "/metadata/name": 29,
      "/data": 30,
      "/data/verbose": 31,
      "/data/strict": 32,
    });
  });

  it("reads YAML as kubectl does (YAML 1.1): 0644 is octal, an unquoted yes is a boolean", async () => {
    const { objects } = await load(["deploy/web.yaml"]);
    expect(objects[0].object).toEqual({
      apiVersion: "apps/v1",
      kind: "Deployment",
      metadata: { name: "web", namespace: "shop", annotations: { "example.com/owner": "team-a" } },
      spec: {
        replicas: 3,
        template: {
          spec: {
            containers: [
              { name: "web", image: "nginx:1.27", ports: [{ containerPort: 80 }] },
              { name: "sidecar", image: "envoy:1.30" },
            ],
            volumes: [{ name: "settings", configMap: { name: "settings", defaultMode: 420 } }],
          },
        },
      },
    });
    expect(objects[1].object["data"]).toEqual({ verbose: "yes", strict: true });
  });

  it("leaves dates and h:mm values as strings, as go-yaml does", () => {
    const { objects } = parseManifests(
      "apiVersion: v1\nkind: ConfigMap\nmetadata: {name: c}\ndata:\n  day: 2024-01-01\n  at: 1:30\n",
      "c.yaml",
      ReadModes.named,
    );
    expect(objects[0].object["data"]).toEqual({ day: "2024-01-01", at: "1:30" });
  });
});

describe("directories", () => {
  beforeAll(async () => {
    await write("tree/README.md", "# how to deploy\n");
    await write(
      "tree/kustomization.yaml",
      "resources:\n  - apps/web.yaml\npatches:\n  - path: patches/replicas.yaml\n",
    );
    await write(
      "tree/patches/replicas.yaml",
      "apiVersion: apps/v1\nkind: Deployment\nmetadata:\n  name: web\nspec:\n  replicas: 5\n",
    );
    await write("tree/apps/web.yaml", "apiVersion: apps/v1\nkind: Deployment\nmetadata:\n  name: web\n");
    await write(
      "tree/apps/svc.json",
      '{\n  "apiVersion": "v1",\n  "kind": "Service",\n  "metadata": {\n    "name": "web"\n  }\n}\n',
    );
    await write("tree/apps/empty.yml", "# nothing yet\n---\n");
    await write("tree/values.yaml", "replicaCount: 1\nimage:\n  repository: nginx\n");
    await write("tree/chart/Chart.yaml", "apiVersion: v2\nname: web\nversion: 1.0.0\n");
    await write(
      "tree/chart/templates/deploy.yaml",
      "apiVersion: apps/v1\nkind: Deployment\nmetadata:\n  name: {{ .Release.Name }}\n",
    );
    await write("tree/.github/workflows/ci.yaml", "on: push\n");
    await write("tree/node_modules/pkg/x.yaml", "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: x\n");
    await write("tree/z-namespace.yaml", "apiVersion: v1\nkind: Namespace\nmetadata:\n  name: shop\n");
  });

  it("walks recursively in name order, skipping what is not a manifest with a note", async () => {
    const { objects, notes } = await load(["./tree"]);
    expect(
      objects.map(
        (object) => `${object.ref.kind}/${object.ref.name} ${object.source.file}:${object.source.line}`,
      ),
    ).toEqual([
      "Service/web tree/apps/svc.json:1",
      "Deployment/web tree/apps/web.yaml:1",
      "Namespace/shop tree/z-namespace.yaml:1",
    ]);
    expect(notes).toEqual([
      "not a manifest: tree/README.md",
      "not rendered (a Helm chart; compare the release with --helm-release): tree/chart",
      "not a Kubernetes object (a Kustomization; build it with -k tree): tree/kustomization.yaml",
      "not a Kubernetes object (a Kustomize patch; build the overlay with -k tree): tree/patches/replicas.yaml",
      "not a Kubernetes object: tree/values.yaml",
    ]);
  });

  it("gives JSON files field lines too", async () => {
    const { objects } = await load(["tree/apps/svc.json"]);
    expect(Object.fromEntries(objects[0].fieldLines ?? [])).toEqual({
      "": 1,
      "/apiVersion": 2,
      "/kind": 3,
      "/metadata": 4,
      "/metadata/name": 5,
    });
  });

  it("reports a named file that is not a manifest instead of skipping it", async () => {
    expect(await loadError(["tree/values.yaml"])).toBe('tree/values.yaml:1: document 1 has no "kind"');
    expect(await loadError(["tree/kustomization.yaml"])).toBe(
      'tree/kustomization.yaml:1: document 1 has no "kind"',
    );
  });
});

describe("lists", () => {
  it("expands kind: List and typed lists into their items, each with its own lines", async () => {
    await write(
      "list.yaml",
      `apiVersion: v1
kind: List
items:
  - apiVersion: v1
    kind: ConfigMap
    metadata:
      name: one
  - apiVersion: v1
    kind: ConfigMap
    metadata:
      name: two
    data:
      k: v
---
apiVersion: apps/v1
kind: DeploymentList
items:
  - metadata:
      name: web
      namespace: shop
`,
    );
    const { objects } = await load(["list.yaml"]);
    expect(objects.map((object) => [object.ref, object.source])).toEqual([
      [
        { group: "", version: "v1", kind: "ConfigMap", namespace: "", name: "one" },
        { file: "list.yaml", line: 4 },
      ],
      [
        { group: "", version: "v1", kind: "ConfigMap", namespace: "", name: "two" },
        { file: "list.yaml", line: 8 },
      ],
      [
        { group: "apps", version: "v1", kind: "Deployment", namespace: "shop", name: "web" },
        { file: "list.yaml", line: 18 },
      ],
    ]);
    expect(Object.fromEntries(objects[1].fieldLines ?? [])).toEqual({
      "": 8,
      "/apiVersion": 8,
      "/kind": 9,
      "/metadata": 10,
      "/metadata/name": 11,
      "/data": 12,
      "/data/k": 13,
    });
    expect(objects[2].object).toEqual({
      apiVersion: "apps/v1",
      kind: "Deployment",
      metadata: { name: "web", namespace: "shop" },
    });
  });
});

describe("standard input", () => {
  const manifest = "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: piped\ndata:\n  a: b\n";

  it("reads - from a string", async () => {
    const { objects } = await load(["-"], manifest);
    expect(
      objects.map((object) => [object.ref.name, object.source, object.fieldLines?.get("/data/a")]),
    ).toEqual([["piped", { file: "<stdin>", line: 1 }, 6]]);
  });

  it("reads - from a stream", async () => {
    const { objects } = await load(
      ["-"],
      Readable.from([Buffer.from(manifest.slice(0, 20)), Buffer.from(manifest.slice(20))]),
    );
    expect(objects.map((object) => object.ref.name)).toEqual(["piped"]);
  });

  it("refuses invalid UTF-8 on standard input, naming the byte", async () => {
    const stream = Readable.from([
      Buffer.from("apiVersion: v1\nkind: ConfigMap\n"),
      Buffer.from([0x61, 0xc3, 0x28]),
    ]);
    const error: unknown = await load(["-"], stream).then(
      () => undefined,
      (caught: unknown) => caught,
    );
    expect(error).toBeInstanceOf(SourceError);
    expect((error as SourceError).message).toBe("<stdin>: invalid UTF-8 at byte 32 (line 3)");
  });

  it("reads standard input only once", async () => {
    expect(await loadError(["-", "-"], manifest)).toBe("standard input (-f -) can be read only once");
  });
});

describe("errors", () => {
  it("names file, line and column of malformed YAML", async () => {
    await write(
      "bad/flow.yaml",
      "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: a\ndata:\n  x: [1, 2\n  y: z\n",
    );
    await write("bad/indent.yaml", "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: a\n   bad: x\n");
    await write("bad/twice.yaml", "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: a\n  name: b\n");
    expect(await loadError(["bad/flow.yaml"])).toBe(
      "bad/flow.yaml:7:3: Flow sequence in block collection must be sufficiently indented and end with a ]",
    );
    expect(await loadError(["bad/indent.yaml"])).toBe(
      "bad/indent.yaml:4:9: Nested mappings are not allowed in compact mappings",
    );
    expect(await loadError(["bad/twice.yaml"])).toBe("bad/twice.yaml:5:3: Map keys must be unique");
  });

  it("names the document without kind, apiVersion or name", async () => {
    await write(
      "bad/kind.yaml",
      "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: a\n---\napiVersion: v1\nmetadata:\n  name: b\n",
    );
    await write("bad/api.yaml", "kind: ConfigMap\nmetadata:\n  name: a\n");
    await write("bad/name.yaml", "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  namespace: shop\n");
    await write(
      "bad/generated.yaml",
      "apiVersion: batch/v1\nkind: Job\nmetadata:\n  generateName: migrate-\n",
    );
    await write(
      "bad/item.yaml",
      "apiVersion: v1\nkind: List\nitems:\n  - apiVersion: v1\n    metadata:\n      name: a\n",
    );
    expect(await loadError(["bad/kind.yaml"])).toBe('bad/kind.yaml:6: document 2 has no "kind"');
    expect(await loadError(["bad/api.yaml"])).toBe('bad/api.yaml:1: document 1 has no "apiVersion"');
    expect(await loadError(["bad/name.yaml"])).toBe(
      "bad/name.yaml:1: document 1 (ConfigMap) has no metadata.name",
    );
    expect(await loadError(["bad/generated.yaml"])).toBe(
      "bad/generated.yaml:1: document 1 (Job) has metadata.generateName but no name: an object without a fixed name cannot be compared",
    );
    expect(await loadError(["bad/item.yaml"])).toBe(
      'bad/item.yaml:4: item 1 of the List in document 1 has no "kind"',
    );
  });

  it("names a document that is not an object", async () => {
    await write(
      "bad/scalar.yaml",
      "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: a\n---\njust text\n---\n- a\n",
    );
    expect(await loadError(["bad/scalar.yaml"])).toBe(
      "bad/scalar.yaml:6: document 2 is not an object but a string",
    );
  });

  it("names a file that cannot be read", async () => {
    expect(await loadError(["deploy/missing.yaml"])).toBe("no such file or directory: deploy/missing.yaml");
  });

  it("names both places of an object declared twice", async () => {
    await write(
      "dup/a.yaml",
      "apiVersion: apps/v1\nkind: Deployment\nmetadata:\n  name: web\n  namespace: shop\n",
    );
    await write(
      "dup/b.yaml",
      "# again\n---\napiVersion: apps/v1\nkind: Deployment\nmetadata: { name: web, namespace: shop }\n",
    );
    expect(await loadError(["dup"])).toBe(
      "duplicate object Deployment shop/web: dup/a.yaml:1 and dup/b.yaml:3",
    );
  });

  it("finds duplicates that appear once default namespaces are filled in", async () => {
    const { objects } = await load(["deploy/web.yaml"]);
    const settings = objects[1];
    const defaulted = { ...settings, ref: { ...settings.ref, namespace: "default" } };
    expect(() =>
      assertNoDuplicates([defaulted, { ...defaulted, source: { file: "other.yaml", line: 4 } }]),
    ).toThrow(
      new SourceError("duplicate object ConfigMap default/settings: deploy/web.yaml:26 and other.yaml:4"),
    );
  });

  it("never prints a Secret's value", async () => {
    await write(
      "bad/secret.yaml",
      'apiVersion: v1\nkind: Secret\nmetadata:\n  name: s\nstringData:\n  password: "hunter2\\q"\n',
    );
    const message = await loadError(["bad/secret.yaml"]);
    expect(message).toBe("bad/secret.yaml:6:21: Invalid escape sequence");
    expect(message).not.toContain("hunter2");
  });
});

describe("positions of Lists and aliases", () => {
  it("keeps each List item's field lines and refuses a complex key inside an item", () => {
    const list =
      "apiVersion: v1\nkind: List\nitems:\n  - apiVersion: v1\n    kind: ConfigMap\n    metadata: {name: a}\n    data:\n      k: v\n";
    const [object] = parseManifests(list, "list.yaml", ReadModes.named).objects;
    expect([object?.source.line, object?.fieldLines?.get("/data/k")]).toEqual([4, 8]);
    expect(() => parseManifests(`${list}      ? [x]\n      : y\n`, "list.yaml", ReadModes.named)).toThrow(
      "list.yaml:9:9: a mapping key must be a string, not a list",
    );
  });

  it("resolves aliases defined before use and names an undefined one by position only", () => {
    const base = "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: &n a\ndata:\n  k: ";
    const [object] = parseManifests(`${base}*n\n`, "cm.yaml", ReadModes.named).objects;
    expect(object?.object["data"]).toEqual({ k: "a" });
    expect(() => parseManifests(`${base}*s3cret\n`, "cm.yaml", ReadModes.named)).toThrow(
      /^cm\.yaml:6:6: unresolved alias \(no anchor of that name is defined before it\)$/,
    );
  });

  it("does not discover a directory's non-manifest YAML with a complex key as an error", () => {
    expect(parseManifests("? [a, b]\n: c\n", "values.yaml", ReadModes.discovered)).toEqual({
      objects: [],
      notes: ["not a Kubernetes object: values.yaml"],
    });
  });
});
