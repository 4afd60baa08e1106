import type { JsonObject, KubeObject } from "../../kube/value/json.js";
import type { StatusCause } from "../api/status.js";
import type { KindStrategy } from "./types.js";
import { defineStrategy } from "./define.js";
import { isUnset, listField, objectField, objectItems } from "../../kube/defaulting/edit.js";
import { child, index, invalid, notSupported, required } from "./validation/field.js";
import { validateLabelSelector } from "./validation/selector.js";

/** pkg/apis/networking/v1/defaults.go and the Ingress/NetworkPolicy registries. */

function validateNetworkPolicy(object: KubeObject): readonly StatusCause[] {
  const spec = objectField(object, "spec") ?? {};
  const types = listField(spec, "policyTypes") ?? [];
  return [
    ...validateLabelSelector(spec["podSelector"], "spec.podSelector"),
    ...types.flatMap((type, position) =>
      type === "Ingress" || type === "Egress"
        ? []
        : [notSupported(index("spec.policyTypes", position), type, ["Ingress", "Egress"])],
    ),
  ];
}

export const networkPolicyStrategy: KindStrategy = defineStrategy({
  gvk: { group: "networking.k8s.io", version: "v1", kind: "NetworkPolicy" },
  tracksGeneration: true,
  // NetworkPolicyStatus was removed in 1.28: no status subresource.
  hasStatus: false,
  validateSpec: validateNetworkPolicy,
});

const pathTypes = ["Exact", "ImplementationSpecific", "Prefix"] as const;

function validateIngressPath(path: JsonObject, fieldPath: string): readonly StatusCause[] {
  const pathType = path["pathType"];
  const value = path["path"];
  if (isUnset(pathType)) return [required(child(fieldPath, "pathType"), "pathType must be specified")];
  if (typeof pathType !== "string" || !(pathTypes as readonly string[]).includes(pathType)) {
    return [notSupported(child(fieldPath, "pathType"), pathType ?? null, pathTypes)];
  }
  const absolute = typeof value === "string" && value.startsWith("/");
  if (pathType !== "ImplementationSpecific" && !absolute) {
    return [invalid(child(fieldPath, "path"), value ?? "", "must be an absolute path")];
  }
  return objectField(path, "backend") === undefined ? [required(child(fieldPath, "backend"))] : [];
}

function validateIngress(object: KubeObject): readonly StatusCause[] {
  const spec = objectField(object, "spec") ?? {};
  const rules = objectItems(spec, "rules");
  const hasDefault = objectField(spec, "defaultBackend") !== undefined;
  const none =
    rules.length === 0 && !hasDefault
      ? [invalid("spec.rules", [], "either `defaultBackend` or `rules` must be specified")]
      : [];
  return [
    ...none,
    ...rules.flatMap((rule, ruleIndex) => {
      const http = objectField(rule, "http");
      if (http === undefined) return [];
      const pathsPath = child(child(index("spec.rules", ruleIndex), "http"), "paths");
      const paths = objectItems(http, "paths");
      if (paths.length === 0) return [required(pathsPath)];
      return paths.flatMap((path, pathIndex) => validateIngressPath(path, index(pathsPath, pathIndex)));
    }),
  ];
}

export const ingressStrategy: KindStrategy = defineStrategy({
  gvk: { group: "networking.k8s.io", version: "v1", kind: "Ingress" },
  tracksGeneration: true,
  hasStatus: true,
  initialStatus: () => ({ loadBalancer: {} }),
  validateSpec: validateIngress,
});
