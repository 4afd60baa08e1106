import type { JsonObject, JsonValue } from "../value/json.js";
import { isJsonObject } from "../value/json.js";
import { childAt, escapePointerToken, unescapePointerToken } from "../value/pointer.js";

/** One key field of a list-map item, e.g. `containerPort=80`. */
export interface KeyField {
  readonly name: string;
  readonly value: JsonValue;
}

/**
 * One step of a path, as structured-merge-diff names them: a struct field or map key (`f:`),
 * a list-map item by its key fields (`k:`), a set-list item by value (`v:`), a list item by
 * position (`i:`, only for lists that have neither keys nor set semantics).
 */
export type PathElement =
  | { readonly kind: "field"; readonly name: string }
  | { readonly kind: "key"; readonly fields: readonly KeyField[] }
  | { readonly kind: "value"; readonly value: JsonValue }
  | { readonly kind: "index"; readonly index: number };

export type Path = readonly PathElement[];

export function fieldElement(name: string): PathElement {
  return { kind: "field", name };
}

/** Key fields are sorted by name, as SMD's `FieldList.Sort` does before serializing. */
export function keyElement(fields: readonly KeyField[]): PathElement {
  const sorted = [...fields].sort((a, b) => compareStrings(a.name, b.name));
  return { kind: "key", fields: sorted };
}

export function valueElement(value: JsonValue): PathElement {
  return { kind: "value", value };
}

export function indexElement(index: number): PathElement {
  return { kind: "index", index };
}

/** `.spec.replicas`-style shorthand for field-only paths. */
export function fieldPath(...names: readonly string[]): Path {
  return names.map(fieldElement);
}

/**
 * Go's encoding/json (and jsoniter's standard-library mode used by SMD) escapes `<`, `>`, `&`,
 * U+2028 and U+2029; JSON.stringify does not. FieldsV1 keys must be byte-identical to the
 * server's, so strings are re-escaped the Go way.
 */
export function goJsonString(text: string): string {
  return JSON.stringify(text).replace(
    /[<>&\u2028\u2029]/g,
    (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, "0")}`,
  );
}

/** Compact JSON with sorted object keys (Go marshals maps with sorted keys). */
export function goJson(value: JsonValue): string {
  if (typeof value === "string") return goJsonString(value);
  if (value === null || typeof value !== "object") return JSON.stringify(value);
  if (Array.isArray(value)) return `[${(value as readonly JsonValue[]).map(goJson).join(",")}]`;
  const object = value as JsonObject;
  const keys = Object.keys(object).sort(compareStrings);
  return `{${keys.map((key) => `${goJsonString(key)}:${goJson(object[key] ?? null)}`).join(",")}}`;
}

/** The FieldsV1 key of an element: `f:name`, `k:{"name":"web"}`, `v:"x"`, `i:0`. */
export function serializeElement(element: PathElement): string {
  switch (element.kind) {
    case "field":
      return `f:${element.name}`;
    case "key":
      return `k:{${element.fields.map((field) => `${goJsonString(field.name)}:${goJson(field.value)}`).join(",")}}`;
    case "value":
      return `v:${goJson(element.value)}`;
    case "index":
      return `i:${element.index}`;
  }
}

/** Parses a FieldsV1 key; undefined for unknown prefixes (SMD drops those silently). */
export function parseElement(text: string): PathElement | undefined {
  const prefix = text.slice(0, 2);
  const rest = text.slice(2);
  switch (prefix) {
    case "f:":
      return fieldElement(rest);
    case "k:":
      return parseKeyElement(rest);
    case "v:":
      return valueElement(JSON.parse(rest) as JsonValue);
    case "i:":
      return indexElement(Number.parseInt(rest, 10));
    default:
      return undefined;
  }
}

function parseKeyElement(json: string): PathElement {
  const parsed = JSON.parse(json) as JsonValue;
  if (!isJsonObject(parsed)) throw new Error(`invalid key path element ${json}`);
  return keyElement(Object.entries(parsed).map(([name, value]) => ({ name, value })));
}

/** Byte order of UTF-8, which is what Go's strings.Compare uses. */
export function compareStrings(a: string, b: string): number {
  if (a === b) return 0;
  return Buffer.compare(Buffer.from(a, "utf8"), Buffer.from(b, "utf8"));
}

const elementRank = { field: 0, key: 1, value: 2, index: 3 } as const;

/** SMD's total order: field names < keys < values < indexes, then by content. */
export function compareElements(a: PathElement, b: PathElement): number {
  if (a.kind !== b.kind) return elementRank[a.kind] - elementRank[b.kind];
  switch (a.kind) {
    case "field":
      return compareStrings(a.name, (b as typeof a).name);
    case "key":
      return compareKeyFields(a.fields, (b as typeof a).fields);
    case "value":
      return compareValues(a.value, (b as typeof a).value);
    case "index":
      return a.index - (b as typeof a).index;
  }
}

function compareKeyFields(a: readonly KeyField[], b: readonly KeyField[]): number {
  if (a.length !== b.length) return a.length - b.length;
  for (let i = 0; i < a.length; i++) {
    const byName = compareStrings(a[i].name, b[i].name);
    if (byName !== 0) return byName;
    const byValue = compareValues(a[i].value, b[i].value);
    if (byValue !== 0) return byValue;
  }
  return 0;
}

/** SMD value.Compare orders types as number < string < bool < list < map < null. */
function valueRank(value: JsonValue): number {
  if (typeof value === "number") return 0;
  if (typeof value === "string") return 1;
  if (typeof value === "boolean") return 2;
  if (Array.isArray(value)) return 3;
  return value === null ? 5 : 4;
}

export function compareValues(a: JsonValue, b: JsonValue): number {
  const rank = valueRank(a) - valueRank(b);
  if (rank !== 0) return rank;
  if (typeof a === "number" && typeof b === "number") return a - b;
  if (typeof a === "string" && typeof b === "string") return compareStrings(a, b);
  if (typeof a === "boolean" && typeof b === "boolean") return Number(a) - Number(b);
  return compareStrings(goJson(a), goJson(b));
}

/** SMD's `value.ToString`: strings quoted, everything else as JSON. */
function displayValue(value: JsonValue): string {
  return typeof value === "string" ? JSON.stringify(value) : goJson(value);
}

/** SMD's `PathElement.String`, used in conflict messages: `.image`, `[name="web"]`, `[="x"]`, `[0]`. */
export function displayElement(element: PathElement): string {
  switch (element.kind) {
    case "field":
      return `.${element.name}`;
    case "key":
      return `[${element.fields.map((field) => `${field.name}=${displayValue(field.value)}`).join(",")}]`;
    case "value":
      return `[=${displayValue(element.value)}]`;
    case "index":
      return `[${element.index}]`;
  }
}

/** `.spec.template.spec.containers[name="web"].image` */
export function displayPath(path: Path): string {
  return path.map(displayElement).join("");
}

export interface PointerOptions {
  /**
   * A key field the item leaves out matches any value (at least one must be there): the server
   * defaults key fields (a port's `protocol: TCP`), so a manifest's item lacks what the live key has.
   */
  readonly defaultedKeys?: boolean;
}

function keyMatches(item: JsonValue, fields: readonly KeyField[], options: PointerOptions): boolean {
  if (!isJsonObject(item)) return false;
  if (options.defaultedKeys !== true)
    return fields.every((field) => goJson(item[field.name] ?? null) === goJson(field.value));
  const present = fields.filter((field) => item[field.name] !== undefined);
  return present.length > 0 && present.every((field) => goJson(item[field.name]) === goJson(field.value));
}

function pointerToken(
  element: PathElement,
  node: JsonValue | undefined,
  options: PointerOptions,
): string | undefined {
  switch (element.kind) {
    case "field":
      return escapePointerToken(element.name);
    case "index":
      return String(element.index);
    case "key": {
      const index = Array.isArray(node)
        ? (node as readonly JsonValue[]).findIndex((item) => keyMatches(item, element.fields, options))
        : -1;
      return index < 0 ? undefined : String(index);
    }
    case "value": {
      const wanted = goJson(element.value);
      const index = Array.isArray(node)
        ? (node as readonly JsonValue[]).findIndex((item) => goJson(item) === wanted)
        : -1;
      return index < 0 ? undefined : String(index);
    }
  }
}

/**
 * RFC 6901 pointer into `object`. Keyed and set items become indexes of `object`'s lists, so
 * the object is needed; undefined when an item is not in it.
 */
export function pathToJsonPointer(
  path: Path,
  object: JsonValue,
  options: PointerOptions = {},
): string | undefined {
  let node: JsonValue | undefined = object;
  let pointer = "";
  for (const element of path) {
    const token = pointerToken(element, node, options);
    if (token === undefined) return undefined;
    pointer += `/${token}`;
    node = childAt(node, unescapePointerToken(token));
  }
  return pointer;
}
