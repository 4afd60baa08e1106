/**
 * Rule 4b: a field deleted from the sources and still live is drift when the deployer's record of
 * its last apply holds it — the last-applied-configuration of a client-side apply, or the fields a
 * server-side deployer alone owns. Objects are written to a real sandbox as kubectl writes them.
 */
import { describe, expect, it } from "vitest";
import type { DriftReport, LiveObject } from "../model/index.js";
import type { KubeObject } from "../kube/value/json.js";
import type { EngineConfig } from "./types.js";
import { compare } from "./compare.js";
import { desiredOf, useLiveCluster, input, refOf } from "./live.test-helper.js";

const cluster = useLiveCluster();

interface WebOptions {
  readonly labels?: Readonly<Record<string, string>>;
  readonly annotations?: Readonly<Record<string, string>>;
  readonly ports?: readonly number[];
  readonly replicas?: number;
}

function web(options: WebOptions = {}): KubeObject {
  return {
    apiVersion: "apps/v1",
    kind: "Deployment",
    metadata: {
      name: "web",
      namespace: "shop",
      labels: { app: "web", ...options.labels },
      ...(options.annotations === undefined ? {} : { annotations: options.annotations }),
    },
    spec: {
      ...(options.replicas === undefined ? {} : { replicas: options.replicas }),
      selector: { matchLabels: { app: "web" } },
      template: {
        metadata: { labels: { app: "web" } },
        spec: {
          containers: [
            {
              name: "web",
              image: "nginx:1.27",
              ports: (options.ports ?? [80]).map((containerPort) => ({ containerPort })),
            },
          ],
        },
      },
    },
  };
}

function settings(data: Readonly<Record<string, string>>): KubeObject {
  return { apiVersion: "v1", kind: "ConfigMap", metadata: { name: "settings", namespace: "shop" }, data };
}

const applied = web({ labels: { team: "shop" }, annotations: { owner: "ops" }, ports: [80, 9090] });
const trimmed = web({ ports: [80] });

type Verdict = readonly (readonly [
  path: string,
  type: string,
  reason: string | undefined,
  manager: string | undefined,
])[];

function verdict(desired: KubeObject, live: LiveObject, config: Partial<EngineConfig> = {}): Verdict {
  const report: DriftReport = compare(input([desiredOf(desired)], [live], { config }));
  return report.resources.flatMap((resource) =>
    resource.drifts.map(
      (drift) => [drift.path, drift.type, drift.reason, drift.attribution?.manager] as const,
    ),
  );
}

describe("deleted from the sources after a client-side apply", () => {
  it("a label, an annotation and a container port still live are Added, undeclared", () => {
    cluster().applyClientSide(applied);
    expect(verdict(trimmed, cluster().get(refOf(applied)))).toEqual([
      ["/metadata/annotations/owner", "Added", "undeclared", "kubectl-client-side-apply"],
      ["/metadata/labels/team", "Added", "undeclared", "kubectl-client-side-apply"],
      ["/spec/template/spec/containers/0/ports/1", "Added", "undeclared", "kubectl-client-side-apply"],
    ]);
  });

  it("the empty annotations map kubectl records in its configuration is not a field", () => {
    const recorded = {
      ...settings({ a: "1" }),
      metadata: { name: "settings", namespace: "shop", annotations: {} },
    };
    cluster().applyClientSide(recorded);
    expect(verdict(settings({ a: "1" }), cluster().get(refOf(settings({}))))).toEqual([]);
  });

  it("a ConfigMap key, with its live value", () => {
    cluster().applyClientSide(settings({ a: "1", b: "2" }));
    const drifts = compare(
      input([desiredOf(settings({ a: "1" }))], [cluster().get(refOf(settings({})))]),
    ).resources.flatMap((resource) => resource.drifts);
    expect(drifts).toMatchObject([{ path: "/data/b", type: "Added", reason: "undeclared", live: "2" }]);
  });

  it("the record is the annotation alone: a live file without managedFields still tells", () => {
    cluster().applyClientSide(settings({ a: "1", b: "2" }));
    const live = cluster().get(refOf(settings({})));
    const { managedFields: _dropped, ...metadata } = live.object["metadata"] as Record<string, unknown>;
    const bare = { ...live, object: { ...live.object, metadata } as KubeObject };
    expect(verdict(settings({ a: "1" }), bare)).toEqual([["/data/b", "Added", "undeclared", undefined]]);
  });

  it("a scalar the server would default to its live value again is not drift (rule 3)", () => {
    cluster().applyClientSide(web({ replicas: 1 }));
    expect(verdict(web(), cluster().get(refOf(applied)))).toEqual([]);
    cluster().patch(refOf(applied), { spec: { replicas: 3 } }, { manager: "kubectl-client-side-apply" });
    expect(verdict(web(), cluster().get(refOf(applied)))).toEqual([
      ["/spec/replicas", "Added", "undeclared", "kubectl-client-side-apply"],
    ]);
  });

  it("a field edited out of band and also deleted from the sources: undeclared, naming the editor", () => {
    cluster().applyClientSide(applied);
    cluster().patch(
      refOf(applied),
      { metadata: { labels: { team: "payments" } } },
      { manager: "kubectl-edit" },
    );
    expect(
      verdict(web({ annotations: { owner: "ops" }, ports: [80, 9090] }), cluster().get(refOf(applied))),
    ).toEqual([["/metadata/labels/team", "Added", "undeclared", "kubectl-edit"]]);
  });

  it("whoever keeps the annotation is a client-side deployer, whatever its name (rule 4)", () => {
    const annotated = (object: KubeObject): KubeObject => {
      const metadata = object["metadata"] as Record<string, unknown>;
      const annotations = {
        "kubectl.kubernetes.io/last-applied-configuration": JSON.stringify(object),
      };
      return { ...object, metadata: { ...metadata, annotations } };
    };
    cluster().create(annotated(web({ labels: { team: "shop" } })), "acme-deployer");
    expect(verdict(web({ labels: { team: "shop" } }), cluster().get(refOf(applied)))).toEqual([]);
    expect(verdict(web(), cluster().get(refOf(applied)))).toEqual([
      ["/metadata/labels/team", "Added", "undeclared", "acme-deployer"],
    ]);
  });
});

describe("deleted from the sources after a server-side apply", () => {
  it("what the deployer's Apply entry alone owns is Added, undeclared", () => {
    cluster().applyServerSide(applied);
    expect(verdict(trimmed, cluster().get(refOf(applied)))).toEqual([
      ["/metadata/annotations/owner", "Added", "undeclared", "kubectl"],
      ["/metadata/labels/team", "Added", "undeclared", "kubectl"],
      ["/spec/template/spec/containers/0/ports/1", "Added", "undeclared", "kubectl"],
    ]);
  });

  it("a field another manager also applied stays after the next apply, so it is not drift", () => {
    cluster().applyServerSide(applied);
    cluster().applyServerSide(
      {
        apiVersion: "apps/v1",
        kind: "Deployment",
        metadata: { name: "web", namespace: "shop", labels: { team: "shop" } },
      },
      "team-labeller",
    );
    expect(
      verdict(web({ annotations: { owner: "ops" }, ports: [80, 9090] }), cluster().get(refOf(applied))),
    ).toEqual([]);
  });

  it("the deployer is the applier of most of the desired object, or the one deployers: names", () => {
    cluster().applyServerSide(web({ ports: [80, 9090] }), "argocd-controller");
    cluster().applyServerSide(
      {
        apiVersion: "apps/v1",
        kind: "Deployment",
        metadata: { name: "web", namespace: "shop", labels: { tier: "front" } },
      },
      "platform-bot",
    );
    const live = cluster().get(refOf(applied));
    expect(verdict(trimmed, live)).toEqual([
      ["/spec/template/spec/containers/0/ports/1", "Added", "undeclared", "argocd-controller"],
    ]);
    expect(verdict(trimmed, live, { deployers: ["platform-*"] })).toEqual([
      ["/metadata/labels/tier", "Added", "undeclared", "platform-bot"],
    ]);
  });
});

describe("no record, no report", () => {
  it("an object created with an Update (kubectl create, a program) reports nothing it does not declare", () => {
    cluster().create(applied, "inventory-sync");
    expect(verdict(applied, cluster().get(refOf(applied)))).toEqual([]);
    cluster().create(settings({ a: "1", b: "2" }));
    expect(verdict(settings({ a: "1" }), cluster().get(refOf(settings({}))))).toEqual([]);
  });
});
