import type { Schema, SchemaType } from "../schema/types.js";
import type { JsonObject, JsonValue } from "../value/json.js";
import { asList, isJsonObject } from "../value/json.js";
import type { Path, PathElement } from "./element.js";
import { displayPath, keyElement, serializeElement, valueElement } from "./element.js";
import { FieldSet, FieldSetBuilder } from "./set.js";
import { jsonEqual } from "../value/equal.js";

/** An object does not fit its schema where SMD needs it to (a keyed item without its key …). */
export class TypedValueError extends Error {
  constructor(path: Path, message: string) {
    super(path.length === 0 ? message : `${displayPath(path)}: ${message}`);
    this.name = "TypedValueError";
  }
}

const untyped: SchemaType = { kind: "untyped" };

/** How SMD treats a node: a leaf, a map (struct or map), or a list. */
export type Atom =
  | { readonly kind: "scalar" }
  | {
      readonly kind: "map";
      readonly atomic: boolean;
      readonly fields: Readonly<Record<string, SchemaType>>;
      readonly elementType: SchemaType;
    }
  | {
      readonly kind: "list";
      readonly listType: "atomic" | "set" | "map";
      readonly keys: readonly string[];
      readonly items: SchemaType;
    };

const scalarAtom: Atom = { kind: "scalar" };
const noFields: Readonly<Record<string, SchemaType>> = Object.freeze({});

function deducedAtom(value: JsonValue | undefined): Atom {
  // SMD's "deduced" type: lists are atomic, maps are granular.
  if (Array.isArray(value)) return { kind: "list", listType: "atomic", keys: [], items: untyped };
  if (isJsonObject(value)) return { kind: "map", atomic: false, fields: noFields, elementType: untyped };
  return scalarAtom;
}

function isNullish(value: JsonValue | undefined): boolean {
  return value === undefined || value === null;
}

function objectAtom(
  atomic: boolean | undefined,
  fields: Readonly<Record<string, SchemaType>>,
  elementType: SchemaType,
  value: JsonValue | undefined,
): Atom {
  if (!isNullish(value) && !isJsonObject(value)) return scalarAtom;
  return { kind: "map", atomic: atomic === true, fields, elementType };
}

/** The atom of `type`, falling back to a leaf when the value's shape contradicts the schema. */
export function atomOf(schema: Schema, type: SchemaType, value: JsonValue | undefined): Atom {
  const resolved = schema.resolve(type);
  switch (resolved.kind) {
    case "scalar":
      return scalarAtom;
    case "untyped":
      return deducedAtom(value);
    case "struct":
      return objectAtom(resolved.atomic, resolved.fields, untyped, value);
    case "map":
      return objectAtom(resolved.atomic, noFields, resolved.values, value);
    case "list":
      if (!isNullish(value) && !Array.isArray(value)) return scalarAtom;
      return {
        kind: "list",
        listType: resolved.listType,
        keys: resolved.mapKeys ?? [],
        items: resolved.items,
      };
  }
}

type MapAtom = Extract<Atom, { kind: "map" }>;
export type ListAtom = Extract<Atom, { kind: "list" }>;

export function isDeclaredField(atom: MapAtom, name: string): boolean {
  return Object.hasOwn(atom.fields, name);
}

export function childType(atom: MapAtom, name: string): SchemaType {
  return isDeclaredField(atom, name) ? atom.fields[name] : atom.elementType;
}

function keyDefault(schema: Schema, atom: ListAtom, name: string): JsonValue | undefined {
  const item = schema.resolve(atom.items);
  if (item.kind !== "struct" || !Object.hasOwn(item.fields, name)) return undefined;
  const field = schema.resolve(item.fields[name]);
  return field.kind === "scalar" && field.default !== undefined ? (field.default as JsonValue) : undefined;
}

/** The element naming item `index` of a granular list (SMD listItemToPathElement). */
export function listItemElement(schema: Schema, atom: ListAtom, item: JsonValue, at: Path): PathElement {
  if (atom.listType === "set") {
    if (isJsonObject(item) || Array.isArray(item)) {
      throw new TypedValueError(at, "associative list without keys has an element that's a map or list type");
    }
    return valueElement(item);
  }
  if (!isJsonObject(item)) {
    throw new TypedValueError(
      at,
      item === null
        ? "associative list with keys may not have a null element"
        : "associative list with keys may not have non-map elements",
    );
  }
  const fields = atom.keys.map((name) => {
    // Key fields with an OpenAPI default (Service/container port `protocol`) take it for identity.
    const value = Object.hasOwn(item, name) ? item[name] : keyDefault(schema, atom, name);
    if (value === undefined) {
      throw new TypedValueError(
        at,
        `associative list with keys has an element that omits key field "${name}" (and doesn't have default value)`,
      );
    }
    return { name, value };
  });
  return keyElement(fields);
}

/** Items of a granular list keyed by element; the first of duplicate items wins, as SMD's AllowDuplicates. */
export function indexListItems(
  schema: Schema,
  atom: ListAtom,
  list: readonly JsonValue[],
  at: Path,
): ReadonlyMap<string, { readonly element: PathElement; readonly item: JsonValue }> {
  const out = new Map<string, { element: PathElement; item: JsonValue }>();
  list.forEach((item, index) => {
    const element = listItemElement(schema, atom, item, [...at, { kind: "index", index }]);
    const key = serializeElement(element);
    if (!out.has(key)) out.set(key, { element, item });
  });
  return out;
}

/** Throws SMD's duplicate-entries error for an applied configuration. */
export function assertNoDuplicates(
  schema: Schema,
  atom: ListAtom,
  list: readonly JsonValue[],
  at: Path,
): void {
  const seen = new Set<string>();
  list.forEach((item, index) => {
    const element = listItemElement(schema, atom, item, [...at, { kind: "index", index }]);
    const key = serializeElement(element);
    if (seen.has(key)) throw new TypedValueError(at, `duplicate entries for key ${displayPath([element])}`);
    seen.add(key);
  });
}

export interface FieldSetOptions {
  /** Reject duplicate list-map keys (applied configurations); live objects tolerate them. */
  readonly rejectDuplicates?: boolean;
}

/**
 * The fields an object sets (SMD `ToFieldSet`): scalars, list items, map entries, atomic
 * nodes, and struct fields whose value is null or an empty object — the ownership an
 * applied configuration claims.
 */
export function fieldSetOfObject(
  schema: Schema,
  type: SchemaType,
  object: JsonValue,
  options: FieldSetOptions = {},
): FieldSet {
  const builder = new FieldSetBuilder();
  collectFields({ schema, builder, options }, type, object, []);
  return builder.build();
}

interface CollectContext {
  readonly schema: Schema;
  readonly builder: FieldSetBuilder;
  readonly options: FieldSetOptions;
}

function collectFields(context: CollectContext, type: SchemaType, value: JsonValue, path: Path): void {
  const atom = atomOf(context.schema, type, value);
  if (
    atom.kind === "scalar" ||
    (atom.kind === "map" && atom.atomic) ||
    (atom.kind === "list" && atom.listType === "atomic")
  ) {
    context.builder.insert(path);
    return;
  }
  if (atom.kind === "list") collectListItems(context, atom, value, path);
  else collectMapEntries(context, atom, value, path);
}

function collectListItems(context: CollectContext, atom: ListAtom, value: JsonValue, path: Path): void {
  if (!Array.isArray(value)) return;
  const list = value as readonly JsonValue[];
  if (context.options.rejectDuplicates === true) assertNoDuplicates(context.schema, atom, list, path);
  list.forEach((item, index) => {
    const element = listItemElement(context.schema, atom, item, [...path, { kind: "index", index }]);
    const itemPath = [...path, element];
    collectFields(context, atom.items, item, itemPath);
    context.builder.insert(itemPath);
  });
}

function collectMapEntries(context: CollectContext, atom: MapAtom, value: JsonValue, path: Path): void {
  if (!isJsonObject(value)) return;
  for (const [name, child] of Object.entries(value)) {
    const childPath: Path = [...path, { kind: "field", name }];
    collectFields(context, childType(atom, name), child, childPath);
    const emptyOrNull = child === null || (isJsonObject(child) && Object.keys(child).length === 0);
    if (emptyOrNull || !isDeclaredField(atom, name)) context.builder.insert(childPath);
  }
}

/** SMD `Comparison`: what changed from one object to another, field by field. */
export interface Comparison {
  readonly added: FieldSet;
  readonly modified: FieldSet;
  readonly removed: FieldSet;
}

interface CompareContext {
  readonly schema: Schema;
  readonly added: FieldSetBuilder;
  readonly modified: FieldSetBuilder;
  readonly removed: FieldSetBuilder;
}

/** `undefined` means absent (a missing key), which SMD distinguishes from an explicit null. */
export function compareObjects(
  schema: Schema,
  type: SchemaType,
  lhs: JsonValue | undefined,
  rhs: JsonValue | undefined,
): Comparison {
  const context: CompareContext = {
    schema,
    added: new FieldSetBuilder(),
    modified: new FieldSetBuilder(),
    removed: new FieldSetBuilder(),
  };
  compareNode(context, type, { lhs, rhs }, []);
  return {
    added: context.added.build(),
    modified: context.modified.build(),
    removed: context.removed.build(),
  };
}

interface Pair {
  readonly lhs: JsonValue | undefined;
  readonly rhs: JsonValue | undefined;
}

function compareLeaf(context: CompareContext, pair: Pair, path: Path): void {
  if (pair.lhs === undefined) context.added.insert(path);
  else if (pair.rhs === undefined) context.removed.insert(path);
  else if (!jsonEqual(pair.lhs, pair.rhs)) context.modified.insert(path);
}

function sameShape(atom: Atom, other: Atom): boolean {
  return atom.kind === other.kind;
}

function compareNode(context: CompareContext, type: SchemaType, pair: Pair, path: Path): void {
  const atom = atomOf(context.schema, type, pair.rhs ?? pair.lhs);
  const lhsAtom = atomOf(context.schema, type, pair.lhs);
  if (pair.lhs !== undefined && pair.rhs !== undefined && !sameShape(atom, lhsAtom)) {
    compareLeaf(context, pair, path);
    return;
  }
  const descended =
    atom.kind === "list"
      ? compareList(context, atom, pair, path)
      : atom.kind === "map"
        ? compareMap(context, atom, pair, path)
        : false;
  if (!descended) {
    compareLeaf(context, pair, path);
    return;
  }
  if (pair.lhs === undefined) context.added.insert(path);
  else if (pair.rhs === undefined) context.removed.insert(path);
}

function asMap(value: JsonValue | undefined): JsonObject | undefined {
  return isJsonObject(value) ? value : undefined;
}

/** Returns false when the list is a leaf (atomic, or empty on both sides). */
function compareList(context: CompareContext, atom: ListAtom, pair: Pair, path: Path): boolean {
  const lhs = asList(pair.lhs) ?? [];
  const rhs = asList(pair.rhs) ?? [];
  if (atom.listType === "atomic" || (lhs.length === 0 && rhs.length === 0)) return false;
  const left = indexListItems(context.schema, atom, lhs, path);
  const right = indexListItems(context.schema, atom, rhs, path);
  const keys = new Set([...left.keys(), ...right.keys()]);
  for (const key of keys) {
    const element = (right.get(key) ?? left.get(key))!.element;
    compareNode(context, atom.items, { lhs: left.get(key)?.item, rhs: right.get(key)?.item }, [
      ...path,
      element,
    ]);
  }
  return true;
}

function compareMap(context: CompareContext, atom: MapAtom, pair: Pair, path: Path): boolean {
  const lhs = asMap(pair.lhs) ?? {};
  const rhs = asMap(pair.rhs) ?? {};
  const lhsEmpty = Object.keys(lhs).length === 0;
  const rhsEmpty = Object.keys(rhs).length === 0;
  if (atom.atomic || (lhsEmpty && rhsEmpty)) return false;
  const names = new Set([...Object.keys(lhs), ...Object.keys(rhs)]);
  for (const name of names) {
    const pairBelow = {
      lhs: Object.hasOwn(lhs, name) ? lhs[name] : undefined,
      rhs: Object.hasOwn(rhs, name) ? rhs[name] : undefined,
    };
    compareNode(context, childType(atom, name), pairBelow, [...path, { kind: "field", name }]);
  }
  return true;
}

/**
 * SMD `EnsureNamedFieldsAreMembers`: adds, as members, the struct fields that only have
 * children in `set`, so that removing the set removes those structs as a whole.
 */
export function ensureNamedFieldsAreMembers(schema: Schema, type: SchemaType, set: FieldSet): FieldSet {
  const atom = atomOf(schema, type, undefined);
  const members = [...set.memberElements()];
  const children = set.childEntries().map((child) => {
    const element = child.element;
    if (atom.kind === "map" && element.kind === "field") {
      if (isDeclaredField(atom, element.name)) members.push(element);
      return { element, set: ensureNamedFieldsAreMembers(schema, childType(atom, element.name), child.set) };
    }
    if (atom.kind === "list" && element.kind === "key") {
      return { element, set: ensureNamedFieldsAreMembers(schema, atom.items, child.set) };
    }
    return { element, set: child.set };
  });
  return FieldSet.fromParts(members, children);
}
