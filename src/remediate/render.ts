import { stringify } from "yaml";
import { describeRef, refKey } from "../model/index.js";
import type { RedactionConfig } from "../engine/redact.js";
import { redactValue, scrubText, secretsOnly, withheldTexts } from "../engine/redact.js";
import type {
  ApplyResult,
  ChangeOutcome,
  DryRunVerdict,
  JsonPatchOperation,
  Plan,
  PlannedChange,
} from "./types.js";
import type { JsonObject, JsonValue, KubeObject } from "../kube/value/json.js";
import { isJsonObject } from "../kube/value/json.js";
import { apiVersionOf } from "../kube/schema/gvk.js";
import type { ObjectRef } from "../kube/object.js";
import { readableFieldPath, readablePath } from "../kube/fieldpath/readable.js";
import { pointerTokens } from "../kube/value/pointer.js";
import { isRejected, rejectedChanges } from "./plan.js";
import type { Paint, Style } from "./paint.js";
import { painter } from "./paint.js";

export type PlanFormat = "text" | "json";

/** The compared objects by `refKey(ref)` (inspect's `objectsByRef`): they let paths name list items by key. */
export type PlanObjects = ReadonlyMap<string, { readonly desired?: KubeObject; readonly live?: KubeObject }>;

export interface RenderOptions {
  /** Indent of the body lines in text output (default 4). */
  readonly indent?: number;
  /** The engine config's `redact` rules and key; without it only Secret values are withheld, with no hash. */
  readonly redaction?: RedactionConfig;
  /** Colour the text plan as the diff is coloured (the CLI's `wantsColor`); off by default. */
  readonly color?: boolean;
  /**
   * The live objects, when the caller has them: the JSON-patch lines then name list items by key
   * (`containers[name=web].env[name=DEBUG]`) as the diff does, rather than by index.
   */
  readonly objects?: PlanObjects;
}

export interface ApplyRenderOptions {
  readonly redaction?: RedactionConfig;
  /** The plan that was applied: the values it sent are scrubbed from the server's messages. */
  readonly plan?: Plan;
  /** Colour the outcome lines (the CLI's `wantsColor`); off by default. */
  readonly color?: boolean;
}

/*
 * Rule 7: every value the plan shows goes through the engine's one redaction step first: bodies,
 * the `test` values of JSON patches (live values), and the server's messages, which may quote a
 * value it refused. Secret values are withheld always, other values as `redact:` rules say.
 */
function withheldTextsOf(change: PlannedChange, redaction: RedactionConfig): readonly string[] {
  const operations =
    change.action === "apply" ? change.removals : change.action === "remove" ? change.patch : [];
  return [
    ...("desired" in change ? withheldTexts(redaction, change.ref, change.desired.object) : []),
    ...("body" in change ? withheldTexts(redaction, change.ref, change.body) : []),
    ...operations.flatMap((operation) =>
      operation.op === "remove" ? [] : withheldTexts(redaction, change.ref, operation.value, operation.path),
    ),
  ];
}

function shownPatch(
  ref: ObjectRef,
  patch: readonly JsonPatchOperation[],
  redaction: RedactionConfig,
): readonly JsonPatchOperation[] {
  return patch.map((operation) =>
    operation.op === "remove"
      ? operation
      : { ...operation, value: redactValue(redaction, ref, operation.value, operation.path) },
  );
}

function shownVerdict(
  verdict: DryRunVerdict | undefined,
  texts: readonly string[],
): DryRunVerdict | undefined {
  return verdict === undefined || verdict.ok
    ? verdict
    : { ...verdict, message: scrubText(verdict.message, texts) };
}

function shownChange(change: PlannedChange, redaction: RedactionConfig): PlannedChange {
  const verdict = shownVerdict(change.verdict, withheldTextsOf(change, redaction));
  const shown = { ...change, ...(verdict === undefined ? {} : { verdict }) };
  const body = (object: KubeObject): KubeObject => redactValue(redaction, change.ref, object) as KubeObject;
  switch (shown.action) {
    case "apply":
      return { ...shown, body: body(shown.body), removals: shownPatch(shown.ref, shown.removals, redaction) };
    case "remove":
      return { ...shown, patch: shownPatch(shown.ref, shown.patch, redaction) };
    case "create":
      return { ...shown, body: body(shown.body) };
    case "delete":
      return shown;
  }
}

function shownPlan(plan: Plan, redaction: RedactionConfig): Plan {
  return { ...plan, changes: plan.changes.map((change) => shownChange(change, redaction)) };
}

/** Outcome messages are the server's: scrubbed of the values the plan sent or tested. */
function shownResult(result: ApplyResult, options: ApplyRenderOptions): ApplyResult {
  const redaction = options.redaction ?? secretsOnly;
  const texts = new Map<string, readonly string[]>();
  for (const change of options.plan?.changes ?? [])
    texts.set(refKey(change.ref), withheldTextsOf(change, redaction));
  const outcomes = result.outcomes.map((outcome) =>
    outcome.message === undefined
      ? outcome
      : { ...outcome, message: scrubText(outcome.message, texts.get(refKey(outcome.ref)) ?? []) },
  );
  return { ...result, outcomes };
}

const symbols = { apply: "~", remove: "~", create: "+", delete: "-" } as const;
const symbolStyles = { apply: "yellow", remove: "yellow", create: "green", delete: "red" } as const;

/** What the text plan needs besides the plan: colour, indent, and the objects paths are named in. */
interface TextContext {
  readonly paint: Paint;
  readonly indent: number;
  readonly objects: PlanObjects | undefined;
}

function verdictText(
  verdict: DryRunVerdict | undefined,
  desired: KubeObject | undefined,
  paint: Paint,
): string {
  if (verdict === undefined) return "";
  if (!verdict.ok) return `  ${paint("red", `[dry run: REJECTED (${verdict.code}): ${verdict.message}]`)}`;
  if (verdict.note !== undefined) return `  ${paint("dim", `[dry run: ${verdict.note}]`)}`;
  // The server's field names, in the diff's notation, looked up in the desired object.
  const fields = verdict.takesOver.map((field) => readableFieldPath(field, desired));
  return paint(
    "dim",
    fields.length === 0 ? "  [dry run: ok]" : `  [dry run: ok, takes over ${fields.join(", ")}]`,
  );
}

function indented(text: string, indent: number): string[] {
  const pad = " ".repeat(indent);
  return text
    .trimEnd()
    .split("\n")
    .map((line) => `${pad}${line}`);
}

function setAt(root: JsonValue, tokens: readonly string[], value: JsonValue): JsonValue {
  const [head, ...rest] = tokens;
  if (head === undefined) return value;
  const isItem = /^\d+$/.test(head);
  const base = isItem
    ? Array.isArray(root)
      ? [...(root as JsonValue[])]
      : []
    : isJsonObject(root)
      ? { ...root }
      : {};
  const child = (base as Record<string, JsonValue>)[head] ?? null;
  (base as Record<string, JsonValue>)[head] = setAt(child, rest, value);
  return base;
}

/**
 * Without the live object, the patch's own `test` operations say what stands where (the item a
 * `remove` takes out is tested first): a partial object built from them names those items by key.
 */
function patchSkeleton(patch: readonly JsonPatchOperation[]): JsonValue {
  let skeleton: JsonValue = {};
  for (const operation of patch)
    if (operation.op === "test") skeleton = setAt(skeleton, pointerTokens(operation.path), operation.value);
  return skeleton;
}

const patchStyles: Record<JsonPatchOperation["op"], Style> = {
  test: "dim",
  remove: "red",
  replace: "green",
  add: "green",
};

/**
 * A JSON patch for people: the operation and the field in the diff's notation; `-o json` keeps the
 * JSON Pointers the server is sent. `remove metadata.labels.team`, `test   data.token = "…"`.
 */
function patchLines(
  patch: readonly JsonPatchOperation[],
  live: JsonValue | undefined,
  context: TextContext,
): string[] {
  const within = live ?? patchSkeleton(patch);
  const pad = " ".repeat(context.indent);
  return patch.map((operation) => {
    const field = readablePath(operation.path, within);
    const text =
      operation.op === "remove"
        ? `remove ${field}`
        : `${operation.op.padEnd(6)} ${field} = ${JSON.stringify(operation.value)}`;
    return `${pad}${context.paint(patchStyles[operation.op], text)}`;
  });
}

/** What a JSON patch does, for the headline: items whose key changed put back, undeclared fields removed. */
function patchPurpose(patch: readonly JsonPatchOperation[]): string {
  const restores = patch.some((operation) => operation.op === "replace" || operation.op === "add");
  const removes = patch.some((operation) => operation.op === "remove");
  const parts = [
    ...(restores ? ["put back items whose key changed"] : []),
    ...(removes ? ["remove fields the sources do not declare"] : []),
  ];
  return parts.join(" and ");
}

/** Fields kubedrift applied before and the desired state dropped: the apply gives them up on purpose. */
function releasedLines(released: readonly string[], context: TextContext): string[] {
  if (released.length === 0) return [];
  const { indent, paint } = context;
  return [
    `${" ".repeat(indent - 2)}no longer in the desired state, given up (removed unless another manager owns them):`,
    ...released.map((field) => `${" ".repeat(indent)}${paint("red", readableFieldPath(field))}`),
  ];
}

function desiredOf(change: PlannedChange): KubeObject | undefined {
  return "desired" in change ? change.desired.object : undefined;
}

function headline(change: PlannedChange, paint: Paint): string {
  const what: Record<PlannedChange["action"], string> = {
    apply: "server-side apply of the drifted fields",
    remove: change.action === "remove" ? patchPurpose(change.patch) : "",
    create: "create",
    delete: "delete",
  };
  const symbol = paint(symbolStyles[change.action], symbols[change.action]);
  const verdict = verdictText(change.verdict, desiredOf(change), paint);
  return `${symbol} ${paint("bold", describeRef(change.ref))}: ${what[change.action]}${verdict}`;
}

function jsonPatchBlock(
  change: PlannedChange,
  patch: readonly JsonPatchOperation[],
  context: TextContext,
): string[] {
  if (patch.length === 0) return [];
  const live = context.objects?.get(refKey(change.ref))?.live;
  return [`${" ".repeat(context.indent - 2)}JSON patch:`, ...patchLines(patch, live, context)];
}

function changeLines(change: PlannedChange, context: TextContext): string[] {
  const { indent, paint } = context;
  switch (change.action) {
    case "apply":
      return [
        ...jsonPatchBlock(change, change.removals, context),
        `${" ".repeat(indent - 2)}apply:`,
        ...indented(stringify(change.body), indent),
        ...releasedLines(change.released ?? [], context),
      ];
    case "remove":
      return jsonPatchBlock(change, change.patch, context);
    case "create":
      return indented(stringify(change.body), indent).map((line) => paint("green", line));
    case "delete":
      return [`${" ".repeat(indent)}if still at resourceVersion ${change.resourceVersion}`];
  }
}

/** Each object counted once: a change the dry run rejected is counted as rejected, not as its action. */
function counts(plan: Plan): Record<PlannedChange["action"], number> {
  const result = { apply: 0, remove: 0, create: 0, delete: 0 };
  for (const change of plan.changes) if (!isRejected(change)) result[change.action] += 1;
  return result;
}

function planSummary(plan: Plan): string {
  const { apply, remove, create, delete: remove_ } = counts(plan);
  const rejected = rejectedChanges(plan).length;
  const parts = [`${apply + remove} to update`, `${create} to create`, `${remove_} to delete`];
  if (rejected > 0) parts.push(`${rejected} rejected by the server's dry run`);
  return `Plan: ${parts.join(", ")}.`;
}

/**
 * Coloured as the diff is: `~` (update) yellow, `+` (create) green, `-` (delete) red, the object
 * bold; in JSON patches `remove` red, what is put back green, `test` guards dim; fields given up red.
 */
function renderPlanText(plan: Plan, options: RenderOptions): string {
  const paint = painter(options.color === true);
  const context: TextContext = { paint, indent: Math.max(2, options.indent ?? 4), objects: options.objects };
  if (plan.changes.length === 0 && plan.withheld.length === 0)
    return `${paint("green", "No changes: the cluster matches the desired state.")}\n`;
  const lines: string[] = [];
  for (const change of plan.changes) lines.push(headline(change, paint), ...changeLines(change, context), "");
  if (plan.withheld.length > 0) {
    lines.push(paint("bold", "Left alone:"));
    for (const item of plan.withheld) lines.push(`  ${describeRef(item.ref)}: ${item.reason}`);
    lines.push("");
  }
  lines.push(paint("bold", planSummary(plan)));
  return `${lines.join("\n")}\n`;
}

function refFields(ref: ObjectRef): JsonObject {
  return {
    apiVersion: apiVersionOf(ref),
    kind: ref.kind,
    ...(ref.namespace === "" ? {} : { namespace: ref.namespace }),
    name: ref.name,
  };
}

function verdictJson(verdict: DryRunVerdict | undefined): JsonObject {
  if (verdict === undefined) return {};
  return {
    dryRun: verdict.ok
      ? {
          ok: true,
          takesOver: [...verdict.takesOver],
          ...(verdict.note === undefined ? {} : { note: verdict.note }),
        }
      : { ok: false, code: verdict.code, message: verdict.message },
  };
}

function changeJson(change: PlannedChange): JsonObject {
  const common = { action: change.action, ...refFields(change.ref) };
  switch (change.action) {
    case "apply":
      return {
        ...common,
        resourceVersion: change.resourceVersion,
        fields: [...change.fields],
        ...(change.released === undefined ? {} : { released: [...change.released] }),
        body: change.body,
        patch: change.removals.map((operation) => ({ ...operation })),
        ...verdictJson(change.verdict),
      };
    case "remove":
      return {
        ...common,
        resourceVersion: change.resourceVersion,
        patch: change.patch.map((operation) => ({ ...operation })),
        ...verdictJson(change.verdict),
      };
    case "create":
      return { ...common, body: change.body, ...verdictJson(change.verdict) };
    case "delete":
      return { ...common, resourceVersion: change.resourceVersion, ...verdictJson(change.verdict) };
  }
}

/** The plan as a stable JSON document (`kind: Plan`) or as text for people. Secret values are never shown. */
export function renderPlan(unredacted: Plan, format: PlanFormat, options: RenderOptions = {}): string {
  const plan = shownPlan(unredacted, options.redaction ?? secretsOnly);
  if (format === "text") return renderPlanText(plan, options);
  const { apply, remove, create, delete: deletes } = counts(plan);
  const document = {
    apiVersion: "kubedrift.dev/v1",
    kind: "Plan",
    cluster: plan.cluster,
    validated: plan.validated,
    summary: {
      update: apply + remove,
      create,
      delete: deletes,
      rejected: rejectedChanges(plan).length,
    },
    changes: plan.changes.map(changeJson),
    withheld: plan.withheld.map((item) => ({ ...refFields(item.ref), reason: item.reason })),
  };
  return `${JSON.stringify(document, null, 2)}\n`;
}

const statusStyles: Record<ChangeOutcome["status"], Style> = {
  applied: "green",
  unchanged: "dim",
  skipped: "dim",
  stale: "yellow",
  rejected: "red",
  failed: "red",
};

function outcomeLine(outcome: ChangeOutcome, context: OutcomeContext): string {
  const status = context.dryRun && outcome.status === "applied" ? "ok (dry run)" : outcome.status;
  const desired = context.desired.get(refKey(outcome.ref));
  const forced = outcome.forced?.map((field) => readableFieldPath(field, desired));
  const notes = [
    ...(outcome.replanned === true ? ["re-planned: it changed since the plan"] : []),
    ...(forced === undefined ? [] : [`took over ${forced.join(", ")}`]),
    ...(outcome.message === undefined ? [] : [outcome.message]),
  ];
  const shownStatus = context.paint(statusStyles[outcome.status], status.padEnd(9));
  return `${shownStatus} ${outcome.action.padEnd(6)} ${describeRef(outcome.ref)}${notes.length === 0 ? "" : `: ${notes.join("; ")}`}`;
}

interface OutcomeContext {
  readonly dryRun: boolean;
  readonly paint: Paint;
  /** The plan's desired objects by `refKey`: the fields taken over are named as in the diff. */
  readonly desired: ReadonlyMap<string, KubeObject>;
}

function desiredObjects(plan: Plan | undefined): ReadonlyMap<string, KubeObject> {
  const objects = new Map<string, KubeObject>();
  for (const change of plan?.changes ?? []) {
    const desired = desiredOf(change);
    if (desired !== undefined) objects.set(refKey(change.ref), desired);
  }
  return objects;
}

/** What apply did, object by object, then the counts. */
export function renderApplyResult(
  unredacted: ApplyResult,
  format: PlanFormat,
  options: ApplyRenderOptions = {},
): string {
  const result = shownResult(unredacted, options);
  if (format === "json") {
    const document = {
      apiVersion: "kubedrift.dev/v1",
      kind: "ApplyResult",
      dryRun: result.dryRun,
      summary: result.summary,
      outcomes: result.outcomes.map((outcome) => ({
        ...refFields(outcome.ref),
        action: outcome.action,
        status: outcome.status,
        ...(outcome.message === undefined ? {} : { message: outcome.message }),
        ...(outcome.replanned === true ? { replanned: true } : {}),
        ...(outcome.forced === undefined ? {} : { forced: [...outcome.forced] }),
      })),
    };
    return `${JSON.stringify(document, null, 2)}\n`;
  }
  const { applied, unchanged, skipped, stale, rejected, failed } = result.summary;
  const paint = painter(options.color === true);
  const context = { dryRun: result.dryRun, paint, desired: desiredObjects(options.plan) };
  const lines = result.outcomes.map((outcome) => outcomeLine(outcome, context));
  const verb = result.dryRun ? "Dry run" : "Apply";
  const notDone = [
    ...(stale === 0 ? [] : [`${stale} changed since the plan`]),
    ...(rejected === 0 ? [] : [`${rejected} rejected`]),
  ];
  const counted = [
    `${applied} applied`,
    `${unchanged} unchanged`,
    `${skipped} skipped`,
    ...notDone,
    `${failed} failed`,
  ];
  lines.push(paint("bold", `${verb}: ${counted.join(", ")}.`));
  return `${lines.join("\n")}\n`;
}
