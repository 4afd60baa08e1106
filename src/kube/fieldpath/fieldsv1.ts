import type { JsonObject, JsonValue } from "../value/json.js";
import { isJsonObject } from "../value/json.js";
import type { PathElement } from "./element.js";
import { compareElements, parseElement, serializeElement } from "./element.js";
import { FieldSet } from "./set.js";

type MutableFieldObject = Record<string, JsonValue>;

/**
 * FieldsV1 as kube-apiserver writes it: every key at one level in SMD element order, a
 * member without children as `{}`, and a member that also has children as an object whose
 * `"."` key comes last — SMD's serializer emits the self marker after the children, and the
 * raw bytes reach JSON clients unchanged (YAML output re-sorts it first).
 */
export function encodeFieldsV1(set: FieldSet): JsonObject {
  return encodeLevel(set, false);
}

function encodeLevel(set: FieldSet, includeSelf: boolean): JsonObject {
  const entries: Array<[PathElement, JsonValue]> = [];
  const children = new Map(set.childEntries().map((child) => [serializeElement(child.element), child.set]));
  for (const element of set.memberElements()) {
    if (!children.has(serializeElement(element))) entries.push([element, {}]);
  }
  for (const child of set.childEntries()) {
    entries.push([child.element, encodeLevel(child.set, set.hasMember(child.element))]);
  }
  const sorted = sortEntries(entries);
  const out: MutableFieldObject = {};
  for (const [element, value] of sorted) out[serializeElement(element)] = value;
  if (includeSelf && sorted.length > 0) out["."] = {};
  return out;
}

function sortEntries(entries: Array<[PathElement, JsonValue]>): Array<[PathElement, JsonValue]> {
  return [...entries].sort((a, b) => compareElements(a[0], b[0]));
}

/** Parses FieldsV1; unknown element prefixes are dropped, as SMD does for forward compatibility. */
export function decodeFieldsV1(fields: JsonValue): FieldSet {
  if (!isJsonObject(fields)) throw new Error("FieldsV1 must be a JSON object");
  return decodeLevel(fields);
}

function decodeLevel(fields: JsonObject): FieldSet {
  const members: PathElement[] = [];
  const children: Array<{ element: PathElement; set: FieldSet }> = [];
  for (const [key, value] of Object.entries(fields)) {
    if (key === ".") continue;
    const element = parseElement(key);
    if (element === undefined) continue;
    const nested = isJsonObject(value) ? value : {};
    const keys = Object.keys(nested);
    // A key whose object is empty or holds "." is itself a member.
    if (keys.length === 0 || keys.includes(".")) members.push(element);
    const below = decodeLevel(nested);
    if (!below.isEmpty()) children.push({ element, set: below });
  }
  return FieldSet.fromParts(members, children);
}
