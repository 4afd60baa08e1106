import type { Attribution, DesiredObject, Drift, LiveObject, ResourceDrift } from "../model/index.js";
import type { AddedReason } from "../model/index.js";
import { AddedReasons, DriftTypes, fieldSource, ResourceStatuses } from "../model/index.js";
import type { FieldSet, Path } from "../kube/fieldpath/index.js";
import { defaultObject, withoutOmittedZeros } from "../kube/defaulting/index.js";
import { jsonEqual } from "../kube/value/equal.js";
import {
  fieldElement,
  fieldSetOfObject,
  pathToJsonPointer,
  serializeElement,
} from "../kube/fieldpath/index.js";
import type { SchemaType } from "../kube/schema/types.js";
import { addedFields, undeclaredPaths } from "./added.js";
import type { FieldComparison, FieldDrift, RenamedItem } from "./diff.js";
import { compareFields } from "./diff.js";
import { withLiveKeys } from "./renamed.js";
import { childOf, comparePointers, isEmptyValue, withoutEmptyEntries } from "./json.js";
import { ManagedFields } from "./managed.js";
import { normalizeDesired, withoutKeys } from "./normalize.js";
import { holdsWithheld, isSecretValuePath, scrubText, withheldHash, withheldTexts } from "./redact.js";
import type { TypeResolver } from "../kube/schema/resolver.js";
import { isIgnored } from "./rules.js";
import { fieldPathOf, pointerOf, stepInto } from "./trail.js";
import type { TrustPolicy } from "./trust.js";
import type { EngineConfig } from "./types.js";
import {
  deployerRecord,
  isServerSideApply,
  lastAppliedConfiguration,
  lastAppliedPath,
} from "./undeclared.js";
import type { JsonValue, KubeObject } from "../kube/value/json.js";
import { isJsonObject } from "../kube/value/json.js";
import { escapePointerToken, valueAtPointer } from "../kube/value/pointer.js";

/** What comparing one object needs besides the object: built once per run. */
export interface ResourceContext {
  readonly resolver: TypeResolver;
  readonly config: EngineConfig;
  readonly trusted: TrustPolicy;
}

const untyped: SchemaType = { kind: "untyped" };

function rootTypeOf(context: ResourceContext, desired: DesiredObject, live: LiveObject): SchemaType {
  const schema = context.resolver.schema;
  // No schema (an unknown custom kind) still compares, schemaless: maps by key, lists in order.
  return schema.rootType(desired.ref) ?? schema.rootType(live.ref) ?? untyped;
}

function isSecret(desired: DesiredObject): boolean {
  return desired.ref.group === "" && desired.ref.kind === "Secret";
}

/** The desired Secret as kube-apiserver stores it: stringData merged into data, base64, stringData winning. */
function secretAsStored(object: KubeObject): KubeObject {
  const stringData = childOf(object, "stringData");
  if (!isJsonObject(stringData)) return object;
  const data: Record<string, JsonValue> = { ...(isJsonObject(object["data"]) ? object["data"] : {}) };
  for (const [key, value] of Object.entries(stringData)) {
    if (typeof value === "string") data[key] = Buffer.from(value, "utf8").toString("base64");
  }
  return { ...withoutKeys(object, (key) => key === "stringData"), data };
}

/** One stringData value against its live data value (base64); empty bytes read back as null (rule 5). */
function stringDataDrift(
  value: JsonValue,
  current: JsonValue | undefined,
): Omit<FieldDrift, "at"> | undefined {
  if (value === "" && current === null) return undefined;
  if (typeof current !== "string") return { type: "Removed", desired: value };
  const same = typeof value === "string" && Buffer.from(value, "utf8").equals(Buffer.from(current, "base64"));
  return same ? undefined : { type: "Changed", desired: value, live: current };
}

/** stringData keys compared against live data; paths stay in stringData (the desired object's), ownership is data's. */
function stringDataDrifts(
  desired: KubeObject,
  live: KubeObject,
): { readonly walked: KubeObject; readonly drifts: readonly FieldDrift[] } {
  const stringData = childOf(desired, "stringData");
  if (!isJsonObject(stringData)) return { walked: desired, drifts: [] };
  const liveData = childOf(live, "data");
  const desiredData = childOf(desired, "data");
  const drifts: FieldDrift[] = [];
  const keptData: Record<string, JsonValue> = {};
  for (const [key, value] of Object.entries(isJsonObject(desiredData) ? desiredData : {})) {
    if (!Object.hasOwn(stringData, key)) keptData[key] = value;
  }
  for (const [key, value] of Object.entries(stringData)) {
    const at = stepInto(
      stepInto(undefined, "stringData", fieldElement("data")),
      escapePointerToken(key),
      fieldElement(key),
    );
    const current = isJsonObject(liveData) ? childOf(liveData, key) : undefined;
    const drift = stringDataDrift(value, current);
    if (drift !== undefined) drifts.push({ ...drift, at });
  }
  return { walked: { ...withoutKeys(desired, (key) => key === "stringData"), data: keptData }, drifts };
}

function fieldDrifts(context: ResourceContext, prepared: Prepared, compared: Compared): FieldComparison {
  const live = compared.live.object;
  const split = compared.secret
    ? stringDataDrifts(prepared.normalized, live)
    : { walked: prepared.normalized, drifts: [] };
  const walked = compareFields(context.resolver, prepared.type, { desired: split.walked, live }, undefined);
  return { drifts: [...walked.drifts, ...split.drifts], renamed: walked.renamed };
}

function attributionOf(managed: ManagedFields, drift: FieldDrift): Attribution | undefined {
  if (drift.type === "Changed") return managed.owner(fieldPathOf(drift.at));
  // Removal leaves no trace in managedFields, except when an atomic parent was replaced as a whole.
  return drift.atomicAncestor === undefined
    ? undefined
    : managed.exactOwner(fieldPathOf(drift.atomicAncestor));
}

/** Field sets typed alike: items without their keys make every set of the object schemaless. */
function fieldSetsOf(
  context: ResourceContext,
  type: SchemaType,
  objects: readonly (KubeObject | undefined)[],
): readonly (FieldSet | undefined)[] {
  const schema = context.resolver.schema;
  const setsOf = (as: SchemaType): readonly (FieldSet | undefined)[] =>
    objects.map((object) => (object === undefined ? undefined : fieldSetOfObject(schema, as, object)));
  try {
    return setsOf(type);
  } catch {
    // Ownership of such a list can only be matched schemalessly.
    return setsOf(untyped);
  }
}

interface Compared {
  readonly desired: DesiredObject;
  readonly live: LiveObject;
  readonly secret: boolean;
}

interface Prepared {
  readonly type: SchemaType;
  readonly normalized: KubeObject;
  readonly managed: ManagedFields;
}

interface AddedEntry {
  readonly path: Path;
  readonly reason: AddedReason;
  readonly attribution: Attribution | undefined;
}

/**
 * Rule 4: writers that are neither trusted nor doing a client-side apply — an Update manager that
 * owns the last-applied-configuration annotation is `kubectl apply` (or a tool doing the same) under
 * another name.
 */
function outOfBandWriters(context: ResourceContext, managed: ManagedFields) {
  return managed
    .owners(
      (attribution) =>
        attribution.operation === "Update" &&
        attribution.subresource !== "status" &&
        !context.trusted(attribution),
    )
    .filter((writer) => !writer.fields.has(lastAppliedPath));
}

/**
 * The last-applied configuration as stored; `"same"` when it is the desired object itself (no field
 * left the sources): then its fields are the desired ones, and only its writer's claim to be the
 * deployer counts.
 */
function lastAppliedOf(compared: Compared, prepared: Prepared): KubeObject | "same" | undefined {
  const lastApplied = lastAppliedConfiguration(compared.live.object);
  if (lastApplied === undefined) return undefined;
  const recorded = normalizeDesired(withoutEmptyEntries(lastApplied) as KubeObject);
  if (jsonEqual(recorded, withoutEmptyEntries(prepared.normalized))) return "same";
  return compared.secret ? secretAsStored(recorded) : recorded;
}

interface TypedSets {
  readonly desired: FieldSet;
  readonly lastApplied: FieldSet | undefined;
}

/** The desired object's fields, and the last-applied configuration's, typed alike; undefined when nothing can be added. */
function typedSets(
  context: ResourceContext,
  compared: Compared,
  prepared: Prepared,
  hasWriters: boolean,
): TypedSets | undefined {
  const lastApplied = lastAppliedOf(compared, prepared);
  const recorded = lastApplied !== undefined && lastApplied !== "same";
  // Most objects have neither an untrusted writer nor a record that differs from the sources.
  if (!hasWriters && !recorded && !prepared.managed.any(isServerSideApply)) return undefined;
  const [desired, applied] = fieldSetsOf(context, prepared.type, [
    compared.secret ? secretAsStored(prepared.normalized) : prepared.normalized,
    recorded ? lastApplied : undefined,
  ]);
  if (desired === undefined) return undefined;
  return { desired, lastApplied: lastApplied === "same" ? desired : applied };
}

function addedEntries(
  context: ResourceContext,
  compared: Compared,
  prepared: Prepared,
): readonly AddedEntry[] {
  const { managed } = prepared;
  const writers = outOfBandWriters(context, managed);
  const sets = typedSets(context, compared, prepared, writers.length > 0);
  if (sets === undefined) return [];
  const { desired, lastApplied } = sets;
  const record = deployerRecord({ managed, desired, lastApplied, deployers: context.config.deployers ?? [] });
  const entries = new Map<string, AddedEntry>();
  for (const added of addedFields(writers, desired)) {
    entries.set(pathKey(added.path), { ...added, reason: AddedReasons.outOfBand });
  }
  // Deleted from the sources wins over written out of band: the next apply removes it either way.
  for (const path of undeclaredPaths(record, desired)) {
    entries.set(pathKey(path), { path, reason: AddedReasons.undeclared, attribution: managed.owner(path) });
  }
  return [...entries.values()];
}

function pathKey(path: Path): string {
  return path.map(serializeElement).join(".");
}

/** Live values of the added fields; a field inside another added field is part of that one. */
function addedDrifts(context: ResourceContext, compared: Compared, prepared: Prepared): readonly Drift[] {
  const entries = addedEntries(context, compared, prepared);
  if (entries.length === 0) return [];
  // Values as compared: without the last-applied annotation (rule 2) inside an added annotations map.
  const live = normalizeDesired(compared.live.object);
  const isDefault = defaultedValues(compared.desired);
  const drifts: Drift[] = [];
  for (const { path: fields, reason, attribution } of entries) {
    const path = pathToJsonPointer(fields, live);
    const value = path === undefined ? undefined : valueAtPointer(live, path);
    if (path === undefined || value === undefined || isEmptyValue(value)) continue;
    if (isDefault(fields, value)) continue;
    drifts.push({ path, type: DriftTypes.added, live: value, reason, ...(attribution && { attribution }) });
  }
  return drifts.filter((drift) => !drifts.some((outer) => drift.path.startsWith(`${outer.path}/`)));
}

/**
 * Rule 3: a live value equal to what kube-apiserver 1.32 would default there is never drift,
 * whoever owns it. An object created with an Update (a program, an operator, `kubectl create`) has
 * its creator own every defaulted field, trusted or not. The desired object is defaulted once, on
 * the first question, as the server would default a write of it.
 */
function defaultedValues(desired: DesiredObject): (path: Path, live: JsonValue) => boolean {
  let defaulted: KubeObject | undefined;
  return (path, live) => {
    defaulted ??= defaultedOrSelf(desired);
    const pointer = pathToJsonPointer(path, defaulted, { defaultedKeys: true });
    return pointer !== undefined && jsonEqual(valueAtPointer(defaulted, pointer), live);
  };
}

function defaultedOrSelf(desired: DesiredObject): KubeObject {
  const { group, version, kind } = desired.ref;
  try {
    return defaultObject({ group, version, kind }, desired.object);
  } catch {
    // A manifest the server would refuse cannot be defaulted: then nothing counts as a default.
    return desired.object;
  }
}

/*
 * A drift is withheld whole when its path is withheld or its value holds a withheld value below it
 * (a whole `data` map added, of which a rule covers one key): only the hash of each side remains.
 */
function withheld(context: ResourceContext, compared: Compared, drift: Drift): Drift {
  const { config } = context;
  const ref = compared.desired.ref;
  const { desired, live, ...rest } = drift;
  const sides = [desired, live].filter((value) => value !== undefined);
  if (!sides.some((value) => holdsWithheld(config, ref, value, drift.path))) return drift;
  // Live Secrets have no stringData: a desired stringData value is compared with the live data
  // value, base64, so the live side is hashed as the data value it is.
  const livePath = isSecretValuePath(ref, drift.path)
    ? drift.path.replace(/^\/stringData(?=\/|$)/, "/data")
    : drift.path;
  const desiredHash = desired === undefined ? undefined : withheldHash(config, ref, drift.path, desired);
  const liveHash = live === undefined ? undefined : withheldHash(config, ref, livePath, live);
  const redacted = {
    ...(desiredHash === undefined ? {} : { desired: desiredHash }),
    ...(liveHash === undefined ? {} : { live: liveHash }),
  };
  return { ...rest, redacted };
}

function driftOf(compared: Compared, managed: ManagedFields, drift: FieldDrift): Drift {
  const path = pointerOf(drift.at);
  const attribution = attributionOf(managed, drift);
  return {
    path,
    type: drift.type === "Changed" ? DriftTypes.changed : DriftTypes.removed,
    desired: drift.desired,
    ...(drift.live === undefined ? {} : { live: drift.live }),
    ...(drift.livePath === undefined ? {} : { livePath: drift.livePath }),
    source: fieldSource(compared.desired, path),
    ...(attribution === undefined ? {} : { attribution }),
  };
}

/** Owned fields are matched against the desired object with its renamed items under their live keys. */
function underLiveKeys(
  compared: Compared,
  prepared: Prepared,
  renamed: readonly RenamedItem[],
): { readonly compared: Compared; readonly prepared: Prepared } {
  if (renamed.length === 0) return { compared, prepared };
  const desired = { ...compared.desired, object: withLiveKeys(compared.desired.object, renamed) };
  return {
    compared: { ...compared, desired },
    prepared: { ...prepared, normalized: withLiveKeys(prepared.normalized, renamed) },
  };
}

function driftsOf(context: ResourceContext, compared: Compared): readonly Drift[] {
  const type = rootTypeOf(context, compared.desired, compared.live);
  const prepared: Prepared = {
    type,
    // A zero the server never stores (a non-pointer Go field with omitempty: `readOnly: false`,
    // `minReadySeconds: 0`) reads back absent: as stored, the desired object does not set it.
    normalized: withoutOmittedZeros(context.resolver.schema, type, normalizeDesired(compared.desired.object)),
    managed: ManagedFields.of(compared.live.object),
  };
  const fields = fieldDrifts(context, prepared, compared);
  const changed = fields.drifts.map((drift) => driftOf(compared, prepared.managed, drift));
  const renamed = underLiveKeys(compared, prepared, fields.renamed);
  const added = addedDrifts(context, renamed.compared, renamed.prepared).map((drift) => ({
    ...drift,
    source: compared.desired.source,
  }));
  return [...changed, ...added]
    .filter((drift) => !isUnevaluated(compared.desired, drift.path))
    .filter((drift) => !isIgnored(context.config.ignore, compared.desired.ref, drift))
    .map((drift) => withheld(context, compared, drift))
    .sort((a, b) => comparePointers(a.path, b.path));
}

/** Fields the source could not evaluate (a Terraform expression) are left out rather than guessed. */
function isUnevaluated(desired: DesiredObject, path: string): boolean {
  return (desired.unevaluated ?? []).some((pointer) => path === pointer || path.startsWith(`${pointer}/`));
}

/** Parsers quote what they could not read (`quantities must match …: "s3cret"`); a withheld value is not repeated. */
function withoutWithheld(
  context: ResourceContext,
  desired: DesiredObject,
  live: LiveObject,
  message: string,
): string {
  const { config } = context;
  const texts = [desired, live].flatMap((object) => withheldTexts(config, object.ref, object.object));
  return scrubText(message, texts);
}

function messageOf(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}

/** One desired object against its live counterpart: InSync, Drifted, or Error when it cannot be evaluated. */
export function compareResource(
  context: ResourceContext,
  desired: DesiredObject,
  live: LiveObject,
): ResourceDrift {
  try {
    const drifts = driftsOf(context, { desired, live, secret: isSecret(desired) });
    return {
      ref: desired.ref,
      status: drifts.length === 0 ? ResourceStatuses.inSync : ResourceStatuses.drifted,
      source: desired.source,
      drifts,
    };
  } catch (error) {
    return {
      ref: desired.ref,
      status: ResourceStatuses.error,
      source: desired.source,
      drifts: [],
      error: `cannot compare: ${withoutWithheld(context, desired, live, messageOf(error))}`,
    };
  }
}
