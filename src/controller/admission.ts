/**
 * A record-only validating admission webhook (issue 13, item 3), for clusters whose audit webhook
 * cannot be configured (EKS, GKE, AKS): kube-apiserver sends an `admission.k8s.io/v1`
 * AdmissionReview for each write; the answer always allows it, and UPDATEs (a PATCH is admitted as
 * an UPDATE) and DELETEs of named objects become write records of the requesting user. The
 * resourceVersion the write will leave is not known at admission: these records join drifts by time.
 */
import type { UnknownRecord } from "../kube/value/json.js";
import { isRecord } from "../kube/value/json.js";
import { admissionRequestOf, admissionReviewResponse } from "../kube/admission.js";
import type { WriteRecord } from "./writes.js";

export { AdmissionReviewError as AdmissionBodyError } from "../kube/admission.js";

type Json = UnknownRecord;

function stringOf(value: unknown): string | undefined {
  return typeof value === "string" && value !== "" ? value : undefined;
}

const recorded = new Map([
  ["UPDATE", "update"],
  ["DELETE", "delete"],
]);

/** The review's request; anything else is an AdmissionBodyError (kube-apiserver then applies the failurePolicy). */
export const admissionRequest = admissionRequestOf;

/** The answer: allowed, always — the webhook only records; its uid is the request's, as kube-apiserver requires. */
export function allowedReview(request: Json): Record<string, unknown> {
  return admissionReviewResponse(String(request["uid"]), { allowed: true });
}

function groupsOf(user: Json | undefined): readonly string[] | undefined {
  const groups = user?.["groups"];
  return Array.isArray(groups)
    ? groups.filter((group): group is string => typeof group === "string")
    : undefined;
}

/** The written object a request names; undefined without a name (a CREATE with generateName) or resource. */
function objectOf(request: Json): WriteRecord["object"] | undefined {
  const resource = isRecord(request["resource"]) ? request["resource"] : undefined;
  const name = stringOf(request["name"]);
  const plural = stringOf(resource?.["resource"]);
  if (name === undefined || plural === undefined) return undefined;
  const group = stringOf(resource?.["group"]) ?? "";
  return { group, resource: plural, namespace: stringOf(request["namespace"]) ?? "", name };
}

/** The write record of an admitted UPDATE or DELETE of a named object, at `at` (ms). */
export function writeOfAdmission(request: Json, at: number): WriteRecord | undefined {
  const verb = recorded.get(String(request["operation"]));
  const user = isRecord(request["userInfo"]) ? request["userInfo"] : undefined;
  const username = stringOf(user?.["username"]);
  const object = objectOf(request);
  // A dry run writes nothing: no drift can come of it.
  if (verb === undefined || object === undefined || username === undefined || request["dryRun"] === true)
    return undefined;
  const groups = groupsOf(user);
  const subresource = stringOf(request["subResource"]);
  return {
    object,
    ...(subresource === undefined ? {} : { subresource }),
    verb,
    at,
    identity: { user: username, ...(groups === undefined ? {} : { groups }) },
    via: "admission",
  };
}
