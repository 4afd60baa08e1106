import { execFileSync } from "node:child_process";
import { mkdtempSync, rmSync, writeFileSync, mkdirSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";

import { SourceError } from "../types.js";
import { hclErrorMessage } from "./hcl.js";
import { loadTerraform } from "./index.js";
import type { TerraformSpec } from "./index.js";

const root = mkdtempSync(join(tmpdir(), "kubedrift-terraform-"));
afterAll(() => rmSync(root, { recursive: true, force: true }));
let counter = 0;

function directory(files: Readonly<Record<string, string>>): string {
  const name = `case${++counter}`;
  mkdirSync(join(root, name));
  for (const [file, text] of Object.entries(files)) writeFileSync(join(root, name, file), text);
  return name;
}

function load(name: string, spec: Partial<TerraformSpec> = {}) {
  return loadTerraform({ paths: [name], mode: "config", vars: {}, varFiles: [], ...spec }, { cwd: root });
}

async function single(hcl: string) {
  const loaded = await load(directory({ "main.tf": hcl }));
  expect(loaded.objects).toHaveLength(1);
  return loaded.objects[0].object;
}

const issueExample = `resource "kubernetes_deployment" "example" {
  metadata {
    name = "example-deployment"
  }
  spec {
    replicas = 3
    selector { match_labels = { app = "example" } }
    template {
      metadata { labels = { app = "example" } }
      spec {
        container {
          name  = "example"
          image = "nginx:1.25.3"
        }
      }
    }
  }
}
`;

describe("typed resources", () => {
  it("translates the issue's Deployment, with its source, lines and address", async () => {
    const name = directory({ "main.tf": issueExample });
    const loaded = await load(name);
    expect(loaded.skipped).toEqual([]);
    expect(loaded.notes).toEqual([]);
    const [deployment] = loaded.objects;
    expect(deployment.ref).toEqual({
      group: "apps",
      version: "v1",
      kind: "Deployment",
      namespace: "",
      name: "example-deployment",
    });
    expect(deployment.object).toEqual({
      apiVersion: "apps/v1",
      kind: "Deployment",
      metadata: { name: "example-deployment" },
      spec: {
        replicas: 3,
        selector: { matchLabels: { app: "example" } },
        template: {
          metadata: { labels: { app: "example" } },
          spec: {
            automountServiceAccountToken: true,
            containers: [{ name: "example", image: "nginx:1.25.3" }],
          },
        },
      },
    });
    expect(deployment.source).toEqual({ file: `${name}/main.tf`, line: 1 });
    expect(deployment.origin).toEqual({ kind: "terraform", address: "kubernetes_deployment.example" });
    expect(deployment.fieldLines?.get("/spec/replicas")).toBe(6);
    expect(deployment.fieldLines?.get("/spec/selector/matchLabels/app")).toBe(7);
    expect(deployment.fieldLines?.get("/spec/template/spec/containers/0")).toBe(11);
    expect(deployment.fieldLines?.get("/spec/template/spec/containers/0/image")).toBe(13);
    expect(deployment.unevaluated).toBeUndefined();
  });

  it("translates a _v1 Deployment's containers, ports, env, probes, resources and volumes", async () => {
    const object = await single(`resource "kubernetes_deployment_v1" "web" {
  metadata {
    name      = "web"
    namespace = "shop"
    labels    = { "app.kubernetes.io/name" = "web" }
  }
  spec {
    replicas = "2"
    strategy {
      type = "RollingUpdate"
      rolling_update {
        max_surge       = "1"
        max_unavailable = "25%"
      }
    }
    selector {
      match_expressions {
        key      = "app"
        operator = "In"
        values   = ["web"]
      }
    }
    template {
      metadata { labels = { app = "web" } }
      spec {
        service_account_name = "web"
        host_pid             = false
        init_container {
          name    = "init"
          image   = "busybox:1.36"
          command = ["sh", "-c", "true"]
        }
        container {
          name              = "web"
          image             = "nginx:1.27"
          image_pull_policy = "IfNotPresent"
          port {
            container_port = 80
            name           = "http"
          }
          port {
            container_port = 443
            protocol       = "TCP"
          }
          env {
            name  = "LOG_LEVEL"
            value = "info"
          }
          env {
            name = "PASSWORD"
            value_from {
              secret_key_ref {
                name = "web"
                key  = "password"
              }
            }
          }
          env_from {
            config_map_ref { name = "web-config" }
          }
          resources {
            limits   = { cpu = "500m", memory = "256Mi" }
            requests = { cpu = "0.25", memory = "128Mi" }
          }
          liveness_probe {
            http_get {
              path = "/healthz"
              port = "8080"
              http_header {
                name  = "X-Probe"
                value = "1"
              }
            }
            initial_delay_seconds = 5
          }
          security_context {
            run_as_user               = "1000"
            read_only_root_filesystem = true
            capabilities { drop = ["ALL"] }
          }
          volume_mount {
            name       = "config"
            mount_path = "/etc/web"
            read_only  = true
          }
        }
        volume {
          name = "config"
          config_map {
            name         = "web-config"
            default_mode = "0644"
            items {
              key  = "a"
              path = "a.conf"
            }
          }
        }
        volume {
          name = "cache"
          empty_dir { size_limit = "1Gi" }
        }
        toleration {
          key      = "dedicated"
          operator = "Equal"
          value    = "web"
          effect   = "NoSchedule"
        }
        image_pull_secrets { name = "registry" }
      }
    }
  }
  wait_for_rollout = false
}
`);
    expect(object).toEqual({
      apiVersion: "apps/v1",
      kind: "Deployment",
      metadata: { name: "web", namespace: "shop", labels: { "app.kubernetes.io/name": "web" } },
      spec: {
        replicas: 2,
        strategy: { type: "RollingUpdate", rollingUpdate: { maxSurge: 1, maxUnavailable: "25%" } },
        selector: { matchExpressions: [{ key: "app", operator: "In", values: ["web"] }] },
        template: {
          metadata: { labels: { app: "web" } },
          spec: {
            automountServiceAccountToken: true,
            serviceAccountName: "web",
            hostPID: false,
            initContainers: [{ name: "init", image: "busybox:1.36", command: ["sh", "-c", "true"] }],
            containers: [
              {
                name: "web",
                image: "nginx:1.27",
                imagePullPolicy: "IfNotPresent",
                ports: [
                  { containerPort: 80, name: "http" },
                  { containerPort: 443, protocol: "TCP" },
                ],
                env: [
                  { name: "LOG_LEVEL", value: "info" },
                  { name: "PASSWORD", valueFrom: { secretKeyRef: { name: "web", key: "password" } } },
                ],
                envFrom: [{ configMapRef: { name: "web-config" } }],
                resources: {
                  limits: { cpu: "500m", memory: "256Mi" },
                  requests: { cpu: "0.25", memory: "128Mi" },
                },
                livenessProbe: {
                  httpGet: { path: "/healthz", port: 8080, httpHeaders: [{ name: "X-Probe", value: "1" }] },
                  initialDelaySeconds: 5,
                },
                securityContext: {
                  runAsUser: 1000,
                  readOnlyRootFilesystem: true,
                  capabilities: { drop: ["ALL"] },
                },
                volumeMounts: [{ name: "config", mountPath: "/etc/web", readOnly: true }],
              },
            ],
            volumes: [
              {
                name: "config",
                configMap: { name: "web-config", defaultMode: 420, items: [{ key: "a", path: "a.conf" }] },
              },
              { name: "cache", emptyDir: { sizeLimit: "1Gi" } },
            ],
            tolerations: [{ key: "dedicated", operator: "Equal", value: "web", effect: "NoSchedule" }],
            imagePullSecrets: [{ name: "registry" }],
          },
        },
      },
    });
  });

  it("translates a Namespace, a ConfigMap and a Secret (clear-text data compared as stringData)", async () => {
    const loaded = await load(
      directory({
        "main.tf": `resource "kubernetes_namespace" "shop" {
  metadata {
    name        = "shop"
    annotations = { owner = "team-a" }
  }
}
resource "kubernetes_config_map_v1" "config" {
  metadata {
    name      = "web-config"
    namespace = "shop"
  }
  data        = { CACHE_TTL = "300" }
  binary_data = { blob = "aGVsbG8=" }
}
resource "kubernetes_secret_v1" "secret" {
  metadata {
    name      = "web-secret"
    namespace = "shop"
  }
  type        = "Opaque"
  data        = { password = "s3cret" }
  binary_data = { key = "aGVsbG8=" }
}
`,
      }),
    );
    expect(loaded.objects.map((object) => object.object)).toEqual([
      { apiVersion: "v1", kind: "Namespace", metadata: { name: "shop", annotations: { owner: "team-a" } } },
      {
        apiVersion: "v1",
        kind: "ConfigMap",
        metadata: { name: "web-config", namespace: "shop" },
        data: { CACHE_TTL: "300" },
        binaryData: { blob: "aGVsbG8=" },
      },
      {
        apiVersion: "v1",
        kind: "Secret",
        metadata: { name: "web-secret", namespace: "shop" },
        type: "Opaque",
        stringData: { password: "s3cret" },
        data: { key: "aGVsbG8=" },
      },
    ]);
    expect(loaded.objects[2].fieldLines?.get("/stringData/password")).toBe(21);
  });

  it("translates a Service and a ServiceAccount", async () => {
    const loaded = await load(
      directory({
        "main.tf": `resource "kubernetes_service" "web" {
  metadata {
    name      = "web"
    namespace = "shop"
  }
  spec {
    selector         = { app = "web" }
    type             = "NodePort"
    cluster_ip       = "10.96.0.20"
    session_affinity = "ClientIP"
    port {
      name        = "http"
      port        = 80
      target_port = "8080"
      node_port   = 30080
    }
    port {
      name        = "metrics"
      port        = 9090
      target_port = "metrics"
    }
  }
}
resource "kubernetes_service_account_v1" "web" {
  metadata {
    name      = "web"
    namespace = "shop"
  }
  secret { name = "web-token" }
  image_pull_secret { name = "registry" }
}
`,
      }),
    );
    expect(loaded.objects.map((object) => object.object)).toEqual([
      {
        apiVersion: "v1",
        kind: "Service",
        metadata: { name: "web", namespace: "shop" },
        spec: {
          selector: { app: "web" },
          type: "NodePort",
          clusterIP: "10.96.0.20",
          sessionAffinity: "ClientIP",
          ports: [
            { name: "http", port: 80, targetPort: 8080, nodePort: 30080 },
            { name: "metrics", port: 9090, targetPort: "metrics" },
          ],
        },
      },
      {
        apiVersion: "v1",
        kind: "ServiceAccount",
        metadata: { name: "web", namespace: "shop" },
        secrets: [{ name: "web-token" }],
        imagePullSecrets: [{ name: "registry" }],
        automountServiceAccountToken: true,
      },
    ]);
  });

  it("translates a StatefulSet, a DaemonSet, a Job and a CronJob", async () => {
    const podTemplate = `template {
      metadata { labels = { app = "x" } }
      spec {
        container {
          name  = "x"
          image = "busybox:1.36"
        }
      }
    }`;
    const loaded = await load(
      directory({
        "main.tf": `resource "kubernetes_stateful_set_v1" "db" {
  metadata { name = "db" }
  spec {
    service_name = "db"
    replicas     = 1
    selector { match_labels = { app = "x" } }
    ${podTemplate}
    update_strategy {
      type = "RollingUpdate"
      rolling_update { partition = 0 }
    }
    volume_claim_template {
      metadata { name = "data" }
      spec {
        access_modes = ["ReadWriteOnce"]
        resources { requests = { storage = "1Gi" } }
      }
    }
  }
}
resource "kubernetes_daemonset" "agent" {
  metadata { name = "agent" }
  spec {
    selector { match_labels = { app = "x" } }
    ${podTemplate}
  }
}
resource "kubernetes_job_v1" "migrate" {
  metadata { name = "migrate" }
  spec {
    backoff_limit              = 2
    ttl_seconds_after_finished = "60"
    ${podTemplate}
  }
  wait_for_completion = false
}
resource "kubernetes_cron_job_v1" "nightly" {
  metadata { name = "nightly" }
  spec {
    schedule           = "0 3 * * *"
    concurrency_policy = "Forbid"
    job_template {
      metadata {}
      spec {
        ${podTemplate}
      }
    }
  }
}
`,
      }),
    );
    const pod = {
      metadata: { labels: { app: "x" } },
      spec: { automountServiceAccountToken: true, containers: [{ name: "x", image: "busybox:1.36" }] },
    };
    expect(loaded.objects.map((object) => object.object)).toEqual([
      {
        apiVersion: "apps/v1",
        kind: "StatefulSet",
        metadata: { name: "db" },
        spec: {
          serviceName: "db",
          replicas: 1,
          selector: { matchLabels: { app: "x" } },
          template: pod,
          updateStrategy: { type: "RollingUpdate", rollingUpdate: { partition: 0 } },
          volumeClaimTemplates: [
            {
              metadata: { name: "data" },
              spec: { accessModes: ["ReadWriteOnce"], resources: { requests: { storage: "1Gi" } } },
            },
          ],
        },
      },
      {
        apiVersion: "apps/v1",
        kind: "DaemonSet",
        metadata: { name: "agent" },
        spec: { selector: { matchLabels: { app: "x" } }, template: pod },
      },
      {
        apiVersion: "batch/v1",
        kind: "Job",
        metadata: { name: "migrate" },
        spec: { backoffLimit: 2, ttlSecondsAfterFinished: 60, template: pod },
      },
      {
        apiVersion: "batch/v1",
        kind: "CronJob",
        metadata: { name: "nightly" },
        spec: {
          schedule: "0 3 * * *",
          concurrencyPolicy: "Forbid",
          jobTemplate: { spec: { template: pod } },
        },
      },
    ]);
  });

  it("translates Ingresses: v1 and the unversioned v1beta1 shape", async () => {
    const loaded = await load(
      directory({
        "main.tf": `resource "kubernetes_ingress_v1" "web" {
  metadata { name = "web" }
  spec {
    ingress_class_name = "nginx"
    default_backend {
      service {
        name = "fallback"
        port { number = 80 }
      }
    }
    rule {
      host = "shop.example.com"
      http {
        path {
          path      = "/"
          path_type = "Prefix"
          backend {
            service {
              name = "web"
              port { name = "http" }
            }
          }
        }
      }
    }
    tls {
      hosts       = ["shop.example.com"]
      secret_name = "shop-tls"
    }
  }
}
resource "kubernetes_ingress" "legacy" {
  metadata { name = "legacy" }
  spec {
    backend {
      service_name = "fallback"
      service_port = 80
    }
    rule {
      http {
        path {
          path = "/api"
          backend {
            service_name = "api"
            service_port = "http"
          }
        }
      }
    }
  }
}
`,
      }),
    );
    expect(loaded.objects.map((object) => object.object)).toEqual([
      {
        apiVersion: "networking.k8s.io/v1",
        kind: "Ingress",
        metadata: { name: "web" },
        spec: {
          ingressClassName: "nginx",
          defaultBackend: { service: { name: "fallback", port: { number: 80 } } },
          rules: [
            {
              host: "shop.example.com",
              http: {
                paths: [
                  {
                    path: "/",
                    pathType: "Prefix",
                    backend: { service: { name: "web", port: { name: "http" } } },
                  },
                ],
              },
            },
          ],
          tls: [{ hosts: ["shop.example.com"], secretName: "shop-tls" }],
        },
      },
      {
        apiVersion: "networking.k8s.io/v1",
        kind: "Ingress",
        metadata: { name: "legacy" },
        spec: {
          defaultBackend: { service: { name: "fallback", port: { number: 80 } } },
          rules: [
            {
              http: {
                paths: [{ path: "/api", backend: { service: { name: "api", port: { name: "http" } } } }],
              },
            },
          ],
        },
      },
    ]);
  });

  it("translates Roles, ClusterRoles and their bindings", async () => {
    const loaded = await load(
      directory({
        "main.tf": `resource "kubernetes_role_v1" "reader" {
  metadata {
    name      = "reader"
    namespace = "shop"
  }
  rule {
    api_groups     = [""]
    resources      = ["pods"]
    resource_names = ["web"]
    verbs          = ["get", "list"]
  }
}
resource "kubernetes_role_binding_v1" "reader" {
  metadata {
    name      = "reader"
    namespace = "shop"
  }
  role_ref {
    api_group = "rbac.authorization.k8s.io"
    kind      = "Role"
    name      = "reader"
  }
  subject {
    kind      = "ServiceAccount"
    name      = "web"
    namespace = "shop"
  }
}
resource "kubernetes_cluster_role" "metrics" {
  metadata { name = "metrics" }
  rule {
    non_resource_urls = ["/metrics"]
    verbs             = ["get"]
  }
}
resource "kubernetes_cluster_role_binding" "metrics" {
  metadata { name = "metrics" }
  role_ref {
    api_group = "rbac.authorization.k8s.io"
    kind      = "ClusterRole"
    name      = "metrics"
  }
  subject {
    kind      = "Group"
    name      = "monitoring"
    api_group = "rbac.authorization.k8s.io"
  }
}
`,
      }),
    );
    expect(loaded.objects.map((object) => object.object)).toEqual([
      {
        apiVersion: "rbac.authorization.k8s.io/v1",
        kind: "Role",
        metadata: { name: "reader", namespace: "shop" },
        // An empty string is the core API group, but also what the provider writes for unset: left out.
        rules: [{ resources: ["pods"], resourceNames: ["web"], verbs: ["get", "list"], apiGroups: [""] }],
      },
      {
        apiVersion: "rbac.authorization.k8s.io/v1",
        kind: "RoleBinding",
        metadata: { name: "reader", namespace: "shop" },
        roleRef: { apiGroup: "rbac.authorization.k8s.io", kind: "Role", name: "reader" },
        subjects: [{ kind: "ServiceAccount", name: "web", namespace: "shop" }],
      },
      {
        apiVersion: "rbac.authorization.k8s.io/v1",
        kind: "ClusterRole",
        metadata: { name: "metrics" },
        rules: [{ nonResourceURLs: ["/metrics"], verbs: ["get"] }],
      },
      {
        apiVersion: "rbac.authorization.k8s.io/v1",
        kind: "ClusterRoleBinding",
        metadata: { name: "metrics" },
        roleRef: { apiGroup: "rbac.authorization.k8s.io", kind: "ClusterRole", name: "metrics" },
        subjects: [{ kind: "Group", name: "monitoring", apiGroup: "rbac.authorization.k8s.io" }],
      },
    ]);
  });

  it("translates HorizontalPodAutoscalers: v1 and v2", async () => {
    const loaded = await load(
      directory({
        "main.tf": `resource "kubernetes_horizontal_pod_autoscaler" "v1" {
  metadata { name = "web-v1" }
  spec {
    min_replicas                      = 2
    max_replicas                      = 10
    target_cpu_utilization_percentage = 80
    scale_target_ref {
      api_version = "apps/v1"
      kind        = "Deployment"
      name        = "web"
    }
  }
}
resource "kubernetes_horizontal_pod_autoscaler_v2" "v2" {
  metadata { name = "web-v2" }
  spec {
    min_replicas = 2
    max_replicas = 10
    scale_target_ref {
      api_version = "apps/v1"
      kind        = "Deployment"
      name        = "web"
    }
    metric {
      type = "Resource"
      resource {
        name = "cpu"
        target {
          type                = "Utilization"
          average_utilization = 75
        }
      }
    }
  }
}
`,
      }),
    );
    const target = { apiVersion: "apps/v1", kind: "Deployment", name: "web" };
    expect(loaded.objects.map((object) => object.object)).toEqual([
      {
        apiVersion: "autoscaling/v1",
        kind: "HorizontalPodAutoscaler",
        metadata: { name: "web-v1" },
        spec: { minReplicas: 2, maxReplicas: 10, targetCPUUtilizationPercentage: 80, scaleTargetRef: target },
      },
      {
        apiVersion: "autoscaling/v2",
        kind: "HorizontalPodAutoscaler",
        metadata: { name: "web-v2" },
        spec: {
          minReplicas: 2,
          maxReplicas: 10,
          scaleTargetRef: target,
          metrics: [
            {
              type: "Resource",
              resource: { name: "cpu", target: { type: "Utilization", averageUtilization: 75 } },
            },
          ],
        },
      },
    ]);
  });

  it("takes kubernetes_manifest's manifest as the object, with its lines", async () => {
    const name = directory({
      "main.tf": `resource "kubernetes_manifest" "widget" {
  manifest = {
    apiVersion = "example.com/v1"
    kind       = "Widget"
    metadata = {
      name      = "w1"
      namespace = "shop"
    }
    spec = {
      size  = 3
      ports = [{ port = 80 }, { port = 443 }]
    }
  }
}
`,
    });
    const [widget] = (await load(name)).objects;
    expect(widget.object).toEqual({
      apiVersion: "example.com/v1",
      kind: "Widget",
      metadata: { name: "w1", namespace: "shop" },
      spec: { size: 3, ports: [{ port: 80 }, { port: 443 }] },
    });
    expect(widget.ref).toEqual({
      group: "example.com",
      version: "v1",
      kind: "Widget",
      namespace: "shop",
      name: "w1",
    });
    expect(widget.fieldLines?.get("/spec/size")).toBe(10);
    expect(widget.fieldLines?.get("/metadata/name")).toBe(6);
  });
});

describe("expressions", () => {
  it("resolves variable defaults, tfvars, *.auto.tfvars, -var-file, -var, locals and interpolation", async () => {
    const name = directory({
      "variables.tf": `variable "replicas" {
  type    = number
  default = 1
}
variable "tag" { default = "1.0" }
variable "env" {}
variable "team" {}
variable "labels" {
  type    = map(string)
  default = { tier = "web" }
}
`,
      "main.tf": `locals {
  app   = "web-\${var.env}"
  image = "nginx:\${var.tag}"
}
resource "kubernetes_deployment" "web" {
  metadata {
    name   = local.app
    labels = var.labels
    annotations = { team = var.team, literal = "$\${not.a.reference}" }
  }
  spec {
    replicas = var.replicas
    template {
      spec {
        container {
          name  = "web"
          image = local.image
        }
      }
    }
  }
}
`,
      "terraform.tfvars": `env = "dev"\ntag = "1.1"\n`,
      "prod.auto.tfvars": `env = "prod"\n`,
    });
    writeFileSync(join(root, "team.tfvars"), `team = "payments"\ntag = "1.2"\n`);
    const loaded = await load(name, { varFiles: ["team.tfvars"], vars: { replicas: "4" } });
    expect(loaded.notes).toEqual([]);
    expect(loaded.objects[0].object).toEqual({
      apiVersion: "apps/v1",
      kind: "Deployment",
      metadata: {
        name: "web-prod",
        labels: { tier: "web" },
        annotations: { team: "payments", literal: "${not.a.reference}" },
      },
      spec: {
        replicas: 4,
        template: {
          spec: { automountServiceAccountToken: true, containers: [{ name: "web", image: "nginx:1.2" }] },
        },
      },
    });
  });

  it("leaves out what it cannot evaluate, naming the attribute and resource", async () => {
    const name = directory({
      "main.tf": `variable "x" { default = 2 }
resource "kubernetes_deployment" "example" {
  metadata {
    name   = "example"
    labels = { app = "example", hash = sha1("x") }
  }
  spec {
    replicas = "\${var.x * 2}"
    template {
      spec {
        container {
          name  = "example"
          image = "nginx:\${data.external.tag.result}"
          args  = [for a in ["x"] : upper(a)]
        }
        dynamic "volume" {
          for_each = ["a"]
          content { name = volume.value }
        }
      }
    }
  }
}
`,
    });
    const loaded = await load(name);
    expect(loaded.notes).toEqual([
      `kubernetes_deployment.example: metadata.0.labels.hash: cannot evaluate "\${sha1(\\"x\\")}"`,
      `kubernetes_deployment.example: spec.0.replicas: cannot evaluate "\${var.x * 2}"`,
      `kubernetes_deployment.example: spec.0.template.0.spec.0.container.0.args: cannot evaluate "\${[for a in [\\"x\\"] : upper(a)]}"`,
      `kubernetes_deployment.example: spec.0.template.0.spec.0.container.0.image: cannot evaluate "nginx:\${data.external.tag.result}"`,
      `kubernetes_deployment.example: spec.0.template.0.spec.0.volume: dynamic blocks are not evaluated`,
    ]);
    const [deployment] = loaded.objects;
    expect(deployment.unevaluated).toEqual([
      "/metadata/labels/hash",
      "/spec/replicas",
      "/spec/template/spec/containers/0/args",
      "/spec/template/spec/containers/0/image",
      "/spec/template/spec/volumes",
    ]);
    expect(deployment.object).toEqual({
      apiVersion: "apps/v1",
      kind: "Deployment",
      metadata: { name: "example", labels: { app: "example" } },
      spec: { template: { spec: { automountServiceAccountToken: true, containers: [{ name: "example" }] } } },
    });
  });

  it("expands count and for_each into addressed instances", async () => {
    const loaded = await load(
      directory({
        "main.tf": `resource "kubernetes_namespace" "team" {
  for_each = { a = "alpha", b = "beta" }
  metadata { name = "team-\${each.value}" }
}
resource "kubernetes_config_map" "shard" {
  count = 2
  metadata { name = "shard-\${count.index}" }
}
`,
      }),
    );
    expect(loaded.objects.map((object) => [object.origin, object.ref.name])).toEqual([
      [{ kind: "terraform", address: 'kubernetes_namespace.team["a"]' }, "team-alpha"],
      [{ kind: "terraform", address: 'kubernetes_namespace.team["b"]' }, "team-beta"],
      [{ kind: "terraform", address: "kubernetes_config_map.shard[0]" }, "shard-0"],
      [{ kind: "terraform", address: "kubernetes_config_map.shard[1]" }, "shard-1"],
    ]);
  });
});

describe("bad input", () => {
  it("reports an HCL syntax error with file and line", async () => {
    const name = directory({
      "main.tf": `resource "kubernetes_namespace" "x" {\n  metadata {\n    name = \n  }\n}\n`,
    });
    const error = await load(name).catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(SourceError);
    expect((error as Error).message).toBe(
      `${name}/main.tf:3:12: Invalid expression; Expected the start of an expression, but found an invalid expression token.`,
    );
  });

  it("reports the first of many HCL errors, with how many more, in a capped line", async () => {
    const name = directory({ "main.tf": 'x = = "v"\n'.repeat(5000) });
    const message = await load(name).then(
      () => "",
      (caught: unknown) => (caught as Error).message,
    );
    expect(message).toBe(
      `${name}/main.tf:1:5: Invalid expression; Expected the start of an expression, but found an invalid expression token. (and 4999 more errors)`,
    );
    expect(hclErrorMessage("m.tf", `parse config: [m.tf:1,1-2: Bad; ${"x".repeat(1000)}]`)).toBe(
      `m.tf:1:1: Bad; ${"x".repeat(295)}…`,
    );
  });

  it("refuses a resource address declared twice, in one file or in two, as Terraform does", async () => {
    const block = (configMap: string): string =>
      `resource "kubernetes_config_map" "x" {\n  metadata {\n    name = "${configMap}"\n  }\n}\n`;
    const one = directory({ "main.tf": `${block("a")}\n${block("b")}` });
    await expect(load(one)).rejects.toThrow(
      `${one}/main.tf:7: Duplicate resource "kubernetes_config_map" configuration: a kubernetes_config_map resource named "x" was already declared at ${one}/main.tf:1`,
    );
    const two = directory({ "a.tf": block("a"), "b.tf": `\n${block("b")}` });
    await expect(load(two)).rejects.toThrow(
      `${two}/b.tf:2: Duplicate resource "kubernetes_config_map" configuration: a kubernetes_config_map resource named "x" was already declared at ${two}/a.tf:1`,
    );
    const other = directory({
      "main.tf": `${block("a")}resource "kubernetes_secret" "x" {\n  metadata { name = "a" }\n}\n`,
    });
    expect((await load(other)).objects.map((object) => object.source)).toEqual([
      { file: `${other}/main.tf`, line: 1 },
      { file: `${other}/main.tf`, line: 6 },
    ]);
  });

  it("never opens a FIFO: skipped in a directory, refused when named", async () => {
    const name = directory({ "main.tf": issueExample });
    execFileSync("mkfifo", [join(root, name, "pipe.tf"), join(root, name, "pipe.auto.tfvars")]);
    expect((await load(name)).objects).toHaveLength(1);
    await expect(load(`${name}/pipe.tf`)).rejects.toThrow(`${name}/pipe.tf: not a regular file`);
  });

  it("skips an unsupported kubernetes_* type, names it, and loads the rest; other providers are ignored", async () => {
    const name = directory({
      "main.tf": `resource "kubernetes_persistent_volume" "data" {
  metadata { name = "data" }
}
resource "aws_s3_bucket" "b" { bucket = "b" }
resource "kubernetes_namespace" "shop" {
  metadata { name = "shop" }
}
`,
    });
    const loaded = await load(name);
    expect(loaded.skipped).toEqual([
      {
        source: { file: `${name}/main.tf`, line: 1 },
        what: "kubernetes_persistent_volume.data",
        reason: "resource type kubernetes_persistent_volume is not supported",
      },
    ]);
    expect(loaded.objects.map((object) => object.ref.name)).toEqual(["shop"]);
  });

  it("reports a missing path and a missing -var-file", async () => {
    await expect(load("nowhere")).rejects.toThrow("nowhere: no such file or directory");
    const name = directory({ "main.tf": issueExample });
    await expect(load(name, { varFiles: ["missing.tfvars"] })).rejects.toThrow(
      "missing.tfvars: cannot read file (ENOENT)",
    );
  });
});
