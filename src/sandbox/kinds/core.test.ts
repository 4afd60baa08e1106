import { describe, expect, it } from "vitest";
import type { JsonObject, KubeObject } from "../../kube/value/json.js";
import { strategyFor } from "./index.js";
import { storedForm, testContext } from "./test-context.js";
import { imageTag } from "../../kube/defaulting/pod-template.js";

describe("Namespace", () => {
  const strategy = strategyFor("", "Namespace");

  it("defaults only the name label (its creator owns it); prepare adds the finalizer and the Active phase", () => {
    const context = testContext();
    const defaulted = strategy.applyDefaults({ metadata: { name: "shop" } }, undefined, context);
    expect(defaulted).toEqual({
      metadata: { name: "shop", labels: { "kubernetes.io/metadata.name": "shop" } },
    });
    expect(strategy.prepare(defaulted, undefined, context)).toEqual({
      metadata: { name: "shop", labels: { "kubernetes.io/metadata.name": "shop" } },
      spec: { finalizers: ["kubernetes"] },
      status: { phase: "Active" },
    });
  });

  it("overwrites a wrong name label, and does not add the finalizer twice", () => {
    const namespace = {
      metadata: { name: "shop", labels: { "kubernetes.io/metadata.name": "other", team: "a" } },
      spec: { finalizers: ["example.com/cleanup", "kubernetes"] },
    };
    expect(storedForm(strategy, namespace, undefined)).toEqual({
      metadata: { name: "shop", labels: { "kubernetes.io/metadata.name": "shop", team: "a" } },
      spec: { finalizers: ["example.com/cleanup", "kubernetes"] },
      status: { phase: "Active" },
    });
  });

  it("keeps the stored finalizers on update (only /finalize changes them) and rejects dotted names", () => {
    const old = { metadata: { name: "shop" }, spec: { finalizers: ["kubernetes"] } };
    const update = { metadata: { name: "shop" }, spec: { finalizers: [] } };
    const defaulted = strategy.applyDefaults(update, old, testContext());
    expect(defaulted["spec"]).toEqual({ finalizers: [] });
    expect(strategy.prepare(defaulted, old, testContext())).toEqual({
      metadata: { name: "shop", labels: { "kubernetes.io/metadata.name": "shop" } },
      spec: { finalizers: ["kubernetes"] },
    });
    expect(strategy.validate({ metadata: { name: "a.b" } }, undefined)).toEqual([
      {
        reason: "FieldValueInvalid",
        message: 'Invalid value: "a.b": must not contain dots',
        field: "metadata.name",
      },
    ]);
  });
});

describe("Secret and ConfigMap", () => {
  it("folds stringData into base64 data and defaults the type", () => {
    const secret = {
      metadata: { name: "db" },
      data: { user: "YWRtaW4=", password: "b2xk" },
      stringData: { password: "s3cr3t" },
    };
    expect(storedForm(strategyFor("", "Secret"), secret, undefined, testContext())).toEqual({
      metadata: { name: "db" },
      data: { user: "YWRtaW4=", password: "czNjcjN0" },
      type: "Opaque",
    });
  });

  it("reports bad data keys and missing TLS keys", () => {
    const strategy = strategyFor("", "Secret");
    const secret = { metadata: { name: "tls" }, type: "kubernetes.io/tls", data: { "tls crt": "eA==" } };
    expect(strategy.validate(secret, undefined)).toEqual([
      {
        reason: "FieldValueInvalid",
        message:
          "Invalid value: \"tls crt\": a valid config key must consist of alphanumeric characters, '-', '_' or '.' (e.g. 'key.name',  or 'KEY_NAME',  or 'key-name', regex used for validation is '[-._a-zA-Z0-9]+')",
        field: "data[tls crt]",
      },
      { reason: "FieldValueRequired", message: "Required value", field: "data[tls.crt]" },
      { reason: "FieldValueRequired", message: "Required value", field: "data[tls.key]" },
    ]);
  });

  it("freezes the data of an immutable ConfigMap", () => {
    const strategy = strategyFor("", "ConfigMap");
    const old = { metadata: { name: "cfg" }, immutable: true, data: { a: "1" } };
    expect(strategy.validate({ metadata: { name: "cfg" }, data: { a: "2" } }, old)).toEqual([
      {
        reason: "FieldValueForbidden",
        message: "Forbidden: field is immutable when `immutable` is set",
        field: "immutable",
      },
      {
        reason: "FieldValueForbidden",
        message: "Forbidden: field is immutable when `immutable` is set",
        field: "data",
      },
    ]);
    expect(strategy.validate({ metadata: { name: "cfg" }, immutable: true, data: { a: "1" } }, old)).toEqual(
      [],
    );
  });

  it("reports invalid label keys and values", () => {
    const causes = strategyFor("", "ConfigMap").validate(
      { metadata: { name: "cfg", labels: { "a/b/c": "ok", app: "-bad" } } },
      undefined,
    );
    expect(causes).toEqual([
      {
        reason: "FieldValueInvalid",
        message:
          "Invalid value: \"a/b/c\": a qualified name must consist of alphanumeric characters, '-', '_' or '.', and must start and end with an alphanumeric character (e.g. 'MyName',  or 'my.name',  or '123-abc', regex used for validation is '([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9]') with an optional DNS subdomain prefix and '/' (e.g. 'example.com/MyName')",
        field: "metadata.labels",
      },
      {
        reason: "FieldValueInvalid",
        message:
          "Invalid value: \"-bad\": a valid label must be an empty string or consist of alphanumeric characters, '-', '_' or '.', and must start and end with an alphanumeric character (e.g. 'MyValue',  or 'my_value',  or '12345', regex used for validation is '(([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9])?')",
        field: "metadata.labels",
      },
    ]);
  });

  it("requires a name", () => {
    expect(strategyFor("", "ConfigMap").validate({ metadata: {} }, undefined)).toEqual([
      {
        reason: "FieldValueRequired",
        message: "Required value: name or generateName is required",
        field: "metadata.name",
      },
    ]);
  });
});

describe("Pod", () => {
  const strategy = strategyFor("", "Pod");
  const tolerations = [
    { key: "node.kubernetes.io/not-ready", operator: "Exists", effect: "NoExecute", tolerationSeconds: 300 },
    {
      key: "node.kubernetes.io/unreachable",
      operator: "Exists",
      effect: "NoExecute",
      tolerationSeconds: 300,
    },
  ];
  const tokenMount = {
    name: "kube-api-access-xtrtj",
    readOnly: true,
    mountPath: "/var/run/secrets/kubernetes.io/serviceaccount",
  };
  const tokenVolume = {
    name: "kube-api-access-xtrtj",
    projected: {
      sources: [
        { serviceAccountToken: { expirationSeconds: 3607, path: "token" } },
        { configMap: { name: "kube-root-ca.crt", items: [{ key: "ca.crt", path: "ca.crt" }] } },
        {
          downwardAPI: {
            items: [{ path: "namespace", fieldRef: { apiVersion: "v1", fieldPath: "metadata.namespace" } }],
          },
        },
      ],
      defaultMode: 420,
    },
  };
  const metadata = { name: "web", namespace: "shop", uid: "7c1d0d4e-0000-4000-8000-000000000001" };

  it("defaults probes, ports, env, volumes and requests from limits, but no admission fields", () => {
    const pod = {
      metadata,
      spec: {
        containers: [
          {
            name: "web",
            image: "registry.local:5000/web",
            ports: [{ containerPort: 8080 }],
            env: [{ name: "NODE", valueFrom: { fieldRef: { fieldPath: "spec.nodeName" } } }],
            livenessProbe: { httpGet: { port: 8080 } },
            readinessProbe: { grpc: { port: 9000 }, periodSeconds: 5 },
            resources: { limits: { cpu: "500m", memory: "128Mi" } },
            volumeMounts: [{ name: "config", mountPath: "/etc/web" }],
          },
        ],
        volumes: [{ name: "config", configMap: { name: "web" } }, { name: "scratch" }],
      },
    };
    expect(strategy.applyDefaults(pod, undefined, testContext())).toEqual({
      metadata,
      spec: {
        containers: [
          {
            name: "web",
            image: "registry.local:5000/web",
            imagePullPolicy: "Always",
            terminationMessagePath: "/dev/termination-log",
            terminationMessagePolicy: "File",
            ports: [{ containerPort: 8080, protocol: "TCP" }],
            env: [
              { name: "NODE", valueFrom: { fieldRef: { apiVersion: "v1", fieldPath: "spec.nodeName" } } },
            ],
            livenessProbe: {
              httpGet: { port: 8080, path: "/", scheme: "HTTP" },
              timeoutSeconds: 1,
              periodSeconds: 10,
              successThreshold: 1,
              failureThreshold: 3,
            },
            readinessProbe: {
              grpc: { port: 9000, service: "" },
              timeoutSeconds: 1,
              periodSeconds: 5,
              successThreshold: 1,
              failureThreshold: 3,
            },
            resources: {
              limits: { cpu: "500m", memory: "128Mi" },
              requests: { cpu: "500m", memory: "128Mi" },
            },
            volumeMounts: [{ name: "config", mountPath: "/etc/web" }],
          },
        ],
        volumes: [
          { name: "config", configMap: { name: "web", defaultMode: 420 } },
          { name: "scratch", emptyDir: {} },
        ],
        dnsPolicy: "ClusterFirst",
        restartPolicy: "Always",
        securityContext: {},
        terminationGracePeriodSeconds: 30,
        schedulerName: "default-scheduler",
        enableServiceLinks: true,
      },
    });
  });

  it("prepare runs the ServiceAccount, DefaultTolerationSeconds and Priority admission, and sets the status", () => {
    const context = testContext();
    const defaulted = strategy.applyDefaults(
      {
        metadata,
        spec: {
          initContainers: [{ name: "init", image: "x:1" }],
          containers: [{ name: "web", image: "x:1" }],
        },
      },
      undefined,
      context,
    );
    const containerDefaults = {
      image: "x:1",
      imagePullPolicy: "IfNotPresent",
      terminationMessagePath: "/dev/termination-log",
      terminationMessagePolicy: "File",
      resources: {},
    };
    expect(strategy.prepare(defaulted, undefined, context)).toEqual({
      metadata,
      spec: {
        initContainers: [{ name: "init", ...containerDefaults, volumeMounts: [tokenMount] }],
        containers: [{ name: "web", ...containerDefaults, volumeMounts: [tokenMount] }],
        dnsPolicy: "ClusterFirst",
        restartPolicy: "Always",
        securityContext: {},
        terminationGracePeriodSeconds: 30,
        schedulerName: "default-scheduler",
        enableServiceLinks: true,
        serviceAccountName: "default",
        serviceAccount: "default",
        volumes: [tokenVolume],
        tolerations,
        priority: 0,
        preemptionPolicy: "PreemptLowerPriority",
      },
      status: { phase: "Pending", qosClass: "BestEffort" },
    });
    expect(strategy.validate(strategy.prepare(defaulted, undefined, context), undefined)).toEqual([]);
  });

  it("admission respects automount opt-outs, existing token mounts, the account's pull secrets and tolerations", () => {
    const accounts: Readonly<Record<string, KubeObject>> = {
      "shop/builder": {
        metadata: { name: "builder", namespace: "shop" },
        automountServiceAccountToken: false,
        imagePullSecrets: [{ name: "registry" }],
      },
    };
    const context = {
      ...testContext(),
      serviceAccount: (namespace: string, name: string) => accounts[`${namespace}/${name}`],
    };
    const prepared = (spec: JsonObject): JsonObject =>
      strategy.prepare({ metadata, spec }, undefined, context)["spec"] as JsonObject;
    const container = { name: "web", image: "x:1" };

    const optedOut = prepared({ serviceAccountName: "builder", containers: [container] });
    expect(optedOut["volumes"]).toBeUndefined();
    expect(optedOut["imagePullSecrets"]).toEqual([{ name: "registry" }]);
    expect(optedOut["serviceAccount"]).toBe("builder");

    const podWins = prepared({
      serviceAccountName: "builder",
      automountServiceAccountToken: true,
      imagePullSecrets: [{ name: "own" }],
      containers: [container],
    });
    expect(podWins["volumes"]).toEqual([tokenVolume]);
    expect(podWins["imagePullSecrets"]).toEqual([{ name: "own" }]);

    const ownMount = { name: "token", mountPath: "/var/run/secrets/kubernetes.io/serviceaccount" };
    const mounted = prepared({
      containers: [{ ...container, volumeMounts: [ownMount] }],
      volumes: [{ name: "token", emptyDir: {} }],
      tolerations: [{ operator: "Exists" }],
    });
    expect(mounted["containers"]).toEqual([{ ...container, volumeMounts: [ownMount] }]);
    expect(mounted["volumes"]).toEqual([{ name: "token", emptyDir: {} }]);
    expect(mounted["tolerations"]).toEqual([{ operator: "Exists" }]);
  });

  it("resolves the system priority classes, leaves mirror pods' accounts alone and does nothing on update", () => {
    const context = testContext();
    const critical = strategy.prepare(
      { metadata, spec: { priorityClassName: "system-node-critical", containers: [] } },
      undefined,
      context,
    )["spec"];
    expect(critical).toMatchObject({ priority: 2000001000, preemptionPolicy: "PreemptLowerPriority" });
    const mirror = strategy.prepare(
      {
        metadata: { ...metadata, annotations: { "kubernetes.io/config.mirror": "abc" } },
        spec: { containers: [{ name: "web", image: "x:1" }] },
      },
      undefined,
      context,
    )["spec"];
    expect(mirror).toEqual({
      containers: [{ name: "web", image: "x:1" }],
      tolerations,
      priority: 0,
      preemptionPolicy: "PreemptLowerPriority",
    });
    const old = { metadata, spec: { containers: [{ name: "web", image: "x:1" }] } };
    expect(strategy.prepare(old, old, context)).toEqual(old);
  });

  it("classifies QoS and reports unknown volume mounts and duplicate containers", () => {
    const pod = {
      metadata: { name: "web" },
      spec: {
        automountServiceAccountToken: false,
        containers: [
          {
            name: "a",
            image: "x:1",
            resources: { requests: { cpu: "1" } },
            volumeMounts: [{ name: "nope", mountPath: "/x" }],
          },
          { name: "a", image: "x:1" },
        ],
      },
    };
    const defaulted = storedForm(strategy, pod, undefined, testContext());
    expect(defaulted["status"]).toEqual({ phase: "Pending", qosClass: "Burstable" });
    expect(strategy.validate(defaulted, undefined)).toEqual([
      {
        reason: "FieldValueNotFound",
        message: 'Not found: "nope"',
        field: "spec.containers[0].volumeMounts[0].name",
      },
      { reason: "FieldValueDuplicate", message: 'Duplicate value: "a"', field: "spec.containers[1].name" },
    ]);
  });

  it("allows only image changes on update", () => {
    const context = testContext();
    const stored = storedForm(
      strategy,
      { metadata, spec: { containers: [{ name: "a", image: "x:1" }] } },
      undefined,
      context,
    );
    const storedSpec = stored["spec"] as JsonObject;
    const [storedContainer] = storedSpec["containers"] as readonly JsonObject[];
    const withContainer = (container: JsonObject): KubeObject => ({
      ...stored,
      spec: { ...storedSpec, containers: [container] },
    });
    const newImage = withContainer({ ...storedContainer, image: "x:2" });
    expect(strategy.validate(storedForm(strategy, newImage, stored, context), stored)).toEqual([]);
    const newPort = withContainer({ ...storedContainer, ports: [{ containerPort: 1 }] });
    expect(
      strategy.validate(storedForm(strategy, newPort, stored, context), stored).map((cause) => cause.field),
    ).toEqual(["spec"]);
  });

  it("reads image tags as the kubelet's parser does", () => {
    expect(imageTag("nginx")).toBe("latest");
    expect(imageTag("nginx:latest")).toBe("latest");
    expect(imageTag("registry.local:5000/nginx")).toBe("latest");
    expect(imageTag("registry.local:5000/nginx:1.2")).toBe("1.2");
    expect(imageTag("nginx@sha256:abc")).toBe("");
    expect(imageTag("nginx:1.2@sha256:abc")).toBe("1.2");
  });
});

describe("PersistentVolumeClaim", () => {
  it("defaults volumeMode and Pending, and allows only request changes", () => {
    const strategy = strategyFor("", "PersistentVolumeClaim");
    const claim = {
      metadata: { name: "data" },
      spec: { accessModes: ["ReadWriteOnce"], resources: { requests: { storage: "1Gi" } } },
    };
    const stored = storedForm(strategy, claim, undefined, testContext());
    expect(stored).toEqual({
      metadata: { name: "data" },
      spec: {
        accessModes: ["ReadWriteOnce"],
        resources: { requests: { storage: "1Gi" } },
        volumeMode: "Filesystem",
      },
      status: { phase: "Pending" },
    });
    const bigger = { ...claim, spec: { ...claim.spec, resources: { requests: { storage: "2Gi" } } } };
    expect(strategy.validate(storedForm(strategy, bigger, stored, testContext()), stored)).toEqual([]);
    const otherMode = { ...claim, spec: { ...claim.spec, accessModes: ["ReadWriteMany"] } };
    expect(strategy.validate(storedForm(strategy, otherMode, stored, testContext()), stored)).toEqual([
      {
        reason: "FieldValueForbidden",
        message:
          "Forbidden: spec is immutable after creation except resources.requests and volumeAttributesClassName for bound claims",
        field: "spec",
      },
    ]);
  });
});
