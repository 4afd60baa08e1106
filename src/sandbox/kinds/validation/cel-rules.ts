import { Environment, Optional } from "@marcbachmann/cel-js";
import type { JsonObject, JsonValue, KubeObject } from "../../../kube/value/json.js";
import { isJsonObject } from "../../../kube/value/json.js";
import { jsonEqual } from "../../../kube/value/equal.js";
import type { StatusCause } from "../../api/status.js";
import { celValue } from "../../../kube/value/cel.js";
import { celIssueSummary, celIssueText } from "../../admission-webhooks/match-conditions.js";
import type { GoLiteral } from "./field.js";
import { child, duplicate, forbidden, goQuote, index, invalid, key, required } from "./field.js";

/**
 * CRD validation rules (`x-kubernetes-validations`) as apiextensions-apiserver 1.32 runs them:
 * each rule sees its node's value as `self` and, on update, the correlated old value as `oldSelf`.
 *
 * Differences from kube: `self` and `oldSelf` are `dyn` rather than typed from the schema, so type
 * errors kube catches when the CRD is written surface here when a rule is evaluated; kube's CEL
 * libraries beyond what cel-js knows (lists' isSorted/min/max/indexOf, url, quantity, ip, cidr,
 * semver, format, …) are missing and a rule using them fails to compile; property names are not
 * escaped (`__dash__` …); there is no cost budget; a `fieldPath` is appended as written, without
 * the schema check kube does; CRDs are not refused for `oldSelf` under a list that cannot
 * correlate; runtime errors carry cel-js's wording (`No such key: x`, not cel-go's); and a failure
 * that ratcheting forgives is dropped, not returned as a warning.
 */

const options = { homogeneousAggregateLiterals: false, enableOptionalTypes: true } as const;

const environment = new Environment(options)
  .registerVariable("self", "dyn")
  .registerVariable("oldSelf", "dyn");

// With optionalOldSelf kube declares oldSelf as optional(T), so `oldSelf.value()` and `.orValue()` apply.
const optionalOldSelfEnvironment = new Environment(options)
  .registerVariable("self", "dyn")
  .registerVariable("oldSelf", "optional<dyn>");

type Program = (variables: Record<string, unknown>) => unknown;

interface CompiledRule {
  readonly rule: JsonObject;
  readonly expression: string;
  readonly program?: Program;
  readonly messageProgram?: Program;
  /** Why the rule is refused, kube's CompilationResult error detail. */
  readonly error?: string;
  readonly messageError?: string;
  /** A transition rule: kube evaluates it only where an old value correlates. */
  readonly usesOldSelf: boolean;
  readonly optionalOldSelf: boolean;
}

function text(value: JsonValue | undefined): string {
  return typeof value === "string" ? value : "";
}

type Checked = { readonly type: string } | { readonly error: string };

function check(target: Environment, expression: string): Checked {
  try {
    const checked = target.check(expression);
    return checked.valid
      ? { type: checked.type ?? "dyn" }
      : { error: celIssueText(expression, checked.error) };
  } catch (error: unknown) {
    return { error: celIssueText(expression, error) };
  }
}

function referencesOldSelf(node: unknown): boolean {
  if (Array.isArray(node)) return node.some(referencesOldSelf);
  if (typeof node !== "object" || node === null) return false;
  const { op, args } = node as { readonly op?: unknown; readonly args?: unknown };
  return (op === "id" && args === "oldSelf") || referencesOldSelf(args);
}

interface Part {
  readonly program?: Program;
  readonly error?: string;
  readonly usesOldSelf?: boolean;
}

function compileRuleExpression(target: Environment, expression: string): Part {
  const checked = check(target, expression);
  if ("error" in checked) return { error: `compilation failed: ${checked.error}` };
  // Everything is dyn here, so a rule kube would type as bool may check as dyn.
  if (checked.type !== "bool" && checked.type !== "dyn")
    return { error: "cel expression must evaluate to a bool" };
  const parsed = target.parse(expression);
  return { program: parsed as Program, usesOldSelf: referencesOldSelf(parsed.ast) };
}

function compileMessageExpression(expression: string): Part {
  if (expression.trim() === "") return {};
  const checked = check(environment, expression);
  if ("error" in checked) return { error: `messageExpression compilation failed: ${checked.error}` };
  if (checked.type !== "string" && checked.type !== "dyn")
    return { error: "messageExpression must evaluate to a string" };
  return { program: environment.parse(expression) as Program };
}

function compile(rule: JsonObject): CompiledRule {
  const expression = text(rule["rule"]).trim();
  const optionalOldSelf = rule["optionalOldSelf"] === true;
  const target = optionalOldSelf ? optionalOldSelfEnvironment : environment;
  const main = expression === "" ? {} : compileRuleExpression(target, expression);
  const message = compileMessageExpression(text(rule["messageExpression"]));
  return {
    rule,
    expression,
    ...(main.program === undefined ? {} : { program: main.program }),
    ...(main.error === undefined ? {} : { error: main.error }),
    ...(message.program === undefined ? {} : { messageProgram: message.program }),
    ...(message.error === undefined ? {} : { messageError: message.error }),
    usesOldSelf: main.usesOldSelf === true,
    optionalOldSelf,
  };
}

// The store hands out the same frozen CRD until it is written again, so its rule objects key the
// compiled programs: each rule compiles once per stored CRD version, not once per request.
const compiled = new WeakMap<JsonObject, CompiledRule>();

function compiledRule(rule: JsonObject): CompiledRule {
  const known = compiled.get(rule);
  if (known !== undefined) return known;
  const fresh = compile(rule);
  compiled.set(rule, fresh);
  return fresh;
}

function rulesOf(schema: JsonObject): readonly JsonObject[] {
  const rules = schema["x-kubernetes-validations"];
  return Array.isArray(rules) ? rules.filter(isJsonObject) : [];
}

// Compilation (the CRD's validation) -------------------------------------------------------------

function goPointer(value: JsonValue | undefined, type: string): string {
  // Go prints a set pointer as its address, which differs on every run.
  return value === undefined ? `(${type})(nil)` : `(${type})(0xc000000000)`;
}

/** Go's %#v of the apiextensions.ValidationRule that kube reports as the bad value. */
function goValidationRule(rule: JsonObject): GoLiteral {
  const fields = [
    `Rule:${goQuote(text(rule["rule"]))}`,
    `Message:${goQuote(text(rule["message"]))}`,
    `MessageExpression:${goQuote(text(rule["messageExpression"]))}`,
    `Reason:${goPointer(rule["reason"], "*apiextensions.FieldValueErrorReason")}`,
    `FieldPath:${goQuote(text(rule["fieldPath"]))}`,
    `OptionalOldSelf:${goPointer(rule["optionalOldSelf"], "*bool")}`,
  ];
  return { goLiteral: `apiextensions.ValidationRule{${fields.join(", ")}}` };
}

function ruleCompilationCauses(rule: JsonObject, path: string): readonly StatusCause[] {
  if (text(rule["rule"]).trim() === "") return [required(child(path, "rule"), "rule is not specified")];
  const result = compiledRule(rule);
  return [
    ...(result.error === undefined
      ? []
      : [invalid(child(path, "rule"), goValidationRule(rule), result.error)]),
    ...(result.messageError === undefined
      ? []
      : [invalid(child(path, "messageExpression"), goValidationRule(rule), result.messageError)]),
  ];
}

function nestedSchemas(schema: JsonObject, path: string): readonly (readonly [JsonObject, string])[] {
  const properties = isJsonObject(schema["properties"]) ? schema["properties"] : {};
  const nested: (readonly [JsonObject, string])[] = Object.entries(properties)
    .filter((entry): entry is [string, JsonObject] => isJsonObject(entry[1]))
    .map(([name, property]) => [property, key(child(path, "properties"), name)] as const);
  for (const field of ["items", "additionalProperties"]) {
    const value = schema[field];
    if (isJsonObject(value)) nested.push([value, child(path, field)]);
  }
  return nested;
}

/**
 * Why a CRD version's rules are refused (422 on create and update), at paths like
 * `spec.versions[0].schema.openAPIV3Schema.properties[spec].x-kubernetes-validations[0].rule`.
 */
export function ruleCompilationErrors(schema: JsonObject, path: string): readonly StatusCause[] {
  const rulesPath = child(path, "x-kubernetes-validations");
  return [
    ...rulesOf(schema).flatMap((rule, position) => ruleCompilationCauses(rule, index(rulesPath, position))),
    ...nestedSchemas(schema, path).flatMap(([nested, nestedPath]) =>
      ruleCompilationErrors(nested, nestedPath),
    ),
  ];
}

// Evaluation (a custom resource's validation) ----------------------------------------------------

/** One schema node and the values at it. */
interface Node {
  readonly schema: JsonObject;
  readonly path: string;
  readonly value: JsonValue;
  /** The correlated old value; undefined on create and where nothing correlates. */
  readonly old: JsonValue | undefined;
  /** The value (or its nearest correlated ancestor) is unchanged, so kube ratchets failures. */
  readonly unchanged: boolean;
}

/** The node in failure messages: kube's bad value is the OpenAPI type name, not the value. */
function typeOf(node: Node): string {
  return text(node.schema["type"]);
}

/** ruleErrorString: the message when there is one, else the rule. */
function ruleErrorString(rule: CompiledRule): string {
  const message = text(rule.rule["message"]).trim();
  return message === "" ? rule.expression : message;
}

function ruleMessageOrDefault(rule: CompiledRule): string {
  const message = text(rule.rule["message"]).trim();
  return message === "" ? `failed rule: ${rule.expression}` : message;
}

/** messageExpression when it evaluates to a non-empty single-line string; otherwise kube falls back. */
function failureDetail(rule: CompiledRule, variables: Record<string, unknown>): string {
  if (rule.messageProgram === undefined) return ruleMessageOrDefault(rule);
  let result: unknown;
  try {
    result = rule.messageProgram(variables);
  } catch {
    return ruleMessageOrDefault(rule);
  }
  const message = typeof result === "string" ? result.trim() : "";
  return message === "" || message.includes("\n") ? ruleMessageOrDefault(rule) : message;
}

function failurePath(rule: CompiledRule, node: Node): string {
  const fieldPath = text(rule.rule["fieldPath"]).trim().replace(/^\./u, "");
  return fieldPath === "" ? node.path : child(node.path, fieldPath);
}

function failureCause(rule: CompiledRule, node: Node, variables: Record<string, unknown>): StatusCause {
  const path = failurePath(rule, node);
  const detail = failureDetail(rule, variables);
  switch (text(rule.rule["reason"])) {
    case "FieldValueForbidden":
      return forbidden(path, detail);
    case "FieldValueRequired":
      return required(path, detail);
    case "FieldValueDuplicate":
      return duplicate(path, typeOf(node));
    default:
      return invalid(path, typeOf(node), detail);
  }
}

interface Bindings {
  readonly self: unknown;
  readonly oldSelf: unknown;
}

function variablesFor(rule: CompiledRule, node: Node, bindings: Bindings): Record<string, unknown> {
  if (rule.optionalOldSelf)
    return {
      self: bindings.self,
      oldSelf: node.old === undefined ? Optional.none() : Optional.of(bindings.oldSelf),
    };
  return node.old === undefined
    ? { self: bindings.self }
    : { self: bindings.self, oldSelf: bindings.oldSelf };
}

/** A rule's result: passed, failed, or why it could not be evaluated. */
function evaluateRule(
  rule: CompiledRule,
  program: Program,
  variables: Record<string, unknown>,
): boolean | string {
  let result: unknown;
  try {
    result = program(variables);
  } catch (error: unknown) {
    return `${celIssueSummary(error)} evaluating rule: ${ruleErrorString(rule)}`;
  }
  return typeof result === "boolean"
    ? result
    : `rule did not evaluate to a bool evaluating rule: ${ruleErrorString(rule)}`;
}

function ruleCauses(rule: CompiledRule, node: Node, bindings: Bindings): readonly StatusCause[] {
  if (rule.program === undefined)
    return rule.error === undefined
      ? []
      : [invalid(node.path, typeOf(node), `rule compile error: ${rule.error}`)];
  // Transition rules only run where an old value correlates, unless oldSelf is optional.
  if (rule.usesOldSelf && node.old === undefined && !rule.optionalOldSelf) return [];
  const result = evaluateRule(rule, rule.program, variablesFor(rule, node, bindings));
  if (typeof result === "string") return [invalid(node.path, typeOf(node), result)];
  // CRDValidationRatcheting: a rule without oldSelf no longer fails a value the update left alone.
  if (result || (!rule.usesOldSelf && node.unchanged)) return [];
  // messageExpression sees oldSelf as a plain value, even for an optionalOldSelf rule.
  return [failureCause(rule, node, variablesFor({ ...rule, optionalOldSelf: false }, node, bindings))];
}

function nodeRuleErrors(node: Node): readonly StatusCause[] {
  const rules = rulesOf(node.schema);
  if (rules.length === 0) return [];
  const bindings = {
    self: celValue(node.value),
    oldSelf: node.old === undefined ? undefined : celValue(node.old),
  };
  return rules.flatMap((rule) => ruleCauses(compiledRule(rule), node, bindings));
}

function childNode(
  parent: Node,
  schema: JsonObject,
  step: { readonly path: string; readonly value: JsonValue; readonly old: JsonValue | undefined },
): Node {
  return {
    schema,
    ...step,
    unchanged: step.old === undefined ? parent.unchanged : jsonEqual(step.value, step.old),
  };
}

function propertyNodes(node: Node, value: JsonObject): readonly Node[] {
  const properties = isJsonObject(node.schema["properties"]) ? node.schema["properties"] : {};
  const additional = node.schema["additionalProperties"];
  const old = isJsonObject(node.old) ? node.old : {};
  return Object.entries(value).flatMap(([name, item]) => {
    const property = properties[name];
    const step = { value: item, old: old[name] };
    if (isJsonObject(property)) return [childNode(node, property, { ...step, path: child(node.path, name) })];
    if (isJsonObject(additional))
      return [childNode(node, additional, { ...step, path: key(node.path, name) })];
    return [];
  });
}

/** x-kubernetes-list-type: map correlates items by their keys; other lists' items do not correlate. */
function correlatedItem(
  schema: JsonObject,
  item: JsonValue,
  old: JsonValue | undefined,
): JsonValue | undefined {
  const keys = schema["x-kubernetes-list-map-keys"];
  if (schema["x-kubernetes-list-type"] !== "map" || !Array.isArray(keys) || !Array.isArray(old))
    return undefined;
  if (!isJsonObject(item)) return undefined;
  const names = keys.filter((name): name is string => typeof name === "string");
  return (old as readonly JsonValue[]).find(
    (candidate) =>
      isJsonObject(candidate) &&
      names.every((name) => jsonEqual(candidate[name] ?? null, item[name] ?? null)),
  );
}

function itemNodes(node: Node, value: readonly JsonValue[]): readonly Node[] {
  const items = node.schema["items"];
  if (!isJsonObject(items)) return [];
  return value.map((item, position) =>
    childNode(node, items, {
      path: index(node.path, position),
      value: item,
      old: correlatedItem(node.schema, item, node.old),
    }),
  );
}

function childNodes(node: Node): readonly Node[] {
  if (Array.isArray(node.value)) return itemNodes(node, node.value);
  return isJsonObject(node.value) ? propertyNodes(node, node.value) : [];
}

function nodeErrors(node: Node): readonly StatusCause[] {
  // Kube validates non-null values only: rules about absence belong on the enclosing object.
  if (node.value === null) return [];
  return [...nodeRuleErrors(node), ...childNodes(node).flatMap(nodeErrors)];
}

/** At the root kube shows apiVersion, kind and only metadata.name and metadata.generateName. */
function rootValue(object: KubeObject): JsonObject {
  const metadata = isJsonObject(object["metadata"]) ? object["metadata"] : {};
  const visible = Object.fromEntries(
    ["name", "generateName"]
      .filter((field) => metadata[field] !== undefined)
      .map((field) => [field, metadata[field] ?? null]),
  );
  return { ...object, metadata: visible };
}

/**
 * The causes a custom resource's `x-kubernetes-validations` give on create (`old` undefined) and
 * update, with kube's messages: `Invalid value: "object": <message>` at `spec` or `spec.replicas`.
 */
export function validationRuleErrors(
  schema: JsonObject,
  object: KubeObject,
  old: KubeObject | undefined,
): readonly StatusCause[] {
  const value = rootValue(object);
  const oldValue = old === undefined ? undefined : rootValue(old);
  return nodeErrors({
    schema,
    path: "",
    value,
    old: oldValue,
    unchanged: oldValue !== undefined && jsonEqual(value, oldValue),
  });
}
