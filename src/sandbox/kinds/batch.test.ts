import { describe, expect, it } from "vitest";
import type { JsonObject } from "../../kube/value/json.js";
import { strategyFor } from "./index.js";
import { storedForm, testContext } from "./test-context.js";

const podSpec = {
  containers: [
    {
      name: "work",
      image: "busybox:1.36",
      imagePullPolicy: "IfNotPresent",
      terminationMessagePath: "/dev/termination-log",
      terminationMessagePolicy: "File",
      resources: {},
    },
  ],
  restartPolicy: "Never",
  dnsPolicy: "ClusterFirst",
  securityContext: {},
  terminationGracePeriodSeconds: 30,
  schedulerName: "default-scheduler",
};

const uid = "6f1c2a8e-0000-4000-8000-000000000001";

describe("Job", () => {
  const strategy = strategyFor("batch", "Job");

  it("defaults a Job and generates its selector and labels from the uid", () => {
    const job = {
      metadata: { name: "pi", namespace: "default", uid },
      spec: {
        template: { spec: { containers: [{ name: "work", image: "busybox:1.36" }], restartPolicy: "Never" } },
      },
    };
    const labels = {
      "batch.kubernetes.io/controller-uid": uid,
      "batch.kubernetes.io/job-name": "pi",
      "controller-uid": uid,
      "job-name": "pi",
    };
    const defaulted = storedForm(strategy, job, undefined, testContext());
    expect(defaulted).toEqual({
      metadata: { name: "pi", namespace: "default", uid, labels },
      spec: {
        completions: 1,
        parallelism: 1,
        backoffLimit: 6,
        completionMode: "NonIndexed",
        suspend: false,
        podReplacementPolicy: "TerminatingOrFailed",
        manualSelector: false,
        selector: { matchLabels: { "batch.kubernetes.io/controller-uid": uid } },
        template: { metadata: { creationTimestamp: null, labels }, spec: podSpec },
      },
      status: {},
    });
    expect(strategy.validate(defaulted, undefined)).toEqual([]);
  });

  it("defaults without a selector; prepare generates it, and the Job's labels come from the user's template first", () => {
    const context = testContext();
    const job = {
      metadata: { name: "pi", uid },
      spec: {
        template: {
          metadata: { labels: { app: "pi" } },
          spec: { containers: [{ name: "work", image: "busybox:1.36" }], restartPolicy: "Never" },
        },
      },
    };
    const defaulted = strategy.applyDefaults(job, undefined, context);
    expect(defaulted["metadata"]).toEqual({ name: "pi", uid, labels: { app: "pi" } });
    expect((defaulted["spec"] as JsonObject)["selector"]).toBeUndefined();
    const prepared = strategy.prepare(defaulted, undefined, context);
    expect(prepared["metadata"]).toEqual({ name: "pi", uid, labels: { app: "pi" } });
    expect(prepared["spec"]).toMatchObject({
      selector: { matchLabels: { "batch.kubernetes.io/controller-uid": uid } },
      template: {
        metadata: {
          creationTimestamp: null,
          labels: {
            app: "pi",
            "batch.kubernetes.io/controller-uid": uid,
            "batch.kubernetes.io/job-name": "pi",
            "controller-uid": uid,
            "job-name": "pi",
          },
        },
      },
    });
    expect(prepared["status"]).toEqual({});
  });

  it("generates nothing for a manual selector or on update", () => {
    const context = testContext();
    const manual = {
      metadata: { name: "pi", uid },
      spec: {
        manualSelector: true,
        selector: { matchLabels: { app: "pi" } },
        template: { metadata: { labels: { app: "pi" } }, spec: { containers: [], restartPolicy: "Never" } },
      },
    };
    const prepared = storedForm(strategy, manual, undefined, context);
    expect(prepared["spec"]).toMatchObject({
      selector: { matchLabels: { app: "pi" } },
      template: { metadata: { creationTimestamp: null, labels: { app: "pi" } } },
    });
    const stored = storedForm(
      strategy,
      { ...manual, spec: { ...manual.spec, manualSelector: false } },
      undefined,
      context,
    );
    const update = {
      ...stored,
      spec: { ...(stored["spec"] as JsonObject), selector: { matchLabels: { x: "y" } } },
    };
    expect(strategy.prepare(update, stored, context)).toEqual(update);
  });

  it("rejects the defaulted restartPolicy Always as kube-apiserver does", () => {
    const job = {
      metadata: { name: "pi", uid },
      spec: { template: { spec: { containers: [{ name: "w", image: "x:1" }] } } },
    };
    const defaulted = storedForm(strategy, job, undefined, testContext());
    expect(strategy.validate(defaulted, undefined)).toEqual([
      {
        reason: "FieldValueNotSupported",
        message: 'Unsupported value: "Always": supported values: "OnFailure", "Never"',
        field: "spec.template.spec.restartPolicy",
      },
    ]);
  });

  it("uses Failed replacement with a pod failure policy and keeps a parallelism-only spec", () => {
    const job = {
      metadata: { name: "pi", uid },
      spec: {
        parallelism: 3,
        podFailurePolicy: { rules: [{ action: "Ignore", onPodConditions: [{ type: "DisruptionTarget" }] }] },
      },
    };
    expect(storedForm(strategy, job, undefined, testContext())["spec"]).toMatchObject({
      parallelism: 3,
      podReplacementPolicy: "Failed",
      podFailurePolicy: {
        rules: [{ action: "Ignore", onPodConditions: [{ type: "DisruptionTarget", status: "True" }] }],
      },
    });
    expect(storedForm(strategy, job, undefined, testContext())["spec"]).not.toHaveProperty("completions");
  });

  it("refuses template changes on update", () => {
    const context = testContext();
    const job = {
      metadata: { name: "pi", uid },
      spec: {
        template: { spec: { containers: [{ name: "work", image: "busybox:1.36" }], restartPolicy: "Never" } },
      },
    };
    const stored = storedForm(strategy, job, undefined, context);
    const changed = JSON.parse(
      JSON.stringify(stored).replace('"restartPolicy":"Never"', '"restartPolicy":"OnFailure"'),
    ) as JsonObject;
    expect(strategy.validate(storedForm(strategy, changed, stored, context), stored)).toEqual([
      {
        reason: "FieldValueInvalid",
        message: "Invalid value: core.PodTemplateSpec{…}: field is immutable",
        field: "spec.template",
      },
    ]);
  });
});

describe("CronJob", () => {
  const strategy = strategyFor("batch", "CronJob");

  it("defaults policies and history limits, and the pod template inside jobTemplate only", () => {
    const cronJob = {
      metadata: { name: "nightly" },
      spec: {
        schedule: "0 3 * * *",
        jobTemplate: {
          spec: {
            template: {
              spec: { containers: [{ name: "work", image: "busybox:1.36" }], restartPolicy: "Never" },
            },
          },
        },
      },
    };
    const defaulted = storedForm(strategy, cronJob, undefined, testContext());
    expect(defaulted).toEqual({
      metadata: { name: "nightly" },
      spec: {
        schedule: "0 3 * * *",
        concurrencyPolicy: "Allow",
        suspend: false,
        successfulJobsHistoryLimit: 3,
        failedJobsHistoryLimit: 1,
        jobTemplate: {
          metadata: { creationTimestamp: null },
          spec: { template: { metadata: { creationTimestamp: null }, spec: podSpec } },
        },
      },
      status: {},
    });
    expect(strategy.validate(defaulted, undefined)).toEqual([]);
  });

  it("reports a malformed schedule and an over-long name", () => {
    const name = "a".repeat(53);
    const cronJob = {
      metadata: { name },
      spec: {
        schedule: "every day",
        concurrencyPolicy: "Allow",
        jobTemplate: {
          spec: {
            template: {
              spec: {
                containers: [{ name: "w", image: "x:1" }],
                restartPolicy: "Never",
                dnsPolicy: "ClusterFirst",
              },
            },
          },
        },
      },
    };
    expect(strategy.validate(cronJob, undefined)).toEqual([
      {
        reason: "FieldValueInvalid",
        message: `Invalid value: "${name}": must be no more than 52 characters`,
        field: "metadata.name",
      },
      {
        reason: "FieldValueInvalid",
        message: 'Invalid value: "every day": Expected exactly 5 fields, found 2: every day',
        field: "spec.schedule",
      },
    ]);
  });
});
