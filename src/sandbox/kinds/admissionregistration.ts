import type { JsonObject, JsonValue, KubeObject } from "../../kube/value/json.js";
import { isJsonObject } from "../../kube/value/json.js";
import type { StatusCause } from "../api/status.js";
import { isUnset, listField, objectField, objectItems, withDefaults } from "../../kube/defaulting/edit.js";
import type { KindStrategy } from "./types.js";
import { defineStrategy } from "./define.js";
import { child, index, notSupported, required } from "./validation/field.js";
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

function validateWebhook(webhook: JsonObject, path: string): readonly StatusCause[] {
  return [
    ...(isUnset(webhook["name"]) ? [required(child(path, "name"))] : []),
    ...validateClientConfig(webhook, path),
    ...validateSideEffects(webhook, path),
    ...validateReviewVersions(webhook, path),
    ...validateLabelSelector(webhook["namespaceSelector"], child(path, "namespaceSelector")),
    ...validateLabelSelector(webhook["objectSelector"], child(path, "objectSelector")),
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
