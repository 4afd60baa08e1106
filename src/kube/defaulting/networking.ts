import type { JsonObject, KubeObject } from "../value/json.js";
import { ensureObject, isUnset, listField, updateItems, withField } from "./edit.js";

/** pkg/apis/networking/v1/defaults.go. */

function defaultPolicyPort(port: JsonObject): JsonObject {
  return isUnset(port["protocol"]) ? withField(port, "protocol", "TCP") : port;
}

function defaultPolicyRules(spec: JsonObject, direction: "ingress" | "egress"): JsonObject {
  return updateItems(spec, direction, (rule) => updateItems(rule, "ports", defaultPolicyPort));
}

/** SetDefaults_NetworkPolicy: no policyTypes means Ingress, plus Egress when egress rules exist. */
function defaultPolicyTypes(spec: JsonObject): JsonObject {
  if ((listField(spec, "policyTypes") ?? []).length > 0) return spec;
  const egress = listField(spec, "egress") ?? [];
  return withField(spec, "policyTypes", egress.length > 0 ? ["Ingress", "Egress"] : ["Ingress"]);
}

export function defaultNetworkPolicy(object: KubeObject): KubeObject {
  return ensureObject(object, "spec", (spec) =>
    defaultPolicyTypes(defaultPolicyRules(defaultPolicyRules(spec, "ingress"), "egress")),
  );
}
