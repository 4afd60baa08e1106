import { isIP } from "node:net";
import { parse as parseYaml } from "yaml";
import type { JsonObject, JsonValue } from "../../kube/value/json.js";
import { isJsonObject } from "../../kube/value/json.js";
import type { RequestAttributes } from "../auth/attributes.js";
import type { UserInfo } from "../auth/user.js";
import { decodeProtobufObject } from "../protobuf/decode.js";
import type { ApiResponse } from "../server/response.js";
import type { AuditStage, RequestAuditConfig } from "./policy.js";
import { levelAtLeast } from "./policy.js";

/** What an audit event is made of, gathered when the request is received. */
export interface AuditRecord {
  readonly id: string;
  readonly config: RequestAuditConfig;
  readonly requestURI: string;
  /** The attributes with the authenticated user (its `user`). */
  readonly attributes: RequestAttributes;
  /** Whom the request impersonates (`kubectl --as`), when it does. */
  readonly impersonatedUser?: UserInfo;
  readonly sourceIPs: readonly string[];
  readonly userAgent?: string;
  readonly received: Date;
  readonly annotations: Readonly<Record<string, string>>;
}

/** metav1.MicroTime: RFC 3339 with six fractional digits (a Date holds milliseconds). */
export function microTime(date: Date): string {
  return date.toISOString().replace(/\.(\d{3})Z$/, ".$1000Z");
}

function ipOf(text: string | undefined): string | undefined {
  const trimmed = (text ?? "").trim().replace(/^::ffff:(?=\d+\.\d+\.\d+\.\d+$)/, "");
  return isIP(trimmed) === 0 ? undefined : trimmed;
}

/** k8s.io/utils/net.SourceIPs: X-Forwarded-For, then X-Real-Ip if new, then the peer unless it is the last. */
export function sourceIPs(
  headers: Readonly<Record<string, string | undefined>>,
  remoteAddress: string | undefined,
): readonly string[] {
  const ips = (headers["x-forwarded-for"] ?? "")
    .split(",")
    .map(ipOf)
    .filter((ip): ip is string => ip !== undefined);
  const real = ipOf(headers["x-real-ip"]);
  if (real !== undefined && !ips.includes(real)) ips.push(real);
  const remote = ipOf(remoteAddress);
  if (remote !== undefined && ips.at(-1) !== remote) ips.push(remote);
  return ips;
}

function userJson(user: UserInfo): JsonObject {
  return {
    username: user.username,
    ...(user.uid === "" ? {} : { uid: user.uid }),
    groups: [...user.groups],
    ...(user.extra === undefined
      ? {}
      : { extra: Object.fromEntries(Object.entries(user.extra).map(([key, values]) => [key, [...values]])) }),
  };
}

function metadataOf(object: JsonValue | undefined): JsonObject {
  return isJsonObject(object) && isJsonObject(object["metadata"]) ? object["metadata"] : {};
}

function text(value: JsonValue | undefined): string {
  return typeof value === "string" ? value : "";
}

/** The object reference: from the path, completed (as LogRequestObject does) from the request's object. */
function objectRef(record: AuditRecord, requestObject: JsonValue | undefined): JsonObject | undefined {
  const attributes = record.attributes;
  if (attributes.kind !== "resource") return undefined;
  const meta = metadataOf(requestObject);
  const entries: readonly (readonly [string, string])[] = [
    ["resource", attributes.resource],
    ["namespace", attributes.namespace === "" ? text(meta["namespace"]) : attributes.namespace],
    ["name", attributes.name === "" ? text(meta["name"]) : attributes.name],
    ["uid", text(meta["uid"])],
    ["apiGroup", attributes.apiGroup],
    ["apiVersion", attributes.apiVersion],
    ["resourceVersion", text(meta["resourceVersion"])],
    ["subresource", attributes.subresource],
  ];
  return Object.fromEntries(entries.filter(([, value]) => value !== ""));
}

function withoutManagedFields(value: JsonValue): JsonValue {
  if (!isJsonObject(value)) return value;
  const items = value["items"];
  const metadata = value["metadata"];
  const rest: JsonObject = Array.isArray(items)
    ? { ...value, items: items.map(withoutManagedFields) }
    : value;
  if (!isJsonObject(metadata) || metadata["managedFields"] === undefined) return rest;
  const { managedFields: _omitted, ...kept } = metadata;
  return { ...rest, metadata: kept };
}

function parseText(contentType: string, body: Buffer): JsonValue | undefined {
  const source = body.toString("utf8");
  return (contentType.endsWith("yaml") ? parseYaml(source) : JSON.parse(source)) as JsonValue;
}

/** The request's body as JSON (a write's object, a patch, DeleteOptions); undefined when it is none. */
export function decodeRequestObject(body: Buffer, contentType: string | undefined): JsonValue | undefined {
  if (body.length === 0) return undefined;
  const type = (contentType ?? "application/json").split(";")[0]?.trim() ?? "";
  try {
    if (type === "application/vnd.kubernetes.protobuf") return decodeProtobufObject(body).object;
    return parseText(type, body);
  } catch {
    // An undecodable body is refused with 400 by the handler; the event has no object then.
    return undefined;
  }
}

function responseStatus(answer: ApiResponse): JsonObject {
  const body = answer.kind === "json" ? answer.body : undefined;
  if (!isJsonObject(body) || body["kind"] !== "Status") return { metadata: {}, code: answer.status };
  const fields = ["status", "message", "reason", "details"] as const;
  const kept = fields.flatMap((field) => (body[field] === undefined ? [] : [[field, body[field]] as const]));
  return { metadata: {}, ...Object.fromEntries(kept), code: answer.status };
}

export interface Completion {
  readonly answer: ApiResponse;
  readonly requestObject: JsonValue | undefined;
  readonly isWrite: boolean;
  /** What admission added (a ValidatingAdmissionPolicy's auditAnnotations and Audit failures). */
  readonly annotations?: Readonly<Record<string, string>>;
}

function stageFields(record: AuditRecord, stage: AuditStage, completion: Completion): JsonObject {
  const { level, omitManagedFields } = record.config;
  const clean = (value: JsonValue): JsonValue => (omitManagedFields ? withoutManagedFields(value) : value);
  const { answer, requestObject } = completion;
  const logRequest = completion.isWrite && requestObject !== undefined && levelAtLeast(level, "Request");
  const logResponse =
    stage === "ResponseComplete" && answer.kind === "json" && levelAtLeast(level, "RequestResponse");
  return {
    responseStatus: responseStatus(answer),
    ...(logRequest ? { requestObject: clean(requestObject) } : {}),
    ...(logResponse ? { responseObject: clean(answer.body) } : {}),
  };
}

/** One audit.k8s.io/v1 Event of a request at a stage; the response's fields from ResponseStarted on. */
export function auditEvent(
  record: AuditRecord,
  stage: AuditStage,
  at: Date,
  completion?: Completion,
): JsonObject {
  const ref = objectRef(record, completion?.isWrite === true ? completion.requestObject : undefined);
  const annotations = completion === undefined ? {} : { ...record.annotations, ...completion.annotations };
  return {
    kind: "Event",
    apiVersion: "audit.k8s.io/v1",
    level: record.config.level,
    auditID: record.id,
    stage,
    requestURI: record.requestURI,
    verb: record.attributes.verb,
    user: userJson(record.attributes.user),
    ...(record.impersonatedUser === undefined ? {} : { impersonatedUser: userJson(record.impersonatedUser) }),
    sourceIPs: [...record.sourceIPs],
    ...(record.userAgent === undefined ? {} : { userAgent: record.userAgent }),
    ...(ref === undefined ? {} : { objectRef: ref }),
    ...(completion === undefined ? {} : stageFields(record, stage, completion)),
    requestReceivedTimestamp: microTime(record.received),
    stageTimestamp: microTime(at),
    ...(Object.keys(annotations).length === 0 ? {} : { annotations: { ...annotations } }),
  };
}
