import { stringify } from "yaml";
import type { JsonObject, JsonValue, KubeObject, ObjectRef } from "../model/index.js";
import { describeRef, isJsonObject } from "../model/index.js";
import type {
  ApplyResult,
  ChangeOutcome,
  DryRunVerdict,
  JsonPatchOperation,
  Plan,
  PlannedChange,
} from "./types.js";

export type PlanFormat = "text" | "json";

export interface RenderOptions {
  /** Indent of the body lines in text output (default 4). */
  readonly indent?: number;
}

const hidden = "(value hidden)";

function isSecret(ref: ObjectRef): boolean {
  return ref.group === "" && ref.kind === "Secret";
}

/** Secret values never leave the process: their keys are shown, each value replaced. */
function hideSecretValues(body: KubeObject): KubeObject {
  const result: Record<string, JsonValue> = { ...body };
  for (const field of ["data", "stringData"]) {
    const values = body[field];
    if (isJsonObject(values))
      result[field] = Object.fromEntries(Object.keys(values).map((key) => [key, hidden]));
  }
  return result;
}

function shownBody(ref: ObjectRef, body: KubeObject): KubeObject {
  return isSecret(ref) ? hideSecretValues(body) : body;
}

function shownPatch(ref: ObjectRef, patch: readonly JsonPatchOperation[]): readonly JsonPatchOperation[] {
  if (!isSecret(ref)) return patch;
  return patch.map((operation) => (operation.op === "test" ? { ...operation, value: hidden } : operation));
}

function apiVersionOf(ref: ObjectRef): string {
  return ref.group === "" ? ref.version : `${ref.group}/${ref.version}`;
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

function patchLines(ref: ObjectRef, patch: readonly JsonPatchOperation[], indent: number): string[] {
  return shownPatch(ref, patch).map((operation) =>
    operation.op === "remove"
      ? `${" ".repeat(indent)}remove ${operation.path}`
      : `${" ".repeat(indent)}test   ${operation.path} = ${JSON.stringify(operation.value)}`,
  );
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
    remove: "remove fields added out of band",
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
          : [`${" ".repeat(indent - 2)}JSON patch:`, ...patchLines(change.ref, change.removals, indent)]),
        `${" ".repeat(indent - 2)}apply:`,
        ...indented(stringify(shownBody(change.ref, change.body)), indent),
        ...releasedLines(change.released ?? [], indent),
      ];
    case "remove":
      return [`${" ".repeat(indent - 2)}JSON patch:`, ...patchLines(change.ref, change.patch, indent)];
    case "create":
      return indented(stringify(shownBody(change.ref, change.body)), indent);
    case "delete":
      return [`${" ".repeat(indent)}if still at resourceVersion ${change.resourceVersion}`];
  }
}

/** Each object counted once: a change the dry run rejected is counted as rejected, not as its action. */
function counts(plan: Plan): Record<PlannedChange["action"], number> {
  const result = { apply: 0, remove: 0, create: 0, delete: 0 };
  for (const change of plan.changes) if (change.verdict?.ok !== false) result[change.action] += 1;
  return result;
}

function planSummary(plan: Plan): string {
  const { apply, remove, create, delete: remove_ } = counts(plan);
  const rejected = plan.changes.filter((change) => change.verdict?.ok === false).length;
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
        body: shownBody(change.ref, change.body),
        patch: shownPatch(change.ref, change.removals).map((operation) => ({ ...operation })),
        ...verdictJson(change.verdict),
      };
    case "remove":
      return {
        ...common,
        resourceVersion: change.resourceVersion,
        patch: shownPatch(change.ref, change.patch).map((operation) => ({ ...operation })),
        ...verdictJson(change.verdict),
      };
    case "create":
      return { ...common, body: shownBody(change.ref, change.body), ...verdictJson(change.verdict) };
    case "delete":
      return { ...common, resourceVersion: change.resourceVersion, ...verdictJson(change.verdict) };
  }
}

/** The plan as a stable JSON document (`kind: Plan`) or as text for people. Secret values are never shown. */
export function renderPlan(plan: Plan, format: PlanFormat, options: RenderOptions = {}): string {
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
      rejected: plan.changes.filter((change) => change.verdict?.ok === false).length,
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
export function renderApplyResult(result: ApplyResult, format: PlanFormat): string {
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
