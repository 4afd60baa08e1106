import { describe, expect, it } from "vitest";
import type { DriftReport, LiveObject } from "../model/index.js";
import { compare } from "./compare.js";
import { desiredOf, useLiveCluster, input, refOf } from "./live.test-helper.js";
import type { KubeObject } from "../kube/value/json.js";

const cluster = useLiveCluster();

function deployment(overrides: { replicas?: number; containers?: readonly unknown[] } = {}): KubeObject {
  return {
    apiVersion: "apps/v1",
    kind: "Deployment",
    metadata: { name: "web", namespace: "shop", labels: { app: "web" } },
    spec: {
      replicas: overrides.replicas ?? 2,
      selector: { matchLabels: { app: "web" } },
      template: {
        metadata: { labels: { app: "web" } },
        spec: {
          containers: overrides.containers ?? [
            {
              name: "web",
              image: "nginx:1.27",
              ports: [{ containerPort: 80 }, { containerPort: 443 }],
              env: [{ name: "MODE", value: "prod" }],
              resources: { requests: { cpu: "0.5", memory: "128Mi" }, limits: { memory: "256Mi" } },
            },
          ],
        },
      },
    },
  } as KubeObject;
}

const service: KubeObject = {
  apiVersion: "v1",
  kind: "Service",
  metadata: { name: "web", namespace: "shop" },
  spec: {
    selector: { app: "web" },
    ports: [
      { name: "http", port: 80, targetPort: 8080 },
      { name: "https", port: 443, targetPort: "https" },
    ],
  },
};

const configMap: KubeObject = {
  apiVersion: "v1",
  kind: "ConfigMap",
  metadata: { name: "settings", namespace: "shop" },
  data: { a: "1", b: "2" },
};

const secret: KubeObject = {
  apiVersion: "v1",
  kind: "Secret",
  metadata: { name: "credentials", namespace: "shop" },
  type: "Opaque",
  stringData: { password: "s3cret" },
  data: { user: Buffer.from("admin").toString("base64") },
};

const web = refOf(deployment());
const key = "0123456789abcdef0123456789abcdef";
/*
 * Redaction hashes written out, computed once with OpenSSL rather than with the function under
 * test: `printf '%s' VALUE | openssl dgst -sha256 -hmac KEY -r | cut -c1-16` (Secret data hashed
 * decoded; a non-string value as NUL followed by its JSON: `printf '\0%s' JSON | …`).
 */
const hashes = {
  token: "8bf77106660df6e8", // "token" (the data value "dG9rZW4=" decoded) under `key`
  s3cret: "83930f25e67c4250", // "s3cret" under `key`
  hunter2: "3920d54ec70f500e", // "hunter2" under `key`
  two: "a7d8e44fa072189d", // "2" under `key`
  twenty: "84c1e387a2627c70", // "20" under `key`
  map: "3aa6e895a5194fa5", // {"a":"1","b":"2"} under `key`
  twoOtherKey: "13776334b0a77700", // "2" under "fedcba9876543210fedcba9876543210"
  twentyOtherKey: "e30cae19c9c027e1", // "20" under "fedcba9876543210fedcba9876543210"
};

function only(report: DriftReport): DriftReport["resources"][number] {
  expect(report.resources).toHaveLength(1);
  return report.resources[0];
}

function compareOne(desired: KubeObject, live: LiveObject): DriftReport["resources"][number] {
  return only(compare(input([desiredOf(desired)], [live])));
}

describe("no false alarms", () => {
  it("every default the API server applies to a Deployment, Service, ConfigMap and Secret is not drift", () => {
    for (const object of [deployment(), service, configMap, secret]) cluster().applyClientSide(object);
    const desired = [deployment(), service, configMap, secret].map((object) => desiredOf(object));
    const live = [deployment(), service, configMap, secret].map((object) => cluster().get(refOf(object)));
    const report = compare(input(desired, live));
    expect(report.summary).toEqual({ total: 4, inSync: 4, drifted: 0, missing: 0, extra: 0, errors: 0 });
    expect(report.resources.flatMap((resource) => resource.drifts)).toEqual([]);
  });

  it("server-side applied objects are in sync too", () => {
    for (const object of [deployment(), service, configMap]) cluster().applyServerSide(object);
    const report = compare(
      input(
        [deployment(), service, configMap].map((object) => desiredOf(object)),
        [deployment(), service, configMap].map((object) => cluster().get(refOf(object))),
      ),
    );
    expect(report.summary.inSync).toBe(3);
  });

  it("compares quantities by value: 0.5 = 500m, 128Mi = 131072Ki", () => {
    const live = deployment({
      containers: [
        { name: "web", image: "nginx:1.27", resources: { requests: { cpu: "500m", memory: "131072Ki" } } },
      ],
    });
    cluster().applyClientSide(live);
    const desired = deployment({
      containers: [
        { name: "web", image: "nginx:1.27", resources: { requests: { cpu: "0.5", memory: "128Mi" } } },
      ],
    });
    expect(compareOne(desired, cluster().get(web))).toMatchObject({ status: "InSync", drifts: [] });
  });

  it("matches containers by name, not position", () => {
    const containers = [
      { name: "web", image: "nginx:1.27" },
      { name: "proxy", image: "envoy:1.31" },
    ];
    cluster().applyClientSide(deployment({ containers }));
    const desired = deployment({ containers: [containers[1], containers[0]] });
    expect(compareOne(desired, cluster().get(web))).toMatchObject({ status: "InSync", drifts: [] });
  });

  it("treats an empty map or list as absent", () => {
    cluster().applyClientSide(configMap);
    const desired = {
      ...configMap,
      metadata: { name: "settings", namespace: "shop", annotations: {}, labels: {} },
    };
    expect(compareOne(desired, cluster().get(refOf(configMap))).drifts).toEqual([]);
  });
});

describe("drift, each reported once with path, type and manager", () => {
  it("a changed image (kubectl set image)", () => {
    cluster().applyClientSide(deployment());
    cluster()
      .at("2026-11-22T11:00:00Z")
      .patch(
        web,
        { spec: { template: { spec: { containers: [{ name: "web", image: "nginx:1.28" }] } } } },
        { manager: "kubectl-set" },
      );
    expect(compareOne(deployment(), cluster().get(web)).drifts).toEqual([
      {
        path: "/spec/template/spec/containers/0/image",
        type: "Changed",
        desired: "nginx:1.27",
        live: "nginx:1.28",
        source: { file: "deploy/app.yaml", line: 1 },
        attribution: { manager: "kubectl-set", operation: "Update", changedAt: "2026-11-22T11:00:00Z" },
      },
    ]);
  });

  it("a changed replica count (kubectl scale, through the scale subresource)", () => {
    cluster().applyClientSide(deployment());
    cluster()
      .at("2026-11-22T11:00:00Z")
      .patch(web, { spec: { replicas: 5 } }, { subresource: "scale", patchType: "merge" });
    const drifts = compareOne(deployment(), cluster().get(web)).drifts;
    expect(drifts).toHaveLength(1);
    expect(drifts[0]).toMatchObject({
      path: "/spec/replicas",
      type: "Changed",
      desired: 2,
      live: 5,
      attribution: { manager: "kubectl", operation: "Update", subresource: "scale" },
    });
  });

  it("replicas scaled when desired leaves them to the default is Added", () => {
    const desired = deployment();
    const spec = { ...(desired["spec"] as Record<string, unknown>) };
    delete spec["replicas"];
    const withoutReplicas = { ...desired, spec } as KubeObject;
    cluster().applyClientSide(withoutReplicas);
    cluster()
      .at("2026-11-22T11:00:00Z")
      .patch(web, { spec: { replicas: 4 } }, { subresource: "scale", patchType: "merge" });
    expect(compareOne(withoutReplicas, cluster().get(web)).drifts).toMatchObject([
      {
        path: "/spec/replicas",
        type: "Added",
        live: 4,
        attribution: { manager: "kubectl", subresource: "scale" },
      },
    ]);
  });

  it("an added env var (kubectl set env) is one Added at the list item", () => {
    cluster().applyClientSide(deployment());
    cluster()
      .at("2026-11-22T11:00:00Z")
      .patch(
        web,
        {
          spec: {
            template: { spec: { containers: [{ name: "web", env: [{ name: "DEBUG", value: "1" }] }] } },
          },
        },
        { manager: "kubectl-set" },
      );
    expect(compareOne(deployment(), cluster().get(web)).drifts).toEqual([
      {
        path: "/spec/template/spec/containers/0/env/0",
        type: "Added",
        reason: "outOfBand",
        live: { name: "DEBUG", value: "1" },
        source: { file: "deploy/app.yaml", line: 1 },
        attribution: { manager: "kubectl-set", operation: "Update", changedAt: "2026-11-22T11:00:00Z" },
      },
    ]);
  });

  it("an added label (kubectl label)", () => {
    cluster().applyClientSide(deployment());
    cluster()
      .at("2026-11-22T11:05:00Z")
      .patch(
        web,
        { metadata: { labels: { team: "payments" } } },
        { manager: "kubectl-label", patchType: "merge" },
      );
    expect(compareOne(deployment(), cluster().get(web)).drifts).toEqual([
      {
        path: "/metadata/labels/team",
        type: "Added",
        reason: "outOfBand",
        live: "payments",
        source: { file: "deploy/app.yaml", line: 1 },
        attribution: { manager: "kubectl-label", operation: "Update", changedAt: "2026-11-22T11:05:00Z" },
      },
    ]);
  });

  it("a removed container port is one Removed at the item; removal leaves no owner to name", () => {
    cluster().applyClientSide(deployment());
    cluster().patch(web, [{ op: "remove", path: "/spec/template/spec/containers/0/ports/1" }], {
      manager: "kubectl-patch",
      patchType: "json",
    });
    expect(compareOne(deployment(), cluster().get(web)).drifts).toEqual([
      {
        path: "/spec/template/spec/containers/0/ports/1",
        type: "Removed",
        desired: { containerPort: 443 },
        source: { file: "deploy/app.yaml", line: 1 },
      },
    ]);
  });

  it("a removed Service port, matched by port+protocol with protocol defaulting to TCP", () => {
    cluster().applyClientSide(service);
    cluster().patch(refOf(service), [{ op: "remove", path: "/spec/ports/0" }], {
      manager: "kubectl-patch",
      patchType: "json",
    });
    expect(compareOne(service, cluster().get(refOf(service))).drifts).toMatchObject([
      { path: "/spec/ports/0", type: "Removed", desired: { name: "http", port: 80, targetPort: 8080 } },
    ]);
  });

  it("a changed ConfigMap key (kubectl edit) points at the line that sets it", () => {
    cluster().applyClientSide(configMap);
    cluster()
      .at("2026-11-22T11:30:00Z")
      .patch(refOf(configMap), { data: { a: "42" } }, { manager: "kubectl-edit", patchType: "merge" });
    const report = compare(
      input([desiredOf(configMap, { "/data": 5, "/data/a": 6 })], [cluster().get(refOf(configMap))]),
    );
    expect(only(report).drifts).toEqual([
      {
        path: "/data/a",
        type: "Changed",
        desired: "1",
        live: "42",
        source: { file: "deploy/app.yaml", line: 6 },
        attribution: { manager: "kubectl-edit", operation: "Update", changedAt: "2026-11-22T11:30:00Z" },
      },
    ]);
  });

  it("a Secret change is reported without its value, as keyed hashes", () => {
    cluster().applyClientSide(secret);
    const changed = Buffer.from("hunter2").toString("base64");
    cluster()
      .at("2026-11-22T11:40:00Z")
      .patch(
        refOf(secret),
        { data: { password: changed, token: "dG9rZW4=" } },
        { manager: "kubectl-edit", patchType: "merge" },
      );
    const live = cluster().get(refOf(secret));
    const drifts = only(
      compare(input([desiredOf(secret)], [live], { config: { redactionKey: key } })),
    ).drifts;
    const attribution = { manager: "kubectl-edit", operation: "Update", changedAt: "2026-11-22T11:40:00Z" };
    expect(drifts).toEqual([
      {
        path: "/data/token",
        type: "Added",
        reason: "outOfBand",
        redacted: { live: hashes.token },
        source: { file: "deploy/app.yaml", line: 1 },
        attribution,
      },
      {
        path: "/stringData/password",
        type: "Changed",
        redacted: {
          desired: hashes.s3cret,
          live: hashes.hunter2,
        },
        source: { file: "deploy/app.yaml", line: 1 },
        attribution,
      },
    ]);
    expect(JSON.stringify(drifts)).not.toContain("s3cret");
    expect(JSON.stringify(drifts)).not.toContain(changed);
    expect(drifts[1].redacted?.live).toBe(hashes.hunter2);
    expect(drifts[1].redacted?.live).toMatch(/^[0-9a-f]{16}$/);
    // Without a key (the engine's default), only "changed" is told: no hash to try values against.
    const unkeyed = compareOne(secret, live).drifts;
    expect(unkeyed.map((drift) => drift.redacted)).toEqual([{}, {}]);
  });

  it('compares int-or-string with its type: 8080 is not "8080"', () => {
    cluster().applyClientSide(service);
    const desired = {
      ...service,
      spec: {
        selector: { app: "web" },
        ports: [
          { name: "http", port: 80, targetPort: "8080" },
          { name: "https", port: 443, targetPort: "https" },
        ],
      },
    } as KubeObject;
    expect(compareOne(desired, cluster().get(refOf(service))).drifts).toMatchObject([
      { path: "/spec/ports/0/targetPort", type: "Changed", desired: "8080", live: 8080 },
    ]);
  });

  it("an atomic list is compared in order and reported whole", () => {
    const containers = [{ name: "web", image: "nginx:1.27", args: ["--port", "80"] }];
    cluster().applyClientSide(deployment({ containers }));
    const desired = deployment({
      containers: [{ name: "web", image: "nginx:1.27", args: ["80", "--port"] }],
    });
    expect(compareOne(desired, cluster().get(web)).drifts).toMatchObject([
      {
        path: "/spec/template/spec/containers/0/args",
        type: "Changed",
        desired: ["80", "--port"],
        live: ["--port", "80"],
        attribution: { manager: "kubectl-client-side-apply" },
      },
    ]);
  });
});

describe("normalisation", () => {
  it("never reports the last-applied annotation, even when another writer rewrote it", () => {
    cluster().applyClientSide(configMap);
    cluster().patch(
      refOf(configMap),
      { metadata: { annotations: { "kubectl.kubernetes.io/last-applied-configuration": "{}" } } },
      { manager: "kubectl-edit", patchType: "merge" },
    );
    cluster().patch(
      refOf(configMap),
      { metadata: { annotations: { note: "hi" } } },
      { manager: "kubectl-annotate", patchType: "merge" },
    );
    const drifts = compareOne(configMap, cluster().get(refOf(configMap))).drifts;
    expect(drifts.map((drift) => [drift.path, drift.type, drift.reason])).toEqual([
      ["/metadata/annotations/note", "Added", "outOfBand"],
    ]);
  });
});

describe("trust", () => {
  it("server-side Apply by anyone and configured managers are trusted", () => {
    cluster().applyClientSide(deployment());
    cluster().applyServerSide(
      {
        apiVersion: "apps/v1",
        kind: "Deployment",
        metadata: { name: "web", namespace: "shop", labels: { tier: "front" } },
      },
      "platform-bot",
    );
    cluster().patch(
      web,
      { metadata: { labels: { team: "payments" } } },
      { manager: "kubectl-label", patchType: "merge" },
    );
    const live = cluster().get(web);
    expect(compareOne(deployment(), live).drifts.map((drift) => drift.path)).toEqual([
      "/metadata/labels/team",
    ]);
    const trusting = compare(
      input([desiredOf(deployment())], [live], { config: { trustedManagers: ["kubectl-lab*"] } }),
    );
    expect(only(trusting)).toMatchObject({ status: "InSync", drifts: [] });
  });

  it("ignores what is owned only through the status subresource", () => {
    cluster().applyClientSide(configMap);
    const live = cluster().get(refOf(configMap));
    const metadata = live.object["metadata"] as Record<string, unknown>;
    const managedFields = [
      ...(metadata["managedFields"] as unknown[]),
      {
        manager: "custom-controller",
        operation: "Update",
        subresource: "status",
        fieldsType: "FieldsV1",
        fieldsV1: { "f:data": { "f:c": {} } },
      },
    ];
    const object = {
      ...live.object,
      metadata: { ...metadata, managedFields },
      data: { a: "1", b: "2", c: "3" },
    } as KubeObject;
    expect(compareOne(configMap, { ref: live.ref, object }).drifts).toEqual([]);
  });
});

describe("Missing and Extra", () => {
  const kinds = [
    ["", "v1", "ConfigMap"],
    ["", "v1", "ServiceAccount"],
    ["", "v1", "Secret"],
    ["", "v1", "Service"],
  ] as const;

  it("a desired object that is not live is Missing", () => {
    const report = compare(input([desiredOf(configMap)], []));
    expect(report.resources).toEqual([
      { ref: refOf(configMap), status: "Missing", source: { file: "deploy/app.yaml", line: 1 }, drifts: [] },
    ]);
  });

  it("reports undeclared live objects in scope, not what Kubernetes or an owner created", () => {
    cluster().applyClientSide(configMap);
    cluster().create({
      apiVersion: "v1",
      kind: "ConfigMap",
      metadata: { name: "stray", namespace: "shop" },
      data: { x: "1" },
    });
    cluster().create({
      apiVersion: "v1",
      kind: "ConfigMap",
      metadata: {
        name: "owned",
        namespace: "shop",
        ownerReferences: [
          {
            apiVersion: "apps/v1",
            kind: "Deployment",
            name: "web",
            uid: "0a6a2b1c-0000-4000-8000-000000000001",
          },
        ],
      },
    });
    cluster().create({
      apiVersion: "v1",
      kind: "ServiceAccount",
      metadata: { name: "builder", namespace: "shop" },
    });
    cluster().create({
      apiVersion: "v1",
      kind: "Secret",
      metadata: {
        name: "builder-token",
        namespace: "shop",
        annotations: { "kubernetes.io/service-account.name": "builder" },
      },
      type: "kubernetes.io/service-account-token",
    });
    const live = cluster().list("shop", kinds);
    expect(live.map((object) => object.ref.name).sort()).toEqual(
      ["builder", "builder-token", "default", "kube-root-ca.crt", "owned", "settings", "stray"].sort(),
    );
    const report = compare(
      input([desiredOf(configMap)], live, {
        scope: { kinds: ["/ConfigMap", "/ServiceAccount", "/Secret"], namespaces: ["shop"] },
      }),
    );
    expect(
      report.resources.map((resource) => [resource.ref.kind, resource.ref.name, resource.status]),
    ).toEqual([
      ["ConfigMap", "settings", "InSync"],
      ["ConfigMap", "stray", "Extra"],
      ["ServiceAccount", "builder", "Extra"],
    ]);
    const narrower = compare(
      input([desiredOf(configMap)], live, { scope: { kinds: ["/ConfigMap"], namespaces: ["other"] } }),
    );
    expect(narrower.summary).toEqual({ total: 1, inSync: 1, drifted: 0, missing: 0, extra: 0, errors: 0 });
  });

  it("the kubernetes Service in default is not Extra", () => {
    const live = cluster().list("default", kinds);
    expect(live.map((object) => `${object.ref.kind}/${object.ref.name}`).sort()).toEqual([
      "ConfigMap/kube-root-ca.crt",
      "Service/kubernetes",
      "ServiceAccount/default",
    ]);
    expect(compare(input([], live)).resources).toEqual([]);
  });
});

describe("ignore rules and redaction", () => {
  function driftedDeployment(): LiveObject {
    cluster().applyClientSide(deployment());
    cluster().patch(
      web,
      { spec: { template: { spec: { containers: [{ name: "web", image: "nginx:1.28" }] } } } },
      { manager: "kubectl-set" },
    );
    cluster().patch(
      web,
      { metadata: { labels: { team: "payments" } } },
      { manager: "kubectl-label", patchType: "merge" },
    );
    return cluster().get(web);
  }

  it("ignores by path pattern, with * over list items", () => {
    const live = driftedDeployment();
    const report = compare(
      input([desiredOf(deployment())], [live], {
        config: {
          ignore: [
            { kind: "path", path: "/spec/template/spec/containers/*/image", kinds: ["apps/Deployment"] },
          ],
        },
      }),
    );
    expect(only(report).drifts.map((drift) => drift.path)).toEqual(["/metadata/labels/team"]);
  });

  it("ignores by manager, and only within the rule's scope", () => {
    const live = driftedDeployment();
    const byManager = compare(
      input([desiredOf(deployment())], [live], {
        config: { ignore: [{ kind: "manager", manager: "kubectl-set" }] },
      }),
    );
    expect(only(byManager).drifts.map((drift) => drift.path)).toEqual(["/metadata/labels/team"]);
    const otherNamespace = compare(
      input([desiredOf(deployment())], [live], {
        config: { ignore: [{ kind: "manager", manager: "kubectl-set", namespaces: ["prod"] }] },
      }),
    );
    expect(only(otherNamespace).drifts).toHaveLength(2);
  });

  it("withholds values at configured paths", () => {
    cluster().applyClientSide(configMap);
    cluster().patch(refOf(configMap), { data: { b: "20" } }, { manager: "kubectl-edit", patchType: "merge" });
    const report = compare(
      input([desiredOf(configMap)], [cluster().get(refOf(configMap))], {
        config: { redact: [{ path: "/data/b", kinds: ["ConfigMap"] }], redactionKey: key },
      }),
    );
    expect(only(report).drifts).toMatchObject([
      {
        path: "/data/b",
        type: "Changed",
        redacted: {
          desired: hashes.two,
          live: hashes.twenty,
        },
      },
    ]);
    expect(only(report).drifts[0]).not.toHaveProperty("desired");
    // Another installation's key writes out other hashes for the same values.
    const otherKey = compare(
      input([desiredOf(configMap)], [cluster().get(refOf(configMap))], {
        config: {
          redact: [{ path: "/data/b", kinds: ["ConfigMap"] }],
          redactionKey: "fedcba9876543210fedcba9876543210",
        },
      }),
    );
    expect(only(otherKey).drifts[0]?.redacted).toEqual({
      desired: hashes.twoOtherKey,
      live: hashes.twentyOtherKey,
    });
  });

  it("withholds a drift on a whole map when a rule covers one of its keys", () => {
    cluster().applyClientSide({ ...configMap, data: { a: "1" } });
    cluster().patch(refOf(configMap), [{ op: "remove", path: "/data" }], { patchType: "json" });
    const report = compare(
      input([desiredOf(configMap)], [cluster().get(refOf(configMap))], {
        config: { redact: [{ path: "/data/b", kinds: ["ConfigMap"] }], redactionKey: key },
      }),
    );
    // Today's engine reports the removal of the whole map: b's value must not ride along inside it.
    expect(only(report).drifts).toEqual([
      {
        path: "/data",
        type: "Removed",
        source: { file: "deploy/app.yaml", line: 1 },
        redacted: { desired: hashes.map },
      },
    ]);
  });
});

describe("results, not exceptions", () => {
  const widget = (size: string, extra: Record<string, unknown> = {}): KubeObject => ({
    apiVersion: "example.com/v1",
    kind: "Widget",
    metadata: { name: "w1", namespace: "shop", ...extra },
    spec: { size, tags: ["a", "b"] },
  });

  it("compares a kind without a schema schemalessly, with attribution", () => {
    const live = widget("large", {
      managedFields: [
        {
          manager: "kubectl-edit",
          operation: "Update",
          time: "2026-11-22T09:00:00Z",
          fieldsType: "FieldsV1",
          fieldsV1: { "f:spec": { "f:size": {} } },
        },
      ],
    });
    expect(compareOne(widget("small"), { ref: refOf(live), object: live }).drifts).toMatchObject([
      {
        path: "/spec/size",
        type: "Changed",
        desired: "small",
        live: "large",
        attribution: { manager: "kubectl-edit" },
      },
    ]);
  });

  it("an object declared twice is an Error result", () => {
    const report = compare(
      input([desiredOf(configMap), { ...desiredOf(configMap), source: { file: "other.yaml", line: 3 } }], []),
    );
    expect(report.resources.map((resource) => resource.status)).toEqual(["Missing", "Error"]);
    expect(report.resources[1]).toMatchObject({
      status: "Error",
      error: "declared twice: also at deploy/app.yaml:1",
    });
  });

  it("orders resources by namespace, kind and name; drifts by path", () => {
    const objects = [
      { apiVersion: "v1", kind: "ConfigMap", metadata: { name: "b", namespace: "shop" } },
      { apiVersion: "v1", kind: "ConfigMap", metadata: { name: "a", namespace: "shop" } },
      { apiVersion: "v1", kind: "Namespace", metadata: { name: "shop" } },
      { apiVersion: "apps/v1", kind: "Deployment", metadata: { name: "z", namespace: "shop" } },
      { apiVersion: "v1", kind: "ConfigMap", metadata: { name: "a", namespace: "dev" } },
    ] as KubeObject[];
    const report = compare(
      input(
        objects.map((object) => desiredOf(object)),
        [],
      ),
    );
    expect(
      report.resources.map(
        (resource) => `${resource.ref.namespace}/${resource.ref.kind}/${resource.ref.name}`,
      ),
    ).toEqual([
      "/Namespace/shop",
      "dev/ConfigMap/a",
      "shop/ConfigMap/a",
      "shop/ConfigMap/b",
      "shop/Deployment/z",
    ]);
  });
});

describe("sources that are more than YAML", () => {
  it("leaves out fields the source could not evaluate, and names the object's origin", () => {
    cluster().applyClientSide(deployment());
    cluster()
      .at("2026-11-22T11:00:00Z")
      .patch(web, { spec: { replicas: 5 } }, { subresource: "scale", patchType: "merge" });
    const desired = {
      ...desiredOf(deployment()),
      unevaluated: ["/spec/replicas"],
      origin: { kind: "terraform", address: "kubernetes_deployment.web" } as const,
    };
    const report = compare(input([desired], [cluster().get(web)]));
    expect(report.resources).toEqual([
      {
        ref: refOf(deployment()),
        status: "InSync",
        source: { file: "deploy/app.yaml", line: 1 },
        drifts: [],
        origin: { kind: "terraform", address: "kubernetes_deployment.web" },
      },
    ]);
  });
});

describe("deployer bookkeeping", () => {
  it("never reports Helm's release records as Extra", () => {
    const release = (kind: "Secret" | "ConfigMap"): LiveObject => ({
      ref: { group: "", version: "v1", kind, namespace: "shop", name: "sh.helm.release.v1.web.v3" },
      object: {
        apiVersion: "v1",
        kind,
        metadata: {
          name: "sh.helm.release.v1.web.v3",
          namespace: "shop",
          labels: { owner: "helm", name: "web" },
        },
        ...(kind === "Secret" ? { type: "helm.sh/release.v1" } : {}),
      },
    });
    const report = compare(
      input([], [release("Secret"), release("ConfigMap")], { scope: { kinds: [], namespaces: ["shop"] } }),
    );
    expect(report.resources).toEqual([]);
  });
});
