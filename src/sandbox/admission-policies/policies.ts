import type { JsonObject, JsonValue } from "../../kube/value/json.js";
import { isJsonObject, textOf } from "../../kube/value/json.js";
import type { ServerContext } from "../server/context.js";
import type { AdmissionAttributes } from "../admission-webhooks/matching.js";
import { webhookApplies, webhookRulesMatch } from "../admission-webhooks/matching.js";

const group = "admissionregistration.k8s.io";

/** A binding and the policy it names (bindings whose policy does not exist are left out). */
export interface Bound {
  readonly policy: JsonObject;
  readonly binding: JsonObject;
  readonly policyName: string;
  readonly bindingName: string;
}

export function field(object: JsonObject, name: string): JsonObject {
  const value = object[name];
  return isJsonObject(value) ? value : {};
}

function metadataText(object: JsonObject, name: string): string {
  return textOf(field(object, "metadata")[name]);
}

/** Every binding whose policy exists, in the order of the bindings' names. */
export function boundPolicies(context: ServerContext): readonly Bound[] {
  const bindings = [
    ...context.store.list({ group, resource: "validatingadmissionpolicybindings" }).items,
  ].sort((a, b) => metadataText(a, "name").localeCompare(metadataText(b, "name")));
  return bindings.flatMap((binding) => {
    const policyName = textOf(field(binding, "spec")["policyName"]);
    const policy =
      policyName === ""
        ? undefined
        : context.store.get({
            group,
            resource: "validatingadmissionpolicies",
            namespace: "",
            name: policyName,
          });
    return policy === undefined
      ? []
      : [{ policy, binding, policyName, bindingName: metadataText(binding, "name") }];
  });
}

const everything: JsonValue = [
  { operations: ["*"], apiGroups: ["*"], apiVersions: ["*"], resources: ["*", "*/*"], scope: "*" },
];

/** A policy's matchConstraints or a binding's matchResources, in a webhook's shape for its matchers. */
function matcherOf(resources: JsonObject, rulesByDefault: JsonValue): JsonObject {
  const rules = resources["resourceRules"];
  return {
    rules: Array.isArray(rules) && rules.length > 0 ? rules : rulesByDefault,
    namespaceSelector: field(resources, "namespaceSelector"),
    objectSelector: field(resources, "objectSelector"),
  };
}

function excluded(resources: JsonObject, attributes: AdmissionAttributes): boolean {
  const rules = resources["excludeResourceRules"];
  return Array.isArray(rules) && rules.length > 0 && webhookRulesMatch({ rules }, attributes);
}

function matchers(bound: Bound): readonly [JsonObject, JsonObject, JsonObject, JsonObject] {
  const constraints = field(field(bound.policy, "spec"), "matchConstraints");
  const resources = field(field(bound.binding, "spec"), "matchResources");
  return [constraints, matcherOf(constraints, []), resources, matcherOf(resources, everything)];
}

/** The policy's resourceRules and the binding's matchResources' rules (decidable before the object is known). */
export function rulesMatch(bound: Bound, attributes: AdmissionAttributes): boolean {
  const [constraints, policy, resources, binding] = matchers(bound);
  return (
    webhookRulesMatch(policy, attributes) &&
    !excluded(constraints, attributes) &&
    webhookRulesMatch(binding, attributes) &&
    !excluded(resources, attributes)
  );
}

/** The rules, then the namespace and object selectors of the policy and of the binding. */
export function applies(bound: Bound, attributes: AdmissionAttributes): boolean {
  const [, policy, , binding] = matchers(bound);
  return (
    rulesMatch(bound, attributes) && webhookApplies(policy, attributes) && webhookApplies(binding, attributes)
  );
}
