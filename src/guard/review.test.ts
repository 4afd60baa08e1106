/** The guard's webhook answers: well-formed for any review, fails closed only where the policy is deny. */
import { describe, expect, it } from "vitest";
import { defaultEngineConfig } from "../engine/index.js";
import { AdmissionReviewError } from "../kube/admission.js";
import { refOf } from "../kube/object.js";
import { builtinSchema } from "../kube/schema/builtin.js";
import type { KubeObject } from "../kube/value/json.js";
import { refKey } from "../model/index.js";
import type { GuardTarget } from "./decide.js";
import { reviewAdmission } from "./review.js";

const web: KubeObject = {
  apiVersion: "v1",
  kind: "ConfigMap",
  metadata: { name: "settings", namespace: "shop" },
  data: { mode: "blue" },
};

function target(action: "deny" | "warn"): GuardTarget {
  const desired = { ref: refOf(web), object: web, source: { file: "settings.yaml", line: 1 } };
  return {
    desired: new Map([[refKey(desired.ref), desired]]),
    schema: builtinSchema,
    config: {
      ...defaultEngineConfig,
      guard: { default: action, allow: { users: [], groups: [] }, rules: [] },
    },
    scope: { kinds: ["/ConfigMap"], namespaces: ["shop"] },
    cluster: "test",
    kindOf: (group, resource) => (group === "" && resource === "configmaps" ? "ConfigMap" : undefined),
  };
}

function review(request: Record<string, unknown>): string {
  return JSON.stringify({ apiVersion: "admission.k8s.io/v1", kind: "AdmissionReview", request });
}

const update = {
  uid: "u-1",
  operation: "UPDATE",
  resource: { group: "", version: "v1", resource: "configmaps" },
  name: "settings",
  namespace: "shop",
  userInfo: { username: "bob", groups: [] },
  object: { ...web, data: { mode: "green" } },
  oldObject: web,
};

describe("reviewAdmission", () => {
  it("answers a denial with the request's uid, a 403 and the message", () => {
    const { response } = reviewAdmission(target("deny"), review(update));
    expect(response).toMatchObject({
      apiVersion: "admission.k8s.io/v1",
      kind: "AdmissionReview",
      response: { uid: "u-1", allowed: false, status: { code: 403, reason: "Forbidden" } },
    });
  });

  it("refuses what is not a review, allows what it does not judge", () => {
    expect(() => reviewAdmission(target("deny"), "{")).toThrow(AdmissionReviewError);
    expect(() => reviewAdmission(target("deny"), review({ ...update, uid: "" }))).toThrow(
      "a request without a uid",
    );
    expect(reviewAdmission(target("deny"), review({ ...update, operation: "FROB" })).response).toMatchObject({
      response: { uid: "u-1", allowed: true },
    });
  });

  it("fails closed where the policy is deny and it cannot judge, open elsewhere", () => {
    // A desired object the engine cannot read: the comparison throws, the fallback needs only its name.
    const unreadable = (action: "deny" | "warn"): GuardTarget => {
      const base = target(action);
      const [entry] = [...base.desired];
      if (entry === undefined) throw new Error("no desired object");
      const [key, desired] = entry;
      const broken = Object.defineProperty({ ...desired }, "object", {
        get: () => {
          throw new Error("desired object unreadable");
        },
      });
      return { ...base, desired: new Map([[key, broken]]) };
    };
    expect(reviewAdmission(unreadable("deny"), review(update)).response).toMatchObject({
      response: { allowed: false, status: { code: 500 } },
    });
    expect(reviewAdmission(unreadable("warn"), review(update)).response).toMatchObject({
      response: { allowed: true },
    });
  });
});
