import type { JsonObject, KubeObject } from "../../kube/value/json.js";
import type { StatusCause } from "../api/status.js";
import type { KindStrategy } from "./types.js";
import { defineStrategy } from "./define.js";
import {
  ensureObject,
  objectAt,
  objectField,
  stringMap,
  stringOr,
  updateObject,
  withDefaults,
} from "../../kube/defaulting/edit.js";
import { valueAt } from "../api/object.js";
import { copyTemplateLabels } from "../../kube/defaulting/batch.js";
import { withTemplateMetadata } from "../../kube/defaulting/pod-template.js";
import { child, goStringMap, immutable, invalid, notSupported, required } from "./validation/field.js";
import { isDNS1123Subdomain, maxLengthError } from "./validation/names.js";
import { validatePodTemplate } from "./validation/pod-spec.js";
import { goLabelSelector, selectorMatches, validateLabelSelector } from "./validation/selector.js";
import { validateNonNegative } from "./validation/workload.js";
import { jsonEqual } from "../../kube/value/equal.js";
import { metadataOf } from "../../kube/object.js";

/** pkg/apis/batch/v1/defaults.go and pkg/registry/batch/{job,cronjob}/strategy.go. */

export const jobLabels = {
  controllerUid: "batch.kubernetes.io/controller-uid",
  jobName: "batch.kubernetes.io/job-name",
  legacyControllerUid: "controller-uid",
  legacyJobName: "job-name",
} as const;

/**
 * generateSelector (job strategy PrepareForCreate): pods are selected by the
 * Job's uid; the job-name labels are added for people. User-set labels win.
 */
function generateSelector(spec: JsonObject, name: string, uid: string): JsonObject {
  const withLabels = ensureObject(spec, "template", (template) =>
    ensureObject(withTemplateMetadata(template), "metadata", (metadata) =>
      ensureObject(metadata, "labels", (labels) =>
        withDefaults(labels, {
          [jobLabels.controllerUid]: uid,
          [jobLabels.jobName]: name,
          [jobLabels.legacyControllerUid]: uid,
          [jobLabels.legacyJobName]: name,
        }),
      ),
    ),
  );
  return ensureObject(withLabels, "selector", (selector) =>
    ensureObject(selector, "matchLabels", (matchLabels) =>
      withDefaults(matchLabels, { [jobLabels.controllerUid]: uid }),
    ),
  );
}

/** PrepareForCreate: generateSelectorIfNeeded, unless the user manages the selector. */
function prepareJob(object: KubeObject, old: KubeObject | undefined): KubeObject {
  const manual = objectField(object, "spec")?.["manualSelector"] === true;
  if (old !== undefined || manual) return object;
  const metadata = metadataOf(object);
  const name = stringOr(metadata["name"]);
  const uid = stringOr(metadata["uid"]);
  return copyTemplateLabels(updateObject(object, "spec", (spec) => generateSelector(spec, name, uid)));
}

function validateJobTemplate(spec: JsonObject, path: string): readonly StatusCause[] {
  const template = objectField(spec, "template");
  const restartPolicy = valueAt(template ?? {}, ["spec", "restartPolicy"]);
  const restartErrors =
    restartPolicy === "OnFailure" || restartPolicy === "Never"
      ? []
      : [
          notSupported(child(path, "template.spec.restartPolicy"), restartPolicy ?? "", [
            "OnFailure",
            "Never",
          ]),
        ];
  return [...validatePodTemplate(template, child(path, "template")), ...restartErrors];
}

function validateJobSelector(spec: JsonObject): readonly StatusCause[] {
  const selector = objectField(spec, "selector");
  if (selector === undefined) return [required("spec.selector")];
  const labels = stringMap(objectAt(spec, ["template", "metadata"]), "labels");
  const matches = selectorMatches(selector, labels ?? {})
    ? []
    : [
        invalid(
          "spec.template.metadata.labels",
          goStringMap(labels),
          "`selector` does not match template `labels`",
        ),
      ];
  return [...validateLabelSelector(selector, "spec.selector"), ...matches];
}

function validateJob(object: KubeObject): readonly StatusCause[] {
  const spec = objectField(object, "spec") ?? {};
  return [
    ...validateNonNegative(spec["parallelism"], "spec.parallelism"),
    ...validateNonNegative(spec["completions"], "spec.completions"),
    ...validateNonNegative(spec["backoffLimit"], "spec.backoffLimit"),
    ...validateJobSelector(spec),
    ...validateJobTemplate(spec, "spec"),
  ];
}

/**
 * A Job's pods are fixed at creation: the template (Go prints the whole
 * core.PodTemplateSpec; the sandbox abbreviates it), selector and completion mode.
 */
function validateJobUpdate(object: KubeObject, old: KubeObject): readonly StatusCause[] {
  const spec = objectField(object, "spec") ?? {};
  const oldSpec = objectField(old, "spec") ?? {};
  const errors: StatusCause[] = [];
  if (!jsonEqual(spec["selector"], oldSpec["selector"])) {
    errors.push(immutable("spec.selector", goLabelSelector(objectField(spec, "selector"))));
  }
  if (!jsonEqual(spec["template"], oldSpec["template"])) {
    errors.push(immutable("spec.template", { goLiteral: "core.PodTemplateSpec{…}" }));
  }
  if (!jsonEqual(spec["completionMode"], oldSpec["completionMode"])) {
    errors.push(immutable("spec.completionMode", spec["completionMode"] ?? null));
  }
  return errors;
}

export const jobStrategy: KindStrategy = defineStrategy({
  gvk: { group: "batch", version: "v1", kind: "Job" },
  tracksGeneration: true,
  hasStatus: true,
  prepare: prepareJob,
  initialStatus: () => ({}),
  validateSpec: validateJob,
  validateUpdate: validateJobUpdate,
});

// CronJob ------------------------------------------------------------------------------------

const scheduleMacros = ["@yearly", "@annually", "@monthly", "@weekly", "@daily", "@midnight", "@hourly"];

/** The parse errors of robfig/cron's standard parser that kube-apiserver passes through. */
function validateSchedule(schedule: unknown): readonly StatusCause[] {
  if (typeof schedule !== "string" || schedule === "") return [required("spec.schedule")];
  if (scheduleMacros.includes(schedule) || schedule.startsWith("@every ")) return [];
  const fields = schedule
    .trim()
    .split(/\s+/)
    .filter((part) => part !== "");
  if (fields.length === 5) return [];
  return [
    invalid("spec.schedule", schedule, `Expected exactly 5 fields, found ${fields.length}: ${schedule}`),
  ];
}

/** CronJob names leave room for the 11-character suffix of the Jobs they create. */
function cronJobName(name: string): readonly string[] {
  const subdomain = isDNS1123Subdomain(name);
  return name.length > 52 ? [...subdomain, maxLengthError(52)] : subdomain;
}

function validateCronJob(object: KubeObject): readonly StatusCause[] {
  const spec = objectField(object, "spec") ?? {};
  const policy = spec["concurrencyPolicy"];
  const jobSpec = objectAt(spec, ["jobTemplate", "spec"]);
  return [
    ...validateSchedule(spec["schedule"]),
    ...(policy === "Allow" || policy === "Forbid" || policy === "Replace"
      ? []
      : [notSupported("spec.concurrencyPolicy", policy ?? "", ["Allow", "Forbid", "Replace"])]),
    ...validateNonNegative(spec["successfulJobsHistoryLimit"], "spec.successfulJobsHistoryLimit"),
    ...validateNonNegative(spec["failedJobsHistoryLimit"], "spec.failedJobsHistoryLimit"),
    ...(jobSpec === undefined
      ? [required("spec.jobTemplate.spec.template")]
      : validateJobTemplate(jobSpec, "spec.jobTemplate.spec")),
  ];
}

export const cronJobStrategy: KindStrategy = defineStrategy({
  gvk: { group: "batch", version: "v1", kind: "CronJob" },
  tracksGeneration: true,
  hasStatus: true,
  nameValidator: cronJobName,
  initialStatus: () => ({}),
  validateSpec: validateCronJob,
});
