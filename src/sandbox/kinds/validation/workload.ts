import type { StatusCause } from "../../api/status.js";
import type { JsonObject, JsonValue, KubeObject } from "../../../kube/value/json.js";
import { isJsonObject } from "../../../kube/value/json.js";
import { objectAt, objectField, stringMap } from "../../../kube/defaulting/edit.js";
import { goStringMap, immutable, invalid, notSupported, required } from "./field.js";
import { validatePodTemplate } from "./pod-spec.js";
import { goLabelSelector, selectorIsEmpty, selectorMatches, validateLabelSelector } from "./selector.js";
import { jsonEqual } from "../../../kube/value/equal.js";

/** ValidateNonnegativeField. */
export function validateNonNegative(value: JsonValue | undefined, path: string): readonly StatusCause[] {
  if (typeof value !== "number" || value >= 0) return [];
  return [invalid(path, value, "must be greater than or equal to 0")];
}

function validateSelector(selector: JsonValue | undefined, emptyMessage: string): readonly StatusCause[] {
  if (!isJsonObject(selector)) return [required("spec.selector")];
  const empty = selectorIsEmpty(selector)
    ? [invalid("spec.selector", goLabelSelector(selector), emptyMessage)]
    : [];
  return [...validateLabelSelector(selector, "spec.selector"), ...empty];
}

/** ValidatePodTemplateSpecForReplicaSet (also used, in spirit, by StatefulSets and DaemonSets). */
function validateTemplateAgainstSelector(spec: JsonObject): readonly StatusCause[] {
  const selector = objectField(spec, "selector");
  const template = objectField(spec, "template");
  if (selector === undefined || template === undefined || selectorIsEmpty(selector)) return [];
  const labels = stringMap(objectField(template, "metadata"), "labels");
  if (selectorMatches(selector, labels ?? {})) return [];
  return [
    invalid(
      "spec.template.metadata.labels",
      goStringMap(labels),
      "`selector` does not match template `labels`",
    ),
  ];
}

function validateAlwaysRestart(spec: JsonObject): readonly StatusCause[] {
  const restartPolicy = objectAt(spec, ["template", "spec"])?.["restartPolicy"];
  if (restartPolicy === undefined || restartPolicy === "Always") return [];
  return [notSupported("spec.template.spec.restartPolicy", restartPolicy, ["Always"])];
}

/** The spec checks Deployments, ReplicaSets, StatefulSets and DaemonSets share. */
export function validateReplicatedSpec(
  object: KubeObject,
  emptySelectorMessage: string,
  template: { readonly podSpec: boolean } = { podSpec: true },
): readonly StatusCause[] {
  const spec = objectField(object, "spec") ?? {};
  return [
    ...validateNonNegative(spec["replicas"], "spec.replicas"),
    ...validateSelector(spec["selector"], emptySelectorMessage),
    ...validateTemplateAgainstSelector(spec),
    ...validatePodTemplate(spec["template"], "spec.template", template),
    ...validateAlwaysRestart(spec),
  ];
}

/** apps/v1 selectors cannot change after creation (kubernetes/kubernetes#50808). */
export function validateSelectorUnchanged(object: KubeObject, old: KubeObject): readonly StatusCause[] {
  const selector = objectAt(object, ["spec", "selector"]);
  const oldSelector = objectAt(old, ["spec", "selector"]);
  return jsonEqual(selector, oldSelector) ? [] : [immutable("spec.selector", goLabelSelector(selector))];
}
