import type { JsonObject, JsonValue } from "../value/json.js";
import type { Schema, SchemaType } from "../schema/types.js";
import { badRequestPatch, internalPatch, unprocessablePatch } from "./errors.js";
import { goFormat, goKind, goScalarEqual, goTypeName, type GoKind } from "./go-values.js";
import {
  emptyObject,
  fromMutable,
  hasKey,
  isMutableObject,
  toMutable,
  type MutableJson,
  type MutableObject,
} from "./mutable-json.js";

/**
 * Strategic merge patch, applied as k8s.io/apimachinery/pkg/util/strategicpatch
 * `StrategicMergeMapPatch` does on kube-apiserver 1.32 (MergeParallelList and
 * IgnoreUnmatchedNulls on). The schema supplies what Go reads from struct tags:
 * `patchStrategy` and `patchMergeKey` of lists. Fields the schema does not
 * know behave like a JSON merge patch: maps merge, lists replace.
 */

const directiveMarker = "$patch";
const deleteDirective = "delete";
const replaceDirective = "replace";
const mergeDirective = "merge";
const retainKeysStrategy = "retainKeys";
const retainKeysDirective = "$retainKeys";
const deleteFromPrimitiveListPrefix = "$deleteFromPrimitiveList";
const setElementOrderPrefix = "$setElementOrder";

/** The fixed messages of k8s.io/apimachinery/pkg/util/mergepatch errors. */
export const StrategicMergePatchMessages = {
  noListOfLists: "lists of lists are not supported",
  badPatchFormatForPrimitiveList: "invalid patch format of primitive list",
  badPatchFormatForRetainKeys: "invalid patch format of retainKeys",
  badPatchFormatForSetElementOrderList: "invalid patch format of setElementOrder list",
  /** Returned for custom resources, which kube-apiserver answers with 415 before any of this runs. */
  unsupportedStrategicMergePatchFormat: "strategic merge patch format is not supported",
} as const;

/**
 * Applies `patch` to `original`, typed by `rootType` (resolved through `schema`).
 * Neither input is modified. Throws PatchError: `badRequest` for the errors
 * kube-apiserver answers with 400, `unprocessable` for a list of lists (422),
 * `internal` for the rest (kube-apiserver passes them through as 500).
 */
export function applyStrategicMergePatch(
  original: JsonObject,
  patch: JsonValue,
  schema: Schema,
  rootType: SchemaType,
): JsonObject {
  const patchCopy = toMutable(patch);
  if (patchCopy === null) return original;
  if (!isMutableObject(patchCopy)) {
    const jsonType = Array.isArray(patchCopy)
      ? "array"
      : typeof patchCopy === "boolean"
        ? "bool"
        : typeof patchCopy;
    throw badRequestPatch(`json: cannot unmarshal ${jsonType} into Go value of type map[string]interface {}`);
  }
  const originalCopy = toMutable(original);
  const merged = mergeMap(
    schema,
    isMutableObject(originalCopy) ? originalCopy : emptyObject(),
    patchCopy,
    rootType,
  );
  return fromMutable(merged) as JsonObject;
}

// ---------------------------------------------------------------------------
// Schema lookups (what strategicpatch's LookupPatchMeta answers)

const untyped: SchemaType = { kind: "untyped" };

interface ListMeta {
  /** "merge", "replace" or "" (replace). */
  readonly strategy: string;
  readonly mergeKey: string;
  readonly items: SchemaType;
  /** Used in "cannot merge lists without merge key for …". */
  readonly name: string;
}

function fieldType(schema: Schema, type: SchemaType, key: string): SchemaType {
  const resolved = schema.resolve(type);
  if (resolved.kind === "map") return resolved.values;
  if (resolved.kind === "struct" && Object.hasOwn(resolved.fields, key)) return resolved.fields[key];
  return untyped;
}

function listMeta(schema: Schema, type: SchemaType, key: string): ListMeta {
  const field = fieldType(schema, type, key);
  const resolved = schema.resolve(field);
  if (resolved.kind !== "list") return { strategy: "", mergeKey: "", items: untyped, name: typeName(field) };
  return {
    strategy: otherStrategy(resolved.patchStrategy),
    mergeKey: resolved.patchMergeKey ?? "",
    items: resolved.items,
    name: typeName(resolved.items),
  };
}

function typeName(type: SchemaType): string {
  return type.kind === "ref" ? type.name : type.kind;
}

/** extractRetainKeysPatchStrategy: at most "retainKeys" plus one other strategy. */
function otherStrategy(patchStrategy: string | undefined): string {
  const strategies = patchStrategy === undefined || patchStrategy === "" ? [] : patchStrategy.split(",");
  const others = strategies.filter((strategy) => strategy !== retainKeysStrategy);
  const valid = strategies.length <= 1 || (strategies.length === 2 && others.length === 1);
  if (!valid) throw internalPatch(`unexpected patch strategy: [${strategies.join(" ")}]`);
  return others[0] ?? "";
}

// ---------------------------------------------------------------------------
// Errors worded as k8s.io/apimachinery/pkg/util/mergepatch words them

function badArgType(expected: "map" | "slice", actual: MutableJson | undefined): Error {
  const expectedName = expected === "map" ? "map[string]interface {}" : "[]interface {}";
  return internalPatch(`expected a ${expectedName}, but received a ${goTypeName(actual)}`);
}

function noMergeKey(map: MutableObject, mergeKey: string): Error {
  return internalPatch(`map: ${goFormat(map)} does not contain declared merge key: ${mergeKey}`);
}

function badPatchType(directive: MutableJson | undefined, map: MutableObject): Error {
  return internalPatch(`unknown patch type: ${goFormat(directive)} in map: ${goFormat(map)}`);
}

function asMap(value: MutableJson | undefined): MutableObject {
  if (!isMutableObject(value)) throw badArgType("map", value);
  return value;
}

function asList(value: MutableJson | undefined): MutableJson[] {
  if (!Array.isArray(value)) throw badArgType("slice", value);
  return value;
}

// ---------------------------------------------------------------------------
// Maps

function mergeMap(
  schema: Schema,
  original: MutableObject,
  patch: MutableObject,
  type: SchemaType,
): MutableObject {
  if (hasKey(patch, directiveMarker)) return handleDirectiveInMergeMap(patch);
  applyRetainKeysDirective(original, patch);
  mergePatchIntoOriginal(schema, original, patch, type);
  for (const [patchKey, patchValue] of Object.entries(patch)) {
    const isDeleteList = patchKey.startsWith(deleteFromPrimitiveListPrefix);
    const key = isDeleteList ? extractKey(patchKey, deleteFromPrimitiveListPrefix) : patchKey;
    mergeField(schema, original, { key, patchValue, isDeleteList }, type);
  }
  return original;
}

interface PatchField {
  readonly key: string;
  readonly patchValue: MutableJson;
  /** The field came from `$deleteFromPrimitiveList/<key>`. */
  readonly isDeleteList: boolean;
}

function mergeField(schema: Schema, original: MutableObject, field: PatchField, type: SchemaType): void {
  const { key, patchValue, isDeleteList } = field;
  if (patchValue === null) {
    // IgnoreUnmatchedNulls: a null deletes the key and is never stored.
    delete original[key];
    return;
  }
  const originalValue = hasKey(original, key) ? original[key] : undefined;
  const originalKind = originalValue === undefined ? undefined : goKind(originalValue);
  if (originalKind !== goKind(patchValue)) {
    if (!isDeleteList) setWithoutDirectives(original, key, discardNullValues(patchValue));
    return;
  }
  if (originalKind === "map") {
    original[key] = mergeMap(schema, asMap(originalValue), asMap(patchValue), fieldType(schema, type, key));
  } else if (originalKind === "slice") {
    const meta = listMeta(schema, type, key);
    original[key] = mergeSliceHandler(
      schema,
      { original: asList(originalValue), patch: asList(patchValue) },
      meta,
      isDeleteList,
    );
  } else {
    setWithoutDirectives(original, key, patchValue);
  }
}

function setWithoutDirectives(original: MutableObject, key: string, value: MutableJson): void {
  const cleaned = removeDirectives(value);
  if (cleaned.keep) original[key] = cleaned.value;
  else delete original[key];
}

function handleDirectiveInMergeMap(patch: MutableObject): MutableObject {
  const directive = patch[directiveMarker];
  if (directive === replaceDirective) {
    delete patch[directiveMarker];
    return patch;
  }
  if (directive === deleteDirective) return emptyObject();
  throw badPatchType(directive, patch);
}

/** `$retainKeys`: keys of the original that the list does not name are cleared before merging. */
function applyRetainKeysDirective(original: MutableObject, patch: MutableObject): void {
  if (!hasKey(patch, retainKeysDirective)) return;
  const retainKeys = patch[retainKeysDirective];
  delete patch[retainKeysDirective];
  if (!Array.isArray(retainKeys))
    throw badRequestPatch(StrategicMergePatchMessages.badPatchFormatForRetainKeys);
  const retained = new Set(retainKeys.filter((key) => typeof key === "string"));
  for (const [key, value] of Object.entries(patch)) {
    const isDirective =
      key.startsWith(deleteFromPrimitiveListPrefix) || key.startsWith(setElementOrderPrefix);
    if (value !== null && !isDirective && !retained.has(key)) {
      throw badRequestPatch(StrategicMergePatchMessages.badPatchFormatForRetainKeys);
    }
  }
  for (const key of Object.keys(original)) {
    if (!retained.has(key)) delete original[key];
  }
}

function extractKey(key: string, prefix: string): string {
  const slash = key.indexOf("/");
  if (slash < 0 || key.slice(0, slash) !== prefix) {
    throw badRequestPatch(
      prefix === deleteFromPrimitiveListPrefix
        ? StrategicMergePatchMessages.badPatchFormatForPrimitiveList
        : StrategicMergePatchMessages.badPatchFormatForSetElementOrderList,
    );
  }
  return key.slice(slash + 1);
}

// ---------------------------------------------------------------------------
// $setElementOrder

/**
 * Merges each list that has a `$setElementOrder/<field>` directive together with
 * its patch list, then orders the result: $setElementOrder first, then the
 * relative order of server-only items (see the preserve-order design proposal).
 */
function mergePatchIntoOriginal(
  schema: Schema,
  original: MutableObject,
  patch: MutableObject,
  type: SchemaType,
): void {
  for (const directiveKey of Object.keys(patch)) {
    if (!directiveKey.startsWith(setElementOrderPrefix)) continue;
    const order = patch[directiveKey];
    delete patch[directiveKey];
    const setOrder = asList(order);
    const key = extractKey(directiveKey, setElementOrderPrefix);
    const ordered = orderedList(schema, { original, patch, key, setOrder }, type);
    if (ordered === undefined) continue;
    original[key] = ordered;
    delete patch[key];
  }
}

interface OrderedField {
  readonly original: MutableObject;
  readonly patch: MutableObject;
  readonly key: string;
  readonly setOrder: MutableJson[];
}

function orderedList(schema: Schema, field: OrderedField, type: SchemaType): MutableJson[] | undefined {
  const { original, patch, key, setOrder } = field;
  const originalList = hasKey(original, key) ? asList(original[key]) : undefined;
  const patchList = hasKey(patch, key) ? asList(patch[key]) : undefined;
  const meta = listMeta(schema, type, key);
  validatePatchWithSetOrderList(patchList ?? [], setOrder, meta.mergeKey);
  if (originalList === undefined && patchList === undefined) return undefined;
  const merged = mergeForOrdering(schema, originalList, patchList, meta);
  const { inList, notInList } = partitionByPresence(merged, setOrder, meta.mergeKey);
  const kind = sliceElementType([originalList ?? [], patchList ?? []]);
  return normalizeElementOrder(
    { patchItems: inList, serverOnly: notInList, patchOrder: setOrder, serverOrder: originalList ?? [] },
    meta.mergeKey,
    kind,
  );
}

function mergeForOrdering(
  schema: Schema,
  originalList: MutableJson[] | undefined,
  patchList: MutableJson[] | undefined,
  meta: ListMeta,
): MutableJson[] {
  if (patchList === undefined) return originalList ?? [];
  if (originalList === undefined) return asList(removeDirectives(patchList).value);
  return mergeSliceHandler(schema, { original: originalList, patch: patchList }, meta, false);
}

/** Non-deleted patch items must appear in $setElementOrder, in the same relative order. */
function validatePatchWithSetOrderList(
  patchList: MutableJson[],
  setOrder: MutableJson[],
  mergeKey: string,
): void {
  if (setOrder.length === 0 || patchList.length === 0) return;
  const nonDelete = mergeKey === "" ? patchList : splitDeleteItems(patchList).kept;
  let patchIndex = 0;
  let orderIndex = 0;
  while (patchIndex < nonDelete.length && orderIndex < setOrder.length) {
    if (containsDirectiveMarker(nonDelete[patchIndex])) {
      patchIndex++;
      continue;
    }
    if (mergeKeyValueEqual(nonDelete[patchIndex], setOrder[orderIndex], mergeKey)) patchIndex++;
    orderIndex++;
  }
  if (patchIndex < nonDelete.length && orderIndex >= setOrder.length) {
    throw internalPatch(
      `the order in patch list:\n${goFormat(patchList)}\n doesn't match ${setElementOrderPrefix} list:\n${goFormat(setOrder)}`,
    );
  }
}

function containsDirectiveMarker(item: MutableJson): boolean {
  return isMutableObject(item) && hasKey(item, directiveMarker);
}

function mergeKeyValueEqual(left: MutableJson, right: MutableJson, mergeKey: string): boolean {
  if (mergeKey === "") return goScalarEqual(left, right);
  const leftMap = asMap(left);
  const rightMap = asMap(right);
  if (!hasKey(leftMap, mergeKey)) throw noMergeKey(leftMap, mergeKey);
  if (!hasKey(rightMap, mergeKey)) throw noMergeKey(rightMap, mergeKey);
  return goScalarEqual(leftMap[mergeKey], rightMap[mergeKey]);
}

// ---------------------------------------------------------------------------
// Lists

interface ListPair {
  readonly original: MutableJson[];
  readonly patch: MutableJson[];
}

function mergeSliceHandler(
  schema: Schema,
  lists: ListPair,
  meta: ListMeta,
  isDeleteList: boolean,
): MutableJson[] {
  // A deletion list is applied whatever the field's strategy says.
  if (meta.strategy === mergeDirective || isDeleteList) return mergeSlice(schema, lists, meta, isDeleteList);
  return lists.patch;
}

function mergeSlice(schema: Schema, lists: ListPair, meta: ListMeta, isDeleteList: boolean): MutableJson[] {
  if (lists.original.length === 0 && lists.patch.length === 0) return lists.original;
  const kind = sliceElementType([lists.original, lists.patch]);
  let original = lists.original;
  let patch = lists.patch;
  let merged: MutableJson[];
  if (kind !== "map") {
    if (isDeleteList) return deleteFromSlice(original, patch);
    merged = deduplicateScalars([...original, ...patch]);
  } else {
    if (meta.mergeKey === "") throw internalPatch(`cannot merge lists without merge key for ${meta.name}`);
    ({ original, patch } = mergeSliceWithSpecialElements(original, patch, meta.mergeKey));
    merged = mergeSliceWithoutSpecialElements(schema, { original, patch }, meta);
  }
  const { inList, notInList } = partitionByPresence(merged, patch, meta.mergeKey);
  return normalizeElementOrder(
    { patchItems: inList, serverOnly: notInList, patchOrder: patch, serverOrder: original },
    meta.mergeKey,
    kind,
  );
}

/** Handles `$patch: delete` and `$patch: replace` elements of a list of maps. */
function mergeSliceWithSpecialElements(
  original: MutableJson[],
  patch: MutableJson[],
  mergeKey: string,
): ListPair {
  const plain: MutableJson[] = [];
  let remaining = original;
  let replace = false;
  for (const item of patch) {
    const element = asMap(item);
    if (!hasKey(element, directiveMarker)) {
      plain.push(item);
      continue;
    }
    const directive = element[directiveMarker];
    if (directive === deleteDirective) {
      if (!hasKey(element, mergeKey)) throw noMergeKey(element, mergeKey);
      remaining = deleteMatchingEntries(remaining, mergeKey, element[mergeKey]);
    } else if (directive === replaceDirective) {
      replace = true;
    } else if (directive === mergeDirective) {
      throw internalPatch("merging lists cannot yet be specified in the patch");
    } else {
      throw badPatchType(directive, element);
    }
  }
  return replace ? { original: plain, patch: [] } : { original: remaining, patch: plain };
}

function deleteMatchingEntries(
  original: MutableJson[],
  mergeKey: string,
  mergeValue: MutableJson,
): MutableJson[] {
  let remaining = original;
  for (;;) {
    const found = findMapInSlice(remaining, mergeKey, mergeValue);
    if (found === undefined) return remaining;
    remaining = [...remaining.slice(0, found.index), ...remaining.slice(found.index + 1)];
  }
}

function mergeSliceWithoutSpecialElements(schema: Schema, lists: ListPair, meta: ListMeta): MutableJson[] {
  const merged = [...lists.original];
  for (const item of lists.patch) {
    const element = asMap(item);
    if (!hasKey(element, meta.mergeKey)) throw noMergeKey(element, meta.mergeKey);
    const found = findMapInSlice(merged, meta.mergeKey, element[meta.mergeKey]);
    if (found === undefined) merged.push(item);
    else merged[found.index] = mergeMap(schema, found.map, element, meta.items);
  }
  return merged;
}

function findMapInSlice(
  list: MutableJson[],
  key: string,
  value: MutableJson,
): { map: MutableObject; index: number } | undefined {
  for (const [index, item] of list.entries()) {
    if (!isMutableObject(item)) throw internalPatch(`value for key ${index} is not a map`);
    if (hasKey(item, key) && goScalarEqual(item[key], value)) return { map: item, index };
  }
  return undefined;
}

function deleteFromSlice(current: MutableJson[], toDelete: MutableJson[]): MutableJson[] {
  return current.filter((item) => !toDelete.some((candidate) => goScalarEqual(candidate, item)));
}

function deduplicateScalars(items: MutableJson[]): MutableJson[] {
  return items.filter((item, index) => items.findIndex((other) => goScalarEqual(other, item)) === index);
}

/** The common Go type of the elements; lists of lists and mixed lists are errors. */
function sliceElementType(lists: readonly MutableJson[][]): GoKind {
  let previous: GoKind | undefined;
  for (const item of lists.flat()) {
    const kind = goKind(item);
    if (previous === undefined && kind === "slice")
      throw unprocessablePatch(StrategicMergePatchMessages.noListOfLists);
    if (previous !== undefined && previous !== kind) {
      throw internalPatch(`list element types are not identical: ${goFormat(lists.map((list) => list))}`);
    }
    previous = kind;
  }
  if (previous === undefined) throw internalPatch("no elements in any of the given slices");
  return previous;
}

// ---------------------------------------------------------------------------
// Ordering

interface Partition {
  readonly inList: MutableJson[];
  readonly notInList: MutableJson[];
}

function partitionByPresence(items: MutableJson[], by: MutableJson[], mergeKey: string): Partition {
  const inList: MutableJson[] = [];
  const notInList: MutableJson[] = [];
  for (const item of items) {
    const present =
      mergeKey === ""
        ? by.some((other) => goScalarEqual(other, item))
        : presentByMergeKey(item, by, mergeKey);
    (present ? inList : notInList).push(item);
  }
  return { inList, notInList };
}

function presentByMergeKey(item: MutableJson, by: MutableJson[], mergeKey: string): boolean {
  const element = asMap(item);
  if (!hasKey(element, mergeKey)) throw noMergeKey(element, mergeKey);
  return findMapInSlice(by, mergeKey, element[mergeKey]) !== undefined;
}

interface OrderingInput {
  /** Merged items named by the patch (or $setElementOrder). */
  readonly patchItems: MutableJson[];
  /** Merged items only the server has. */
  readonly serverOnly: MutableJson[];
  readonly patchOrder: MutableJson[];
  readonly serverOrder: MutableJson[];
}

/**
 * normalizeElementOrder: sorts patch items by the patch order and server-only
 * items by the live order, then interleaves them. A patch item the live list
 * does not have is placed as early as possible, which is why a strategic patch
 * without $setElementOrder puts new list items first.
 */
function normalizeElementOrder(input: OrderingInput, mergeKey: string, kind: GoKind): MutableJson[] {
  const patchItems = normalizeSliceOrder(input.patchItems, input.patchOrder, mergeKey, kind);
  const serverOnly = normalizeSliceOrder(input.serverOnly, input.serverOrder, mergeKey, kind);
  return mergeSortedSlice(serverOnly, patchItems, input.serverOrder, { mergeKey, kind });
}

interface ItemIdentity {
  readonly mergeKey: string;
  readonly kind: GoKind;
}

function normalizeSliceOrder(
  toSort: MutableJson[],
  order: MutableJson[],
  mergeKey: string,
  kind: GoKind,
): MutableJson[] {
  const identity = { mergeKey, kind };
  if (kind !== "map") return insertionSort(toSort, order, identity);
  validateMergeKeyInLists(mergeKey, [toSort, order]);
  const { kept, deleted } = splitDeleteItems(toSort);
  return [...insertionSort(kept, order, identity), ...deleted];
}

/** Go's sort.SliceStable is an insertion sort for short lists; its comparator treats unknown items as smaller. */
function insertionSort(items: MutableJson[], order: MutableJson[], identity: ItemIdentity): MutableJson[] {
  const sorted = [...items];
  const less = (left: MutableJson, right: MutableJson): boolean => {
    const leftIndex = indexOfItem(order, left, identity);
    const rightIndex = indexOfItem(order, right, identity);
    return leftIndex < 0 || rightIndex < 0 || leftIndex < rightIndex;
  };
  for (let i = 1; i < sorted.length; i++) {
    for (let j = i; j > 0 && less(sorted[j], sorted[j - 1]); j--) {
      [sorted[j], sorted[j - 1]] = [sorted[j - 1]!, sorted[j]!];
    }
  }
  return sorted;
}

function mergeSortedSlice(
  left: MutableJson[],
  right: MutableJson[],
  serverOrder: MutableJson[],
  identity: ItemIdentity,
): MutableJson[] {
  const result: MutableJson[] = [];
  let i = 0;
  let j = 0;
  while (i < left.length || j < right.length) {
    if (j >= right.length || (i < left.length && leftComesFirst(left[i], right[j], serverOrder, identity))) {
      result.push(left[i++]);
    } else {
      result.push(right[j++]);
    }
  }
  return result;
}

function leftComesFirst(
  left: MutableJson,
  right: MutableJson,
  serverOrder: MutableJson[],
  identity: ItemIdentity,
): boolean {
  const leftIndex = indexOfItem(serverOrder, left, identity);
  const rightIndex = indexOfItem(serverOrder, right, identity);
  return leftIndex >= 0 && rightIndex >= 0 && leftIndex < rightIndex;
}

function indexOfItem(list: MutableJson[], item: MutableJson, identity: ItemIdentity): number {
  const valueOf = (value: MutableJson): MutableJson =>
    identity.kind !== "map" ? value : isMutableObject(value) ? (value[identity.mergeKey] ?? null) : null;
  const wanted = valueOf(item);
  return list.findIndex((candidate) => goScalarEqual(valueOf(candidate), wanted));
}

function validateMergeKeyInLists(mergeKey: string, lists: readonly MutableJson[][]): void {
  for (const item of lists.flat()) {
    const element = asMap(item);
    if (!hasKey(element, mergeKey)) throw noMergeKey(element, mergeKey);
  }
}

function splitDeleteItems(items: MutableJson[]): { kept: MutableJson[]; deleted: MutableJson[] } {
  const kept: MutableJson[] = [];
  const deleted: MutableJson[] = [];
  for (const item of items) {
    const element = asMap(item);
    (element[directiveMarker] === deleteDirective ? deleted : kept).push(item);
  }
  return { kept, deleted };
}

// ---------------------------------------------------------------------------
// Cleaning values the original does not have

/** discardNullValuesFromPatch: nulls in maps mean nothing when there is nothing to delete. */
function discardNullValues(value: MutableJson): MutableJson {
  if (Array.isArray(value)) return value.map((item) => (item === null ? null : discardNullValues(item)));
  if (!isMutableObject(value)) return value;
  const cleaned = emptyObject();
  for (const [key, item] of Object.entries(value)) {
    if (item !== null) cleaned[key] = discardNullValues(item);
  }
  return cleaned;
}

/** removeDirectives: a map carrying `$patch` is dropped, recursively. */
function removeDirectives(value: MutableJson): { readonly value: MutableJson; readonly keep: boolean } {
  if (Array.isArray(value)) {
    const kept = value.map(removeDirectives).filter((item) => item.keep);
    return { value: kept.map((item) => item.value), keep: true };
  }
  if (!isMutableObject(value)) return { value, keep: true };
  if (hasKey(value, directiveMarker)) return { value: null, keep: false };
  const cleaned = emptyObject();
  for (const [key, item] of Object.entries(value)) {
    const result = removeDirectives(item);
    if (result.keep) cleaned[key] = result.value;
  }
  return { value: cleaned, keep: true };
}
