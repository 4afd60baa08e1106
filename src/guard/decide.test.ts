/**
 * The guard's decision table: requests to a managed Deployment × the guard configuration → allowed
 * (unmanaged, no drift, deployer, break-glass, warn, audit) or denied, with messages that name the
 * field, the desired value and where Git declares it.
 */
import { describe, expect, it } from "vitest";
import { defaultEngineConfig } from "../engine/index.js";
import type { GuardConfig } from "../engine/index.js";
import { refOf } from "../kube/object.js";
import { builtinSchema } from "../kube/schema/builtin.js";
import type { KubeObject } from "../kube/value/json.js";
import { refKey } from "../model/index.js";
import type { GuardRequest, GuardTarget } from "./decide.js";
import { breakGlassAnnotation, decideAdmission } from "./decide.js";

function deployment(replicas: number, annotations: Record<string, string> = {}): KubeObject {
  return {
    apiVersion: "apps/v1",
    kind: "Deployment",
    metadata: { name: "web", namespace: "shop", annotations },
    spec: {
      replicas,
      selector: { matchLabels: { app: "web" } },
      template: {
        metadata: { labels: { app: "web" } },
        spec: { containers: [{ name: "web", image: "nginx:1.27" }] },
      },
    },
  };
}

const desiredObject = deployment(2);
const desired = {
  ref: refOf(desiredObject),
  object: desiredObject,
  source: { file: "deploy/web.yaml", line: 1 },
};

function target(guard?: Partial<GuardConfig>): GuardTarget {
  return {
    desired: new Map([[refKey(desired.ref), desired]]),
    schema: builtinSchema,
    config: {
      ...defaultEngineConfig,
      ...(guard === undefined
        ? {}
        : { guard: { default: "warn", allow: { users: [], groups: [] }, rules: [], ...guard } }),
    },
    scope: { kinds: ["apps/Deployment"], namespaces: ["shop"] },
    cluster: "test",
    kindOf: (group, resource) => (group === "apps" && resource === "deployments" ? "Deployment" : undefined),
  };
}

const bob = { username: "bob", groups: ["devs", "system:authenticated"] };

function update(object: KubeObject, old: KubeObject = deployment(2), user = bob): GuardRequest {
  return {
    operation: "UPDATE",
    resource: { group: "apps", version: "v1", resource: "deployments" },
    name: "web",
    namespace: "shop",
    userInfo: user,
    object,
    oldObject: old,
  };
}

function scale(replicas: number, user = bob): GuardRequest {
  const scaleObject = (n: number): KubeObject => ({
    apiVersion: "autoscaling/v1",
    kind: "Scale",
    metadata: { name: "web", namespace: "shop" },
    spec: { replicas: n },
  });
  return { ...update(scaleObject(replicas), scaleObject(2), user), subResource: "scale" };
}

describe("decideAdmission", () => {
  it("leaves an object Git does not declare alone", () => {
    expect(decideAdmission(target(), { ...update(deployment(5)), name: "other" })).toMatchObject({
      allowed: true,
      reason: "unmanaged",
    });
  });

  it("allows a write that makes no managed field drift", () => {
    expect(decideAdmission(target(), update(deployment(2, { note: "x" })))).toMatchObject({
      allowed: true,
      reason: "no drift",
    });
  });

  it("warns by default, naming the field, the value Git declares and where", () => {
    const decision = decideAdmission(target(), scale(5));
    expect(decision).toMatchObject({ allowed: true, reason: "warn", record: false });
    expect(decision.allowed && decision.warnings).toEqual([
      "kubedrift: Deployment shop/web: spec.replicas: Git says 2, this write makes it 5",
    ]);
  });

  it("denies where a rule says deny, with what kube-apiserver passes to kubectl", () => {
    const decision = decideAdmission(
      target({ rules: [{ action: "deny", kinds: ["apps/Deployment"] }] }),
      update(deployment(5)),
    );
    expect(decision.allowed).toBe(false);
    expect(decision.allowed === false && decision.message).toMatch(
      /^kubedrift: Deployment shop\/web is managed from Git: spec\.replicas: Git says 2 \(deploy\/web\.yaml:\d+\), this write makes it 5\. Change it in Git, or set the annotation kubedrift\.dev\/break-glass: "<reason>" to break glass$/,
    );
  });

  it("lets the deployers through, by user or group", () => {
    const deny = { rules: [{ action: "deny" as const }] };
    expect(
      decideAdmission(target({ ...deny, allow: { users: ["bob"], groups: [] } }), scale(5)),
    ).toMatchObject({
      allowed: true,
      reason: "deployer",
    });
    expect(
      decideAdmission(target({ ...deny, allow: { users: [], groups: ["devs"] } }), scale(5)),
    ).toMatchObject({
      allowed: true,
      reason: "deployer",
    });
  });

  it("lets a break-glass change through and asks for it to be recorded with its reason", () => {
    const decision = decideAdmission(
      target({ default: "deny" }),
      update(deployment(5, { [breakGlassAnnotation]: " INC-4711: traffic spike " })),
    );
    expect(decision).toMatchObject({
      allowed: true,
      reason: "break-glass",
      record: true,
      breakGlass: "INC-4711: traffic spike",
    });
  });

  it("audits where a rule says audit: allowed, recorded, no warning", () => {
    const decision = decideAdmission(
      target({ rules: [{ action: "audit", path: "/spec/replicas" }] }),
      scale(7),
    );
    expect(decision).toMatchObject({ allowed: true, reason: "audit", record: true, warnings: [] });
  });

  it("denies deleting a managed object, and ignores a drift the object had before the write", () => {
    const deny = target({ default: "deny" });
    const deletion: GuardRequest = { ...update(deployment(2)), operation: "DELETE", object: null };
    expect(decideAdmission(deny, deletion)).toMatchObject({ allowed: false });
    expect(
      decideAdmission(deny, deletion).allowed === false && JSON.stringify(decideAdmission(deny, deletion)),
    ).toContain("the object is declared in Git and would be deleted");
    expect(decideAdmission(deny, update(deployment(5, { note: "x" }), deployment(5)))).toMatchObject({
      allowed: true,
      reason: "no drift",
    });
  });
});
