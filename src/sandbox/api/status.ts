import type { JsonObject } from "../../kube/value/json.js";

/** `StatusReason` values of k8s.io/apimachinery/pkg/apis/meta/v1 that the sandbox returns. */
export const StatusReasons = {
  badRequest: "BadRequest",
  unauthorized: "Unauthorized",
  forbidden: "Forbidden",
  notFound: "NotFound",
  alreadyExists: "AlreadyExists",
  conflict: "Conflict",
  invalid: "Invalid",
  methodNotAllowed: "MethodNotAllowed",
  notAcceptable: "NotAcceptable",
  unsupportedMediaType: "UnsupportedMediaType",
  expired: "Expired",
  gone: "Gone",
  requestEntityTooLarge: "RequestEntityTooLarge",
  tooManyRequests: "TooManyRequests",
  internalError: "InternalError",
  serviceUnavailable: "ServiceUnavailable",
  timeout: "Timeout",
  /** An error kube-apiserver passes through without a reason (StatusReasonUnknown). */
  unknown: "",
} as const;
export type StatusReason = (typeof StatusReasons)[keyof typeof StatusReasons];

/** One entry of `Status.details.causes`: what is wrong and where (a field path such as `spec.replicas`). */
export interface StatusCause {
  readonly reason: string;
  readonly message: string;
  readonly field?: string;
}

export interface StatusDetails {
  readonly name?: string;
  readonly group?: string;
  readonly kind?: string;
  readonly causes?: readonly StatusCause[];
  readonly retryAfterSeconds?: number;
}

/**
 * The sandbox's one error class: everything that leaves the HTTP edge as a
 * `Status` object with the code and reason kube-apiserver would use.
 */
export class ApiError extends Error {
  readonly code: number;
  readonly reason: StatusReason;
  readonly details: StatusDetails | undefined;

  constructor(code: number, reason: StatusReason, message: string, details?: StatusDetails) {
    super(message);
    this.name = "ApiError";
    this.code = code;
    this.reason = reason;
    this.details = details;
  }

  toStatus(): JsonObject {
    return statusObject(this);
  }
}

function statusObject(error: ApiError): JsonObject {
  const base = {
    kind: "Status",
    apiVersion: "v1",
    metadata: {},
    status: "Failure",
    message: error.message,
    reason: error.reason,
    code: error.code,
  };
  if (error.details === undefined) return base;
  return { ...base, details: error.details as JsonObject };
}

/** A resource reference as kube-apiserver names it in messages: `deployments.apps "web"`. */
export interface QualifiedResource {
  readonly group: string;
  readonly resource: string;
}

function qualified(target: QualifiedResource): string {
  return target.group === "" ? target.resource : `${target.resource}.${target.group}`;
}

export function notFound(target: QualifiedResource, name: string): ApiError {
  return new ApiError(404, StatusReasons.notFound, `${qualified(target)} "${name}" not found`, {
    name,
    ...(target.group === "" ? {} : { group: target.group }),
    kind: target.resource,
  });
}

export function alreadyExists(target: QualifiedResource, name: string): ApiError {
  return new ApiError(409, StatusReasons.alreadyExists, `${qualified(target)} "${name}" already exists`, {
    name,
    ...(target.group === "" ? {} : { group: target.group }),
    kind: target.resource,
  });
}

export function conflict(target: QualifiedResource, name: string, why: string): ApiError {
  return new ApiError(
    409,
    StatusReasons.conflict,
    `Operation cannot be fulfilled on ${qualified(target)} "${name}": ${why}`,
    { name, ...(target.group === "" ? {} : { group: target.group }), kind: target.resource },
  );
}

/** 422 Invalid: `Deployment.apps "web" is invalid: spec.replicas: Invalid value: -1: must be …`. */
export function invalid(
  target: { readonly group: string; readonly kind: string },
  name: string,
  causes: readonly StatusCause[],
): ApiError {
  const qualifiedKind = target.group === "" ? target.kind : `${target.kind}.${target.group}`;
  const list = causes.map((cause) => (cause.field ? `${cause.field}: ${cause.message}` : cause.message));
  const summary = list.length === 1 ? list[0] : `[${list.join(", ")}]`;
  return new ApiError(422, StatusReasons.invalid, `${qualifiedKind} "${name}" is invalid: ${summary}`, {
    name,
    ...(target.group === "" ? {} : { group: target.group }),
    kind: target.kind,
    causes,
  });
}

export function badRequest(message: string): ApiError {
  return new ApiError(400, StatusReasons.badRequest, message);
}
