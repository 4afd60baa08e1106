import { describe, expect, it } from "vitest";
import { strategyFor } from "./index.js";
import { storedForm, testContext } from "./test-context.js";

const defaultedContainer = {
  name: "web",
  image: "nginx:1.27",
  imagePullPolicy: "IfNotPresent",
  terminationMessagePath: "/dev/termination-log",
  terminationMessagePolicy: "File",
  resources: {},
};

const defaultedPodSpec = {
  containers: [defaultedContainer],
  dnsPolicy: "ClusterFirst",
  restartPolicy: "Always",
  securityContext: {},
  terminationGracePeriodSeconds: 30,
  schedulerName: "default-scheduler",
};

const template = {
  metadata: { labels: { app: "web" } },
  spec: { containers: [{ name: "web", image: "nginx:1.27" }] },
};

describe("Deployment", () => {
  const strategy = strategyFor("apps", "Deployment");

  it("defaults a minimal Deployment as kube-apiserver 1.32 stores it", () => {
    const object = {
      apiVersion: "apps/v1",
      kind: "Deployment",
      metadata: { name: "web", namespace: "shop" },
      spec: { selector: { matchLabels: { app: "web" } }, template },
    };
    const context = testContext();
    const defaulted = strategy.applyDefaults(object, undefined, context);
    expect(defaulted).toEqual({
      apiVersion: "apps/v1",
      kind: "Deployment",
      metadata: { name: "web", namespace: "shop" },
      spec: {
        replicas: 1,
        revisionHistoryLimit: 10,
        progressDeadlineSeconds: 600,
        selector: { matchLabels: { app: "web" } },
        strategy: { type: "RollingUpdate", rollingUpdate: { maxUnavailable: "25%", maxSurge: "25%" } },
        template: { metadata: { labels: { app: "web" }, creationTimestamp: null }, spec: defaultedPodSpec },
      },
    });
    // PrepareForCreate only resets the status; pod templates get no admission defaults.
    expect(strategy.prepare(defaulted, undefined, context)).toEqual({ ...defaulted, status: {} });
    expect(strategy.prepare(defaulted, defaulted, context)).toEqual(defaulted);
  });

  it("keeps a Recreate strategy without rollingUpdate and does not mutate its input", () => {
    const object = { spec: { strategy: { type: "Recreate" }, replicas: 0, template } };
    const frozen = JSON.stringify(object);
    const result = storedForm(strategy, object, undefined, testContext());
    expect(result["spec"]).toMatchObject({ strategy: { type: "Recreate" }, replicas: 0 });
    expect(JSON.stringify(object)).toBe(frozen);
  });

  it("tracks generation and has status and scale subresources", () => {
    expect(strategy.tracksGeneration).toBe(true);
    expect(strategy.hasStatus).toBe(true);
    expect(strategy.scale).toEqual({
      specReplicasPath: ".spec.replicas",
      statusReplicasPath: ".status.replicas",
      labelSelectorPath: ".spec.selector",
    });
  });

  it("reports a selector that does not match the template labels", () => {
    const object = {
      metadata: { name: "web" },
      spec: {
        selector: { matchLabels: { app: "api" } },
        template: { ...template, metadata: { labels: { tier: "front", app: "web" } } },
      },
    };
    const defaulted = storedForm(strategy, object, undefined, testContext());
    expect(strategy.validate(defaulted, undefined)).toEqual([
      {
        reason: "FieldValueInvalid",
        message:
          'Invalid value: map[string]string{"app":"web", "tier":"front"}: `selector` does not match template `labels`',
        field: "spec.template.metadata.labels",
      },
    ]);
  });

  it("reports missing selector, negative replicas, missing image and a bad name", () => {
    const object = {
      metadata: { name: "Web" },
      spec: { replicas: -1, template: { metadata: {}, spec: { containers: [{ name: "web" }] } } },
    };
    const defaulted = storedForm(strategy, object, undefined, testContext());
    expect(strategy.validate(defaulted, undefined)).toEqual([
      {
        reason: "FieldValueInvalid",
        message:
          "Invalid value: \"Web\": a lowercase RFC 1123 subdomain must consist of lower case alphanumeric characters, '-' or '.', and must start and end with an alphanumeric character (e.g. 'example.com', regex used for validation is '[a-z0-9]([-a-z0-9]*[a-z0-9])?(\\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*')",
        field: "metadata.name",
      },
      {
        reason: "FieldValueInvalid",
        message: "Invalid value: -1: must be greater than or equal to 0",
        field: "spec.replicas",
      },
      { reason: "FieldValueRequired", message: "Required value", field: "spec.selector" },
      {
        reason: "FieldValueRequired",
        message: "Required value",
        field: "spec.template.spec.containers[0].image",
      },
    ]);
  });

  it("refuses a changed selector on update with Go's rendering of the selector", () => {
    const old = { metadata: { name: "web" }, spec: { selector: { matchLabels: { app: "web" } }, template } };
    const changed = {
      metadata: { name: "web" },
      spec: {
        selector: { matchLabels: { app: "web", v: "2" } },
        template: { ...template, metadata: { labels: { app: "web", v: "2" } } },
      },
    };
    const context = testContext();
    const causes = strategy.validate(
      storedForm(strategy, changed, old, context),
      storedForm(strategy, old, undefined, context),
    );
    expect(causes).toEqual([
      {
        reason: "FieldValueInvalid",
        message:
          'Invalid value: v1.LabelSelector{MatchLabels:map[string]string{"app":"web", "v":"2"}, MatchExpressions:[]v1.LabelSelectorRequirement(nil)}: field is immutable',
        field: "spec.selector",
      },
    ]);
  });
});

describe("StatefulSet", () => {
  it("defaults policies, partition, retention and claim templates", () => {
    const strategy = strategyFor("apps", "StatefulSet");
    const object = {
      metadata: { name: "db" },
      spec: {
        serviceName: "db",
        selector: { matchLabels: { app: "web" } },
        template,
        volumeClaimTemplates: [
          {
            metadata: { name: "data" },
            spec: { accessModes: ["ReadWriteOnce"], resources: { requests: { storage: "1Gi" } } },
          },
        ],
      },
    };
    expect(storedForm(strategy, object, undefined, testContext())).toEqual({
      metadata: { name: "db" },
      spec: {
        serviceName: "db",
        replicas: 1,
        podManagementPolicy: "OrderedReady",
        revisionHistoryLimit: 10,
        updateStrategy: { type: "RollingUpdate", rollingUpdate: { partition: 0 } },
        persistentVolumeClaimRetentionPolicy: { whenDeleted: "Retain", whenScaled: "Retain" },
        selector: { matchLabels: { app: "web" } },
        template: { metadata: { labels: { app: "web" }, creationTimestamp: null }, spec: defaultedPodSpec },
        volumeClaimTemplates: [
          {
            apiVersion: "v1",
            kind: "PersistentVolumeClaim",
            metadata: { name: "data", creationTimestamp: null },
            spec: {
              accessModes: ["ReadWriteOnce"],
              resources: { requests: { storage: "1Gi" } },
              volumeMode: "Filesystem",
            },
            status: { phase: "Pending" },
          },
        ],
      },
      status: { replicas: 0, availableReplicas: 0 },
    });
  });

  it("leaves its pod spec to the pods (a mount may name a claim template) and forbids a deadline", () => {
    const strategy = strategyFor("apps", "StatefulSet");
    const mounting = {
      metadata: { labels: { app: "web" } },
      spec: {
        activeDeadlineSeconds: 30,
        containers: [
          { name: "db", image: "postgres:17", volumeMounts: [{ name: "data", mountPath: "/data" }] },
        ],
      },
    };
    const object = {
      metadata: { name: "db" },
      spec: {
        serviceName: "db",
        selector: { matchLabels: { app: "web" } },
        template: mounting,
        volumeClaimTemplates: [{ metadata: { name: "data" }, spec: { accessModes: ["ReadWriteOnce"] } }],
      },
    };
    const defaulted = storedForm(strategy, object, undefined, testContext());
    expect(strategy.validate(defaulted, undefined)).toEqual([
      {
        reason: "FieldValueForbidden",
        message: "Forbidden: activeDeadlineSeconds in StatefulSet is not Supported",
        field: "spec.template.spec.activeDeadlineSeconds",
      },
    ]);
  });

  it("forbids changing fields other than the mutable ones", () => {
    const strategy = strategyFor("apps", "StatefulSet");
    const old = {
      metadata: { name: "db" },
      spec: { serviceName: "db", selector: { matchLabels: { app: "web" } }, template },
    };
    const renamed = { ...old, spec: { ...old.spec, serviceName: "other" } };
    const context = testContext();
    const causes = strategy.validate(
      storedForm(strategy, renamed, old, context),
      storedForm(strategy, old, undefined, context),
    );
    expect(causes).toEqual([
      {
        reason: "FieldValueForbidden",
        message:
          "Forbidden: updates to statefulset spec for fields other than 'replicas', 'ordinals', 'template', 'updateStrategy', 'persistentVolumeClaimRetentionPolicy' and 'minReadySeconds' are forbidden",
        field: "spec",
      },
    ]);
  });
});

describe("DaemonSet and ReplicaSet", () => {
  it("defaults a DaemonSet's update strategy and history", () => {
    const result = storedForm(
      strategyFor("apps", "DaemonSet"),
      { spec: { selector: { matchLabels: { app: "web" } }, template } },
      undefined,
      testContext(),
    );
    expect(result).toEqual({
      spec: {
        revisionHistoryLimit: 10,
        updateStrategy: { type: "RollingUpdate", rollingUpdate: { maxUnavailable: 1, maxSurge: 0 } },
        selector: { matchLabels: { app: "web" } },
        template: { metadata: { labels: { app: "web" }, creationTimestamp: null }, spec: defaultedPodSpec },
      },
      status: { currentNumberScheduled: 0, numberMisscheduled: 0, desiredNumberScheduled: 0, numberReady: 0 },
    });
    expect(strategyFor("apps", "DaemonSet").scale).toBeUndefined();
  });

  it("defaults a ReplicaSet to one replica and leaves OnDelete DaemonSets alone", () => {
    const replicaSet = storedForm(
      strategyFor("apps", "ReplicaSet"),
      { spec: { template } },
      undefined,
      testContext(),
    );
    expect(replicaSet["spec"]).toMatchObject({ replicas: 1 });
    const daemonSet = storedForm(
      strategyFor("apps", "DaemonSet"),
      { spec: { updateStrategy: { type: "OnDelete" }, template } },
      undefined,
      testContext(),
    );
    expect(daemonSet["spec"]).toHaveProperty("updateStrategy", { type: "OnDelete" });
  });
});

describe("ControllerRevision", () => {
  const strategy = strategyFor("apps", "ControllerRevision");
  const revision = {
    metadata: { name: "web-7d4b9c8f5d", namespace: "shop" },
    data: { spec: { template: { $patch: "replace" } } },
    revision: 2,
  };

  it("has no status, no generation and no scale; prepare changes nothing", () => {
    expect([strategy.hasStatus, strategy.tracksGeneration, strategy.scale]).toEqual([
      false,
      false,
      undefined,
    ]);
    expect(storedForm(strategy, revision, undefined)).toEqual(revision);
    expect(strategy.validate(revision, undefined)).toEqual([]);
  });

  it("writes a missing revision as 0 and requires data", () => {
    const bare = { metadata: { name: "web-1" } };
    const defaulted = strategy.applyDefaults(bare, undefined, testContext());
    expect(defaulted).toEqual({ metadata: { name: "web-1" }, revision: 0 });
    expect(strategy.validate({ ...defaulted, data: null, revision: -1 }, undefined)).toEqual([
      { reason: "FieldValueRequired", message: "Required value: data is mandatory", field: "data" },
      {
        reason: "FieldValueInvalid",
        message: "Invalid value: -1: must be greater than or equal to 0",
        field: "revision",
      },
    ]);
  });

  it("freezes data but lets the revision number change", () => {
    expect(strategy.validate({ ...revision, revision: 5 }, revision)).toEqual([]);
    expect(strategy.validate({ ...revision, data: { spec: {} } }, revision)).toEqual([
      {
        reason: "FieldValueInvalid",
        message: "Invalid value: &Unknown{…}: field is immutable",
        field: "data",
      },
    ]);
  });
});
