import { isJsonObject, textOf, type JsonObject, type KubeObject } from "../../kube/value/json.js";
import { invalid } from "../api/status.js";
import type { RequestAttributes } from "./attributes.js";
import type { Decision } from "./rbac.js";
import type { UserInfo } from "./user.js";

/** The review kinds of authorization.k8s.io/v1 the sandbox answers. */
export type ReviewKind = "SelfSubjectAccessReview" | "SubjectAccessReview" | "LocalSubjectAccessReview";

export interface ReviewCall {
  readonly kind: ReviewKind;
  readonly review: KubeObject;
  /** The requester: the subject of a SelfSubjectAccessReview. */
  readonly user: UserInfo;
  /** The namespace of the path, for a LocalSubjectAccessReview. */
  readonly namespace: string;
  readonly authorize: (request: RequestAttributes) => Decision;
}

function specOf(review: KubeObject): JsonObject {
  const spec = review["spec"];
  return isJsonObject(spec) ? spec : {};
}

function stringList(value: unknown): readonly string[] {
  return Array.isArray(value) ? value.filter((item): item is string => typeof item === "string") : [];
}

function invalidReview(kind: ReviewKind, field: string, value: string, message: string): Error {
  return invalid({ group: "authorization.k8s.io", kind }, "", [
    { reason: "FieldValueInvalid", message: `Invalid value: ${value}: ${message}`, field },
  ]);
}

/** SubjectAccessReview's subject is the spec's user and groups; a self review's is the requester. */
function subjectOf(call: ReviewCall, spec: JsonObject): UserInfo {
  if (call.kind === "SelfSubjectAccessReview") return call.user;
  const user = textOf(spec["user"]);
  const groups = stringList(spec["groups"]);
  if (user === "" && groups.length === 0)
    throw invalidReview(call.kind, "spec.user", '""', "at least one of user or group must be specified");
  return { username: user, uid: textOf(spec["uid"]), groups };
}

function resourceRequest(user: UserInfo, attributes: JsonObject): RequestAttributes {
  const text = (field: string): string => textOf(attributes[field]);
  return {
    kind: "resource",
    user,
    verb: text("verb"),
    apiGroup: text("group"),
    apiVersion: text("version"),
    namespace: text("namespace"),
    resource: text("resource"),
    subresource: text("subresource"),
    name: text("name"),
  };
}

function attributesOf(call: ReviewCall, spec: JsonObject, user: UserInfo): RequestAttributes {
  const resource = spec["resourceAttributes"];
  const nonResource = spec["nonResourceAttributes"];
  if (isJsonObject(resource) === isJsonObject(nonResource)) {
    throw invalidReview(
      call.kind,
      "spec.resourceAttributes",
      JSON.stringify(resource ?? null),
      "exactly one of nonResourceAttributes or resourceAttributes must be specified",
    );
  }
  if (isJsonObject(nonResource))
    return {
      kind: "nonResource",
      user,
      verb: textOf(nonResource["verb"]),
      path: textOf(nonResource["path"]),
    };
  return resourceRequest(user, resource as JsonObject);
}

function checkLocalNamespace(call: ReviewCall, request: RequestAttributes): void {
  if (call.kind !== "LocalSubjectAccessReview") return;
  const namespace = request.kind === "resource" ? request.namespace : "";
  if (namespace !== call.namespace) {
    throw invalidReview(
      call.kind,
      "spec.resourceAttributes.namespace",
      JSON.stringify(namespace),
      "must match metadata.namespace",
    );
  }
}

/**
 * What kube-apiserver answers to a review: the object sent, with `status.allowed` and the
 * authorizer's reason. The review is not stored; the same authorizer decides as for requests.
 */
export function accessReview(call: ReviewCall): KubeObject {
  const spec = specOf(call.review);
  const user = subjectOf(call, spec);
  const request = attributesOf(call, spec, user);
  checkLocalNamespace(call, request);
  const decision = call.authorize(request);
  const shownSpec =
    call.kind === "SelfSubjectAccessReview"
      ? spec
      : {
          ...spec,
          user: user.username,
          groups: [...user.groups],
          ...(user.uid === "" ? {} : { uid: user.uid }),
        };
  return {
    kind: call.kind,
    apiVersion: "authorization.k8s.io/v1",
    metadata: { ...(call.namespace === "" ? {} : { namespace: call.namespace }), creationTimestamp: null },
    spec: shownSpec,
    status: { allowed: decision.allowed, ...(decision.reason === "" ? {} : { reason: decision.reason }) },
  };
}
