/**
 * kube-apiserver's audit webhook (`--audit-webhook-config-file`) POSTs `audit.k8s.io/v1`
 * EventLists in batches. Of each, the writes that succeeded, at their `ResponseComplete` stage,
 * become write records: who (user, groups, user agent, source IPs), to which object, when, and —
 * at the `RequestResponse` level — the resourceVersion the write left.
 */
import type { UnknownRecord } from "../kube/value/json.js";
import { isRecord } from "../kube/value/json.js";
import type { WriteRecord } from "./writes.js";

/** One line: why a body is not an EventList. */
export class AuditBodyError extends Error {}

type Json = UnknownRecord;

function stringOf(value: unknown): string | undefined {
  return typeof value === "string" && value !== "" ? value : undefined;
}

function strings(value: unknown): readonly string[] | undefined {
  return Array.isArray(value) ? value.filter((item): item is string => typeof item === "string") : undefined;
}

const writeVerbs = new Set(["create", "update", "patch", "delete"]);

/** The events of an EventList body; anything else is an AuditBodyError. */
export function auditEvents(body: string): readonly Json[] {
  let parsed: unknown;
  try {
    parsed = JSON.parse(body);
  } catch {
    throw new AuditBodyError("not JSON");
  }
  if (
    !isRecord(parsed) ||
    parsed["kind"] !== "EventList" ||
    !String(parsed["apiVersion"]).startsWith("audit.k8s.io/")
  )
    throw new AuditBodyError("expected an audit.k8s.io/v1 EventList");
  const items = parsed["items"];
  if (!Array.isArray(items)) throw new AuditBodyError("an EventList without items");
  return items.filter(isRecord);
}

function succeeded(event: Json): boolean {
  const status = event["responseStatus"];
  const code = isRecord(status) ? status["code"] : undefined;
  return typeof code === "number" && code >= 200 && code < 300;
}

function identityOf(event: Json): WriteRecord["identity"] | undefined {
  // An impersonating request acts as the impersonated user: that is whose change it is.
  const user = isRecord(event["impersonatedUser"]) ? event["impersonatedUser"] : event["user"];
  if (!isRecord(user)) return undefined;
  const name = stringOf(user["username"]);
  if (name === undefined) return undefined;
  const groups = strings(user["groups"]);
  const userAgent = stringOf(event["userAgent"]);
  const sourceIPs = strings(event["sourceIPs"]);
  return {
    user: name,
    ...(groups === undefined ? {} : { groups }),
    ...(userAgent === undefined ? {} : { userAgent }),
    ...(sourceIPs === undefined ? {} : { sourceIPs }),
  };
}

/**
 * The reason of a break-glass write, as the Audit policy `guard --emit-policy` generates notes it:
 * the audit annotation `kubedrift-<resource>-break-glass/break-glass`.
 */
function breakGlassOf(event: Json): string | undefined {
  const annotations = event["annotations"];
  if (!isRecord(annotations)) return undefined;
  const noted = Object.entries(annotations).find(
    ([key]) => key.startsWith("kubedrift-") && key.endsWith("-break-glass/break-glass"),
  );
  return stringOf(noted?.[1]);
}

function resourceVersionOf(event: Json): string | undefined {
  const response = event["responseObject"];
  const metadata = isRecord(response) ? response["metadata"] : undefined;
  return isRecord(metadata) ? stringOf(metadata["resourceVersion"]) : undefined;
}

function objectOf(event: Json): WriteRecord["object"] | undefined {
  const ref = event["objectRef"];
  if (!isRecord(ref)) return undefined;
  const name = stringOf(ref["name"]);
  const resource = stringOf(ref["resource"]);
  if (name === undefined || resource === undefined) return undefined;
  return {
    group: stringOf(ref["apiGroup"]) ?? "",
    resource,
    namespace: stringOf(ref["namespace"]) ?? "",
    name,
  };
}

function isCompletedWrite(event: Json): boolean {
  const verb = stringOf(event["verb"]);
  return (
    event["stage"] === "ResponseComplete" && verb !== undefined && writeVerbs.has(verb) && succeeded(event)
  );
}

/** The write record of one audit event; undefined for what is not a completed, successful write to a named object. */
export function writeOfAuditEvent(event: Json): WriteRecord | undefined {
  if (!isCompletedWrite(event)) return undefined;
  const object = objectOf(event);
  const at = Date.parse(stringOf(event["stageTimestamp"]) ?? "");
  const identified = identityOf(event);
  if (object === undefined || !Number.isFinite(at) || identified === undefined) return undefined;
  const breakGlass = breakGlassOf(event);
  const identity = breakGlass === undefined ? identified : { ...identified, breakGlass };
  const ref = event["objectRef"] as Json;
  const subresource = stringOf(ref["subresource"]);
  const resourceVersion = resourceVersionOf(event);
  return {
    object,
    ...(subresource === undefined ? {} : { subresource }),
    verb: String(event["verb"]),
    at,
    ...(resourceVersion === undefined ? {} : { resourceVersion }),
    identity,
    via: "audit",
  };
}

/** The write records of an EventList body. */
export function writesOfAuditBody(body: string): readonly WriteRecord[] {
  return auditEvents(body).flatMap((event) => writeOfAuditEvent(event) ?? []);
}
