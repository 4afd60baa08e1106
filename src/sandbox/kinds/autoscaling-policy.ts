import type { JsonObject, KubeObject } from "../../kube/value/json.js";
import type { StatusCause } from "../api/status.js";
import type { KindStrategy } from "./types.js";
import { defineStrategy } from "./define.js";
import { isUnset, objectField } from "../../kube/defaulting/edit.js";
import { invalid, required } from "./validation/field.js";
import { isPathSegmentName } from "./validation/names.js";
import { validateLabelSelector } from "./validation/selector.js";

/** pkg/apis/autoscaling/v2/defaults.go (1.32: no selectionStrategy, no tolerance) and PodDisruptionBudgets. */

function validateScaleTarget(spec: JsonObject): readonly StatusCause[] {
  const target = objectField(spec, "scaleTargetRef") ?? {};
  return [
    ...(isUnset(target["kind"]) ? [required("spec.scaleTargetRef.kind")] : []),
    ...(isUnset(target["name"]) ? [required("spec.scaleTargetRef.name")] : []),
  ];
}

function validateHpa(object: KubeObject): readonly StatusCause[] {
  const spec = objectField(object, "spec") ?? {};
  const errors: StatusCause[] = [...validateScaleTarget(spec)];
  const minReplicas = spec["minReplicas"];
  const maxReplicas = spec["maxReplicas"];
  if (typeof minReplicas === "number" && minReplicas < 1) {
    errors.push(invalid("spec.minReplicas", minReplicas, "must be greater than or equal to 1"));
  }
  if (typeof maxReplicas !== "number" || maxReplicas < 1) {
    errors.push(invalid("spec.maxReplicas", maxReplicas ?? 0, "must be greater than or equal to 1"));
  } else if (typeof minReplicas === "number" && minReplicas > maxReplicas) {
    errors.push(invalid("spec.minReplicas", minReplicas, "must be less than or equal to maxReplicas"));
  }
  return errors;
}

export const horizontalPodAutoscalerStrategy: KindStrategy = defineStrategy({
  gvk: { group: "autoscaling", version: "v2", kind: "HorizontalPodAutoscaler" },
  // HPA generation tracking (the HPAGeneration gate) arrived after 1.32.
  tracksGeneration: false,
  hasStatus: true,
  nameValidator: isPathSegmentName,
  initialStatus: () => ({ desiredReplicas: 0 }),
  validateSpec: validateHpa,
});

function validatePdb(object: KubeObject): readonly StatusCause[] {
  const spec = objectField(object, "spec") ?? {};
  const both = spec["minAvailable"] !== undefined && spec["maxUnavailable"] !== undefined;
  return [
    ...(both
      ? [
          invalid(
            "spec",
            { goLiteral: "policy.PodDisruptionBudgetSpec{…}" },
            "minAvailable and maxUnavailable cannot be both set",
          ),
        ]
      : []),
    ...validateLabelSelector(spec["selector"], "spec.selector"),
  ];
}

export const podDisruptionBudgetStrategy: KindStrategy = defineStrategy({
  gvk: { group: "policy", version: "v1", kind: "PodDisruptionBudget" },
  tracksGeneration: true,
  hasStatus: true,
  // These PodDisruptionBudgetStatus fields are not omitempty: a new PDB shows them as zeros.
  initialStatus: () => ({ disruptionsAllowed: 0, currentHealthy: 0, desiredHealthy: 0, expectedPods: 0 }),
  validateSpec: validatePdb,
});
