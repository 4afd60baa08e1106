import type { JsonObject, JsonValue, KubeObject } from "../../kube/value/json.js";
import { isJsonObject } from "../../kube/value/json.js";
import type { ResourceInfo } from "../registry/types.js";

/**
 * What kube-apiserver's JSON decoder (sigs.k8s.io/json, which keeps encoding/json's rules) refuses
 * when it decodes a body into the typed object, for the fields whose Go types JSON can contradict:
 * string maps (labels, annotations, ConfigMap data, Secret stringData) and byte maps (Secret data,
 * ConfigMap binaryData, base64 in JSON). The first failure in document order is the one reported,
 * as encoding/json keeps the first error and goes on decoding.
 */

/** encoding/json's names for what it found (UnmarshalTypeError.Value). */
function jsonKind(value: JsonValue): string {
  if (Array.isArray(value)) return "array";
  if (value === null) return "null";
  if (typeof value === "boolean") return "bool";
  return typeof value === "object" ? "object" : typeof value;
}

function typeError(value: JsonValue, field: string, goType: string): string {
  return `json: cannot unmarshal ${jsonKind(value)} into Go struct field ${field} of type ${goType}`;
}

const alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
const decodeMap: readonly number[] = Array.from({ length: 256 }, (_, byte) =>
  alphabet.indexOf(String.fromCharCode(byte)),
);
const pad = 0x3d;
const isNewline = (byte: number | undefined): boolean => byte === 0x0a || byte === 0x0d;

interface Quantum {
  readonly next: number;
  readonly error?: number;
}

/** After a "=" at position `j` of a quantum: Go's padding rules (decodeQuantum). */
function afterPadding(src: Uint8Array, start: number, j: number): Quantum {
  let si = start;
  if (j < 2) return { next: si, error: si - 1 };
  if (j === 2) {
    while (si < src.length && isNewline(src[si])) si += 1;
    if (si === src.length) return { next: si, error: src.length };
    if (src[si] !== pad) return { next: si, error: si - 1 };
    si += 1;
  }
  while (si < src.length && isNewline(src[si])) si += 1;
  return si < src.length ? { next: si, error: si } : { next: si };
}

/** One 4-character quantum of Go's base64.StdEncoding decoder; line breaks are skipped. */
function decodeQuantum(src: Uint8Array, start: number): Quantum {
  let si = start;
  for (let j = 0; j < 4; j += 1) {
    if (si === src.length) return j === 0 ? { next: si } : { next: si, error: si - j };
    const byte = src[si] ?? 0;
    si += 1;
    if ((decodeMap[byte] ?? -1) >= 0) continue;
    if (isNewline(byte)) {
      j -= 1;
      continue;
    }
    if (byte !== pad) return { next: si, error: si - 1 };
    return afterPadding(src, si, j);
  }
  return { next: si };
}

/** The byte offset Go's `base64.StdEncoding.Decode` reports (CorruptInputError), or undefined if it decodes. */
export function base64ErrorOffset(text: string): number | undefined {
  const src = Buffer.from(text, "utf8");
  for (let si = 0; si < src.length;) {
    const quantum = decodeQuantum(src, si);
    if (quantum.error !== undefined) return quantum.error;
    si = quantum.next;
  }
  return undefined;
}

type MapKind = "string" | "bytes";

function mapEntryError(value: JsonValue, field: string, kind: MapKind): string | undefined {
  // null leaves the zero value; strings are what both map types hold.
  if (value === null) return undefined;
  if (typeof value !== "string") return typeError(value, field, kind === "string" ? "string" : "[]uint8");
  if (kind === "string") return undefined;
  const offset = base64ErrorOffset(value);
  return offset === undefined ? undefined : `illegal base64 data at input byte ${offset}`;
}

function mapError(value: JsonValue, field: string, kind: MapKind): string | undefined {
  if (value === null) return undefined;
  if (!isJsonObject(value))
    return typeError(value, field, kind === "string" ? "map[string]string" : "map[string][]uint8");
  for (const entry of Object.values(value)) {
    const error = mapEntryError(entry, field, kind);
    if (error !== undefined) return error;
  }
  return undefined;
}

const metadataMaps: Readonly<Record<string, MapKind>> = { labels: "string", annotations: "string" };

/** Fields of the kind's own struct that are maps, by kind (core/v1 only: other groups have none here). */
const kindMaps: Readonly<Record<string, Readonly<Record<string, MapKind>>>> = {
  ConfigMap: { data: "string", binaryData: "bytes" },
  Secret: { data: "bytes", stringData: "string" },
};

function fieldsError(
  object: JsonObject,
  maps: Readonly<Record<string, MapKind>>,
  structField: (name: string) => string,
): string | undefined {
  for (const [name, value] of Object.entries(object)) {
    const kind = maps[name];
    const error = kind === undefined ? undefined : mapError(value, structField(name), kind);
    if (error !== undefined) return error;
  }
  return undefined;
}

/** The decoder's message for the first field of `object` its Go type cannot hold, or undefined. */
export function typedDecodeError(object: KubeObject, info: ResourceInfo): string | undefined {
  const maps = info.group === "" ? (kindMaps[info.kind] ?? {}) : {};
  for (const [name, value] of Object.entries(object)) {
    const error =
      name === "metadata" && isJsonObject(value)
        ? fieldsError(value, metadataMaps, (field) => `ObjectMeta.metadata.${field}`)
        : fieldsError({ [name]: value }, maps, (field) => `${info.kind}.${field}`);
    if (error !== undefined) return error;
  }
  return undefined;
}
