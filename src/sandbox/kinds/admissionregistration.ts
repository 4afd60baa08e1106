import type { JsonObject, JsonValue, KubeObject } from "../../kube/value/json.js";
import { isJsonObject } from "../../kube/value/json.js";
import type { StatusCause } from "../api/status.js";
import { isUnset, listField, objectField, objectItems, withDefaults } from "../../kube/defaulting/edit.js";
import type { KindStrategy } from "./types.js";
import { defineStrategy } from "./define.js";
import { compileError, maxMatchConditions } from "../admission-webhooks/match-conditions.js";
import { policyCompileError } from "../admission-policies/evaluate.js";
import { child, duplicate, index, invalid, notSupported, required } from "./validation/field.js";
import { isQualifiedName } from "./validation/names.js";
import { validateLabelSelector } from "./validation/selector.js";

/** pkg/apis/admissionregistration/v1/defaults.go: SetDefaults_ValidatingWebhook and its Rule. */
function defaultRule(rule: JsonValue): JsonValue {
  return isJsonObject(rule) ? withDefaults(rule, { scope: "*" }) : rule;
}

function defaultClientConfig(config: JsonObject | undefined): JsonObject | undefined {
  const service = config === undefined ? undefined : objectField(config, "service");
  if (config === undefined || service === undefined) return config;
  return { ...config, service: withDefaults(service, { port: 443 }) };
}

function defaultWebhook(webhook: JsonValue): JsonValue {
  if (!isJsonObject(webhook)) return webhook;
  const defaulted = withDefaults(webhook, {
    failurePolicy: "Fail",
    matchPolicy: "Equivalent",
    namespaceSelector: {},
    objectSelector: {},
    timeoutSeconds: 10,
  });
  const rules = Array.isArray(webhook["rules"]) ? { rules: webhook["rules"].map(defaultRule) } : {};
  const clientConfig = defaultClientConfig(objectField(webhook, "clientConfig"));
  return { ...defaulted, ...rules, ...(clientConfig === undefined ? {} : { clientConfig }) };
}

function withWebhookDefaults(object: KubeObject): KubeObject {
  const webhooks = object["webhooks"];
  return Array.isArray(webhooks) ? { ...object, webhooks: webhooks.map(defaultWebhook) } : object;
}

// v1 accepts only webhooks without side effects on dry run; Some and Unknown were v1beta1's.
const sideEffectClasses = ["None", "NoneOnDryRun"] as const;
const reviewVersions = ["v1", "v1beta1"] as const;

function validateSideEffects(webhook: JsonObject, path: string): readonly StatusCause[] {
  const value = webhook["sideEffects"];
  if (isUnset(value))
    return [required(child(path, "sideEffects"), `must specify one of ${sideEffectClasses.join(", ")}`)];
  return typeof value === "string" && (sideEffectClasses as readonly string[]).includes(value)
    ? []
    : [notSupported(child(path, "sideEffects"), value ?? null, sideEffectClasses)];
}

function validateReviewVersions(webhook: JsonObject, path: string): readonly StatusCause[] {
  const versions = listField(webhook, "admissionReviewVersions") ?? [];
  return versions.some((version) => (reviewVersions as readonly JsonValue[]).includes(version))
    ? []
    : [required(child(path, "admissionReviewVersions"), `must specify one of ${reviewVersions.join(", ")}`)];
}

function validateClientConfig(webhook: JsonObject, path: string): readonly StatusCause[] {
  const config = objectField(webhook, "clientConfig") ?? {};
  const both = !isUnset(config["url"]) && objectField(config, "service") !== undefined;
  const neither = isUnset(config["url"]) && objectField(config, "service") === undefined;
  return both || neither
    ? [required(child(path, "clientConfig"), "exactly one of url or service is required")]
    : [];
}

function validateConditionName(name: JsonValue | undefined, path: string): readonly StatusCause[] {
  if (typeof name !== "string" || name === "") return [required(path)];
  return isQualifiedName(name).map((message) => invalid(path, name, message));
}

/** The expression must compile in the matchConditions' CEL environment and evaluate to a bool. */
function validateConditionExpression(
  expression: JsonValue | undefined,
  path: string,
): readonly StatusCause[] {
  const trimmed = typeof expression === "string" ? expression.trim() : "";
  if (trimmed === "") return [required(path)];
  const error = compileError(trimmed);
  return error === undefined ? [] : [invalid(path, trimmed, error)];
}

function tooMany(path: string, count: number): StatusCause {
  return {
    reason: "FieldValueTooMany",
    message: `Too many: ${String(count)}: must have at most ${String(maxMatchConditions)} items`,
    field: path,
  };
}

/**
 * validateMatchConditions (admissionregistration/validation): at most 64, each with a qualified
 * name used once and an expression that compiles. Not done: kube-apiserver lets an update keep
 * expressions stored before they became invalid (a newer CEL library); here every write checks all.
 */
function validateMatchConditions(webhook: JsonObject, path: string): readonly StatusCause[] {
  const conditions = (listField(webhook, "matchConditions") ?? []).map((item) =>
    isJsonObject(item) ? item : {},
  );
  const field = child(path, "matchConditions");
  const seen = new Set<string>();
  const causes: StatusCause[] =
    conditions.length > maxMatchConditions ? [tooMany(field, conditions.length)] : [];
  conditions.forEach((condition, position) => {
    const at = index(field, position);
    const name = condition["name"];
    causes.push(
      ...validateConditionExpression(condition["expression"], child(at, "expression")),
      ...validateConditionName(name, child(at, "name")),
    );
    if (typeof name !== "string" || name === "") return;
    if (seen.has(name)) causes.push(duplicate(child(at, "name"), name));
    seen.add(name);
  });
  return causes;
}

function validateWebhook(webhook: JsonObject, path: string): readonly StatusCause[] {
  return [
    ...(isUnset(webhook["name"]) ? [required(child(path, "name"))] : []),
    ...validateClientConfig(webhook, path),
    ...validateSideEffects(webhook, path),
    ...validateReviewVersions(webhook, path),
    ...validateLabelSelector(webhook["namespaceSelector"], child(path, "namespaceSelector")),
    ...validateLabelSelector(webhook["objectSelector"], child(path, "objectSelector")),
    ...validateMatchConditions(webhook, path),
  ];
}

function validateConfiguration(object: KubeObject): readonly StatusCause[] {
  return objectItems(object, "webhooks").flatMap((webhook, position) =>
    validateWebhook(webhook, index("webhooks", position)),
  );
}

/** ValidatingWebhookConfigurations: called by the sandbox on writes (src/sandbox/admission-webhooks/). */
export const validatingWebhookConfigurationStrategy: KindStrategy = defineStrategy({
  gvk: { group: "admissionregistration.k8s.io", version: "v1", kind: "ValidatingWebhookConfiguration" },
  tracksGeneration: true,
  hasStatus: false,
  prepare: (object) => withWebhookDefaults(object),
  validateSpec: validateConfiguration,
});

function defaultPolicy(object: KubeObject): KubeObject {
  const spec = objectField(object, "spec") ?? {};
  const constraints = objectField(spec, "matchConstraints");
  const rules = constraints === undefined ? undefined : listField(constraints, "resourceRules");
  const matchConstraints =
    constraints === undefined
      ? {}
      : {
          matchConstraints: {
            ...withDefaults(constraints, {
              matchPolicy: "Equivalent",
              namespaceSelector: {},
              objectSelector: {},
            }),
            ...(rules === undefined ? {} : { resourceRules: rules.map(defaultRule) }),
          },
        };
  return { ...object, spec: { ...withDefaults(spec, { failurePolicy: "Fail" }), ...matchConstraints } };
}

/** Each expression of a list of objects (`spec.validations[i].expression`, …) must compile to one of `types`. */
function validateExpressions(
  items: readonly JsonObject[],
  at: { readonly path: string; readonly field: string; readonly types?: readonly string[] },
  optional = false,
): readonly StatusCause[] {
  return items.flatMap((item, position) => {
    const path = child(index(at.path, position), at.field);
    const given = item[at.field];
    const expression = typeof given === "string" ? given.trim() : "";
    if (expression === "") return optional ? [] : [required(path)];
    const error = policyCompileError(expression, at.types);
    return error === undefined ? [] : [invalid(path, expression, error)];
  });
}

/**
 * ValidateValidatingAdmissionPolicy's expression checks: every matchCondition, variable,
 * validation (and its messageExpression) and auditAnnotation compiles in the policy's CEL
 * environment, validations and conditions to a bool; a policy checks something. Not done: the
 * type check against the matched kinds' schemas (kube reports it in status.typeChecking).
 */
function validatePolicy(object: KubeObject): readonly StatusCause[] {
  const spec = objectField(object, "spec") ?? {};
  const items = (name: string): readonly JsonObject[] =>
    (listField(spec, name) ?? []).map((item) => (isJsonObject(item) ? item : {}));
  const boolean = ["bool", "dyn"];
  const nothing =
    items("validations").length === 0 && items("auditAnnotations").length === 0
      ? [required("spec.validations", "validations or auditAnnotations must contain at least one item")]
      : [];
  return [
    ...nothing,
    ...validateExpressions(items("matchConditions"), {
      path: "spec.matchConditions",
      field: "expression",
      types: boolean,
    }),
    ...validateExpressions(items("variables"), { path: "spec.variables", field: "expression" }),
    ...validateExpressions(items("validations"), {
      path: "spec.validations",
      field: "expression",
      types: boolean,
    }),
    ...validateExpressions(
      items("validations"),
      { path: "spec.validations", field: "messageExpression", types: ["string", "dyn"] },
      true,
    ),
    ...validateExpressions(items("auditAnnotations"), {
      path: "spec.auditAnnotations",
      field: "valueExpression",
      types: ["string", "null", "dyn"],
    }),
  ];
}

/** ValidatingAdmissionPolicies: evaluated by the sandbox on writes (src/sandbox/admission-policies/). */
export const validatingAdmissionPolicyStrategy: KindStrategy = defineStrategy({
  gvk: { group: "admissionregistration.k8s.io", version: "v1", kind: "ValidatingAdmissionPolicy" },
  tracksGeneration: true,
  hasStatus: false,
  prepare: (object) => defaultPolicy(object),
  validateSpec: validatePolicy,
});

/** ValidatingAdmissionPolicyBindings: which policies apply, with which validationActions. */
export const validatingAdmissionPolicyBindingStrategy: KindStrategy = defineStrategy({
  gvk: { group: "admissionregistration.k8s.io", version: "v1", kind: "ValidatingAdmissionPolicyBinding" },
  tracksGeneration: true,
  hasStatus: false,
});
