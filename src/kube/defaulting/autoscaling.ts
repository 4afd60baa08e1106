import type { JsonObject, KubeObject } from "../value/json.js";
import { ensureObject, listField, objectField, updateObject, withDefaults, withField } from "./edit.js";

/** pkg/apis/autoscaling/v2/defaults.go (1.32: no selectionStrategy, no tolerance). */

const scaleUpRules: JsonObject = {
  stabilizationWindowSeconds: 0,
  selectPolicy: "Max",
  policies: [
    { type: "Pods", value: 4, periodSeconds: 15 },
    { type: "Percent", value: 100, periodSeconds: 15 },
  ],
};

// Scale-down stabilisation stays unset: the controller's --horizontal-pod-autoscaler-downscale-stabilization decides.
const scaleDownRules: JsonObject = {
  selectPolicy: "Max",
  policies: [{ type: "Percent", value: 100, periodSeconds: 15 }],
};

/** GenerateHPAScale{Up,Down}Rules: the given fields win, the rest come from the defaults. */
function fillScalingRules(rules: JsonObject | undefined, defaults: JsonObject): JsonObject {
  return withDefaults(rules ?? {}, defaults);
}

function defaultBehavior(behavior: JsonObject): JsonObject {
  return {
    ...behavior,
    scaleUp: fillScalingRules(objectField(behavior, "scaleUp"), scaleUpRules),
    scaleDown: fillScalingRules(objectField(behavior, "scaleDown"), scaleDownRules),
  };
}

function defaultHpaSpec(spec: JsonObject): JsonObject {
  let result = withDefaults(spec, { minReplicas: 1 });
  if ((listField(result, "metrics") ?? []).length === 0) {
    // DefaultCPUUtilization: 80 %.
    result = withField(result, "metrics", [
      {
        type: "Resource",
        resource: { name: "cpu", target: { type: "Utilization", averageUtilization: 80 } },
      },
    ]);
  }
  return updateObject(result, "behavior", defaultBehavior);
}

export function defaultHorizontalPodAutoscaler(object: KubeObject): KubeObject {
  return ensureObject(object, "spec", defaultHpaSpec);
}
