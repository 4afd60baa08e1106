import { describe, expect, it } from "vitest";
import { findings, messages } from "./checks.test-helper.js";
import { apiRemovals } from "./api-versions.js";

const object = (apiVersion: string, kind: string) =>
  `apiVersion: ${apiVersion}\nkind: ${kind}\nmetadata: { name: x, namespace: ns }\n`;

describe("API version checks", () => {
  it("api-version-removed: by target version", () => {
    expect(findings("api-version-removed", object("policy/v1beta1", "PodDisruptionBudget"), "1.25")).toEqual([
      "PodDisruptionBudget/x /apiVersion",
    ]);
    expect(findings("api-version-removed", object("policy/v1beta1", "PodDisruptionBudget"), "1.24")).toEqual(
      [],
    );
    expect(
      findings("api-version-removed", object("flowcontrol.apiserver.k8s.io/v1beta3", "FlowSchema")),
    ).toEqual(["FlowSchema/x /apiVersion"]);
    expect(findings("api-version-removed", object("policy/v1", "PodDisruptionBudget"))).toEqual([]);
    expect(messages("api-version-removed", object("extensions/v1beta1", "Ingress"))).toEqual([
      "Ingress extensions/v1beta1 was removed in 1.22 (target 1.32); use networking.k8s.io/v1",
    ]);
  });

  it("api-version-deprecated: deprecated but still served at the target", () => {
    expect(findings("api-version-deprecated", object("batch/v1beta1", "CronJob"), "1.21")).toEqual([
      "CronJob/x /apiVersion",
    ]);
    expect(findings("api-version-deprecated", object("batch/v1beta1", "CronJob"), "1.20")).toEqual([]);
    expect(findings("api-version-deprecated", object("batch/v1beta1", "CronJob"), "1.32")).toEqual([]);
  });

  it("the table: each removal after its deprecation, one entry per version and kind", () => {
    const keys = apiRemovals.flatMap((removal) =>
      (removal.kinds ?? ["*"]).map((kind) => `${removal.apiVersion} ${kind}`),
    );
    expect(new Set(keys).size).toBe(keys.length);
    const number = (version: string) => Number(version.split(".")[1]);
    for (const removal of apiRemovals)
      expect(number(removal.removedIn)).toBeGreaterThan(number(removal.deprecatedIn));
  });
});
