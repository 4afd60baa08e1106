import { Environment } from "@marcbachmann/cel-js";
import type { JsonObject, JsonValue } from "../../kube/value/json.js";
import { isJsonObject } from "../../kube/value/json.js";
import {
  celCompileError,
  celIssueSummary,
  conditionEnvironmentOf,
} from "../admission-webhooks/match-conditions.js";
import { authorizerMethods, authorizerType, authorizerTypes } from "./authorizer.js";

/**
 * The CEL environment of a policy's matchConditions, variables, validations and auditAnnotations:
 * `object`, `oldObject`, `request`, `params`, `namespaceObject` and `variables`, all dynamic, and
 * `authorizer` with Kubernetes' authorizer library. Kubernetes' other CEL libraries (strings,
 * lists, regex, url, quantity, …) only as far as cel-js itself knows them.
 */
function policyEnvironment(): Environment {
  let environment = new Environment({ homogeneousAggregateLiterals: false, enableOptionalTypes: true });
  for (const [name, type] of authorizerTypes) environment = environment.registerType(name, type);
  for (const method of authorizerMethods)
    environment = environment.registerFunction(method as Parameters<Environment["registerFunction"]>[0]);
  return ["object", "oldObject", "request", "params", "namespaceObject", "variables"]
    .reduce((built, name) => built.registerVariable(name, "dyn"), environment)
    .registerVariable("authorizer", authorizerType);
}

const environment = policyEnvironment();

/** A policy's matchConditions compile where its validations do: params, authorizer and all. */
export const policyConditions = conditionEnvironmentOf(environment);

/** Why an expression is refused in a policy's environment (not compiling, or not of `types`), or undefined. */
export function policyCompileError(expression: string, types?: readonly string[]): string | undefined {
  return celCompileError(environment, expression, types);
}

/** One expression's value, or why it could not be evaluated (kube's `expression '…' resulted in error: …`). */
export function evaluate(
  expression: string,
  variables: Record<string, unknown>,
): { readonly value: unknown } | { readonly error: string } {
  try {
    return {
      value: (environment.parse(expression) as (given: Record<string, unknown>) => unknown)(variables),
    };
  } catch (error: unknown) {
    return { error: `expression '${expression}' resulted in error: ${celIssueSummary(error)}` };
  }
}

function text(value: JsonValue | undefined): string {
  return typeof value === "string" ? value : "";
}

/** `variables`, evaluated in order, each seeing the ones before it; the first error stops them. */
export function evaluateVariables(
  policy: JsonObject,
  base: Record<string, unknown>,
): { readonly variables: Record<string, unknown> } | { readonly error: string } {
  const given = Array.isArray(policy["variables"]) ? policy["variables"].filter(isJsonObject) : [];
  const variables: Record<string, unknown> = {};
  for (const variable of given) {
    const result = evaluate(text(variable["expression"]), { ...base, variables });
    if ("error" in result) return result;
    variables[text(variable["name"])] = result.value;
  }
  return { variables };
}

/** What one validation says: nothing (passed), a failure message, or an evaluation error. */
export type ValidationResult =
  | { readonly kind: "pass" }
  | { readonly kind: "fail"; readonly message: string; readonly reason: string }
  | { readonly kind: "error"; readonly message: string };

/** messageExpression (a non-empty string), else message, else `failed expression: <expression>`. */
function failureMessage(
  validation: JsonObject,
  expression: string,
  variables: Record<string, unknown>,
): string {
  const messageExpression = text(validation["messageExpression"]);
  if (messageExpression !== "") {
    const result = evaluate(messageExpression, variables);
    if ("value" in result && typeof result.value === "string" && result.value.trim() !== "")
      return result.value;
  }
  const message = text(validation["message"]);
  return message !== "" ? message : `failed expression: ${expression}`;
}

export function validate(validation: JsonObject, variables: Record<string, unknown>): ValidationResult {
  const expression = text(validation["expression"]).trim();
  const result = evaluate(expression, variables);
  if ("error" in result) return { kind: "error", message: result.error };
  if (typeof result.value !== "boolean")
    return { kind: "error", message: `expression '${expression}' resulted in error: must evaluate to bool` };
  if (result.value) return { kind: "pass" };
  const reason = text(validation["reason"]);
  return {
    kind: "fail",
    message: failureMessage(validation, expression, variables),
    reason: reason === "" ? "Invalid" : reason,
  };
}

/**
 * auditAnnotations: each valueExpression's string becomes the audit event's annotation
 * `<policy>/<key>`; null (the expression's way to say "nothing to note") or "" leaves it out.
 */
export function evaluateAuditAnnotations(
  policy: JsonObject,
  policyName: string,
  variables: Record<string, unknown>,
): { readonly annotations: Readonly<Record<string, string>> } | { readonly error: string } {
  const given = Array.isArray(policy["auditAnnotations"])
    ? policy["auditAnnotations"].filter(isJsonObject)
    : [];
  const annotations: Record<string, string> = {};
  for (const annotation of given) {
    const expression = text(annotation["valueExpression"]).trim();
    const result = evaluate(expression, variables);
    if ("error" in result) return result;
    if (result.value === null || result.value === "") continue;
    if (typeof result.value !== "string")
      return {
        error: `expression '${expression}' resulted in error: valueExpression must evaluate to a string or null`,
      };
    annotations[`${policyName}/${text(annotation["key"])}`] = result.value;
  }
  return { annotations };
}
