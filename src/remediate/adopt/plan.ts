import path from "node:path";

import { onlySelector } from "../only.js";
import type { DesiredObject, Drift, LiveObject, ResourceDrift } from "../../model/index.js";
import { ResourceStatuses, refKey, unreachable } from "../../model/index.js";
import type { PatchDocument, ReadText } from "./kustomize-patches.js";
import { kustomizePatches } from "./kustomize-patches.js";
import { withoutDefaults } from "./defaults.js";
import { mapSegments } from "./pointer.js";
import { editTerraformLiteral, expressionOn } from "./terraform-edit.js";
import type { AdoptPlan, AdoptRequest, AdoptedField, FileEdit, Refusal } from "./types.js";
import { RefusalReasons } from "./types.js";
import type { YamlChange } from "./yaml-edit.js";
import { editYamlObject } from "./yaml-edit.js";
import type { JsonValue } from "../../kube/value/json.js";
import { isJsonObject } from "../../kube/value/json.js";
import { pointerTokens, valueAtTokens } from "../../kube/value/pointer.js";

/** One edit to make, in one file, at one object (`line`). */
type Target =
  | {
      readonly kind: "yaml";
      readonly file: string;
      readonly line: number;
      readonly objectKind: string;
      readonly change: YamlChange;
    }
  | {
      readonly kind: "terraform";
      readonly file: string;
      readonly line: number;
      readonly key: string;
      readonly desired: JsonValue | undefined;
      readonly live: JsonValue | undefined;
    };

interface Planned {
  readonly field: AdoptedField;
  readonly target: Target;
}

interface Context {
  readonly desired: ReadonlyMap<string, DesiredObject>;
  readonly live: ReadonlyMap<string, LiveObject>;
  readonly patches: readonly PatchDocument[];
  readonly cwd: string;
  readonly read: (file: string) => string | undefined;
}

function isSecretValue(object: DesiredObject, segments: readonly string[]): boolean {
  return (
    object.ref.group === "" &&
    object.ref.kind === "Secret" &&
    ["data", "stringData"].includes(segments[0] ?? "")
  );
}

function refusalFor(object: DesiredObject, drift: Drift): string | undefined {
  if (object.origin?.kind === "helm") return RefusalReasons.helm;
  if (isSecretValue(object, pointerTokens(drift.path))) return RefusalReasons.secret;
  if (drift.redacted !== undefined) return RefusalReasons.redacted;
  if (object.source.file === "<stdin>") return RefusalReasons.stdin;
  return undefined;
}

function absolute(file: string, context: Context): string {
  return path.resolve(context.cwd, file);
}

function overlaps(pointer: string, other: string): boolean {
  return pointer === other || pointer.startsWith(`${other}/`) || other.startsWith(`${pointer}/`);
}

function expressionReason(object: DesiredObject, pointer: string, context: Context): string {
  const line = object.fieldLines?.get(pointer);
  const text = context.read(absolute(object.source.file, context));
  const key = pointerTokens(pointer).at(-1) ?? "";
  const written = line === undefined || text === undefined ? undefined : expressionOn(text, line, key);
  return `set by an expression${written === undefined ? "" : `: ${written}`}`;
}

function terraformTarget(object: DesiredObject, drift: Drift, context: Context): Target | string {
  const lines = object.fieldLines;
  if (lines === undefined) return RefusalReasons.state;
  const expression = object.unevaluated?.find((pointer) => overlaps(drift.path, pointer));
  if (expression !== undefined) return expressionReason(object, expression, context);
  if (drift.type !== "Changed") return "only changed literal attributes are written into .tf files";
  const line = lines.get(drift.path);
  if (line === undefined) return "the attribute has no line in the .tf file";
  const key = pointerTokens(drift.path).at(-1) ?? "";
  return { kind: "terraform", file: object.source.file, line, key, desired: drift.desired, live: drift.live };
}

/** The last patch that sets the field for this object: kustomize applies patches in order, so it wins. */
function patchSetting(object: DesiredObject, segments: readonly string[], context: Context) {
  const matching = context.patches.filter(
    (patch) => patch.kind === object.ref.kind && patch.name !== "" && object.ref.name.includes(patch.name),
  );
  for (const patch of [...matching].reverse()) {
    const mapped = mapSegments(object.object, patch.value, segments);
    if (valueAtTokens(patch.value, mapped) !== undefined) return { patch, mapped };
  }
  return undefined;
}

function liveOrder(live: LiveObject | undefined, segments: readonly string[]) {
  return (depth: number): readonly string[] => {
    const parent = valueAtTokens(live?.object, segments.slice(0, depth));
    return isJsonObject(parent) ? Object.keys(parent) : [];
  };
}

/** The value to write: the live one; for an added field, less what the server would default in it there. */
function valueToWrite(
  object: DesiredObject,
  drift: Drift,
  live: LiveObject | undefined,
  segments: readonly string[],
): JsonValue | undefined {
  const value = drift.live ?? valueAtTokens(live?.object, pointerTokens(drift.path));
  return drift.type === "Added" && value !== undefined ? withoutDefaults(object, segments, value) : value;
}

function yamlChange(
  drift: Drift,
  segments: readonly string[],
  value: JsonValue | undefined,
  orderAt: (depth: number) => readonly string[],
): YamlChange | string {
  if (drift.type === "Removed") return { kind: "remove", segments };
  if (value === undefined) return RefusalReasons.redacted;
  if (drift.type === "Changed") return { kind: "set", segments, value };
  return { kind: "add", segments, value, orderAt };
}

function yamlTarget(object: DesiredObject, drift: Drift, context: Context): Target | string {
  const live = context.live.get(refKey(object.ref));
  const raw = pointerTokens(drift.path);
  const segments = drift.type === "Added" ? mapSegments(live?.object, object.object, raw) : raw;
  const value = valueToWrite(object, drift, live, segments);
  const orderAt = liveOrder(live, raw);
  const patched = patchSetting(object, segments, context);
  if (patched !== undefined) {
    const change = yamlChange(drift, patched.mapped, value, orderAt);
    if (typeof change === "string") return change;
    const file = path.relative(context.cwd, patched.patch.absolute);
    return { kind: "yaml", file, line: patched.patch.line, objectKind: patched.patch.kind, change };
  }
  if (drift.type !== "Added" && object.fieldLines?.has(drift.path) !== true) return RefusalReasons.patch;
  const change = yamlChange(drift, segments, value, orderAt);
  if (typeof change === "string") return change;
  return {
    kind: "yaml",
    file: object.source.file,
    line: object.source.line,
    objectKind: object.ref.kind,
    change,
  };
}

function targetFor(object: DesiredObject, drift: Drift, context: Context): Target | string {
  const refused = refusalFor(object, drift);
  if (refused !== undefined) return refused;
  return object.origin?.kind === "terraform"
    ? terraformTarget(object, drift, context)
    : yamlTarget(object, drift, context);
}

interface Decided {
  readonly planned: readonly Planned[];
  readonly refused: readonly Refusal[];
}

function decideResource(resource: ResourceDrift, context: Context): Decided {
  const { ref } = resource;
  switch (resource.status) {
    case ResourceStatuses.missing:
    case ResourceStatuses.extra:
      return { planned: [], refused: [{ ref, path: "", reason: RefusalReasons.missingOrExtra }] };
    case ResourceStatuses.error:
      return { planned: [], refused: [{ ref, path: "", reason: `not compared: ${resource.error}` }] };
    case ResourceStatuses.inSync:
    case ResourceStatuses.drifted:
      return decideFields(resource, context);
    default:
      return unreachable(resource);
  }
}

function decideFields(resource: ResourceDrift, context: Context): Decided {
  const { ref } = resource;
  const object = context.desired.get(refKey(ref));
  if (object === undefined)
    return {
      planned: [],
      refused: resource.drifts.map((drift) => ({ ref, path: drift.path, reason: "no desired object" })),
    };
  const planned: Planned[] = [];
  const refused: Refusal[] = [];
  for (const drift of resource.drifts) {
    const target = targetFor(object, drift, context);
    if (typeof target === "string") refused.push({ ref, path: drift.path, reason: target });
    else planned.push({ field: { ref, path: drift.path }, target });
  }
  return { planned, refused };
}

const changeRank: Readonly<Record<YamlChange["kind"], number>> = { set: 0, add: 1, remove: 2 };

function compareSegmentsDescending(a: readonly string[], b: readonly string[]): number {
  for (let index = 0; index < Math.min(a.length, b.length); index++) {
    if (a[index] === b[index]) continue;
    const numeric = /^\d+$/.test(a[index]) && /^\d+$/.test(b[index]);
    return numeric ? Number(b[index]) - Number(a[index]) : b[index] < a[index] ? -1 : 1;
  }
  return b.length - a.length;
}

/**
 * Later objects first, so that an edit never moves the line an object not yet edited starts on;
 * within an object, removals last and from the end, so that list indices stay valid.
 */
function editOrder(a: Planned, b: Planned): number {
  if (a.target.line !== b.target.line) return b.target.line - a.target.line;
  if (a.target.kind !== "yaml" || b.target.kind !== "yaml") return 0;
  const rank = changeRank[a.target.change.kind] - changeRank[b.target.change.kind];
  if (rank !== 0 || a.target.change.kind !== "remove") return rank;
  return compareSegmentsDescending(a.target.change.segments, b.target.change.segments);
}

function applyTarget(text: string, target: Target) {
  if (target.kind === "terraform")
    return editTerraformLiteral(text, target.line, target.key, {
      desired: target.desired,
      live: target.live,
    });
  return editYamlObject(text, { kind: target.objectKind, line: target.line }, target.change);
}

function editFile(
  file: string,
  planned: readonly Planned[],
  context: Context,
): { edit?: FileEdit; refused: Refusal[] } {
  const absolutePath = absolute(file, context);
  const before = context.read(absolutePath);
  if (before === undefined)
    return { refused: planned.map(({ field }) => ({ ...field, reason: `cannot read ${file}` })) };
  let text = before;
  const adopted: AdoptedField[] = [];
  const refused: Refusal[] = [];
  for (const item of [...planned].sort(editOrder)) {
    const result = applyTarget(text, item.target);
    if (result.ok) {
      text = result.text;
      adopted.push(item.field);
    } else refused.push({ ...item.field, reason: result.reason });
  }
  if (adopted.length === 0) return { refused };
  return { edit: { file, absolute: absolutePath, before, after: text, adopted }, refused };
}

function cachedReader(read: ReadText): (file: string) => string | undefined {
  const cache = new Map<string, string | undefined>();
  return (file) => {
    if (!cache.has(file)) {
      try {
        cache.set(file, read(file));
      } catch {
        cache.set(file, undefined);
      }
    }
    return cache.get(file);
  };
}

/**
 * What `kubedrift adopt` would write: for each drifted field, the live value written into the file
 * and place that declares it, or why it cannot be. Pure: files are read through `readFile` (absolute paths).
 */
export function planAdoption(request: AdoptRequest, readFile: ReadText): AdoptPlan {
  const read = cachedReader(readFile);
  const context: Context = {
    desired: new Map(request.desired.map((object) => [refKey(object.ref), object])),
    live: new Map(request.live.map((object) => [refKey(object.ref), object])),
    patches: kustomizePatches(request.kustomizations ?? [], request.cwd, readFile),
    cwd: request.cwd,
    read,
  };
  // The same --only syntax as plan and apply (KIND[.GROUP]/NAMESPACE/NAME).
  const isSelected = onlySelector(request.only ?? []);
  const decided = request.report.resources
    .filter((resource) => resource.status !== ResourceStatuses.inSync && isSelected(resource.ref))
    .map((resource) => decideResource(resource, context));
  const byFile = new Map<string, Planned[]>();
  for (const planned of decided.flatMap((entry) => entry.planned)) {
    const list = byFile.get(planned.target.file) ?? [];
    list.push(planned);
    byFile.set(planned.target.file, list);
  }
  const edits: FileEdit[] = [];
  const refused: Refusal[] = decided.flatMap((entry) => entry.refused);
  for (const [file, planned] of byFile) {
    const result = editFile(file, planned, context);
    if (result.edit !== undefined) edits.push(result.edit);
    refused.push(...result.refused);
  }
  return { edits, refused };
}
