import type { PathElement } from "../kube/fieldpath/index.js";
import { fieldElement, indexElement, serializeElement, valueElement } from "../kube/fieldpath/index.js";
import type { ListAtom } from "../kube/fieldpath/typed.js";
import { listItemElement } from "../kube/fieldpath/typed.js";
import type { ListType, ScalarKind, SchemaType } from "../kube/schema/types.js";
import { ScalarKinds } from "../kube/schema/types.js";
import { asList, isJsonObject } from "../kube/value/json.js";
import { childOf, isEmptyValue } from "./json.js";
import { withoutKeys } from "./normalize.js";
import type { TypeResolver } from "../kube/schema/resolver.js";
import { scalarsEqual } from "./scalars.js";
import type { Trail } from "./trail.js";
import { livePointerOf, stepInto, stepToItem } from "./trail.js";
import type { JsonValue } from "../kube/value/json.js";
import { jsonEqual } from "../kube/value/equal.js";
import { escapePointerToken } from "../kube/value/pointer.js";

/** A field the desired object sets that the live object lacks or holds differently. */
export interface FieldDrift {
  readonly type: "Changed" | "Removed";
  readonly at: Trail | undefined;
  /** Where the field is live, when it is inside an item whose key changed. */
  readonly livePath?: string;
  readonly desired: JsonValue;
  readonly live?: JsonValue;
  /** The closest atomic ancestor: whoever owns it replaced it as a whole, so a Removed field is theirs. */
  readonly atomicAncestor?: Trail | undefined;
}

const untyped: SchemaType = { kind: "untyped" };

/** A keyed list item of the desired object that the live object holds under another key. */
export interface RenamedItem {
  readonly at: Trail;
  /** The live item: its key fields are the ones the object has now. */
  readonly live: JsonValue;
  readonly keys: readonly string[];
}

interface Walk {
  readonly resolver: TypeResolver;
  readonly found: FieldDrift[];
  readonly renamed: RenamedItem[];
}

interface Pair {
  readonly desired: JsonValue;
  readonly live: JsonValue | undefined;
}

interface Position {
  readonly at: Trail | undefined;
  readonly atomicAncestor: Trail | undefined;
}

function report(walk: Walk, pair: Pair, position: Position): void {
  const absent = pair.live === undefined || pair.live === null;
  const livePath = livePointerOf(position.at);
  walk.found.push({
    type: absent ? "Removed" : "Changed",
    at: position.at,
    ...(livePath === undefined ? {} : { livePath }),
    desired: pair.desired,
    ...(absent ? {} : { live: pair.live }),
    ...(absent && position.atomicAncestor !== undefined ? { atomicAncestor: position.atomicAncestor } : {}),
  });
}

function below(position: Position, token: string, element: PathElement): Position {
  return { at: stepInto(position.at, token, element), atomicAncestor: position.atomicAncestor };
}

export interface FieldComparison {
  readonly drifts: readonly FieldDrift[];
  readonly renamed: readonly RenamedItem[];
}

/** Compares what `desired` sets against `live`, along `type`; everything desired leaves out is skipped (rule 3). */
export function compareFields(
  resolver: TypeResolver,
  type: SchemaType,
  pair: Pair,
  at: Trail | undefined,
): FieldComparison {
  const walk: Walk = { resolver, found: [], renamed: [] };
  walkValue(walk, type, pair, { at, atomicAncestor: undefined });
  return { drifts: walk.found, renamed: walk.renamed };
}

export function diffFields(
  resolver: TypeResolver,
  type: SchemaType,
  pair: Pair,
  at: Trail | undefined,
): readonly FieldDrift[] {
  return compareFields(resolver, type, pair, at).drifts;
}

/**
 * Rule 5: empty bytes do not survive storage (protobuf in etcd), so a Secret `data` or ConfigMap
 * `binaryData` value written as `""` reads back from kube-apiserver as `null`. A missing key is still drift.
 */
function isEmptyBytes(kind: ScalarKind, pair: Pair): boolean {
  return kind === ScalarKinds.bytes && pair.desired === "" && pair.live === null;
}

function scalarMatches(kind: ScalarKind, pair: Pair): boolean {
  if (isEmptyBytes(kind, pair)) return true;
  return pair.live !== undefined && pair.live !== null && scalarsEqual(kind, pair.desired, pair.live);
}

function atomicIf(atomic: boolean | undefined, position: Position): Position {
  return atomic === true ? { at: position.at, atomicAncestor: position.at } : position;
}

function walkValue(walk: Walk, type: SchemaType, pair: Pair, position: Position): void {
  if (isEmptyValue(pair.desired)) return;
  const resolved = walk.resolver.resolve(type);
  switch (resolved.kind) {
    case "scalar":
      if (!scalarMatches(resolved.scalar, pair)) report(walk, pair, position);
      return;
    case "struct": {
      const fields = resolved.fields;
      const typeOf = (key: string): SchemaType => (Object.hasOwn(fields, key) ? fields[key] : untyped);
      walkObject(walk, typeOf, pair, atomicIf(resolved.atomic, position));
      return;
    }
    case "map":
      walkObject(walk, () => resolved.values, pair, atomicIf(resolved.atomic, position));
      return;
    case "list":
      walkList(walk, resolved, pair, position);
      return;
    case "untyped":
      walkUntyped(walk, pair, position);
  }
}

function walkUntyped(walk: Walk, pair: Pair, position: Position): void {
  // structured-merge-diff's deduced type: maps granular, lists atomic, scalars as they are.
  if (isJsonObject(pair.desired)) walkObject(walk, () => untyped, pair, position);
  else if (Array.isArray(pair.desired)) walkAtomicList(walk, untyped, pair, position);
  else if (!jsonEqual(pair.desired, pair.live)) report(walk, pair, position);
}

function walkObject(walk: Walk, typeOf: (key: string) => SchemaType, pair: Pair, position: Position): void {
  const desired = pair.desired;
  const live = pair.live;
  if (!isJsonObject(desired) || !isJsonObject(live)) {
    if (!jsonEqual(desired, live)) report(walk, pair, position);
    return;
  }
  for (const key of Object.keys(desired)) {
    walkValue(
      walk,
      typeOf(key),
      { desired: desired[key], live: childOf(live, key) },
      below(position, escapePointerToken(key), fieldElement(key)),
    );
  }
}

function walkList(walk: Walk, type: ListType, pair: Pair, position: Position): void {
  if (asList(pair.desired) === undefined || asList(pair.live) === undefined) {
    if (!jsonEqual(pair.desired, pair.live)) report(walk, pair, position);
    return;
  }
  if (type.listType === "set") {
    walkSetList(walk, type.items, pair, position);
    return;
  }
  const keys = listKeys(type);
  const keyed =
    keys.length > 0 &&
    walkKeyedList(walk, { kind: "list", listType: "map", keys, items: type.items }, pair, position);
  if (!keyed) walkAtomicList(walk, type.items, pair, position);
}

/**
 * Map keys, else the strategic-merge key: a list SSA treats as atomic but kubectl merges by key
 * is still compared by meaning (its ownership stays atomic, see attribution).
 */
function listKeys(type: ListType): readonly string[] {
  if (type.listType === "map" && type.mapKeys !== undefined) return type.mapKeys;
  return type.patchMergeKey === undefined ? [] : [type.patchMergeKey];
}

/** Atomic lists are equal item by item, in order; each item only as far as desired sets it. */
function walkAtomicList(walk: Walk, items: SchemaType, pair: Pair, position: Position): void {
  const desired = asList(pair.desired) ?? [];
  const live = asList(pair.live) ?? [];
  const equal =
    desired.length === live.length &&
    desired.every(
      (item, index) =>
        diffFields(walk.resolver, items, { desired: item, live: live[index] }, undefined).length === 0,
    );
  if (!equal) report(walk, pair, position);
}

function walkSetList(walk: Walk, items: SchemaType, pair: Pair, position: Position): void {
  const live = asList(pair.live) ?? [];
  (asList(pair.desired) ?? []).forEach((item, index) => {
    const present = live.some(
      (candidate) =>
        diffFields(walk.resolver, items, { desired: item, live: candidate }, undefined).length === 0,
    );
    if (!present)
      report(walk, { desired: item, live: undefined }, below(position, String(index), valueElement(item)));
  });
}

function keyOf(walk: Walk, atom: ListAtom, item: JsonValue): PathElement | undefined {
  try {
    return listItemElement(walk.resolver.schema, atom, item, []);
  } catch {
    return undefined;
  }
}

interface LiveItem {
  readonly item: JsonValue;
  readonly index: number;
  readonly element: PathElement;
}

/** Live items by key; the first of duplicates wins, as the server keeps it. */
function liveItemsByKey(walk: Walk, atom: ListAtom, list: readonly JsonValue[]): Map<string, LiveItem> {
  const byKey = new Map<string, LiveItem>();
  list.forEach((item, index) => {
    const element = keyOf(walk, atom, item);
    const key = element === undefined ? undefined : serializeElement(element);
    if (element !== undefined && key !== undefined && !byKey.has(key))
      byKey.set(key, { item, index, element });
  });
  return byKey;
}

/**
 * Rule 5: the live item that is this desired item under another key — `kubectl edit` of a Service
 * port from 80 to 8080 keeps the port's name; an env var renamed in place keeps its position and
 * value. An item with a name (that is not its key) is paired by name only; one without, by
 * position, when all but its key fields match.
 */
function renamedPartner(
  walk: Walk,
  atom: ListAtom,
  desired: { item: JsonValue; index: number },
  candidates: readonly LiveItem[],
): LiveItem | undefined {
  const name =
    isJsonObject(desired.item) && !atom.keys.includes("name") ? childOf(desired.item, "name") : undefined;
  if (typeof name === "string")
    return candidates.find(
      (candidate) => isJsonObject(candidate.item) && childOf(candidate.item, "name") === name,
    );
  const atPosition = candidates.find((candidate) => candidate.index === desired.index);
  if (atPosition === undefined) return undefined;
  const others = isJsonObject(desired.item)
    ? withoutKeys(desired.item, (name) => atom.keys.includes(name))
    : desired.item;
  const rest = { desired: others, live: atPosition.item };
  return diffFields(walk.resolver, atom.items, rest, undefined).length === 0 ? atPosition : undefined;
}

/** Desired items without a live item of their key, paired with the live items no desired key names. */
function renamedPartners(
  walk: Walk,
  atom: ListAtom,
  desired: readonly { readonly item: JsonValue; readonly key: string }[],
  live: ReadonlyMap<string, LiveItem>,
): ReadonlyMap<number, LiveItem> {
  const declared = new Set(desired.map((entry) => entry.key));
  let candidates = [...live].filter(([key]) => !declared.has(key)).map(([, item]) => item);
  const partners = new Map<number, LiveItem>();
  desired.forEach((entry, index) => {
    if (candidates.length === 0 || live.has(entry.key)) return;
    const partner = renamedPartner(walk, atom, { item: entry.item, index }, candidates);
    if (partner === undefined) return;
    partners.set(index, partner);
    candidates = candidates.filter((candidate) => candidate !== partner);
  });
  return partners;
}

/** Keyed lists match items by key (containers by name, ports by containerPort+protocol); false when desired has items without keys. */
function walkKeyedList(walk: Walk, atom: ListAtom, pair: Pair, position: Position): boolean {
  const desired = asList(pair.desired) ?? [];
  const elements = desired.map((item) => keyOf(walk, atom, item));
  if (elements.some((element) => element === undefined)) return false;
  const keyed = desired.map((item, index) => ({
    item,
    key: serializeElement(elements[index] ?? indexElement(index)),
  }));
  const live = liveItemsByKey(walk, atom, asList(pair.live) ?? []);
  const partners = renamedPartners(walk, atom, keyed, live);
  keyed.forEach(({ item, key }, index) => {
    const element = elements[index] ?? indexElement(index);
    const match = live.get(key);
    const partner = match === undefined ? partners.get(index) : undefined;
    const found = match ?? partner;
    const itemPosition =
      found === undefined
        ? below(position, String(index), element)
        : {
            at: stepToItem(position.at, String(index), partner === undefined ? element : partner.element, {
              liveToken: String(found.index),
              renamed: partner !== undefined,
            }),
            atomicAncestor: position.atomicAncestor,
          };
    if (partner !== undefined && itemPosition.at !== undefined)
      walk.renamed.push({ at: itemPosition.at, live: partner.item, keys: atom.keys });
    walkValue(walk, atom.items, { desired: item, live: found?.item }, itemPosition);
  });
  return true;
}
