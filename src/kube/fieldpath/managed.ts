import type { JsonObject, JsonValue, KubeObject } from "../value/json.js";
import { isJsonObject, stringOf } from "../value/json.js";
import { metadataOf } from "../object.js";
import { FieldSet } from "./set.js";
import { decodeFieldsV1, encodeFieldsV1 } from "./fieldsv1.js";
import { goJsonString } from "./element.js";

export const Operations = { apply: "Apply", update: "Update" } as const;
export type Operation = (typeof Operations)[keyof typeof Operations];

/** One `metadata.managedFields` entry, with its field set decoded. */
export interface ManagerEntry {
  readonly manager: string;
  readonly operation: Operation;
  readonly apiVersion: string;
  /** "" for the main resource. */
  readonly subresource: string;
  /** RFC 3339, seconds precision; absent when the entry's operation never changed the object. */
  readonly time: string | undefined;
  readonly fields: FieldSet;
}

/** Entries keyed by manager identifier, as SMD's `ManagedFields` map. */
export type ManagedFields = ReadonlyMap<string, ManagerEntry>;

/**
 * kube-apiserver's BuildManagerIdentifier: the JSON of the entry without time and fields,
 * in ManagedFieldsEntry field order; Apply identifiers omit apiVersion so an applier stays
 * one entry across versions.
 */
export function managerIdentifier(
  entry: Pick<ManagerEntry, "manager" | "operation" | "apiVersion" | "subresource">,
): string {
  const parts = [`"manager":${goJsonString(entry.manager)}`, `"operation":${goJsonString(entry.operation)}`];
  if (entry.operation === Operations.update && entry.apiVersion !== "")
    parts.push(`"apiVersion":${goJsonString(entry.apiVersion)}`);
  if (entry.subresource !== "") parts.push(`"subresource":${goJsonString(entry.subresource)}`);
  return `{${parts.join(",")}}`;
}

/**
 * One `metadata.managedFields` entry as written, nothing checked or decoded: each text field is ""
 * when absent or not a string. The sandbox decodes it strictly (kube-apiserver rejects a malformed
 * entry); the engine reads it leniently (a hand-edited live file still compares).
 */
export interface ManagedFieldsEntryText {
  readonly manager: string;
  readonly operation: string;
  readonly apiVersion: string;
  readonly subresource: string;
  readonly time: string;
  readonly fieldsType: string;
  readonly fieldsV1: JsonValue | undefined;
}

/** The text of one entry; undefined when it is not an object. */
export function readManagedFieldsEntry(raw: JsonValue): ManagedFieldsEntryText | undefined {
  if (!isJsonObject(raw)) return undefined;
  return {
    manager: stringOf(raw["manager"]),
    operation: stringOf(raw["operation"]),
    apiVersion: stringOf(raw["apiVersion"]),
    subresource: stringOf(raw["subresource"]),
    time: stringOf(raw["time"]),
    fieldsType: stringOf(raw["fieldsType"]),
    fieldsV1: raw["fieldsV1"],
  };
}

/** `metadata.managedFields` of an object as a list ([] when absent or not a list). */
export function managedFieldsOf(object: KubeObject): readonly JsonValue[] {
  const raw = metadataOf(object)["managedFields"];
  return Array.isArray(raw) ? (raw as readonly JsonValue[]) : [];
}

function decodeEntry(raw: JsonValue): ManagerEntry {
  const entry = readManagedFieldsEntry(raw);
  if (entry === undefined) throw new Error("managedFields entry must be an object");
  const { operation, fieldsType, time } = entry;
  if (operation !== Operations.apply && operation !== Operations.update)
    throw new Error(`invalid operation "${operation}"`);
  if (fieldsType !== "FieldsV1") throw new Error(`invalid fieldsType "${fieldsType}"`);
  return {
    manager: entry.manager,
    operation,
    apiVersion: entry.apiVersion,
    subresource: entry.subresource,
    time: time === "" ? undefined : time,
    fields: decodeFieldsV1(entry.fieldsV1 ?? {}),
  };
}

/** Decodes `metadata.managedFields`; throws on malformed entries (the caller decides the fallback). */
export function decodeManagedFields(raw: JsonValue | undefined): Map<string, ManagerEntry> {
  const out = new Map<string, ManagerEntry>();
  if (raw === undefined || raw === null) return out;
  if (!Array.isArray(raw)) throw new Error("managedFields must be a list");
  for (const item of raw as readonly JsonValue[]) {
    const entry = decodeEntry(item);
    out.set(managerIdentifier(entry), entry);
  }
  return out;
}

function unixSeconds(time: string | undefined): number {
  if (time === undefined) return 0;
  const millis = Date.parse(time);
  return Number.isNaN(millis) ? 0 : Math.floor(millis / 1000);
}

function compareText(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

/** kube-apiserver's sortEncodedManagedFields: operation (Apply < Update), time, manager, apiVersion, subresource. */
export function compareEntries(p: ManagerEntry, q: ManagerEntry): number {
  return (
    compareText(p.operation, q.operation) ||
    unixSeconds(p.time) - unixSeconds(q.time) ||
    compareText(p.manager, q.manager) ||
    compareText(p.apiVersion, q.apiVersion) ||
    compareText(p.subresource, q.subresource)
  );
}

function encodeEntry(entry: ManagerEntry): JsonObject {
  return {
    manager: entry.manager,
    operation: entry.operation,
    apiVersion: entry.apiVersion,
    ...(entry.time === undefined ? {} : { time: entry.time }),
    fieldsType: "FieldsV1",
    fieldsV1: encodeFieldsV1(entry.fields),
    ...(entry.subresource === "" ? {} : { subresource: entry.subresource }),
  };
}

/** The wire form; undefined when nothing is managed (the field is then omitted). */
export function encodeManagedFields(managed: ManagedFields): readonly JsonObject[] | undefined {
  const entries = [...managed.values()].filter((entry) => !entry.fields.isEmpty()).sort(compareEntries);
  return entries.length === 0 ? undefined : entries.map(encodeEntry);
}

/** DefaultMaxUpdateManagers of kube-apiserver. */
export const maxUpdateManagers = 10;
const ancientChangesManager = "ancient-changes";

/**
 * capmanagers.go: beyond ten Update entries, the oldest are folded, per apiVersion, into an
 * "ancient-changes" entry so that managedFields cannot grow without bound.
 */
export function capUpdateManagers(managed: ManagedFields): ManagedFields {
  const updaters = [...managed].filter(([, entry]) => entry.operation === Operations.update);
  if (updaters.length <= maxUpdateManagers) return managed;
  updaters.sort(([idA, a], [idB, b]) => unixSeconds(a.time) - unixSeconds(b.time) || compareText(idA, idB));
  const out = new Map(managed);
  const firstOfVersion = new Map<string, string>();
  let length = updaters.length;
  for (const [id, entry] of updaters) {
    if (length <= maxUpdateManagers) break;
    const first = firstOfVersion.get(entry.apiVersion);
    if (first === undefined) {
      firstOfVersion.set(entry.apiVersion, id);
      continue;
    }
    const bucketEntry = {
      manager: ancientChangesManager,
      operation: Operations.update,
      apiVersion: entry.apiVersion,
      subresource: "",
    };
    const bucket = managerIdentifier(bucketEntry);
    const existing = out.get(bucket) ?? out.get(first);
    if (!out.has(bucket)) out.delete(first);
    out.set(bucket, {
      ...bucketEntry,
      time: entry.time,
      fields: entry.fields.union(existing?.fields ?? FieldSet.empty),
    });
    out.delete(id);
    length--;
  }
  return out;
}
