import { isJsonObject, textOf, type JsonObject, type KubeObject } from "../../kube/value/json.js";
import { metadataOf } from "../../kube/object.js";
import { invalid, notFound } from "../api/status.js";
import { formatTime } from "../../kube/time.js";
import { apiAudiences, type ServiceAccountTokens } from "./serviceaccount-tokens.js";

export interface TokenRequestCall {
  readonly namespace: string;
  readonly name: string;
  readonly body: KubeObject;
  readonly serviceAccount: KubeObject | undefined;
  readonly tokens: ServiceAccountTokens;
  readonly now: Date;
}

/** kube-apiserver's defaults and bounds of `spec.expirationSeconds` (pkg/apis/authentication/validation). */
const defaultExpirationSeconds = 3600;
const minExpirationSeconds = 600;
const maxExpirationSeconds = 2 ** 32;

function specOf(body: KubeObject): JsonObject {
  const spec = body["spec"];
  return isJsonObject(spec) ? spec : {};
}

function expirationOf(call: TokenRequestCall, spec: JsonObject): number {
  const seconds = spec["expirationSeconds"];
  if (seconds === undefined || seconds === null) return defaultExpirationSeconds;
  const problem =
    typeof seconds !== "number" || seconds < minExpirationSeconds
      ? "may not specify a duration less than 10 minutes"
      : seconds > maxExpirationSeconds
        ? "may not specify a duration larger than 2^32 seconds"
        : undefined;
  if (problem === undefined) return seconds as number;
  throw invalid({ group: "authentication.k8s.io", kind: "TokenRequest" }, call.name, [
    {
      reason: "FieldValueInvalid",
      message: `Invalid value: ${JSON.stringify(seconds)}: ${problem}`,
      field: "spec.expirationSeconds",
    },
  ]);
}

/** A token with no audiences is one for the API server itself (its `--api-audiences`). */
function audiencesOf(spec: JsonObject): readonly string[] {
  const audiences = spec["audiences"];
  const given = Array.isArray(audiences)
    ? audiences.filter((item): item is string => typeof item === "string")
    : [];
  return given.length === 0 ? apiAudiences : given;
}

/**
 * The TokenRequest subresource (`POST …/serviceaccounts/NAME/token`, what `kubectl create token`
 * calls): a signed token of the ServiceAccount, bound to its uid, nothing stored.
 */
export function requestToken(call: TokenRequestCall): KubeObject {
  if (call.serviceAccount === undefined)
    throw notFound({ group: "", resource: "serviceaccounts" }, call.name);
  const spec = specOf(call.body);
  const expirationSeconds = expirationOf(call, spec);
  const audiences = audiencesOf(spec);
  const issuedAt = Math.floor(call.now.getTime() / 1000);
  const token = call.tokens.issue({
    namespace: call.namespace,
    name: call.name,
    uid: textOf(metadataOf(call.serviceAccount)["uid"]),
    audiences,
    issuedAt,
    expiresAt: issuedAt + expirationSeconds,
  });
  return {
    kind: "TokenRequest",
    apiVersion: "authentication.k8s.io/v1",
    metadata: {
      name: call.name,
      namespace: call.namespace,
      creationTimestamp: formatTime(call.now),
    },
    spec: { audiences: [...audiences], expirationSeconds, boundObjectRef: spec["boundObjectRef"] ?? null },
    status: {
      token,
      expirationTimestamp: formatTime(new Date((issuedAt + expirationSeconds) * 1000)),
    },
  };
}
