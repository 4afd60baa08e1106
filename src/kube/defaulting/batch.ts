import type { JsonObject, KubeObject } from "../value/json.js";
import { metadataOf } from "../object.js";
import {
  ensureObject,
  isUnset,
  objectAt,
  objectField,
  updateItems,
  updateObject,
  withDefaults,
  withField,
} from "./edit.js";
import { defaultPodTemplate, withTemplateMetadata } from "./pod-template.js";

/** pkg/apis/batch/v1/defaults.go. */

function defaultPodFailurePolicy(policy: JsonObject): JsonObject {
  return updateItems(policy, "rules", (rule) =>
    updateItems(rule, "onPodConditions", (pattern) => withDefaults(pattern, { status: "True" })),
  );
}

/** SetDefaults_Job's spec part (also applied, without selector generation, nowhere else). */
function defaultJobSpec(spec: JsonObject): JsonObject {
  const bothUnset = isUnset(spec["completions"]) && isUnset(spec["parallelism"]);
  let result = bothUnset
    ? { ...spec, completions: 1, parallelism: 1 }
    : withDefaults(spec, { parallelism: 1 });
  // With per-index backoff the job-wide limit is effectively unbounded (math.MaxInt32).
  const backoffLimit = isUnset(spec["backoffLimitPerIndex"]) ? 6 : 2147483647;
  const replacement = objectField(spec, "podFailurePolicy") === undefined ? "TerminatingOrFailed" : "Failed";
  result = withDefaults(result, {
    backoffLimit,
    completionMode: "NonIndexed",
    suspend: false,
    podReplacementPolicy: replacement,
    manualSelector: false,
  });
  result = updateObject(result, "podFailurePolicy", defaultPodFailurePolicy);
  return updateObject(result, "template", defaultPodTemplate);
}

/**
 * SetDefaults_Job copies the template's labels to a Job without labels. It runs on every
 * decode: on the request (so the writer owns the labels copied from its own template), and
 * again when the created Job is read back from storage, after generateSelector labelled the
 * template (so a Job whose template had no labels ends up with the generated ones, owned by nobody).
 */
export function copyTemplateLabels(object: KubeObject): KubeObject {
  const templateLabels = objectAt(object, ["spec", "template", "metadata", "labels"]);
  const labels = objectField(metadataOf(object), "labels") ?? {};
  if (templateLabels === undefined || Object.keys(labels).length > 0) return object;
  return ensureObject(object, "metadata", (metadata) => withField(metadata, "labels", templateLabels));
}

export function defaultJob(object: KubeObject): KubeObject {
  return copyTemplateLabels(ensureObject(object, "spec", defaultJobSpec));
}

export function defaultCronJob(object: KubeObject): KubeObject {
  return ensureObject(object, "spec", (spec) =>
    ensureObject(
      withDefaults(spec, {
        concurrencyPolicy: "Allow",
        suspend: false,
        successfulJobsHistoryLimit: 3,
        failedJobsHistoryLimit: 1,
      }),
      "jobTemplate",
      // SetDefaults_Job targets the Job type, so a jobTemplate only gets its pod template defaulted.
      (jobTemplate) =>
        ensureObject(withTemplateMetadata(jobTemplate), "spec", (jobSpec) =>
          updateObject(jobSpec, "template", defaultPodTemplate),
        ),
    ),
  );
}
