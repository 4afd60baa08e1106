/**
 * `admission.k8s.io/v1` AdmissionReview, as kube-apiserver sends it to a validating webhook and
 * reads its answer: the request comes in, a response with the same `uid` goes back.
 */

import type { JsonObject, UnknownRecord } from "./value/json.js";
import { isRecord } from "./value/json.js";

type Json = UnknownRecord;

/** One line: why a body is not an AdmissionReview with a request. */
export class AdmissionReviewError extends Error {}

/** The review's request (its `uid` checked), or an AdmissionReviewError. */
export function admissionRequestOf(body: string): Json {
  let parsed: unknown;
  try {
    parsed = JSON.parse(body);
  } catch {
    throw new AdmissionReviewError("not JSON");
  }
  if (!isRecord(parsed) || parsed["kind"] !== "AdmissionReview" || !isRecord(parsed["request"]))
    throw new AdmissionReviewError("expected an admission.k8s.io/v1 AdmissionReview with a request");
  const uid = parsed["request"]["uid"];
  if (typeof uid !== "string" || uid === "") throw new AdmissionReviewError("a request without a uid");
  return parsed["request"];
}

export interface AdmissionAnswer {
  readonly allowed: boolean;
  /** For a refusal: the HTTP code and message kube-apiserver passes on to the client. */
  readonly status?: { readonly code: number; readonly message: string };
  /** Shown by kubectl as `Warning: …` (kube-apiserver keeps each under 400 characters). */
  readonly warnings?: readonly string[];
  readonly auditAnnotations?: Readonly<Record<string, string>>;
}

/** The review sent back: the request's `uid`, as kube-apiserver requires. */
export function admissionReviewResponse(uid: string, answer: AdmissionAnswer): Record<string, unknown> {
  const status =
    answer.status === undefined
      ? {}
      : {
          status: {
            code: answer.status.code,
            message: answer.status.message,
            reason: answer.status.code === 403 ? "Forbidden" : "BadRequest",
          },
        };
  return {
    apiVersion: "admission.k8s.io/v1",
    kind: "AdmissionReview",
    response: {
      uid,
      allowed: answer.allowed,
      ...status,
      ...(answer.warnings === undefined || answer.warnings.length === 0
        ? {}
        : { warnings: [...answer.warnings] }),
      ...(answer.auditAnnotations === undefined ? {} : { auditAnnotations: { ...answer.auditAnnotations } }),
    },
  };
}

/** Where kube-apiserver reaches a webhook: a URL's base, or a Service; and the CA it trusts (PEM). */
export interface WebhookEndpoint {
  readonly url?: string;
  readonly service?: { readonly namespace: string; readonly name: string; readonly port: number };
  readonly caBundle: string;
}

/** A webhook's `clientConfig` for the handler at `path`: the URL's base or the Service, with that path. */
export function webhookClientConfig(endpoint: WebhookEndpoint, path: string): JsonObject {
  const caBundle = Buffer.from(endpoint.caBundle).toString("base64");
  if (endpoint.service !== undefined) return { service: { ...endpoint.service, path }, caBundle };
  return { url: `${(endpoint.url ?? "").replace(/\/+$/, "")}${path}`, caBundle };
}
