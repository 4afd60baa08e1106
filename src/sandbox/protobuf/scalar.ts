import {
  decodeUtf8,
  fixed32ToFloat,
  fixed32ToNumber,
  fixed64ToBigInt,
  fixed64ToFloat,
  readPackedVarints,
  splitPackedFixed,
  type WireField,
  type WireKind,
} from "./wire.js";
import type { ProtoScalarType } from "./table.js";
import { ProtobufDecodeError } from "./errors.js";

export type ScalarJson = number | string | boolean;

function wireKindOf(type: ProtoScalarType): WireKind {
  switch (type) {
    case "double":
    case "fixed64":
    case "sfixed64":
      return "fixed64";
    case "float":
    case "fixed32":
    case "sfixed32":
      return "fixed32";
    case "string":
    case "bytes":
      return "bytes";
    default:
      return "varint";
  }
}

function zigzag(value: bigint): bigint {
  return (value >> 1n) ^ -(value & 1n);
}

/** Go's encoding/json refuses NaN and infinities, so a body carrying them has no JSON form. */
function finite(value: number, type: ProtoScalarType): number {
  if (!Number.isFinite(value))
    throw new ProtobufDecodeError(`protobuf: ${type} value ${value} has no JSON representation`);
  return value;
}

function fromVarint(value: bigint, type: ProtoScalarType): ScalarJson {
  switch (type) {
    case "bool":
      return value !== 0n;
    case "int32":
      return Number(BigInt.asIntN(32, value));
    case "uint32":
      return Number(BigInt.asUintN(32, value));
    case "sint32":
    case "sint64":
      return Number(zigzag(value));
    case "uint64":
      return Number(value);
    default:
      return Number(BigInt.asIntN(64, value));
  }
}

function fromFixed(bytes: Uint8Array, type: ProtoScalarType): ScalarJson {
  switch (type) {
    case "double":
      return finite(fixed64ToFloat(bytes), type);
    case "float":
      return finite(fixed32ToFloat(bytes), type);
    case "fixed64":
    case "sfixed64":
      return Number(fixed64ToBigInt(bytes, type === "sfixed64"));
    default:
      return fixed32ToNumber(bytes, type === "sfixed32");
  }
}

function fromBytes(bytes: Uint8Array, type: ProtoScalarType): ScalarJson {
  // []byte marshals to base64 in Go's encoding/json (RFC 4648 standard alphabet, padded).
  return type === "bytes" ? Buffer.from(bytes).toString("base64") : decodeUtf8(bytes);
}

function mismatch(field: WireField, type: ProtoScalarType): ProtobufDecodeError {
  return new ProtobufDecodeError(
    `protobuf: field ${field.number} is ${field.kind} on the wire but ${type} in the schema`,
  );
}

/** The JSON value of one scalar record. */
export function scalarValue(field: WireField, type: ProtoScalarType): ScalarJson {
  if (field.kind !== wireKindOf(type)) throw mismatch(field, type);
  switch (field.kind) {
    case "varint":
      return fromVarint(field.value, type);
    case "bytes":
      return fromBytes(field.value, type);
    default:
      return fromFixed(field.value, type);
  }
}

/**
 * The JSON values of one record of a repeated scalar field: a single element, or — when a
 * numeric field arrives length-delimited — a packed run of them (parsers must accept both).
 */
export function repeatedScalarValues(field: WireField, type: ProtoScalarType): readonly ScalarJson[] {
  const expected = wireKindOf(type);
  if (field.kind !== "bytes" || expected === "bytes") return [scalarValue(field, type)];
  if (expected === "varint") return readPackedVarints(field.value).map((value) => fromVarint(value, type));
  return splitPackedFixed(field.value, expected === "fixed64" ? 8 : 4).map((bytes) => fromFixed(bytes, type));
}

/** Zero values, which Go's `omitempty` leaves out of JSON. */
export function isZeroScalar(value: ScalarJson): boolean {
  return value === 0 || value === false || value === "";
}

export function zeroScalar(type: ProtoScalarType): ScalarJson {
  if (type === "bool") return false;
  return type === "string" || type === "bytes" ? "" : 0;
}
