import { chmodSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { gunzipSync } from "node:zlib";

import { afterAll, describe, expect, it } from "vitest";

import { SourceError } from "../types.js";
import {
  HelmStorageKinds,
  decodeHelmRelease,
  encodeHelmRelease,
  isHelmReleaseStorage,
  loadHelmReleases,
  renderHelmChart,
} from "./index.js";
import type { HelmReleaseRecord, ReleaseStore } from "./index.js";
import type { KubeObject } from "../../kube/value/json.js";

const manifest = `---
# Source: shop-web/templates/service.yaml
apiVersion: v1
kind: Service
metadata:
  name: web
spec:
  ports:
    - port: 80
---
# Source: shop-web/templates/deployment.yaml
apiVersion: apps/v1
kind: Deployment
metadata:
  name: web
  labels:
    app: web
spec:
  replicas: 3
  template:
    spec:
      containers:
        - name: web
          image: nginx:1.27
---
# Source: shop-web/templates/clusterrole.yaml
apiVersion: rbac.authorization.k8s.io/v1
kind: ClusterRole
metadata:
  name: web-reader
rules: []
---
# Source: shop-web/templates/stray-test.yaml
apiVersion: v1
kind: Pod
metadata:
  name: web-test
  annotations:
    helm.sh/hook: test
spec:
  containers:
    - name: test
      image: busybox
`;

function release(overrides: Partial<HelmReleaseRecord> = {}): HelmReleaseRecord {
  return {
    name: "web",
    namespace: "shop",
    version: 3,
    status: "deployed",
    chart: { name: "shop-web", version: "1.4.2", appVersion: "1.27" },
    manifest,
    hooks: [
      {
        name: "web-migrate",
        kind: "Job",
        path: "shop-web/templates/migrate.yaml",
        manifest: "apiVersion: batch/v1\nkind: Job\nmetadata:\n  name: web-migrate\n",
        events: ["pre-upgrade"],
      },
    ],
    deployedAt: "2026-11-20T10:00:00Z",
    ...overrides,
  };
}

function store(objects: readonly KubeObject[]): ReleaseStore {
  const inNamespace = (kind: string, namespace: string | undefined): readonly KubeObject[] =>
    objects.filter((object) => {
      const metadata = object["metadata"] as { readonly namespace: string };
      return object["kind"] === kind && (namespace === undefined || metadata.namespace === namespace);
    });
  return {
    secrets: (namespace) => Promise.resolve(inNamespace("Secret", namespace)),
    configMaps: (namespace) => Promise.resolve(inNamespace("ConfigMap", namespace)),
  };
}

function withData(object: KubeObject, data: Record<string, string>): KubeObject {
  return { ...object, data };
}

describe("encodeHelmRelease", () => {
  it("builds the Secret as Helm 3 stores it: JSON, gzip, base64, and the API's base64 over that", () => {
    const secret = encodeHelmRelease(release());
    expect(secret["apiVersion"]).toBe("v1");
    expect(secret["kind"]).toBe("Secret");
    expect(secret["type"]).toBe("helm.sh/release.v1");
    expect(secret["metadata"]).toEqual({
      name: "sh.helm.release.v1.web.v3",
      namespace: "shop",
      labels: { createdAt: "1795168800", name: "web", owner: "helm", status: "deployed", version: "3" },
    });
    const data = secret["data"] as { readonly release: string };
    const helmEncoded = Buffer.from(data.release, "base64").toString("utf8");
    const gzipped = Buffer.from(helmEncoded, "base64");
    expect([...gzipped.subarray(0, 3)]).toEqual([0x1f, 0x8b, 0x08]);
    expect(gzipped[9]).toBe(255);
    const json = JSON.parse(gunzipSync(gzipped).toString("utf8"));
    expect(json.name).toBe("web");
    expect(json.namespace).toBe("shop");
    expect(json.version).toBe(3);
    expect(json.info.status).toBe("deployed");
    expect(json.info.last_deployed).toBe("2026-11-20T10:00:00Z");
    expect(json.chart.metadata).toEqual({
      name: "shop-web",
      version: "1.4.2",
      appVersion: "1.27",
      apiVersion: "v2",
    });
    expect(json.manifest).toBe(manifest);
    expect(json.hooks[0].name).toBe("web-migrate");
    expect(json.hooks[0].events).toEqual(["pre-upgrade"]);
  });

  it("decodes back what it encoded, for Secrets and ConfigMaps", () => {
    const expected = {
      name: "web",
      namespace: "shop",
      version: 3,
      status: "deployed",
      chart: { name: "shop-web", version: "1.4.2", appVersion: "1.27" },
      manifest,
      values: {},
      deployedAt: "2026-11-20T10:00:00Z",
    };
    expect(decodeHelmRelease(encodeHelmRelease(release()))).toEqual(expected);
    const configMap = encodeHelmRelease(release(), HelmStorageKinds.configMap);
    expect(configMap["kind"]).toBe("ConfigMap");
    expect(configMap["type"]).toBeUndefined();
    expect(decodeHelmRelease(configMap)).toEqual(expected);
  });

  it("reads releases stored before Helm compressed them (plain JSON under base64)", () => {
    const json = JSON.stringify({
      name: "old",
      namespace: "shop",
      version: 1,
      info: { status: "deployed" },
      chart: { metadata: { name: "old", version: "0.1.0" } },
      manifest: "",
    });
    const configMap = withData(encodeHelmRelease(release(), HelmStorageKinds.configMap), {
      release: Buffer.from(json).toString("base64"),
    });
    expect(decodeHelmRelease(configMap)).toEqual({
      name: "old",
      namespace: "shop",
      version: 1,
      status: "deployed",
      chart: { name: "old", version: "0.1.0" },
      manifest: "",
    });
  });
});

describe("isHelmReleaseStorage", () => {
  it("recognises Helm's Secrets and ConfigMaps, and nothing else", () => {
    expect(isHelmReleaseStorage(encodeHelmRelease(release()))).toBe(true);
    expect(isHelmReleaseStorage(encodeHelmRelease(release(), HelmStorageKinds.configMap))).toBe(true);
    expect(
      isHelmReleaseStorage({
        apiVersion: "v1",
        kind: "Secret",
        metadata: { name: "web", namespace: "shop" },
      }),
    ).toBe(false);
    expect(
      isHelmReleaseStorage({
        apiVersion: "v1",
        kind: "ConfigMap",
        metadata: { name: "sh.helm.release.v1.web.v1", namespace: "shop", labels: { owner: "someone" } },
      }),
    ).toBe(false);
  });
});

describe("loadHelmReleases", () => {
  it("takes the manifest of the release: objects at their templates, hooks left out, the release's namespace and origin", async () => {
    const loaded = await loadHelmReleases(
      { releases: ["web"], all: false, namespace: "shop" },
      store([encodeHelmRelease(release())]),
    );
    expect(loaded.notes).toEqual([]);
    expect(
      loaded.objects.map((object) => ({ ref: object.ref, source: object.source, origin: object.origin })),
    ).toEqual([
      {
        ref: { group: "", version: "v1", kind: "Service", namespace: "shop", name: "web" },
        source: { file: "helm:shop/web@3:templates/service.yaml", line: 1 },
        origin: {
          kind: "helm",
          release: "web",
          namespace: "shop",
          revision: 3,
          chart: "shop-web",
          chartVersion: "1.4.2",
        },
      },
      {
        ref: { group: "apps", version: "v1", kind: "Deployment", namespace: "shop", name: "web" },
        source: { file: "helm:shop/web@3:templates/deployment.yaml", line: 1 },
        origin: {
          kind: "helm",
          release: "web",
          namespace: "shop",
          revision: 3,
          chart: "shop-web",
          chartVersion: "1.4.2",
        },
      },
      {
        ref: {
          group: "rbac.authorization.k8s.io",
          version: "v1",
          kind: "ClusterRole",
          namespace: "shop",
          name: "web-reader",
        },
        source: { file: "helm:shop/web@3:templates/clusterrole.yaml", line: 1 },
        origin: {
          kind: "helm",
          release: "web",
          namespace: "shop",
          revision: 3,
          chart: "shop-web",
          chartVersion: "1.4.2",
        },
      },
    ]);
    const deployment = loaded.objects[1];
    expect(deployment.fieldLines?.get("/spec/replicas")).toBe(8);
    expect(deployment.fieldLines?.get("/spec/template/spec/containers/0/image")).toBe(13);
    // The namespace goes into the ref only, as -n does: the object stays as Helm rendered it.
    expect(deployment.object["metadata"]).toEqual({ name: "web", labels: { app: "web" } });
  });

  it("takes the newest deployed revision over newer superseded, failed and pending ones", async () => {
    const revisions = [
      encodeHelmRelease(release({ version: 1, status: "superseded", manifest: replicas(1) })),
      encodeHelmRelease(release({ version: 2, status: "deployed", manifest: replicas(2) })),
      encodeHelmRelease(release({ version: 3, status: "failed", manifest: replicas(3) })),
      encodeHelmRelease(release({ version: 4, status: "pending-upgrade", manifest: replicas(4) })),
    ];
    const loaded = await loadHelmReleases(
      { releases: ["web"], all: false, namespace: "shop" },
      store(revisions),
    );
    expect(loaded.objects.map((object) => object.object["spec"])).toEqual([{ replicas: 2 }]);
    expect(loaded.objects[0].source.file).toBe("helm:shop/web@2:templates/deployment.yaml");
  });

  it("reads the ConfigMaps driver too", async () => {
    const loaded = await loadHelmReleases(
      { releases: ["web"], all: false, namespace: "shop" },
      store([encodeHelmRelease(release({ manifest: replicas(5) }), HelmStorageKinds.configMap)]),
    );
    expect(loaded.objects.map((object) => object.object["spec"])).toEqual([{ replicas: 5 }]);
  });

  it("--all takes every release of the namespace; -A of every namespace; releases without a deployed revision are noted", async () => {
    const objects = [
      encodeHelmRelease(release({ name: "web", manifest: replicas(1) })),
      encodeHelmRelease(release({ name: "api", manifest: replicas(2, "api") })),
      encodeHelmRelease(
        release({ name: "broken", version: 1, status: "failed", manifest: replicas(9, "broken") }),
      ),
      encodeHelmRelease(release({ name: "web", namespace: "staging", manifest: replicas(7) })),
      { apiVersion: "v1", kind: "Secret", metadata: { name: "unrelated", namespace: "shop" }, data: {} },
    ];
    const inShop = await loadHelmReleases({ releases: [], all: true, namespace: "shop" }, store(objects));
    expect(inShop.objects.map((object) => `${object.ref.namespace}/${object.ref.name}`)).toEqual([
      "shop/api",
      "shop/web",
    ]);
    expect(inShop.notes).toEqual([
      "helm release shop/broken skipped: it has no deployed revision (the newest, 1, is failed)",
    ]);
    const everywhere = await loadHelmReleases(
      { releases: [], all: true, namespace: undefined },
      store(objects),
    );
    expect(everywhere.objects.map((object) => `${object.ref.namespace}/${object.ref.name}`)).toEqual([
      "shop/api",
      "shop/web",
      "staging/web",
    ]);
    const named = await loadHelmReleases(
      { releases: ["web"], all: false, namespace: undefined },
      store(objects),
    );
    expect(named.objects.map((object) => object.source.file)).toEqual([
      "helm:shop/web@3:templates/deployment.yaml",
      "helm:staging/web@3:templates/deployment.yaml",
    ]);
  });

  it("fails with one line for a release that is not there, or has no deployed revision", async () => {
    const objects = [encodeHelmRelease(release({ version: 1, status: "pending-install" }))];
    await expect(
      loadHelmReleases({ releases: ["api"], all: false, namespace: "shop" }, store(objects)),
    ).rejects.toThrow(new SourceError('helm release "api" not found in namespace "shop"'));
    await expect(
      loadHelmReleases({ releases: ["api"], all: false, namespace: undefined }, store(objects)),
    ).rejects.toThrow(new SourceError('helm release "api" not found in any namespace'));
    await expect(
      loadHelmReleases({ releases: ["web"], all: false, namespace: "shop" }, store(objects)),
    ).rejects.toThrow(
      new SourceError("helm release shop/web has no deployed revision (the newest, 1, is pending-install)"),
    );
  });

  it("names the release whose data is corrupt, and what is wrong with it", async () => {
    const good = encodeHelmRelease(release());
    const load = (data: string): Promise<unknown> =>
      loadHelmReleases(
        { releases: ["web"], all: false, namespace: "shop" },
        store([withData(good, { release: data })]),
      );
    const base64 = (text: string | Buffer): string => Buffer.from(text).toString("base64");
    await expect(load("%%%")).rejects.toThrow(
      new SourceError("helm release shop/web: cannot decode release data: the Secret's data is not base64"),
    );
    await expect(load(base64("not-base64!"))).rejects.toThrow(
      new SourceError("helm release shop/web: cannot decode release data: the release is not base64"),
    );
    const truncatedGzip = Buffer.from([0x1f, 0x8b, 0x08, 0, 0, 0, 0, 0, 0, 255, 1, 2]);
    await expect(load(base64(base64(truncatedGzip)))).rejects.toThrow(
      /^helm release shop\/web: cannot decode release data: not gzip: /,
    );
    await expect(load(base64(base64('{"name": ')))).rejects.toThrow(
      /^helm release shop\/web: cannot decode release data: not JSON: /,
    );
    await expect(load(base64(base64(JSON.stringify({ name: "web", version: 3 }))))).rejects.toThrow(
      new SourceError("helm release shop/web: cannot decode release data: the release has no info.status"),
    );
  });
});

function replicas(count: number, name = "web"): string {
  return `---
# Source: shop-web/templates/deployment.yaml
apiVersion: apps/v1
kind: Deployment
metadata:
  name: ${name}
spec:
  replicas: ${count}
`;
}

describe("renderHelmChart", () => {
  const scratch = mkdtempSync(path.join(tmpdir(), "kubedrift-helm-"));
  afterAll(() => rmSync(scratch, { recursive: true, force: true }));

  it("asks for the helm binary when there is none", async () => {
    await expect(
      renderHelmChart("charts/web", {
        valuesFiles: [],
        cwd: scratch,
        helmPath: path.join(scratch, "no-helm"),
      }),
    ).rejects.toThrow(
      new SourceError(
        `--helm-chart needs the helm binary on PATH (${path.join(scratch, "no-helm")} cannot be run)`,
      ),
    );
  });

  // helm is not installed on these machines: a script stands in for it, printing what `helm template` prints.
  it("runs helm template with the values files and reads its output, hooks left out", async () => {
    const fakeHelm = path.join(scratch, "helm");
    writeFileSync(
      fakeHelm,
      `#!/bin/sh
echo "$@" > "${path.join(scratch, "args")}"
cat <<'YAML'
---
# Source: web/templates/deployment.yaml
apiVersion: apps/v1
kind: Deployment
metadata:
  name: shop-web
spec:
  replicas: 2
---
# Source: web/templates/tests/test-connection.yaml
apiVersion: v1
kind: Pod
metadata:
  name: shop-web-test
  annotations:
    "helm.sh/hook": test
YAML
`,
    );
    chmodSync(fakeHelm, 0o755);
    const loaded = await renderHelmChart("charts/web", {
      valuesFiles: ["values.yaml", "prod.yaml"],
      releaseName: "shop",
      namespace: "shop",
      cwd: scratch,
      helmPath: fakeHelm,
    });
    expect(readFileSync(path.join(scratch, "args"), "utf8")).toBe(
      "template shop charts/web --values values.yaml --values prod.yaml --namespace shop\n",
    );
    expect(loaded.objects.map((object) => ({ ref: object.ref, source: object.source }))).toEqual([
      {
        ref: { group: "apps", version: "v1", kind: "Deployment", namespace: "shop", name: "shop-web" },
        source: { file: "charts/web/templates/deployment.yaml", line: 1 },
      },
    ]);
    expect(loaded.objects[0].origin).toBeUndefined();
  });

  it("reports helm's own error in one line", async () => {
    const failingHelm = path.join(scratch, "failing-helm");
    writeFileSync(failingHelm, `#!/bin/sh\necho 'Error: Chart.yaml file is missing' >&2\nexit 1\n`);
    chmodSync(failingHelm, 0o755);
    await expect(
      renderHelmChart("charts/none", { valuesFiles: [], cwd: scratch, helmPath: failingHelm }),
    ).rejects.toThrow(new SourceError("helm template charts/none: Chart.yaml file is missing"));
  });
});
