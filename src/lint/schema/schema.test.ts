import { describe, expect, it } from "vitest";
import { lintContextOf } from "../run.js";
import { builtinSchema } from "../../kube/schema/builtin.js";
import { withCRDs } from "../../kube/schema/crd.js";
import type { Schema } from "../../kube/schema/types.js";
import type { KubeObject } from "../../kube/value/json.js";
import { parseManifests, ReadModes } from "../../sources/index.js";
import type { LintContext } from "../types.js";
import { schemaChecks } from "./index.js";

interface Placed {
  readonly check: string;
  readonly path: string;
  readonly line: number | undefined;
  readonly message: string;
}

/** Every schema finding of the manifests in `yaml`, with the line the runner would place it at. */
function lint(yaml: string, schema: Schema = builtinSchema): readonly Placed[] {
  const { objects } = parseManifests(yaml, "app.yaml", ReadModes.named);
  const context: LintContext = lintContextOf(objects, "1.32");
  const checks = schemaChecks(schema);
  return objects.flatMap((object) =>
    checks.flatMap((check) =>
      check.run(object, context).map(({ path, message }) => ({
        check: check.id,
        path,
        line: object.fieldLines?.get(path),
        message,
      })),
    ),
  );
}

function deployment(containerLines: string, specLines = "  replicas: 2\n"): string {
  return `apiVersion: apps/v1
kind: Deployment
metadata:
  name: web
  namespace: shop
spec:
${specLines}  selector:
    matchLabels: { app: web }
  template:
    metadata:
      labels: { app: web }
    spec:
      containers:
${containerLines}`;
}

const goodContainer = `        - name: web
          image: nginx:1.27
          imagePullPolicy: IfNotPresent
          ports: [{ containerPort: 80, protocol: TCP }]
          resources:
            requests: { cpu: 250m, memory: 128Mi }
            limits: { memory: 256Mi }
`;

const cronTabCRD = `apiVersion: apiextensions.k8s.io/v1
kind: CustomResourceDefinition
metadata:
  name: crontabs.stable.example.com
spec:
  group: stable.example.com
  scope: Namespaced
  names: { plural: crontabs, singular: crontab, kind: CronTab }
  versions:
    - name: v1
      served: true
      storage: true
      schema:
        openAPIV3Schema:
          type: object
          properties:
            spec:
              type: object
              required: [cronSpec]
              properties:
                cronSpec: { type: string }
                replicas: { type: integer }
                mode: { type: string, enum: [Fast, Slow] }
                config:
                  type: object
                  x-kubernetes-preserve-unknown-fields: true
                template:
                  type: object
                  x-kubernetes-embedded-resource: true
                  x-kubernetes-preserve-unknown-fields: true
                  properties:
                    metadata: { type: object }
`;

function cronTabSchema(): Schema {
  const { objects } = parseManifests(cronTabCRD, "crd.yaml", ReadModes.named);
  return withCRDs(
    builtinSchema,
    objects.map((object): KubeObject => object.object),
  );
}

describe("schemaChecks", () => {
  it("lists the five schema checks, all errors", () => {
    expect(schemaChecks(builtinSchema).map(({ id, severity, category }) => [id, severity, category])).toEqual(
      [
        ["schema-unknown-kind", "error", "schema"],
        ["schema-unknown-field", "error", "schema"],
        ["schema-type", "error", "schema"],
        ["schema-required", "error", "schema"],
        ["schema-enum", "error", "schema"],
      ],
    );
  });
});

describe("schema checks on built-in kinds", () => {
  it("find nothing in a valid Deployment, Service and ConfigMap", () => {
    const yaml = `${deployment(goodContainer)}---
apiVersion: v1
kind: Service
metadata: { name: web, namespace: shop, creationTimestamp: null }
spec:
  type: ClusterIP
  selector: { app: web }
  ports: [{ name: http, port: 80, targetPort: http }]
---
apiVersion: v1
kind: ConfigMap
metadata: { name: web, namespace: shop, annotations: { example.com/owner: team-a } }
data: { LOG_LEVEL: info }
`;
    expect(lint(yaml)).toEqual([]);
  });

  it("report an unknown field at its pointer and line (spec.replica)", () => {
    expect(lint(deployment(goodContainer, "  replica: 2\n"))).toEqual([
      {
        check: "schema-unknown-field",
        path: "/spec/replica",
        line: 7,
        message: 'unknown field "spec.replica"',
      },
    ]);
  });

  it("report unknown fields in metadata (ObjectMeta) and in list items", () => {
    const yaml = deployment(
      `        - name: web\n          image: nginx:1.27\n          imagePolicy: Always\n`,
    ).replace("  namespace: shop\n", "  namespace: shop\n  lables: { app: web }\n");
    expect(lint(yaml)).toEqual([
      {
        check: "schema-unknown-field",
        path: "/metadata/lables",
        line: 6,
        message: 'unknown field "metadata.lables"',
      },
      {
        check: "schema-unknown-field",
        path: "/spec/template/spec/containers/0/imagePolicy",
        line: 18,
        message: 'unknown field "spec.template.spec.containers[0].imagePolicy"',
      },
    ]);
  });

  it("report a string where an integer is wanted, with the expected type", () => {
    expect(lint(deployment(goodContainer, '  replicas: "3"\n'))).toEqual([
      {
        check: "schema-type",
        path: "/spec/replicas",
        line: 7,
        message: 'spec.replicas is "3" (string); expected integer',
      },
    ]);
  });

  it("check quantities, int-or-string, times, objects and arrays by their Kubernetes meaning", () => {
    const yaml = `apiVersion: v1
kind: Pod
metadata:
  name: web
  creationTimestamp: yesterday
  annotations: { example.com/replicas: 3 }
spec:
  containers:
    - name: web
      image: nginx:1.27
      resources: { requests: { cpu: one core, memory: 0.5Gi } }
      livenessProbe: { httpGet: { port: true } }
      env: { name: A }
`;
    expect(lint(yaml).map(({ path, message }) => ({ path, message }))).toEqual([
      {
        path: "/metadata/creationTimestamp",
        message:
          'metadata.creationTimestamp is "yesterday" (string); expected RFC 3339 time (such as 2026-01-02T15:04:05Z)',
      },
      {
        path: "/metadata/annotations/example.com~1replicas",
        message: "metadata.annotations.example.com/replicas is 3 (integer); expected string",
      },
      {
        path: "/spec/containers/0/resources/requests/cpu",
        message:
          'spec.containers[0].resources.requests.cpu is "one core" (string); expected quantity (such as 500m or 128Mi)',
      },
      {
        path: "/spec/containers/0/livenessProbe/httpGet/port",
        message:
          "spec.containers[0].livenessProbe.httpGet.port is true (boolean); expected integer or string",
      },
      {
        path: "/spec/containers/0/env",
        message: 'spec.containers[0].env is {"name":"A"} (object); expected array',
      },
    ]);
    expect(new Set(lint(yaml).map(({ check }) => check))).toEqual(new Set(["schema-type"]));
  });

  it("report a missing required field at the object that lacks it (container name)", () => {
    expect(lint(deployment("        - image: nginx:1.27\n"))).toEqual([
      {
        check: "schema-required",
        path: "/spec/template/spec/containers/0",
        line: 15,
        message: 'spec.template.spec.containers[0] is missing required field "name"',
      },
    ]);
  });

  it("count a null field as missing, as kube-apiserver decodes it", () => {
    const yaml = deployment(goodContainer).replace(
      "  selector:\n    matchLabels: { app: web }\n",
      "  selector:\n",
    );
    expect(lint(yaml)).toEqual([
      {
        check: "schema-required",
        path: "/spec",
        line: 6,
        message: 'spec is missing required field "selector"',
      },
    ]);
  });

  it("report a kind without a schema, naming apiVersion and kind", () => {
    const yaml = `apiVersion: stable.example.com/v1
kind: CronTab
metadata: { name: nightly }
spec: { cronSpec: "* * * * */5" }
`;
    expect(lint(yaml)).toEqual([
      {
        check: "schema-unknown-kind",
        path: "",
        line: 1,
        message:
          'no schema for apiVersion "stable.example.com/v1", kind "CronTab": add its CustomResourceDefinition ' +
          "to the sources, or pass --live to read it from the cluster",
      },
    ]);
  });

  it("withhold the values of a Secret's data and stringData", () => {
    const yaml = `apiVersion: v1
kind: Secret
metadata: { name: db }
type: Opaque
data:
  password: hunter2!
  token: aHVudGVyMg==
stringData:
  pin: 1234
`;
    const findings = lint(yaml);
    expect(findings).toEqual([
      {
        check: "schema-type",
        path: "/data/password",
        line: 6,
        message: "data.password is (value withheld); expected base64 string",
      },
      {
        check: "schema-type",
        path: "/stringData/pin",
        line: 9,
        message: "stringData.pin is (value withheld); expected string",
      },
    ]);
  });

  it("show the values of other kinds' data", () => {
    const yaml = `apiVersion: v1
kind: ConfigMap
metadata: { name: app }
data: { retries: 3 }
`;
    expect(lint(yaml).map(({ message }) => message)).toEqual([
      "data.retries is 3 (integer); expected string",
    ]);
  });
});

describe("schema-enum on built-in kinds (the 1.32 enum table)", () => {
  const container = (pullPolicy: string): string => `        - name: web
          image: nginx:1.27
          imagePullPolicy: ${pullPolicy}
`;
  const service = (type: string, extra = ""): string => `apiVersion: v1
kind: Service
metadata: { name: web, namespace: shop }
spec:
  type: ${type}
  selector: { app: web }
  ports:
    - port: 80
${extra}`;

  it("reports imagePullPolicy: Sometimes at the container's field and line", () => {
    expect(lint(deployment(container("Sometimes")))).toEqual([
      {
        check: "schema-enum",
        path: "/spec/template/spec/containers/0/imagePullPolicy",
        line: 17,
        message:
          'spec.template.spec.containers[0].imagePullPolicy is "Sometimes" (string); ' +
          'allowed: "Always", "IfNotPresent", "Never", ""',
      },
    ]);
  });

  it("reports a Service of type Foo at spec.type", () => {
    expect(lint(service("Foo"))).toEqual([
      {
        check: "schema-enum",
        path: "/spec/type",
        line: 5,
        message:
          'spec.type is "Foo" (string); allowed: "ClusterIP", "ExternalName", "LoadBalancer", "NodePort", ""',
      },
    ]);
  });

  it("reports an unknown protocol in a list item and an unknown access mode in a list of strings", () => {
    const yaml = `${service("ClusterIP", "      protocol: HTTP\n")}---
apiVersion: v1
kind: PersistentVolumeClaim
metadata: { name: data }
spec:
  accessModes: [ReadWriteOnce, ReadWriteAll]
  resources: { requests: { storage: 1Gi } }
`;
    expect(lint(yaml).map(({ check, path, line }) => [check, path, line])).toEqual([
      ["schema-enum", "/spec/ports/0/protocol", 9],
      ["schema-enum", "/spec/accessModes/1", 15],
    ]);
  });

  it("accepts every allowed value, and the empty string that defaulting treats as unset", () => {
    for (const policy of ["Always", "IfNotPresent", "Never", '""']) {
      expect(lint(deployment(container(policy)))).toEqual([]);
    }
    for (const type of ["ClusterIP", "NodePort", "LoadBalancer", "ExternalName", '""']) {
      expect(lint(service(type, "      protocol: UDP\n"))).toEqual([]);
    }
  });

  it("does not accept the empty string where kube-apiserver rejects it (a pointer field)", () => {
    expect(lint(service("ClusterIP", '  ipFamilyPolicy: ""\n')).map(({ path }) => path)).toEqual([
      "/spec/ipFamilyPolicy",
    ]);
  });
});

describe("schema checks on custom resources", () => {
  const cronTab = (specLines: string, extra = ""): string => `apiVersion: stable.example.com/v1
kind: CronTab
metadata: { name: nightly, namespace: jobs }
spec:
${specLines}${extra}`;

  it("validate a custom resource against its CRD's schema", () => {
    const yaml = cronTab('  cronSpec: "0 3 * * *"\n  replicas: two\n  schedule: daily\n');
    expect(lint(yaml, cronTabSchema())).toEqual([
      {
        check: "schema-unknown-field",
        path: "/spec/schedule",
        line: 7,
        message: 'unknown field "spec.schedule"',
      },
      {
        check: "schema-type",
        path: "/spec/replicas",
        line: 6,
        message: 'spec.replicas is "two" (string); expected integer',
      },
    ]);
  });

  it("report a value outside the enum, listing the allowed values", () => {
    const yaml = cronTab('  cronSpec: "0 3 * * *"\n  mode: Medium\n');
    expect(lint(yaml, cronTabSchema())).toEqual([
      {
        check: "schema-enum",
        path: "/spec/mode",
        line: 6,
        message: 'spec.mode is "Medium" (string); allowed: "Fast", "Slow"',
      },
    ]);
  });

  it("report a required field the CRD lists", () => {
    expect(lint(cronTab("  mode: Fast\n"), cronTabSchema())).toEqual([
      {
        check: "schema-required",
        path: "/spec",
        line: 4,
        message: 'spec is missing required field "cronSpec"',
      },
    ]);
  });

  it("respect x-kubernetes-preserve-unknown-fields, and validate an embedded resource's metadata as ObjectMeta", () => {
    const yaml = cronTab(`  cronSpec: "0 3 * * *"
  config: { anything: { goes: [1, 2] } }
  template:
    apiVersion: v1
    kind: Pod
    metadata: { name: worker, labels: { tier: 2 } }
    spec: { whatever: true }
`);
    expect(lint(yaml, cronTabSchema())).toEqual([
      {
        check: "schema-type",
        path: "/spec/template/metadata/labels/tier",
        line: 10,
        message: "spec.template.metadata.labels.tier is 2 (integer); expected string",
      },
    ]);
  });

  it("let a custom resource carry a status its CRD does not declare, as kubeconform does at CRD roots", () => {
    const yaml = cronTab('  cronSpec: "0 3 * * *"\n', "status: { lastRun: today }\nextra: 1\n");
    expect(lint(yaml, cronTabSchema())).toEqual([
      { check: "schema-unknown-field", path: "/extra", line: 7, message: 'unknown field "extra"' },
    ]);
  });
});
