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
import type { JsonObject, KubeObject } from "../kube/value/json.js";
import { apiVersionOf } from "../kube/schema/gvk.js";
import type { ObjectRef } from "../kube/object.js";
import { isRejected, rejectedChanges } from "./plan.js";

export type PlanFormat = "text" | "json";

export interface RenderOptions {
  /** Indent of the body lines in text output (default 4). */
  readonly indent?: number;
  /** The engine config's `redact` rules and key; without it only Secret values are withheld, with no hash. */
  readonly redaction?: RedactionConfig;
}

export interface ApplyRenderOptions {
  readonly redaction?: RedactionConfig;
  /** The plan that was applied: the values it sent are scrubbed from the server's messages. */
  readonly plan?: Plan;
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

function verdictText(verdict: DryRunVerdict | undefined): string {
  if (verdict === undefined) return "";
  if (!verdict.ok) return `  [dry run: REJECTED (${verdict.code}): ${verdict.message}]`;
  if (verdict.note !== undefined) return `  [dry run: ${verdict.note}]`;
  return verdict.takesOver.length === 0
    ? "  [dry run: ok]"
    : `  [dry run: ok, takes over ${verdict.takesOver.join(", ")}]`;
}

function indented(text: string, indent: number): string[] {
  const pad = " ".repeat(indent);
  return text
    .trimEnd()
    .split("\n")
    .map((line) => `${pad}${line}`);
}

function patchLines(patch: readonly JsonPatchOperation[], indent: number): string[] {
  return patch.map((operation) =>
    operation.op === "remove"
      ? `${" ".repeat(indent)}remove ${operation.path}`
      : `${" ".repeat(indent)}${operation.op.padEnd(6)} ${operation.path} = ${JSON.stringify(operation.value)}`,
  );
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
function releasedLines(released: readonly string[], indent: number): string[] {
  if (released.length === 0) return [];
  return [
    `${" ".repeat(indent - 2)}no longer in the desired state, given up (removed unless another manager owns them):`,
    ...released.map((field) => `${" ".repeat(indent)}${field}`),
  ];
}

function headline(change: PlannedChange): string {
  const what: Record<PlannedChange["action"], string> = {
    apply: "server-side apply of the drifted fields",
    remove: change.action === "remove" ? patchPurpose(change.patch) : "",
    create: "create",
    delete: "delete",
  };
  return `${symbols[change.action]} ${describeRef(change.ref)}: ${what[change.action]}${verdictText(change.verdict)}`;
}

function changeLines(change: PlannedChange, indent: number): string[] {
  switch (change.action) {
    case "apply":
      return [
        ...(change.removals.length === 0
          ? []
          : [`${" ".repeat(indent - 2)}JSON patch:`, ...patchLines(change.removals, indent)]),
        `${" ".repeat(indent - 2)}apply:`,
        ...indented(stringify(change.body), indent),
        ...releasedLines(change.released ?? [], indent),
      ];
    case "remove":
      return [`${" ".repeat(indent - 2)}JSON patch:`, ...patchLines(change.patch, indent)];
    case "create":
      return indented(stringify(change.body), indent);
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

function renderPlanText(plan: Plan, options: RenderOptions): string {
  const indent = Math.max(2, options.indent ?? 4);
  if (plan.changes.length === 0 && plan.withheld.length === 0)
    return "No changes: the cluster matches the desired state.\n";
  const lines: string[] = [];
  for (const change of plan.changes) lines.push(headline(change), ...changeLines(change, indent), "");
  if (plan.withheld.length > 0) {
    lines.push("Left alone:");
    for (const item of plan.withheld) lines.push(`  ${describeRef(item.ref)}: ${item.reason}`);
    lines.push("");
  }
  lines.push(planSummary(plan));
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

function outcomeLine(outcome: ChangeOutcome, dryRun: boolean): string {
  const status = dryRun && outcome.status === "applied" ? "ok (dry run)" : outcome.status;
  const notes = [
    ...(outcome.replanned === true ? ["re-planned: it changed since the plan"] : []),
    ...(outcome.forced === undefined ? [] : [`took over ${outcome.forced.join(", ")}`]),
    ...(outcome.message === undefined ? [] : [outcome.message]),
  ];
  return `${status.padEnd(9)} ${outcome.action.padEnd(6)} ${describeRef(outcome.ref)}${notes.length === 0 ? "" : `: ${notes.join("; ")}`}`;
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
  const lines = result.outcomes.map((outcome) => outcomeLine(outcome, result.dryRun));
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
  lines.push(`${verb}: ${counted.join(", ")}.`);
  return `${lines.join("\n")}\n`;
}
