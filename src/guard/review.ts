/**
 * The guard as a validating webhook: an AdmissionReview body in, the review to answer out. A body
 * that is not a review is the caller's error (kube-apiserver then applies the configuration's
 * failurePolicy); anything the decision cannot judge for a `deny` object is refused, so that the
 * guard fails closed where it was asked to deny, and open elsewhere.
 */
import type { UnknownRecord } from "../kube/value/json.js";
import { isRecord } from "../kube/value/json.js";
import type { AdmissionAnswer } from "../kube/admission.js";
import { admissionRequestOf, admissionReviewResponse } from "../kube/admission.js";
import type { KubeObject } from "../kube/value/json.js";
import type { GuardDecision, GuardRequest, GuardTarget } from "./decide.js";
import { decideAdmission, fallbackActionOf } from "./decide.js";

type Json = UnknownRecord;

const operations = new Set(["CREATE", "UPDATE", "DELETE", "CONNECT"]);

function text(value: unknown): string {
  return typeof value === "string" ? value : "";
}

function objectOrNull(value: unknown): KubeObject | null {
  return isRecord(value) ? (value as KubeObject) : null;
}

/** The request as the decision reads it; undefined when it names no resource or operation it knows. */
export function guardRequestOf(request: Json): GuardRequest | undefined {
  const resource = request["resource"];
  const user = request["userInfo"];
  const operation = text(request["operation"]);
  if (!isRecord(resource) || !isRecord(user) || !operations.has(operation)) return undefined;
  const groups = Array.isArray(user["groups"])
    ? user["groups"].filter((group) => typeof group === "string")
    : [];
  const subResource = text(request["subResource"]);
  const namespace = text(request["namespace"]);
  return {
    operation: operation as GuardRequest["operation"],
    resource: {
      group: text(resource["group"]),
      version: text(resource["version"]),
      resource: text(resource["resource"]),
    },
    ...(subResource === "" ? {} : { subResource }),
    name: text(request["name"]),
    ...(namespace === "" ? {} : { namespace }),
    userInfo: { username: text(user["username"]), groups },
    object: objectOrNull(request["object"]),
    oldObject: objectOrNull(request["oldObject"]),
  };
}

export function answerOf(decision: GuardDecision): AdmissionAnswer {
  if (!decision.allowed) return { allowed: false, status: { code: 403, message: decision.message } };
  return {
    allowed: true,
    warnings: decision.warnings,
    ...(decision.reason === "break-glass" || decision.reason === "audit"
      ? {
          auditAnnotations: {
            decision: decision.reason,
            ...(decision.breakGlass === undefined ? {} : { reason: decision.breakGlass }),
          },
        }
      : {}),
  };
}

export interface Reviewed {
  /** The review to send back. */
  readonly response: Record<string, unknown>;
  /** What was decided, for the log, the metrics and the store; undefined for a request the guard does not judge. */
  readonly decision?: GuardDecision;
  readonly request?: GuardRequest;
}

/** Answers one review body; throws AdmissionReviewError for a body that is not one. */
export function reviewAdmission(target: GuardTarget, body: string): Reviewed {
  const raw = admissionRequestOf(body);
  const uid = text(raw["uid"]);
  const request = guardRequestOf(raw);
  // Not a write the guard judges (an unknown operation, no resource): allowed, as it names nothing managed.
  if (request === undefined) return { response: admissionReviewResponse(uid, { allowed: true }) };
  try {
    const decision = decideAdmission(target, request);
    return { response: admissionReviewResponse(uid, answerOf(decision)), decision, request };
  } catch (error: unknown) {
    return { response: admissionReviewResponse(uid, undecided(target, request, error)), request };
  }
}

/** Fails closed where the object's policy is deny, open elsewhere. */
function undecided(target: GuardTarget, request: GuardRequest, error: unknown): AdmissionAnswer {
  if (fallbackActionOf(target, request) !== "deny") return { allowed: true };
  const why = error instanceof Error ? error.message : String(error);
  return {
    allowed: false,
    status: {
      code: 500,
      message: `kubedrift could not judge this write (${why}); its policy is deny, so it is refused`,
    },
  };
}
