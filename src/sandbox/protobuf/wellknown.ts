/**
 * apimachinery types whose Go JSON form is not their protobuf message shape: they implement
 * MarshalJSON (Time, MicroTime, Duration, Quantity, IntOrString, FieldsV1, RawExtension).
 */
import type { JsonValue } from "../../kube/value/json.js";
import { decodeUtf8, readWireFields, type WireField } from "./wire.js";
import { formatTime } from "../../kube/time.js";
import { ProtobufDecodeError } from "./errors.js";

const meta = "k8s.io.apimachinery.pkg.apis.meta.v1";

type WellKnownDecoder = (bytes: Uint8Array) => JsonValue;

function varintOf(fields: readonly WireField[], number: number): bigint {
  let result = 0n;
  for (const field of fields) {
    if (field.number !== number) continue;
    if (field.kind !== "varint")
      throw new ProtobufDecodeError(`protobuf: field ${field.number} must be a varint`);
    result = field.value;
  }
  return result;
}

function bytesOf(fields: readonly WireField[], number: number): Uint8Array | undefined {
  let result: Uint8Array | undefined;
  for (const field of fields) {
    if (field.number !== number) continue;
    if (field.kind !== "bytes")
      throw new ProtobufDecodeError(`protobuf: field ${field.number} must be length-delimited`);
    result = field.value;
  }
  return result;
}

function textOf(fields: readonly WireField[], number: number): string {
  const bytes = bytesOf(fields, number);
  return bytes === undefined ? "" : decodeUtf8(bytes);
}

/** RFC 3339 in UTC as Go's time.Format writes it, with `fractionDigits` sub-second digits. */
function rfc3339(seconds: bigint, nanos: number, fractionDigits: 0 | 6): string {
  const millis = Number(seconds) * 1000;
  if (!Number.isSafeInteger(millis) || Math.abs(millis) > 8.64e15) {
    throw new ProtobufDecodeError(`protobuf: timestamp of ${seconds} seconds is out of range`);
  }
  const whole = formatTime(new Date(millis)).slice(0, -1);
  const fraction = fractionDigits === 0 ? "" : `.${String(Math.floor(nanos / 1000)).padStart(6, "0")}`;
  return `${whole}${fraction}Z`;
}

/** metav1.Time marshals only a zero time as empty, and its protobuf form keeps whole seconds only. */
function decodeTime(bytes: Uint8Array): JsonValue {
  if (bytes.length === 0) return null;
  return rfc3339(BigInt.asIntN(64, varintOf(readWireFields(bytes), 1)), 0, 0);
}

/** metav1.MicroTime keeps nanoseconds on the wire; its JSON (RFC3339Micro) truncates them to microseconds. */
function decodeMicroTime(bytes: Uint8Array): JsonValue {
  if (bytes.length === 0) return null;
  const fields = readWireFields(bytes);
  const nanos = Number(BigInt.asIntN(32, varintOf(fields, 2)));
  if (nanos < 0 || nanos > 999_999_999)
    throw new ProtobufDecodeError(`protobuf: MicroTime nanos ${nanos} out of range`);
  return rfc3339(BigInt.asIntN(64, varintOf(fields, 1)), nanos, 6);
}

function fractional(value: bigint, digits: number): string {
  const scale = 10n ** BigInt(digits);
  const fraction = (value % scale).toString().padStart(digits, "0").replace(/0+$/, "");
  return fraction === "" ? `${value / scale}` : `${value / scale}.${fraction}`;
}

const nanosPerSecond = 1_000_000_000n;

function subSecond(nanos: bigint): string {
  if (nanos < 1_000n) return `${nanos}ns`;
  if (nanos < 1_000_000n) return `${fractional(nanos, 3)}µs`;
  return `${fractional(nanos, 6)}ms`;
}

/** time.Duration.String(), which metav1.Duration's JSON is: "1h2m3.5s", "1m0s", "1.5ms", "0s". */
export function goDurationString(nanoseconds: bigint): string {
  if (nanoseconds === 0n) return "0s";
  const sign = nanoseconds < 0n ? "-" : "";
  const magnitude = nanoseconds < 0n ? -nanoseconds : nanoseconds;
  if (magnitude < nanosPerSecond) return `${sign}${subSecond(magnitude)}`;
  const hours = magnitude / (3600n * nanosPerSecond);
  const minutes = (magnitude / (60n * nanosPerSecond)) % 60n;
  const seconds = `${fractional(magnitude % (60n * nanosPerSecond), 9)}s`;
  if (hours > 0n) return `${sign}${hours}h${minutes}m${seconds}`;
  return minutes > 0n ? `${sign}${minutes}m${seconds}` : `${sign}${seconds}`;
}

function decodeDuration(bytes: Uint8Array): JsonValue {
  return goDurationString(BigInt.asIntN(64, varintOf(readWireFields(bytes), 1)));
}

/**
 * The quantity string as the client spelled it: the sandbox canonicalizes quantities the same way
 * for JSON and protobuf bodies. A zero Quantity's JSON is "0".
 */
function decodeQuantity(bytes: Uint8Array): JsonValue {
  const text = textOf(readWireFields(bytes), 1);
  return text === "" ? "0" : text;
}

/** intstr.IntOrString: type 0 is an int (intVal), type 1 a string (strVal). */
function decodeIntOrString(bytes: Uint8Array): JsonValue {
  const fields = readWireFields(bytes);
  const type = varintOf(fields, 1);
  if (type === 1n) return textOf(fields, 3);
  if (type !== 0n)
    throw new ProtobufDecodeError(`protobuf: IntOrString type ${type} is neither 0 (int) nor 1 (string)`);
  return Number(BigInt.asIntN(32, varintOf(fields, 2)));
}

function parseEmbeddedJson(bytes: Uint8Array, what: string): JsonValue {
  try {
    return JSON.parse(decodeUtf8(bytes)) as JsonValue;
  } catch (error: unknown) {
    throw new ProtobufDecodeError(`protobuf: ${what} does not hold JSON`, { cause: error });
  }
}

/** FieldsV1 and RawExtension carry JSON bytes; Go writes their nil form as null. */
function decodeRawJson(what: string): WellKnownDecoder {
  return (bytes) => {
    const raw = bytesOf(readWireFields(bytes), 1);
    return raw === undefined || raw.length === 0 ? null : parseEmbeddedJson(raw, what);
  };
}

const decoders: Readonly<Record<string, WellKnownDecoder>> = {
  [`${meta}.Time`]: decodeTime,
  [`${meta}.MicroTime`]: decodeMicroTime,
  [`${meta}.Duration`]: decodeDuration,
  [`${meta}.FieldsV1`]: decodeRawJson("FieldsV1"),
  "k8s.io.apimachinery.pkg.api.resource.Quantity": decodeQuantity,
  "k8s.io.apimachinery.pkg.util.intstr.IntOrString": decodeIntOrString,
  "k8s.io.apimachinery.pkg.runtime.RawExtension": decodeRawJson("RawExtension"),
};

/** The decoder of a type with custom JSON, if `typeName` is one. */
export function wellKnownDecoder(typeName: string): WellKnownDecoder | undefined {
  return decoders[typeName];
}
