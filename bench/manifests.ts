import type { KubeObject } from "../src/kube/value/json.js";

export type Kind = "Deployment" | "Service" | "ConfigMap";

/** The objects the benchmarks write and compare: a realistic mix of what teams deploy. */
export function benchManifest(kind: Kind, name: string, namespace: string): KubeObject {
  switch (kind) {
    case "Deployment":
      return {
        apiVersion: "apps/v1",
        kind,
        metadata: { name, namespace, labels: { app: name } },
        spec: {
          replicas: 2,
          selector: { matchLabels: { app: name } },
          template: {
            metadata: { labels: { app: name } },
            spec: {
              containers: [
                {
                  name: "web",
                  image: "nginx:1.27",
                  ports: [{ containerPort: 80 }],
                  env: [{ name: "LOG_LEVEL", value: "info" }],
                  resources: { requests: { cpu: "0.25", memory: "128Mi" } },
                },
              ],
            },
          },
        },
      };
    case "Service":
      return {
        apiVersion: "v1",
        kind,
        metadata: { name, namespace },
        spec: { selector: { app: name }, ports: [{ port: 80, targetPort: 8080 }] },
      };
    case "ConfigMap":
      return {
        apiVersion: "v1",
        kind,
        metadata: { name, namespace },
        data: { FEATURE: "on", TTL: "300", NAME: name },
      };
  }
}
