import type { JsonObject, JsonValue, KubeObject } from "../../kube/value/json.js";
import { isJsonObject } from "../../kube/value/json.js";
import type { UserInfo } from "../auth/user.js";
import type { AdmissionAttributes } from "./matching.js";

export interface GroupVersionKind {
  readonly group: string;
  readonly version: string;
  readonly kind: string;
}

/** Everything an AdmissionReview's request says besides the attributes used for matching. */
export interface ReviewRequest {
  readonly uid: string;
  readonly attributes: AdmissionAttributes;
  readonly kind: GroupVersionKind;
  readonly name: string;
  readonly user: UserInfo;
  readonly dryRun: boolean;
  /** CreateOptions, UpdateOptions (a PATCH's too) or DeleteOptions. */
  readonly options: JsonObject;
}

function userInfo(user: UserInfo): JsonObject {
  return {
    username: user.username,
    ...(user.uid === "" ? {} : { uid: user.uid }),
    groups: [...user.groups],
    ...(user.extra === undefined
      ? {}
      : { extra: Object.fromEntries(Object.entries(user.extra).map(([key, values]) => [key, [...values]])) }),
  };
}

/** An admission.k8s.io/v1 AdmissionReview, as kube-apiserver sends it to a validating webhook. */
export function admissionReview(request: ReviewRequest): JsonObject {
  const { attributes } = request;
  const resource = { group: attributes.group, version: attributes.version, resource: attributes.resource };
  const kind = { ...request.kind };
  const subResource = attributes.subresource === "" ? {} : { subResource: attributes.subresource };
  const requestSubResource =
    attributes.subresource === "" ? {} : { requestSubResource: attributes.subresource };
  return {
    apiVersion: "admission.k8s.io/v1",
    kind: "AdmissionReview",
    request: {
      uid: request.uid,
      kind,
      resource,
      ...subResource,
      requestKind: kind,
      requestResource: resource,
      ...requestSubResource,
      ...(request.name === "" ? {} : { name: request.name }),
      ...(attributes.namespace === "" ? {} : { namespace: attributes.namespace }),
      operation: attributes.operation,
      userInfo: userInfo(request.user),
      object: attributes.object,
      oldObject: attributes.oldObject,
      dryRun: request.dryRun,
      options: request.options,
    },
  };
}

/** What a webhook answered. */
export type Verdict =
  | { readonly kind: "allowed"; readonly warnings: readonly string[] }
  | { readonly kind: "denied"; readonly status: JsonObject; readonly code: number };

function warningsOf(response: JsonObject): readonly string[] {
  const warnings = response["warnings"];
  return Array.isArray(warnings) ? warnings.filter((item): item is string => typeof item === "string") : [];
}

function text(value: JsonValue | undefined): string {
  return typeof value === "string" ? value : "";
}

/** webhookerrors.ToStatusErr: the webhook's Status, its message prefixed with who denied. */
function denial(webhook: string, status: JsonObject): Verdict {
  const deniedBy = `admission webhook "${webhook}" denied the request`;
  const given = typeof status["code"] === "number" ? status["code"] : 0;
  // A refusal is never answered below 400.
  const code = given < 400 ? 400 : given;
  const message = text(status["message"]) || text(status["reason"]);
  const reason = text(status["reason"]);
  return {
    kind: "denied",
    code,
    status: {
      kind: "Status",
      apiVersion: "v1",
      metadata: {},
      status: "Failure",
      message: message === "" ? `${deniedBy} without explanation` : `${deniedBy}: ${message}`,
      ...(reason === "" ? {} : { reason }),
      ...(isJsonObject(status["details"]) ? { details: status["details"] } : {}),
      code,
    },
  };
}

/** The webhook's answer, checked as kube-apiserver checks it; throws why it is not a valid one. */
export function verdictOf(webhook: string, uid: string, answer: JsonObject): Verdict {
  const response = answer["response"];
  if (answer["apiVersion"] !== "admission.k8s.io/v1" || answer["kind"] !== "AdmissionReview")
    throw new Error(
      `expected webhook response of admission.k8s.io/v1, Kind=AdmissionReview, got ${text(answer["apiVersion"])}, Kind=${text(answer["kind"])}`,
    );
  if (!isJsonObject(response)) throw new Error("webhook response was absent");
  if (response["uid"] !== uid)
    throw new Error(`expected response.uid="${uid}", got "${text(response["uid"])}"`);
  if (response["allowed"] === true) return { kind: "allowed", warnings: warningsOf(response) };
  return denial(webhook, isJsonObject(response["status"]) ? response["status"] : {});
}

/** The object a review carries for an object that is not there (CREATE's old one, DELETE's new one). */
export function orNull(object: KubeObject | undefined): KubeObject | null {
  return object ?? null;
}
