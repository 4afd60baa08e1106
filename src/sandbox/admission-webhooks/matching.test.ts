import { describe, expect, it } from "vitest";
import type { AdmissionAttributes } from "./matching.js";
import { ruleMatches, webhookApplies } from "./matching.js";

const scaleWrite: AdmissionAttributes = {
  operation: "UPDATE",
  group: "apps",
  version: "v1",
  resource: "deployments",
  subresource: "scale",
  namespace: "shop",
  object: { apiVersion: "autoscaling/v1", kind: "Scale", metadata: { name: "web" } },
  oldObject: { apiVersion: "autoscaling/v1", kind: "Scale", metadata: { name: "web" } },
  namespaceLabels: { team: "shop" },
  isNamespace: false,
};

const rule = (resources: readonly string[], extra: Record<string, unknown> = {}) => ({
  operations: ["UPDATE"],
  apiGroups: ["apps"],
  apiVersions: ["v1"],
  resources: [...resources],
  ...extra,
});

describe("a webhook rule", () => {
  it("matches a subresource by resource/sub, */sub and */*, never by the bare resource or *", () => {
    expect(ruleMatches(rule(["deployments/scale"]), scaleWrite)).toBe(true);
    expect(ruleMatches(rule(["*/scale"]), scaleWrite)).toBe(true);
    expect(ruleMatches(rule(["*/*"]), scaleWrite)).toBe(true);
    expect(ruleMatches(rule(["deployments/*"]), scaleWrite)).toBe(true);
    expect(ruleMatches(rule(["deployments"]), scaleWrite)).toBe(false);
    expect(ruleMatches(rule(["*"]), scaleWrite)).toBe(false);
    expect(ruleMatches(rule(["*"]), { ...scaleWrite, subresource: "" })).toBe(true);
  });

  it("matches operations, groups and versions (with *) and the scope", () => {
    expect(ruleMatches(rule(["*/*"], { operations: ["CREATE", "DELETE"] }), scaleWrite)).toBe(false);
    expect(ruleMatches(rule(["*/*"], { operations: ["*"], apiGroups: ["*"] }), scaleWrite)).toBe(true);
    expect(ruleMatches(rule(["*/*"], { apiGroups: [""] }), scaleWrite)).toBe(false);
    expect(ruleMatches(rule(["*/*"], { scope: "Cluster" }), scaleWrite)).toBe(false);
    expect(ruleMatches(rule(["*/*"], { scope: "Namespaced" }), scaleWrite)).toBe(true);
  });
});

describe("a webhook's selectors", () => {
  const webhook = (extra: Record<string, unknown>) => ({ rules: [rule(["*/*"])], ...extra });

  it("match the labels of the request's namespace", () => {
    expect(
      webhookApplies(webhook({ namespaceSelector: { matchLabels: { team: "shop" } } }), scaleWrite),
    ).toBe(true);
    expect(
      webhookApplies(
        webhook({
          namespaceSelector: { matchExpressions: [{ key: "team", operator: "NotIn", values: ["shop"] }] },
        }),
        scaleWrite,
      ),
    ).toBe(false);
  });

  it("match the old or the new object's labels", () => {
    const labelled = {
      ...scaleWrite,
      subresource: "",
      object: { metadata: { name: "web", labels: { tier: "front" } } },
      oldObject: { metadata: { name: "web", labels: { tier: "back" } } },
    };
    const selecting = (tier: string) => webhook({ objectSelector: { matchLabels: { tier } } });
    expect(webhookApplies(selecting("front"), labelled)).toBe(true);
    expect(webhookApplies(selecting("back"), labelled)).toBe(true);
    expect(webhookApplies(selecting("middle"), labelled)).toBe(false);
    // A Scale carries no labels: an object selector skips scale writes, as in kube-apiserver.
    expect(webhookApplies(selecting("front"), scaleWrite)).toBe(false);
  });
});
