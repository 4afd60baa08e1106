import type { Path } from "../kube/fieldpath/index.js";
import { displayPath, fieldElement, keyElement, valueElement } from "../kube/fieldpath/index.js";
import type { Schema, SchemaType } from "../kube/schema/types.js";
import type { JsonObject, JsonValue, KubeObject } from "../kube/value/json.js";
import { isJsonObject } from "../kube/value/json.js";
import { pointerTokens } from "../kube/value/pointer.js";
import type { ObjectRef } from "../kube/object.js";
import { metadataOf } from "../kube/object.js";

type Resolved = Exclude<SchemaType, { kind: "ref" }>;

const untyped: Resolved = { kind: "untyped" };

/** Which parts of the desired object go into the body: whole subtrees, or some fields or list items of one. */
class Selection {
  whole = false;
  readonly fields = new Map<string, Selection>();
  readonly items = new Map<number, Selection>();

  field(name: string): Selection {
    let child = this.fields.get(name);
    if (child === undefined) {
      child = new Selection();
      this.fields.set(name, child);
    }
    return child;
  }

  item(index: number): Selection {
    let child = this.items.get(index);
    if (child === undefined) {
      child = new Selection();
      this.items.set(index, child);
    }
    return child;
  }
}

function materialize(selection: Selection, value: JsonValue): JsonValue {
  if (selection.whole) return value;
  if (Array.isArray(value)) {
    const list = value as readonly JsonValue[];
    return [...selection.items.keys()]
      .sort((a, b) => a - b)
      .flatMap((index) => {
        const item = list[index];
        const child = selection.items.get(index);
        return item === undefined || child === undefined ? [] : [materialize(child, item)];
      });
  }
  if (!isJsonObject(value)) return value;
  const result: Record<string, JsonValue> = {};
  for (const [key, item] of Object.entries(value)) {
    const child = selection.fields.get(key);
    if (child !== undefined) result[key] = materialize(child, item);
  }
  return result;
}

interface Cursor {
  selection: Selection;
  value: JsonValue;
  type: Resolved;
  readonly path: PathElementList;
}

type PathElementList = Path[number][];

function childType(schema: Schema, type: Resolved, key: string): Resolved {
  if (type.kind === "struct") {
    const field = type.fields[key];
    return field === undefined ? untyped : schema.resolve(field);
  }
  if (type.kind === "map") return schema.resolve(type.values);
  return untyped;
}

/**
 * One step into a list item. SSA merges `map` lists by key (the item's keys travel with it),
 * `set` lists by value (the item is whole); any other list is atomic (the whole list is sent).
 * Returns false when the walk stops here.
 */
function stepIntoList(schema: Schema, cursor: Cursor, token: string): boolean {
  const list = cursor.value as readonly JsonValue[];
  const index = Number(token);
  const item = Number.isInteger(index) ? list[index] : undefined;
  const type = cursor.type;
  if (item === undefined || type.kind !== "list" || type.listType === "atomic") return false;
  if (type.listType === "set") {
    cursor.selection.item(index).whole = true;
    cursor.path.push(valueElement(item));
    cursor.selection = new Selection();
    cursor.value = item;
    return false;
  }
  return stepIntoKeyedItem(schema, cursor, { index, item, type });
}

function stepIntoKeyedItem(
  schema: Schema,
  cursor: Cursor,
  at: {
    readonly index: number;
    readonly item: JsonValue;
    readonly type: Extract<Resolved, { kind: "list" }>;
  },
): boolean {
  const { index, item, type } = at;
  const keys = type.mapKeys ?? [];
  if (!isJsonObject(item) || keys.length === 0) return false;
  const selected = cursor.selection.item(index);
  for (const key of keys) if (item[key] !== undefined) selected.field(key).whole = true;
  cursor.path.push(keyElement(keys.map((key) => ({ name: key, value: item[key] ?? null }))));
  cursor.selection = selected;
  cursor.value = item;
  cursor.type = schema.resolve(type.items);
  return true;
}

function stepIntoObject(schema: Schema, cursor: Cursor, token: string): boolean {
  const object = cursor.value as JsonObject;
  const child = object[token];
  const type = cursor.type;
  if (child === undefined || ((type.kind === "struct" || type.kind === "map") && type.atomic === true))
    return false;
  cursor.path.push(fieldElement(token));
  cursor.selection = cursor.selection.field(token);
  cursor.value = child;
  cursor.type = childType(schema, type, token);
  return true;
}

function step(schema: Schema, cursor: Cursor, token: string): boolean {
  if (cursor.selection.whole) return false;
  if (Array.isArray(cursor.value)) return stepIntoList(schema, cursor, token);
  if (isJsonObject(cursor.value)) return stepIntoObject(schema, cursor, token);
  return false;
}

/** Selects the field at `pointer` (or the atomic list/map around it); returns its field path as SSA names it. */
function select(
  schema: Schema,
  root: { selection: Selection; value: JsonValue; type: Resolved },
  pointer: string,
): Path {
  const cursor: Cursor = { ...root, path: [] };
  for (const token of pointerTokens(pointer)) {
    if (!step(schema, cursor, token)) break;
  }
  cursor.selection.whole = true;
  return cursor.path;
}

export interface SparseBody {
  readonly body: KubeObject;
  /** Each drifted field as the server names it in a conflict (`.spec.replicas`): what force may take over. */
  readonly fields: readonly string[];
}

function identity(desired: KubeObject, ref: ObjectRef): JsonObject {
  return {
    apiVersion: desired["apiVersion"] ?? (ref.group === "" ? ref.version : `${ref.group}/${ref.version}`),
    kind: desired["kind"] ?? ref.kind,
    metadata: { name: ref.name, ...(ref.namespace === "" ? {} : { namespace: ref.namespace }) },
  };
}

/** Deep merge of the identity into the selected metadata (name and namespace win). */
function withIdentity(selected: JsonObject, base: JsonObject): KubeObject {
  const metadata = metadataOf(selected);
  const { apiVersion: _apiVersion, kind: _kind, metadata: _metadata, ...rest } = selected;
  return { ...base, metadata: { ...metadata, ...(base["metadata"] as JsonObject) }, ...rest };
}

/** Pointers into the desired object: the drifted fields, and the fields kubedrift applied before. */
export interface BodyFields {
  readonly drifted: readonly string[];
  /** Sent again at their desired values so that the apply keeps them (they did not drift: never forced). */
  readonly kept?: readonly string[];
}

/**
 * The server-side-apply body that sets exactly the fields at the given pointers (into `desired`) to
 * their desired values: identity, the fields, and the keys of the `map`-list items they are in, so
 * that after the apply `kubedrift` owns the corrected and kept fields and nothing else.
 */
export function sparseBody(
  schema: Schema,
  ref: ObjectRef,
  desired: KubeObject,
  pointers: BodyFields,
): SparseBody {
  const rootType = schema.rootType({ group: ref.group, version: ref.version, kind: ref.kind });
  const root = {
    selection: new Selection(),
    value: desired as JsonValue,
    type: rootType === undefined ? untyped : schema.resolve(rootType),
  };
  const fields = new Set<string>();
  for (const pointer of pointers.drifted) fields.add(displayPath(select(schema, root, pointer)));
  for (const pointer of pointers.kept ?? []) select(schema, root, pointer);
  const selected = materialize(root.selection, desired);
  return {
    body: withIdentity(isJsonObject(selected) ? selected : {}, identity(desired, ref)),
    fields: [...fields].sort(),
  };
}

type Segment =
  | { readonly kind: "text"; readonly text: string }
  | { readonly kind: "key"; readonly pairs: ReadonlyMap<string, string> };

/** `a=1,b="x,y"` → {a: "1", b: "\"x,y\""}: commas inside quoted strings do not split. */
function keyPairs(inside: string): ReadonlyMap<string, string> {
  const pairs = new Map<string, string>();
  for (const part of inside.match(/(?:[^,"]|"(?:[^"\\]|\\.)*")+/g) ?? []) {
    const equals = part.indexOf("=");
    pairs.set(part.slice(0, Math.max(0, equals)), part.slice(equals + 1));
  }
  return pairs;
}

/** A displayed field path as runs of field names and bracketed list keys. */
function segments(path: string): readonly Segment[] {
  const result: Segment[] = [];
  for (const match of path.matchAll(/\[((?:[^\]"]|"(?:[^"\\]|\\.)*")*)\]|[^[]+/g)) {
    const inside = match[1];
    result.push(
      inside === undefined ? { kind: "text", text: match[0] } : { kind: "key", pairs: keyPairs(inside) },
    );
  }
  return result;
}

/** Our key names the fields desired sets; the server's also has defaulted ones (a port's `protocol="TCP"`). */
function keyWithin(ours: ReadonlyMap<string, string>, theirs: ReadonlyMap<string, string>): boolean {
  return [...ours].every(([name, value]) => value === "null" || theirs.get(name) === value);
}

function segmentCovers(ours: Segment, theirs: Segment | undefined, last: boolean): boolean {
  if (theirs === undefined || ours.kind !== theirs.kind) return false;
  if (ours.kind === "key") return theirs.kind === "key" && keyWithin(ours.pairs, theirs.pairs);
  if (theirs.kind !== "text") return false;
  return ours.text === theirs.text || (last && theirs.text.startsWith(`${ours.text}.`));
}

function covers(field: string, conflict: string): boolean {
  if (field === "" || conflict === field) return true;
  const ours = segments(field);
  const theirs = segments(conflict);
  return ours.every((segment, index) => segmentCovers(segment, theirs[index], index === ours.length - 1));
}

/** Whether a conflicting field the server names lies within one of the fields the body sets. */
export function isCoveredBy(conflict: string, fields: readonly string[]): boolean {
  return fields.some((field) => covers(field, conflict));
}
