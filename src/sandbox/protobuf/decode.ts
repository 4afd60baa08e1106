/**
 * Decodes `application/vnd.kubernetes.protobuf` request bodies (what client-go's typed clients,
 * and so `kubectl create configmap|secret|deployment|…`, send) into the JSON the API server would
 * produce from the same Go struct. The rules follow gogo's generated marshalling and Go's
 * encoding/json:
 *  - gogo writes every non-pointer field, zero or not, and pointer fields only when non-nil;
 *  - JSON omits zero scalars of `omitempty` fields: every non-pointer scalar except those the
 *    OpenAPI document marks required (their json tag has no omitempty: PriorityClass `value: 0`);
 *  - JSON always writes a non-pointer struct (omitempty never applies to structs), so `strategy: {}`
 *    and `status: {}` appear for a Deployment; a pointer struct appears when the wire has it;
 *  - nil and empty slices and maps are left out (a non-omitempty nil slice would be `null`).
 */
import type { JsonObject, JsonValue } from "../../kube/value/json.js";
import { isJsonObject } from "../../kube/value/json.js";
import { isZeroScalar, repeatedScalarValues, scalarValue, zeroScalar } from "./scalar.js";
import {
  isProtoScalarType,
  kubernetesProtoTable,
  type ProtoField,
  type ProtoMessage,
  type ProtoTable,
} from "./table.js";
import { wellKnownDecoder } from "./wellknown.js";
import { decodeUtf8, readWireFields, type WireField } from "./wire.js";
import { splitApiVersion } from "../../kube/object.js";
import { ProtobufDecodeError, UnsupportedProtobufKindError } from "./errors.js";

/** k8s.io/apimachinery/pkg/runtime/serializer/protobuf: every body starts with "k8s\x00". */
export const kubernetesProtobufMagic: Uint8Array = Uint8Array.from([0x6b, 0x38, 0x73, 0x00]);

export interface DecodedProtobufObject {
  readonly apiVersion: string;
  readonly kind: string;
  readonly object: JsonObject;
}

export { ProtobufDecodeError, UnsupportedProtobufKindError } from "./errors.js";

/** Deeper than any built-in type nests; stops a hostile body from exhausting the stack. */
const maxDepth = 64;

interface DecodeContext {
  readonly table: ProtoTable;
  readonly depth: number;
}

function expectBytes(record: WireField, fieldName: string): Uint8Array {
  if (record.kind !== "bytes") {
    throw new ProtobufDecodeError(
      `protobuf: field ${fieldName} is ${record.kind} on the wire but a message in the schema`,
    );
  }
  return record.value;
}

/** Protobuf merges repeated occurrences of a singular message field, as decoding their concatenation does. */
function concatenated(records: readonly WireField[], fieldName: string): Uint8Array {
  return Buffer.concat(records.map((record) => expectBytes(record, fieldName)));
}

function decodeTyped(bytes: Uint8Array, type: string, context: DecodeContext): JsonValue {
  const wellKnown = wellKnownDecoder(type);
  if (wellKnown !== undefined) return wellKnown(bytes);
  const message = context.table.messages[type];
  if (message === undefined) throw new Error(`protobuf: no message type ${type} in the table`);
  if (context.depth >= maxDepth)
    throw new ProtobufDecodeError(`protobuf: messages nested deeper than ${maxDepth}`);
  return decodeMessage(bytes, message, { table: context.table, depth: context.depth + 1 });
}

function mapEntry(
  record: WireField,
  field: ProtoField,
  context: DecodeContext,
): readonly [string, JsonValue] {
  const entry = readWireFields(expectBytes(record, field.name));
  const keyRecord = entry.findLast((part) => part.number === 1);
  const valueRecord = entry.findLast((part) => part.number === 2);
  const key = keyRecord === undefined ? "" : decodeUtf8(expectBytes(keyRecord, `${field.name} key`));
  if (isProtoScalarType(field.type)) {
    return [key, valueRecord === undefined ? zeroScalar(field.type) : scalarValue(valueRecord, field.type)];
  }
  const valueBytes = valueRecord === undefined ? new Uint8Array() : expectBytes(valueRecord, field.name);
  return [key, decodeTyped(valueBytes, field.type, context)];
}

function decodeMap(
  records: readonly WireField[],
  field: ProtoField,
  context: DecodeContext,
): JsonValue | undefined {
  const entries: Record<string, JsonValue> = {};
  for (const record of records) {
    const [key, value] = mapEntry(record, field, context);
    entries[key] = value;
  }
  return Object.keys(entries).length === 0 ? undefined : entries;
}

function decodeRepeated(
  records: readonly WireField[],
  field: ProtoField,
  context: DecodeContext,
): JsonValue | undefined {
  const type = field.type;
  const items: JsonValue[] = isProtoScalarType(type)
    ? records.flatMap((record) => repeatedScalarValues(record, type))
    : records.map((record) => decodeTyped(expectBytes(record, field.name), type, context));
  return items.length === 0 ? undefined : items;
}

function decodeSingularScalar(records: readonly WireField[], field: ProtoField): JsonValue | undefined {
  const last = records.at(-1);
  if (last === undefined || !isProtoScalarType(field.type)) return undefined;
  const value = scalarValue(last, field.type);
  return field.pointer === true || field.required === true || !isZeroScalar(value) ? value : undefined;
}

function decodeSingularMessage(
  records: readonly WireField[],
  field: ProtoField,
  context: DecodeContext,
): JsonValue | undefined {
  if (records.length === 0 && field.pointer === true) return undefined;
  return decodeTyped(concatenated(records, field.name), field.type, context);
}

function fieldValue(
  records: readonly WireField[],
  field: ProtoField,
  context: DecodeContext,
): JsonValue | undefined {
  if (field.map === true) return decodeMap(records, field, context);
  if (field.repeated === true) return decodeRepeated(records, field, context);
  if (isProtoScalarType(field.type)) return decodeSingularScalar(records, field);
  return decodeSingularMessage(records, field, context);
}

function recordsByNumber(bytes: Uint8Array): ReadonlyMap<number, readonly WireField[]> {
  const grouped = new Map<number, WireField[]>();
  for (const record of readWireFields(bytes)) {
    const existing = grouped.get(record.number);
    if (existing === undefined) grouped.set(record.number, [record]);
    else existing.push(record);
  }
  return grouped;
}

/** Unknown field numbers are skipped, as gogo's generated Unmarshal does: newer clients may send them. */
function decodeMessage(bytes: Uint8Array, message: ProtoMessage, context: DecodeContext): JsonObject {
  const records = recordsByNumber(bytes);
  const result: Record<string, JsonValue> = {};
  for (const [number, field] of Object.entries(message)) {
    const value = fieldValue(records.get(Number(number)) ?? [], field, context);
    if (value === undefined) continue;
    if (field.inline === true && isJsonObject(value)) Object.assign(result, value);
    else result[field.name] = value;
  }
  return result;
}

interface Envelope {
  readonly apiVersion: string;
  readonly kind: string;
  readonly raw: Uint8Array;
}

function textField(records: ReadonlyMap<number, readonly WireField[]>, number: number, what: string): string {
  const record = records.get(number)?.at(-1);
  return record === undefined ? "" : decodeUtf8(expectBytes(record, what));
}

/** runtime.Unknown {1: typeMeta {1: apiVersion, 2: kind}, 2: raw, 3: contentEncoding, 4: contentType}. */
function readEnvelope(body: Uint8Array): Envelope {
  const unknown = recordsByNumber(body.subarray(kubernetesProtobufMagic.length));
  const typeMetaRecord = unknown.get(1)?.at(-1);
  const typeMeta = recordsByNumber(
    typeMetaRecord === undefined ? new Uint8Array() : expectBytes(typeMetaRecord, "typeMeta"),
  );
  const contentEncoding = textField(unknown, 3, "contentEncoding");
  if (contentEncoding !== "") {
    throw new ProtobufDecodeError(
      `protobuf: contentEncoding ${JSON.stringify(contentEncoding)} is not supported`,
    );
  }
  const rawRecord = unknown.get(2)?.at(-1);
  return {
    apiVersion: textField(typeMeta, 1, "apiVersion"),
    kind: textField(typeMeta, 2, "kind"),
    raw: rawRecord === undefined ? new Uint8Array() : expectBytes(rawRecord, "raw"),
  };
}

/** "apps/v1" → k8s.io.api.apps.v1, "rbac.authorization.k8s.io/v1" → k8s.io.api.rbac.v1, "v1" → core. */
function apiPackage(apiVersion: string): string {
  const { group, version } = splitApiVersion(apiVersion);
  const directory = group === "" ? "core" : (group.split(".")[0] ?? group);
  return `k8s.io.api.${directory}.${version}`;
}

/** Options bodies (DeleteOptions, …) may name any group's version; their messages live in meta/v1. */
function messageFor(envelope: Envelope, table: ProtoTable): ProtoMessage {
  const candidates = [
    `${apiPackage(envelope.apiVersion)}.${envelope.kind}`,
    `k8s.io.apimachinery.pkg.apis.meta.v1.${envelope.kind}`,
  ];
  for (const candidate of candidates) {
    const message = table.messages[candidate];
    if (message !== undefined) return message;
  }
  throw new UnsupportedProtobufKindError(
    `protobuf: ${envelope.kind} of ${envelope.apiVersion} has no protobuf encoding in this server; send JSON`,
  );
}

function hasMagic(body: Uint8Array): boolean {
  return kubernetesProtobufMagic.every((byte, index) => body[index] === byte);
}

/**
 * Decodes a Kubernetes protobuf body. Throws UnsupportedProtobufKindError for a kind without a
 * message in the table, and ProtobufDecodeError for any malformed input (missing magic, truncated or
 * inconsistent records, missing apiVersion/kind).
 */
export function decodeProtobufObject(
  body: Uint8Array,
  table: ProtoTable = kubernetesProtoTable(),
): DecodedProtobufObject {
  if (body.length < kubernetesProtobufMagic.length || !hasMagic(body)) {
    throw new ProtobufDecodeError(
      "protobuf: the body does not start with the Kubernetes protobuf prefix k8s\\x00",
    );
  }
  const envelope = readEnvelope(body);
  if (envelope.apiVersion === "" || envelope.kind === "") {
    throw new ProtobufDecodeError("protobuf: the body's typeMeta lacks apiVersion or kind");
  }
  const decoded = decodeMessage(envelope.raw, messageFor(envelope, table), { table, depth: 0 });
  return {
    apiVersion: envelope.apiVersion,
    kind: envelope.kind,
    object: { apiVersion: envelope.apiVersion, kind: envelope.kind, ...decoded },
  };
}
