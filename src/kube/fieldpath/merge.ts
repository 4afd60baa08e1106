import type { Schema, SchemaType } from "../schema/types.js";
import type { JsonObject, JsonValue } from "../value/json.js";
import { isJsonObject } from "../value/json.js";
import type { Path, PathElement } from "./element.js";
import { serializeElement } from "./element.js";
import type { FieldSet } from "./set.js";
import type { Atom, ListAtom } from "./typed.js";
import { atomOf, childType, indexListItems, listItemElement } from "./typed.js";

type MapAtom = Extract<Atom, { kind: "map" }>;

/**
 * SMD `TypedValue.Merge` with the applied configuration on the right: the configuration's
 * leaves win, atomic lists and maps are replaced whole, granular maps merge by key, set
 * lists by value and map lists by key fields. Nothing is removed here.
 */
export function mergeObjects(
  schema: Schema,
  type: SchemaType,
  live: JsonValue | undefined,
  config: JsonValue | undefined,
): JsonValue | undefined {
  if (config === undefined) return live;
  if (live === undefined) return config;
  const atom = atomOf(schema, type, config);
  if (atom.kind !== atomOf(schema, type, live).kind) return config;
  if (atom.kind === "map") return mergeMaps(schema, atom, live, config);
  if (atom.kind === "list") return mergeLists(schema, atom, live, config);
  return config;
}

function mergeMaps(schema: Schema, atom: MapAtom, live: JsonValue, config: JsonValue): JsonValue {
  const lhs = isJsonObject(live) ? live : {};
  const rhs = isJsonObject(config) ? config : {};
  const bothEmpty = Object.keys(lhs).length === 0 && Object.keys(rhs).length === 0;
  if (atom.atomic || bothEmpty) return config;
  return mergeMapEntries(schema, atom, lhs, rhs);
}

function mergeMapEntries(schema: Schema, atom: MapAtom, lhs: JsonObject, rhs: JsonObject): JsonValue {
  const out: Record<string, JsonValue> = {};
  for (const [name, value] of Object.entries(lhs)) {
    out[name] = Object.hasOwn(rhs, name)
      ? (mergeObjects(schema, childType(atom, name), value, rhs[name]) ?? null)
      : value;
  }
  for (const [name, value] of Object.entries(rhs)) {
    if (!Object.hasOwn(lhs, name)) out[name] = value;
  }
  return out;
}

function mergeLists(schema: Schema, atom: ListAtom, live: JsonValue, config: JsonValue): JsonValue {
  const lhs = Array.isArray(live) ? (live as readonly JsonValue[]) : [];
  const rhs = Array.isArray(config) ? (config as readonly JsonValue[]) : [];
  if (atom.listType === "atomic" || (lhs.length === 0 && rhs.length === 0)) return config;
  const left = indexListItems(schema, atom, lhs, []);
  const right = indexListItems(schema, atom, rhs, []);
  const merged = mergedOrder([...left.keys()], [...right.keys()]);
  return merged.map((key) => {
    const l = left.get(key)?.item;
    const r = right.get(key)?.item;
    return mergeObjects(schema, atom.items, l, r) ?? null;
  });
}

/**
 * SMD's item order for a merged list: the configuration's items keep their relative order,
 * live-only items stay where they were relative to the shared items they precede.
 */
function mergedOrder(lhsOrder: readonly string[], rhsOrder: readonly string[]): string[] {
  const state: OrderState = {
    lhs: lhsOrder,
    rhs: rhsOrder,
    inRight: new Set(rhsOrder),
    shared: rhsOrder.filter((key) => lhsOrder.includes(key)),
    l: 0,
    r: 0,
    out: [],
  };
  state.nextShared = state.shared.shift();
  while (state.l < lhsOrder.length || state.r < rhsOrder.length) orderStep(state);
  return state.out;
}

interface OrderState {
  readonly lhs: readonly string[];
  readonly rhs: readonly string[];
  readonly inRight: ReadonlySet<string>;
  readonly shared: string[];
  nextShared?: string | undefined;
  l: number;
  r: number;
  readonly out: string[];
}

type OrderAction = "both" | "skipLeft" | "takeLeft" | "takeRight";

function currentItems(state: OrderState): { left: string | undefined; right: string | undefined } {
  return {
    left: state.l < state.lhs.length ? state.lhs[state.l] : undefined,
    right: state.r < state.rhs.length ? state.rhs[state.r] : undefined,
  };
}

function orderAction(state: OrderState): OrderAction {
  const { left, right } = currentItems(state);
  if (left === undefined) return "takeRight";
  if (left === right) return "both";
  if (!state.inRight.has(left)) return "takeLeft";
  // A shared item waits for its turn; once the right side is exhausted it was already taken.
  if (right === undefined) return "skipLeft";
  return state.nextShared !== undefined && state.nextShared !== left ? "skipLeft" : "takeRight";
}

/** One step of SMD's list walk; consumes at least one item. */
function orderStep(state: OrderState): void {
  const { left, right } = currentItems(state);
  switch (orderAction(state)) {
    case "both":
      state.out.push(left!);
      state.l++;
      state.r++;
      state.nextShared = state.shared.shift();
      return;
    case "skipLeft":
      state.l++;
      return;
    case "takeLeft":
      state.out.push(left!);
      state.l++;
      return;
    case "takeRight":
      state.out.push(right!);
      state.r++;
      if (state.nextShared === right) state.nextShared = state.shared.shift();
      return;
  }
}

/**
 * SMD `RemoveItems`: drops the map entries and list items that are members of `toRemove`
 * (and recurses into its children). A list or map emptied this way disappears, as it does
 * for built-in kinds once the object round-trips through its `omitempty` Go type.
 */
export function removeItems(
  schema: Schema,
  type: SchemaType,
  value: JsonValue,
  toRemove: FieldSet,
): JsonValue {
  const kept = removeBelow(schema, type, value, toRemove);
  if (kept !== undefined) return kept;
  return Array.isArray(value) ? [] : {};
}

function removeBelow(
  schema: Schema,
  type: SchemaType,
  value: JsonValue,
  toRemove: FieldSet,
): JsonValue | undefined {
  if (toRemove.isEmpty()) return value;
  const atom = atomOf(schema, type, value);
  if (atom.kind === "list" && atom.listType !== "atomic" && Array.isArray(value))
    return removeFromList(schema, atom, value as readonly JsonValue[], toRemove);
  if (atom.kind === "map" && !atom.atomic && isJsonObject(value))
    return removeFromMap(schema, atom, value, toRemove);
  return value;
}

function removeFromList(
  schema: Schema,
  atom: ListAtom,
  list: readonly JsonValue[],
  toRemove: FieldSet,
): JsonValue | undefined {
  if (list.length === 0) return list;
  const kept: JsonValue[] = [];
  list.forEach((item, index) => {
    const element: PathElement = listItemElement(schema, atom, item, [{ kind: "index", index }]);
    if (toRemove.hasMember(element)) return;
    const below = removeBelow(schema, atom.items, item, toRemove.withPrefix(element));
    kept.push(below ?? null);
  });
  return kept.length === 0 ? undefined : kept;
}

function removeFromMap(
  schema: Schema,
  atom: MapAtom,
  map: JsonObject,
  toRemove: FieldSet,
): JsonValue | undefined {
  const entries = Object.entries(map);
  if (entries.length === 0) return map;
  const out: Record<string, JsonValue> = {};
  for (const [name, child] of entries) {
    const element: PathElement = { kind: "field", name };
    if (toRemove.hasMember(element)) continue;
    const below = removeBelow(schema, childType(atom, name), child, toRemove.withPrefix(element));
    if (below !== undefined) out[name] = below;
  }
  return Object.keys(out).length === 0 ? undefined : out;
}

interface Located {
  readonly node: JsonValue | undefined;
  readonly type: SchemaType;
}

function stepInto(schema: Schema, at: Located, element: PathElement): Located {
  const node = at.node;
  if (node === undefined) return at;
  const atom = atomOf(schema, at.type, node);
  if (element.kind === "field" && atom.kind === "map" && isJsonObject(node)) {
    return {
      node: Object.hasOwn(node, element.name) ? node[element.name] : undefined,
      type: childType(atom, element.name),
    };
  }
  if (atom.kind === "list" && Array.isArray(node)) {
    const list = node as readonly JsonValue[];
    const item =
      element.kind === "index"
        ? list[element.index]
        : indexListItems(schema, atom, list, []).get(serializeElement(element))?.item;
    return { node: item, type: atom.items };
  }
  return { node: undefined, type: at.type };
}

/** Reads the value at `path` (list items by key, value or index); undefined when absent. */
export function valueAtPath(
  schema: Schema,
  type: SchemaType,
  value: JsonValue | undefined,
  path: Path,
): JsonValue | undefined {
  let at: Located = { node: value, type };
  for (const element of path) at = stepInto(schema, at, element);
  return at.node;
}
