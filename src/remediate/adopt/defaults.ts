import type { DesiredObject } from "../../model/index.js";
import { defaultObject } from "../../kube/defaulting/index.js";
import { jsonEqual } from "../../kube/value/equal.js";
import type { JsonObject, JsonValue } from "../../kube/value/json.js";
import { isJsonObject } from "../../kube/value/json.js";
import { valueAtTokens } from "../../kube/value/pointer.js";
import { withoutEmptyEntries } from "../../engine/json.js";

/** The paths (in the value) of its object members at any depth, a member after those inside it. */
function members(value: JsonValue, prefix: readonly string[] = []): readonly (readonly string[])[] {
  if (Array.isArray(value))
    return (value as readonly JsonValue[]).flatMap((item, index) =>
      members(item, [...prefix, String(index)]),
    );
  if (!isJsonObject(value)) return [];
  return Object.entries(value).flatMap(([key, child]) => [
    ...members(child, [...prefix, key]),
    [...prefix, key],
  ]);
}

/** A copy of `root` less the member at `tokens` (the last token a key of an object). */
function withoutMember(root: JsonValue, tokens: readonly string[]): JsonValue {
  const copy = structuredClone(root);
  const parent = valueAtTokens(copy, tokens.slice(0, -1));
  if (isJsonObject(parent)) delete (parent as Record<string, JsonValue>)[tokens.at(-1) ?? ""];
  return copy;
}

/** Sets an own property, even for a key such as "__proto__": manifests may use any key. */
function setOwn(map: Record<string, JsonValue>, key: string, value: JsonValue): JsonValue {
  Object.defineProperty(map, key, { value, enumerable: true, writable: true, configurable: true });
  return value;
}

/**
 * One step down from `node` to `segment`: the child, made (as `made`) when missing; at the last
 * segment, `value` put there instead — a list item inserted at its index (one past the end appends).
 */
function stepInto(node: JsonValue, segment: string, made: JsonValue, value?: JsonValue): JsonValue {
  if (Array.isArray(node)) {
    const list = node as JsonValue[];
    const position = Math.min(Number(segment), list.length);
    if (value !== undefined) list.splice(position, 0, value);
    else list[position] ??= made;
    return list[position];
  }
  const map = node as Record<string, JsonValue>;
  if (value !== undefined) return setOwn(map, segment, value);
  return Object.hasOwn(map, segment) ? map[segment] : setOwn(map, segment, made);
}

/** A copy of `root` with `value` put at `segments`, missing parents made. */
function withValueAt(root: JsonObject, segments: readonly string[], value: JsonValue): JsonObject {
  const copy = structuredClone(root);
  let node: JsonValue = copy;
  segments.forEach((segment, index) => {
    const last = index === segments.length - 1;
    const made = /^\d+$/.test(segments[index + 1] ?? "") ? [] : {};
    node = stepInto(node, segment, made, last ? value : undefined);
  });
  return copy;
}

/**
 * An added value as it should be written into the desired object at `segments`: less the members
 * that kube-apiserver would default there to the same value (a container port's `protocol: TCP`,
 * a container's `imagePullPolicy` …) and the empty ones (rule 5). Rule 3 counts a default as no
 * drift, so the file states what was declared, not what the server filled in. List items and the
 * members that identify them stay: defaulting restores neither. Without a defaulter for the kind
 * (a custom resource), or when the object cannot be defaulted, the value is written as it is.
 */
export function withoutDefaults(
  object: DesiredObject,
  segments: readonly string[],
  value: JsonValue,
): JsonValue {
  const { group, version, kind } = object.ref;
  /** What the server would store there, given `candidate`; undefined when it cannot be defaulted. */
  const stored = (candidate: JsonValue): JsonValue | undefined => {
    try {
      const defaulted = defaultObject(
        { group, version, kind },
        withValueAt(object.object, segments, candidate),
      );
      return withoutEmptyEntries(valueAtTokens(defaulted, segments) ?? null);
    } catch {
      return undefined;
    }
  };
  const placed = valueAtTokens(withValueAt(object.object, segments, value), segments);
  const meaning = stored(value);
  if (meaning === undefined || !jsonEqual(placed, value)) return value;
  let written = value;
  for (const member of members(value)) {
    const candidate = withoutMember(written, member);
    if (jsonEqual(stored(candidate), meaning)) written = candidate;
  }
  return written;
}
