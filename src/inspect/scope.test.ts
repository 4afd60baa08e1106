import { describe, expect, it } from "vitest";
import type { ServedResource } from "../cluster/types.js";
import type { KubeObject } from "../kube/value/json.js";
import type { DesiredObject } from "../model/index.js";
import { InspectError } from "./errors.js";
import { assertNamespaceMatches, scopeOf, selected, selectorOf } from "./scope.js";

const configMaps: ServedResource = {
  group: "",
  version: "v1",
  kind: "ConfigMap",
  resource: "configmaps",
  namespaced: true,
  verbs: ["list"],
};
const namespaces: ServedResource = {
  ...configMaps,
  kind: "Namespace",
  resource: "namespaces",
  namespaced: false,
};
const served = new Map([
  ["/ConfigMap", configMaps],
  ["/Namespace", namespaces],
]);

function desired(
  kind: string,
  namespace: string,
  name: string,
  extra: { labels?: Record<string, string>; origin?: DesiredObject["origin"] } = {},
): DesiredObject {
  const object = {
    apiVersion: "v1",
    kind,
    metadata: {
      name,
      ...(namespace === "" ? {} : { namespace }),
      ...(extra.labels ? { labels: extra.labels } : {}),
    },
  } as unknown as KubeObject;
  return {
    ref: { group: "", version: "v1", kind, namespace, name },
    object,
    source: { file: "deploy/app.yaml", line: 7 },
    ...(extra.origin === undefined ? {} : { origin: extra.origin }),
  };
}

describe("-n against the manifests' namespaces", () => {
  it("a namespaced object of a file in another namespace is kubectl's error, naming file and object", () => {
    expect(() => assertNamespaceMatches([desired("ConfigMap", "a", "web")], served, "b")).toThrow(
      new InspectError(
        `deploy/app.yaml:7: ConfigMap a/web: the namespace from the provided object "a" does not match the namespace "b". You must pass '--namespace=a' to perform this operation.`,
      ),
    );
  });

  it("agreeing namespaces, cluster-scoped kinds and what Helm or Terraform place are no error", () => {
    const helm = {
      kind: "helm",
      release: "web",
      namespace: "b",
      revision: 1,
      chart: "web",
      chartVersion: "1.0.0",
    } as const;
    expect(() =>
      assertNamespaceMatches(
        [
          desired("ConfigMap", "b", "web"),
          desired("Namespace", "", "a"),
          desired("ConfigMap", "a", "from-helm", { origin: helm }),
          desired("ConfigMap", "a", "from-terraform", { origin: { kind: "terraform", address: "x.y" } }),
        ],
        served,
        "b",
      ),
    ).not.toThrow();
  });
});

describe("-l and -A", () => {
  it("selects by labels with kubectl's syntax; no selector selects everything", () => {
    const objects = [
      desired("ConfigMap", "a", "web", { labels: { app: "web", tier: "front" } }),
      desired("ConfigMap", "a", "db", { labels: { app: "db" } }),
      desired("ConfigMap", "a", "bare"),
    ];
    const names = (text: string | undefined): string[] =>
      selected(objects, selectorOf(text)?.matcher).map((object) => object.ref.name);
    expect(names(undefined)).toEqual(["web", "db", "bare"]);
    expect(names("app=web")).toEqual(["web"]);
    expect(names("app!=web")).toEqual(["db", "bare"]);
    expect(names("app in (web,db),!tier")).toEqual(["db"]);
    expect(names("app")).toEqual(["web", "db"]);
  });

  it("a malformed selector is an InspectError that quotes it", () => {
    expect(() => selectorOf("a in (x")).toThrow(
      new InspectError(`--selector "a in (x": unable to parse requirement: found '', expected: ',' or ')'`),
    );
  });

  it("-A leaves the scope's namespaces empty: every namespace", () => {
    const objects = [desired("ConfigMap", "a", "web"), desired("ConfigMap", "b", "db")];
    expect(scopeOf(objects)).toEqual({ kinds: ["/ConfigMap"], namespaces: ["a", "b"] });
    expect(scopeOf(objects, true)).toEqual({ kinds: ["/ConfigMap"], namespaces: [] });
  });
});
