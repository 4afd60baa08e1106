import { ProtobufDecodeError } from "./errors.js";

/**
 * The protobuf wire format (https://protobuf.dev/programming-guides/encoding/): a message is a
 * sequence of (tag, value) records, tag = field number << 3 | wire type. Kubernetes' gogo
 * generated code uses only varint, 64-bit, length-delimited and 32-bit records; groups (wire
 * types 3 and 4) are proto2 relics no Kubernetes message contains, so they are rejected.
 */

export type WireField =
  | { readonly kind: "varint"; readonly number: number; readonly value: bigint }
  | { readonly kind: "fixed64"; readonly number: number; readonly value: Uint8Array }
  | { readonly kind: "bytes"; readonly number: number; readonly value: Uint8Array }
  | { readonly kind: "fixed32"; readonly number: number; readonly value: Uint8Array };

export type WireKind = WireField["kind"];

/** Varints longer than 10 bytes cannot encode a 64-bit value; the spec calls them malformed. */
const maxVarintBytes = 10;

interface Cursor {
  readonly bytes: Uint8Array;
  offset: number;
}

function readVarint(cursor: Cursor): bigint {
  let result = 0n;
  for (let index = 0; index < maxVarintBytes; index++) {
    if (cursor.offset >= cursor.bytes.length) {
      throw new ProtobufDecodeError(`protobuf: truncated varint at byte ${cursor.offset}`);
    }
    const byte = cursor.bytes[cursor.offset++] ?? 0;
    result |= BigInt(byte & 0x7f) << BigInt(7 * index);
    if ((byte & 0x80) === 0) {
      return BigInt.asUintN(64, result);
    }
  }
  throw new ProtobufDecodeError(
    `protobuf: varint longer than ${maxVarintBytes} bytes at byte ${cursor.offset}`,
  );
}

function take(cursor: Cursor, length: number): Uint8Array {
  const end = cursor.offset + length;
  if (end > cursor.bytes.length) {
    throw new ProtobufDecodeError(
      `protobuf: field of ${length} bytes at byte ${cursor.offset} runs past the end of a ${cursor.bytes.length}-byte message`,
    );
  }
  const slice = cursor.bytes.subarray(cursor.offset, end);
  cursor.offset = end;
  return slice;
}

function readLength(cursor: Cursor): number {
  const length = readVarint(cursor);
  if (length > BigInt(cursor.bytes.length)) {
    throw new ProtobufDecodeError(
      `protobuf: length ${length} at byte ${cursor.offset} exceeds the message size`,
    );
  }
  return Number(length);
}

function readField(cursor: Cursor): WireField {
  const tagOffset = cursor.offset;
  const tag = readVarint(cursor);
  const number = Number(tag >> 3n);
  const wireType = Number(tag & 7n);
  if (number < 1 || number > 0x1fffffff) {
    throw new ProtobufDecodeError(`protobuf: invalid field number ${number} at byte ${tagOffset}`);
  }
  switch (wireType) {
    case 0:
      return { kind: "varint", number, value: readVarint(cursor) };
    case 1:
      return { kind: "fixed64", number, value: take(cursor, 8) };
    case 2:
      return { kind: "bytes", number, value: take(cursor, readLength(cursor)) };
    case 5:
      return { kind: "fixed32", number, value: take(cursor, 4) };
    default:
      throw new ProtobufDecodeError(
        `protobuf: unsupported wire type ${wireType} for field ${number} at byte ${tagOffset}`,
      );
  }
}

/** All records of one message, in wire order; throws on truncated or malformed input. */
export function readWireFields(bytes: Uint8Array): readonly WireField[] {
  const cursor: Cursor = { bytes, offset: 0 };
  const fields: WireField[] = [];
  while (cursor.offset < bytes.length) {
    fields.push(readField(cursor));
  }
  return fields;
}

/** The varints of a packed repeated field (proto3 default, optional in proto2). */
export function readPackedVarints(bytes: Uint8Array): readonly bigint[] {
  const cursor: Cursor = { bytes, offset: 0 };
  const values: bigint[] = [];
  while (cursor.offset < bytes.length) {
    values.push(readVarint(cursor));
  }
  return values;
}

/** Splits a packed repeated fixed-width field into its elements. */
export function splitPackedFixed(bytes: Uint8Array, width: 4 | 8): readonly Uint8Array[] {
  if (bytes.length % width !== 0) {
    throw new ProtobufDecodeError(
      `protobuf: packed field of ${bytes.length} bytes is not a multiple of ${width}`,
    );
  }
  const values: Uint8Array[] = [];
  for (let offset = 0; offset < bytes.length; offset += width) {
    values.push(bytes.subarray(offset, offset + width));
  }
  return values;
}

const utf8 = new TextDecoder("utf-8", { fatal: true });

/** Go's protobuf code does not validate UTF-8 in proto2 strings, but JSON cannot carry invalid text. */
export function decodeUtf8(bytes: Uint8Array): string {
  try {
    return utf8.decode(bytes);
  } catch (error: unknown) {
    throw new ProtobufDecodeError("protobuf: string field is not valid UTF-8", { cause: error });
  }
}

export function fixed64ToFloat(bytes: Uint8Array): number {
  return new DataView(bytes.buffer, bytes.byteOffset, 8).getFloat64(0, true);
}

export function fixed32ToFloat(bytes: Uint8Array): number {
  return new DataView(bytes.buffer, bytes.byteOffset, 4).getFloat32(0, true);
}

export function fixed64ToBigInt(bytes: Uint8Array, signed: boolean): bigint {
  const view = new DataView(bytes.buffer, bytes.byteOffset, 8);
  return signed ? view.getBigInt64(0, true) : view.getBigUint64(0, true);
}

export function fixed32ToNumber(bytes: Uint8Array, signed: boolean): number {
  const view = new DataView(bytes.buffer, bytes.byteOffset, 4);
  return signed ? view.getInt32(0, true) : view.getUint32(0, true);
}
