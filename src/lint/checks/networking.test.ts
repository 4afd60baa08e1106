import { describe, expect, it } from "vitest";
import { deployment, desiredOf, findings, goodSurroundings, resultRows, run } from "./checks.test-helper.js";
import { networkingChecks, portNameProblem } from "./networking.js";

const service = (spec: Record<string, unknown>, name = "app") => ({
  apiVersion: "v1",
  kind: "Service",
  metadata: { name, namespace: "ns" },
  spec: { selector: { app: "app" }, ports: [{ name: "http", port: 80, targetPort: "http" }], ...spec },
});

const policy = (spec: Record<string, unknown>, name = "p") => ({
  apiVersion: "networking.k8s.io/v1",
  kind: "NetworkPolicy",
  metadata: { name, namespace: "ns" },
  spec,
});

describe("networking checks", () => {
  it("accept a well-configured Deployment and its surroundings", () => {
    expect(resultRows(desiredOf([deployment(), ...goodSurroundings()]), networkingChecks)).toEqual([]);
  });

  it("service-selects-pods: a selector matching no pod template", () => {
    expect(run("service-selects-pods", [deployment(), service({ selector: { app: "web" } })])).toEqual([
      "Service/app /spec/selector",
    ]);
    expect(run("service-selects-pods", [deployment(), service({})])).toEqual([]);
    // Without a selector the Endpoints are managed by hand.
    expect(
      run(
        "service-selects-pods",
        [service({ selector: undefined })].map(
          (object) => JSON.parse(JSON.stringify(object)) as Record<string, never>,
        ),
      ),
    ).toEqual([]);
  });

  it("service-target-port: a named targetPort the pods do not declare", () => {
    const ports = [
      { port: 80, targetPort: "web" },
      { port: 81, targetPort: 9999 },
    ];
    expect(run("service-target-port", [deployment(), service({ ports })])).toEqual([
      "Service/app /spec/ports/0/targetPort",
    ]);
    expect(run("service-target-port", [deployment(), service({})])).toEqual([]);
  });

  it("port-name-valid: IANA service names in containers and Services", () => {
    expect(portNameProblem("http")).toBeUndefined();
    expect(portNameProblem("a-very-long-port-name")).toBe("is longer than 15 characters");
    expect(portNameProblem("8080")).toBe("must contain a letter");
    expect(portNameProblem("web--x")).toBe("has a leading, trailing or double '-'");
    const object = deployment({
      containers: [{ name: "c", image: "c:1", ports: [{ name: "Metrics", containerPort: 9090 }] }],
    });
    expect(
      run("port-name-valid", [object, service({ ports: [{ port: 80, targetPort: "http_port" }] })]),
    ).toEqual([
      "Deployment/app /spec/template/spec/containers/0/ports/0/name",
      "Service/app /spec/ports/0/targetPort",
    ]);
    expect(run("port-name-valid", [deployment(), service({})])).toEqual([]);
  });

  it("service-node-port", () => {
    expect(run("service-node-port", [service({ type: "NodePort" })])).toEqual(["Service/app /spec/type"]);
    expect(run("service-node-port", [service({ type: "LoadBalancer" })])).toEqual([]);
  });

  it("network-policy-covers-pods: both directions, from any policies selecting the pods", () => {
    expect(run("network-policy-covers-pods", [deployment()])).toEqual([
      "Deployment/app /spec/template/metadata",
    ]);
    const ingressOnly = policy({ podSelector: { matchLabels: { app: "app" } }, ingress: [{}] });
    expect(run("network-policy-covers-pods", [deployment(), ingressOnly])).toEqual([
      "Deployment/app /spec/template/metadata",
    ]);
    const egress = policy({ podSelector: {}, policyTypes: ["Egress"] }, "egress");
    expect(run("network-policy-covers-pods", [deployment(), ingressOnly, egress])).toEqual([]);
  });

  it("network-policy-selects-pods", () => {
    expect(
      run("network-policy-selects-pods", [
        deployment(),
        policy({ podSelector: { matchLabels: { app: "gone" } } }),
      ]),
    ).toEqual(["NetworkPolicy/p /spec/podSelector"]);
    expect(run("network-policy-selects-pods", [deployment(), policy({ podSelector: {} })])).toEqual([]);
  });

  const ingress = (backend: string, tls = "") => `
apiVersion: networking.k8s.io/v1
kind: Ingress
metadata: { name: web, namespace: ns }
spec:
  ${tls}
  defaultBackend: { service: { name: app, port: { name: http } } }
  rules:
    - http:
        paths:
          - { path: /, pathType: Prefix, backend: ${backend} }
---
apiVersion: v1
kind: Service
metadata: { name: app, namespace: ns }
spec: { selector: { app: app }, ports: [{ name: http, port: 80 }] }
`;

  it("ingress-backend-exists: the Service and its port, by number or name", () => {
    expect(
      findings("ingress-backend-exists", ingress("{ service: { name: app, port: { number: 8080 } } }")),
    ).toEqual(["Ingress/web /spec/rules/0/http/paths/0/backend"]);
    expect(
      findings("ingress-backend-exists", ingress("{ service: { name: api, port: { number: 80 } } }")),
    ).toEqual(["Ingress/web /spec/rules/0/http/paths/0/backend"]);
    expect(
      findings("ingress-backend-exists", ingress("{ service: { name: app, port: { number: 80 } } }")),
    ).toEqual([]);
  });

  it("ingress-tls", () => {
    const backend = "{ service: { name: app, port: { number: 80 } } }";
    expect(findings("ingress-tls", ingress(backend))).toEqual(["Ingress/web /spec"]);
    expect(
      findings("ingress-tls", ingress(backend, "tls: [{ hosts: [a.example.com], secretName: a }]")),
    ).toEqual([]);
  });
});
