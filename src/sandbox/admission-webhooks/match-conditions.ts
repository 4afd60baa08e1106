import { Environment } from "@marcbachmann/cel-js";
import { celValue } from "../../kube/value/cel.js";
import type { JsonObject, JsonValue } from "../../kube/value/json.js";
import { isJsonObject } from "../../kube/value/json.js";

/** k8s.io/api/admissionregistration/v1: a webhook has at most 64 matchConditions. */
export const maxMatchConditions = 64;

/**
 * The CEL environment of a webhook's matchConditions: `object`, `oldObject` and `request`, all
 * dynamic (kube-apiserver types `request` as an AdmissionRequest; a map with the same fields
 * answers the same expressions). `authorizer` is not supported: it is not declared, so an
 * expression using it fails to compile ("Unknown variable: authorizer") and is refused like any
 * other compilation error. Neither are kube's CEL extension libraries (strings, lists, regex, url,
 * quantity, …) beyond what cel-js itself knows.
 */
const environment = new Environment({ homogeneousAggregateLiterals: false, enableOptionalTypes: true })
  .registerVariable("object", "dyn")
  .registerVariable("oldObject", "dyn")
  .registerVariable("request", "dyn");

interface CelIssue {
  readonly message: string;
  readonly summary?: string;
  readonly range?: { readonly start: number };
}

/** The first line of what cel-js says of an expression it could not compile or evaluate. */
export function celIssueSummary(error: unknown): string {
  if (typeof error === "object" && error !== null && "message" in error) {
    const issue = error as CelIssue;
    return issue.summary ?? issue.message.split("\n")[0] ?? "";
  }
  return String(error);
}

/** cel-go's issue line, `ERROR: <input>:1:5: …`, from what cel-js says and where. */
export function celIssueText(expression: string, error: unknown): string {
  const summary = celIssueSummary(error);
  const range = typeof error === "object" && error !== null ? (error as CelIssue).range : undefined;
  if (range === undefined) return `ERROR: <input>: ${summary}`;
  const before = expression.slice(0, range.start).split("\n");
  const column = (before[before.length - 1] ?? "").length + 1;
  return `ERROR: <input>:${before.length}:${column}: ${summary}`;
}

type Program = (variables: Record<string, unknown>) => unknown;

/** Where conditions compile: a webhook's environment, or a ValidatingAdmissionPolicy's larger one. */
export interface ConditionEnvironment {
  /** Why the expression is refused, or undefined when it compiles to a bool. */
  readonly compileError: (expression: string) => string | undefined;
  readonly parse: (expression: string) => Program;
}

/**
 * Why an expression is refused in a CEL environment (kube's CompilationResult detail): it does not
 * compile, or its type is not one of `types` (any type when none are given).
 */
export function celCompileError(
  celEnvironment: Environment,
  expression: string,
  types?: readonly string[],
): string | undefined {
  let checked: ReturnType<typeof celEnvironment.check>;
  try {
    checked = celEnvironment.check(expression);
  } catch (error: unknown) {
    return `compilation failed: ${celIssueText(expression, error)}`;
  }
  if (!checked.valid) return `compilation failed: ${celIssueText(expression, checked.error)}`;
  if (types === undefined || types.includes(checked.type ?? "dyn")) return undefined;
  return `must evaluate to ${types.join(" or ")}`;
}

/** Conditions compiled in a CEL environment: refused unless they compile to a bool. */
export function conditionEnvironmentOf(celEnvironment: Environment): ConditionEnvironment {
  return {
    compileError: (expression) => celCompileError(celEnvironment, expression, ["bool"]),
    parse: (expression) => celEnvironment.parse(expression) as Program,
  };
}

const webhookEnvironment = conditionEnvironmentOf(environment);

/** Why a webhook's matchCondition is refused, or undefined when it compiles to a bool. */
export const compileError = webhookEnvironment.compileError;

/** An expression stored before validation refused it (kube-apiserver reports it at evaluation). */
class CompilationError extends Error {}

interface CompiledCondition {
  readonly expression: string;
  /** Runs the expression; throws why it could not be evaluated (a compilation failure too). */
  readonly run: Program;
}

function compileCondition(condition: JsonValue, within: ConditionEnvironment): CompiledCondition {
  const given = isJsonObject(condition) ? condition["expression"] : undefined;
  const expression = typeof given === "string" ? given.trim() : "";
  const error = within.compileError(expression);
  if (error !== undefined)
    return {
      expression,
      run: () => {
        throw new CompilationError(`compilation error: ${error}`);
      },
    };
  return { expression, run: within.parse(expression) };
}

/** The variables of one write: the AdmissionReview's request, its objects taken out. */
export function conditionVariables(review: JsonObject): Record<string, unknown> {
  const request = isJsonObject(review["request"]) ? review["request"] : {};
  const rest = Object.fromEntries(
    Object.entries(request).filter(([name]) => name !== "object" && name !== "oldObject"),
  );
  const userInfo = isJsonObject(request["userInfo"]) ? request["userInfo"] : {};
  // The AdmissionRequest's absent strings are empty strings, as Go's zero values.
  const full: JsonObject = {
    subResource: "",
    requestSubResource: "",
    name: "",
    namespace: "",
    ...rest,
    userInfo: { uid: "", groups: [], extra: {}, ...userInfo },
  };
  return {
    object: celValue(request["object"] ?? null),
    oldObject: celValue(request["oldObject"] ?? null),
    request: celValue(full),
  };
}

/** What a webhook's matchConditions decide: call it, skip it, or failurePolicy decides on this error. */
export type ConditionsVerdict =
  | { readonly kind: "call" }
  | { readonly kind: "skip" }
  | { readonly kind: "error"; readonly message: string };

/** utilerrors.NewAggregate(…).Error(). */
function aggregate(messages: readonly string[]): string {
  const unique = [...new Set(messages)];
  return unique.length === 1 ? (unique[0] ?? "") : `[${unique.join(", ")}]`;
}

/**
 * matchconditions.matcher.Match: every condition is evaluated; one false skips the webhook (even
 * when another failed); otherwise an evaluation error is left to the webhook's failurePolicy
 * (Ignore skips the webhook, Fail refuses the write); all true calls it.
 */
export function evaluateConditions(
  conditions: readonly CompiledCondition[],
  variables: Record<string, unknown>,
): ConditionsVerdict {
  const errors: string[] = [];
  for (const condition of conditions) {
    try {
      if (condition.run(variables) === false) return { kind: "skip" };
    } catch (error: unknown) {
      errors.push(
        error instanceof CompilationError
          ? error.message
          : `expression '${condition.expression}' resulted in error: ${celIssueSummary(error)}`,
      );
    }
  }
  return errors.length === 0 ? { kind: "call" } : { kind: "error", message: aggregate(errors) };
}

/**
 * Compiled matchConditions, once per version of a configuration: keyed by the configuration's uid
 * and the webhook's position, recompiled when its resourceVersion changes. A deleted
 * configuration's entries stay (a few closures) until the sandbox stops.
 */
export class MatchConditionCache {
  private readonly compiled = new Map<
    string,
    { readonly version: string; readonly conditions: readonly CompiledCondition[] }
  >();

  constructor(private readonly environment: ConditionEnvironment = webhookEnvironment) {}

  conditionsOf(key: string, version: string, webhook: JsonObject): readonly CompiledCondition[] {
    const known = this.compiled.get(key);
    if (known !== undefined && known.version === version) return known.conditions;
    const given = webhook["matchConditions"];
    const conditions = Array.isArray(given)
      ? (given as readonly JsonValue[]).map((condition) => compileCondition(condition, this.environment))
      : [];
    this.compiled.set(key, { version, conditions });
    return conditions;
  }
}
