import { describe, expect, it } from "vitest";

import { loadState } from "./state.js";

/** Attributes as provider v2 stores a kubernetes_deployment_v1: every block a list, unset fields as zero values. */
const deploymentAttributes = {
  id: "default/example-deployment",
  metadata: [
    {
      annotations: {},
      generate_name: "",
      generation: 1,
      labels: {},
      name: "example-deployment",
      namespace: "default",
      resource_version: "1234",
      uid: "0f4c7e2a-5b7c-4f38-9d55-3a1f7f0f2b11",
    },
  ],
  spec: [
    {
      min_ready_seconds: 0,
      paused: false,
      progress_deadline_seconds: 600,
      replicas: "3",
      revision_history_limit: 10,
      selector: [{ match_expressions: [], match_labels: { app: "example" } }],
      strategy: [{ rolling_update: [{ max_surge: "25%", max_unavailable: "25%" }], type: "RollingUpdate" }],
      template: [
        {
          metadata: [
            {
              annotations: {},
              generate_name: "",
              generation: 0,
              labels: { app: "example" },
              name: "",
              namespace: "",
              resource_version: "",
              uid: "",
            },
          ],
          spec: [
            {
              active_deadline_seconds: 0,
              affinity: [],
              automount_service_account_token: true,
              container: [
                {
                  args: [],
                  command: [],
                  env: [],
                  env_from: [],
                  image: "nginx:1.25.3",
                  image_pull_policy: "IfNotPresent",
                  lifecycle: [],
                  liveness_probe: [],
                  name: "example",
                  port: [],
                  readiness_probe: [],
                  resources: [{ limits: {}, requests: {} }],
                  security_context: [],
                  stdin: false,
                  termination_message_path: "/dev/termination-log",
                  termination_message_policy: "File",
                  tty: false,
                  volume_mount: [],
                  working_dir: "",
                },
              ],
              dns_policy: "ClusterFirst",
              enable_service_links: true,
              host_network: false,
              node_selector: {},
              restart_policy: "Always",
              service_account_name: "",
              termination_grace_period_seconds: 30,
              toleration: [],
              volume: [],
            },
          ],
        },
      ],
    },
  ],
  timeouts: null,
  wait_for_rollout: true,
};

const expectedDeployment = {
  apiVersion: "apps/v1",
  kind: "Deployment",
  metadata: { name: "example-deployment", namespace: "default" },
  spec: {
    progressDeadlineSeconds: 600,
    replicas: 3,
    revisionHistoryLimit: 10,
    selector: { matchLabels: { app: "example" } },
    strategy: { rollingUpdate: { maxSurge: "25%", maxUnavailable: "25%" }, type: "RollingUpdate" },
    template: {
      metadata: { labels: { app: "example" } },
      spec: {
        automountServiceAccountToken: true,
        containers: [
          {
            image: "nginx:1.25.3",
            imagePullPolicy: "IfNotPresent",
            name: "example",
            terminationMessagePath: "/dev/termination-log",
            terminationMessagePolicy: "File",
          },
        ],
        dnsPolicy: "ClusterFirst",
        enableServiceLinks: true,
        restartPolicy: "Always",
        terminationGracePeriodSeconds: 30,
      },
    },
  },
};

const stateV4 = JSON.stringify(
  {
    version: 4,
    terraform_version: "1.9.8",
    serial: 7,
    lineage: "5d1b8a8e-3c2f-4c54-8a8d-0e6b4a0f9c21",
    outputs: {},
    resources: [
      {
        mode: "data",
        type: "kubernetes_namespace",
        name: "existing",
        provider: 'provider["registry.terraform.io/hashicorp/kubernetes"]',
        instances: [{ schema_version: 0, attributes: { metadata: [{ name: "kube-system" }] } }],
      },
      {
        mode: "managed",
        type: "kubernetes_deployment_v1",
        name: "example",
        provider: 'provider["registry.terraform.io/hashicorp/kubernetes"]',
        instances: [
          {
            schema_version: 1,
            attributes: deploymentAttributes,
            sensitive_attributes: [],
            private: "eyJzY2hlbWFfdmVyc2lvbiI6IjEifQ==",
          },
        ],
      },
      {
        module: "module.app",
        mode: "managed",
        type: "kubernetes_manifest",
        name: "widget",
        provider: 'module.app.provider["registry.terraform.io/hashicorp/kubernetes"]',
        instances: [
          {
            index_key: "blue",
            schema_version: 1,
            attributes: {
              computed_fields: null,
              field_manager: [],
              manifest: {
                value: {
                  apiVersion: "example.com/v1",
                  kind: "Widget",
                  metadata: { name: "w1", namespace: "shop" },
                  spec: { size: 3 },
                },
                type: [
                  "object",
                  {
                    apiVersion: "string",
                    kind: "string",
                    metadata: ["object", { name: "string", namespace: "string" }],
                    spec: ["object", { size: "number" }],
                  },
                ],
              },
              object: null,
              timeouts: null,
              wait: [],
              wait_for: null,
            },
            sensitive_attributes: [],
          },
        ],
      },
      {
        mode: "managed",
        type: "kubernetes_persistent_volume_v1",
        name: "data",
        provider: 'provider["registry.terraform.io/hashicorp/kubernetes"]',
        instances: [{ schema_version: 0, attributes: { metadata: [{ name: "data" }] } }],
      },
      {
        mode: "managed",
        type: "random_password",
        name: "db",
        provider: 'provider["registry.terraform.io/hashicorp/random"]',
        instances: [{ schema_version: 3, attributes: { result: "x" } }],
      },
    ],
    check_results: null,
  },
  null,
  2,
);

describe("terraform.tfstate (format version 4)", () => {
  it("takes the attributes Terraform last applied, addressed with module and index", () => {
    const loaded = loadState(stateV4, "infra/terraform.tfstate");
    expect(loaded.objects.map((object) => object.origin)).toEqual([
      { kind: "terraform", address: "kubernetes_deployment_v1.example" },
      { kind: "terraform", address: 'module.app.kubernetes_manifest.widget["blue"]' },
    ]);
    const [deployment, widget] = loaded.objects;
    expect(deployment.object).toEqual(expectedDeployment);
    expect(deployment.ref).toEqual({
      group: "apps",
      version: "v1",
      kind: "Deployment",
      namespace: "default",
      name: "example-deployment",
    });
    expect(deployment.source).toEqual({ file: "infra/terraform.tfstate", line: 28 });
    expect(deployment.fieldLines).toBeUndefined();
    expect(widget.object).toEqual({
      apiVersion: "example.com/v1",
      kind: "Widget",
      metadata: { name: "w1", namespace: "shop" },
      spec: { size: 3 },
    });
    expect(loaded.skipped).toEqual([
      {
        source: { file: "infra/terraform.tfstate", line: expect.any(Number) as number },
        what: "kubernetes_persistent_volume_v1.data",
        reason: "resource type kubernetes_persistent_volume_v1 is not supported",
      },
    ]);
  });

  it("refuses another state format version, naming file and line", () => {
    expect(() =>
      loadState('{\n  "version": 3,\n  "serial": 1,\n  "modules": []\n}\n', "old.tfstate"),
    ).toThrow(
      "old.tfstate:2: state format version 3 is not supported (only version 4, Terraform 0.12 and later)",
    );
    expect(() => loadState("not json", "x.json")).toThrow(/^x\.json: not a Terraform state/);
  });
});

describe("terraform show -json", () => {
  it("reads values.root_module and its child modules", () => {
    const shown = JSON.stringify({
      format_version: "1.0",
      terraform_version: "1.9.8",
      values: {
        root_module: {
          resources: [
            {
              address: "kubernetes_deployment_v1.example",
              mode: "managed",
              type: "kubernetes_deployment_v1",
              name: "example",
              provider_name: "registry.terraform.io/hashicorp/kubernetes",
              schema_version: 1,
              values: deploymentAttributes,
              sensitive_values: { metadata: [{ annotations: {}, labels: {} }], spec: [{}] },
            },
          ],
          child_modules: [
            {
              address: "module.secrets",
              resources: [
                {
                  address: "module.secrets.kubernetes_secret_v1.db[0]",
                  mode: "managed",
                  type: "kubernetes_secret_v1",
                  name: "db",
                  index: 0,
                  provider_name: "registry.terraform.io/hashicorp/kubernetes",
                  schema_version: 0,
                  values: {
                    binary_data: null,
                    data: { password: "s3cret" },
                    id: "shop/db",
                    immutable: false,
                    metadata: [
                      {
                        annotations: {},
                        generate_name: "",
                        generation: 0,
                        labels: {},
                        name: "db",
                        namespace: "shop",
                        resource_version: "99",
                        uid: "u",
                      },
                    ],
                    timeouts: null,
                    type: "Opaque",
                    wait_for_service_account_token: true,
                  },
                  sensitive_values: { data: true },
                },
              ],
            },
          ],
        },
      },
    });
    const loaded = loadState(shown, "show.json");
    expect(loaded.objects.map((object) => [object.origin, object.object])).toEqual([
      [{ kind: "terraform", address: "kubernetes_deployment_v1.example" }, expectedDeployment],
      [
        { kind: "terraform", address: "module.secrets.kubernetes_secret_v1.db[0]" },
        {
          apiVersion: "v1",
          kind: "Secret",
          metadata: { name: "db", namespace: "shop" },
          stringData: { password: "s3cret" },
          type: "Opaque",
        },
      ],
    ]);
  });

  it("has nothing to load from an empty state", () => {
    expect(loadState('{"format_version":"1.0"}', "show.json")).toEqual({
      objects: [],
      notes: [],
      skipped: [],
    });
  });
});
