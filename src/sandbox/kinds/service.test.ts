import { describe, expect, it } from "vitest";
import { strategyFor } from "./index.js";
import { storedForm, testContext } from "./test-context.js";

const strategy = strategyFor("", "Service");
const metadata = { name: "web", namespace: "shop" };

describe("Service defaulting and allocation", () => {
  it("ClusterIP: defaulting sets the SetDefaults_Service fields only; prepare allocates the IP and families", () => {
    const context = testContext();
    const object = { metadata, spec: { selector: { app: "web" }, ports: [{ port: 80 }] } };
    const defaulted = strategy.applyDefaults(object, undefined, context);
    expect(defaulted).toEqual({
      metadata,
      spec: {
        selector: { app: "web" },
        ports: [{ port: 80, protocol: "TCP", targetPort: 80 }],
        type: "ClusterIP",
        sessionAffinity: "None",
        internalTrafficPolicy: "Cluster",
      },
    });
    expect(strategy.prepare(defaulted, undefined, context)).toEqual({
      metadata,
      spec: {
        selector: { app: "web" },
        ports: [{ port: 80, protocol: "TCP", targetPort: 80 }],
        type: "ClusterIP",
        sessionAffinity: "None",
        internalTrafficPolicy: "Cluster",
        clusterIP: "10.96.0.10",
        clusterIPs: ["10.96.0.10"],
        ipFamilies: ["IPv4"],
        ipFamilyPolicy: "SingleStack",
      },
      status: { loadBalancer: {} },
    });
  });

  it("a requested clusterIP is kept and mirrored into clusterIPs only by prepare", () => {
    const context = testContext();
    const defaulted = strategy.applyDefaults(
      { metadata, spec: { clusterIP: "10.96.0.50", ports: [{ port: 80 }] } },
      undefined,
      context,
    );
    expect(defaulted["spec"]).not.toHaveProperty("clusterIPs");
    expect(strategy.prepare(defaulted, undefined, context)["spec"]).toMatchObject({
      clusterIP: "10.96.0.50",
      clusterIPs: ["10.96.0.50"],
    });
    const pluralOnly = storedForm(
      strategy,
      { metadata, spec: { clusterIPs: ["10.96.0.51"], ports: [{ port: 80 }] } },
      undefined,
    );
    expect(pluralOnly["spec"]).toMatchObject({ clusterIP: "10.96.0.51", clusterIPs: ["10.96.0.51"] });
  });

  it("NodePort: allocates node ports, one per port number, and externalTrafficPolicy Cluster", () => {
    const object = {
      metadata,
      spec: {
        type: "NodePort",
        ports: [
          { name: "dns", port: 53, protocol: "UDP" },
          { name: "dns-tcp", port: 53 },
          { name: "http", port: 80, targetPort: "http" },
        ],
      },
    };
    expect(storedForm(strategy, object, undefined, testContext())["spec"]).toEqual({
      type: "NodePort",
      ports: [
        { name: "dns", port: 53, protocol: "UDP", targetPort: 53, nodePort: 30000 },
        { name: "dns-tcp", port: 53, protocol: "TCP", targetPort: 53, nodePort: 30000 },
        { name: "http", port: 80, protocol: "TCP", targetPort: "http", nodePort: 30001 },
      ],
      sessionAffinity: "None",
      externalTrafficPolicy: "Cluster",
      internalTrafficPolicy: "Cluster",
      clusterIP: "10.96.0.10",
      clusterIPs: ["10.96.0.10"],
      ipFamilies: ["IPv4"],
      ipFamilyPolicy: "SingleStack",
    });
  });

  it("LoadBalancer: allocateLoadBalancerNodePorts true and a health-check port for Local traffic", () => {
    const object = {
      metadata,
      spec: { type: "LoadBalancer", externalTrafficPolicy: "Local", ports: [{ port: 443 }] },
    };
    expect(storedForm(strategy, object, undefined, testContext())["spec"]).toEqual({
      type: "LoadBalancer",
      externalTrafficPolicy: "Local",
      ports: [{ port: 443, protocol: "TCP", targetPort: 443, nodePort: 30000 }],
      sessionAffinity: "None",
      internalTrafficPolicy: "Cluster",
      allocateLoadBalancerNodePorts: true,
      clusterIP: "10.96.0.10",
      clusterIPs: ["10.96.0.10"],
      ipFamilies: ["IPv4"],
      ipFamilyPolicy: "SingleStack",
      healthCheckNodePort: 30001,
    });
  });

  it("headless: no IP allocated; selectorless headless services default to RequireDualStack", () => {
    const withSelector = storedForm(
      strategy,
      { metadata, spec: { clusterIP: "None", selector: { app: "db" }, ports: [{ port: 5432 }] } },
      undefined,
      testContext(),
    );
    expect(withSelector["spec"]).toEqual({
      clusterIP: "None",
      clusterIPs: ["None"],
      selector: { app: "db" },
      ports: [{ port: 5432, protocol: "TCP", targetPort: 5432 }],
      type: "ClusterIP",
      sessionAffinity: "None",
      internalTrafficPolicy: "Cluster",
      ipFamilies: ["IPv4"],
      ipFamilyPolicy: "SingleStack",
    });
    const selectorless = storedForm(
      strategy,
      { metadata, spec: { clusterIP: "None" } },
      undefined,
      testContext(),
    );
    expect(selectorless["spec"]).toMatchObject({
      ipFamilyPolicy: "RequireDualStack",
      ipFamilies: ["IPv4", "IPv6"],
    });
    expect(strategy.validate(selectorless, undefined)).toEqual([]);
  });

  it("ExternalName: no cluster IP, no families, no internal traffic policy", () => {
    const object = { metadata, spec: { type: "ExternalName", externalName: "db.example.com" } };
    expect(storedForm(strategy, object, undefined, testContext())["spec"]).toEqual({
      type: "ExternalName",
      externalName: "db.example.com",
      sessionAffinity: "None",
    });
  });

  it("ClientIP affinity gets the three-hour timeout", () => {
    const result = storedForm(
      strategy,
      { metadata, spec: { sessionAffinity: "ClientIP", ports: [{ port: 80 }] } },
      undefined,
      testContext(),
    );
    expect(result["spec"]).toHaveProperty("sessionAffinityConfig", { clientIP: { timeoutSeconds: 10800 } });
  });

  it("an update that omits the allocated values keeps them (node ports matched by name)", () => {
    const context = testContext();
    const stored = storedForm(
      strategy,
      { metadata, spec: { type: "NodePort", ports: [{ name: "http", port: 80 }] } },
      undefined,
      context,
    );
    const update = { metadata, spec: { type: "NodePort", ports: [{ name: "http", port: 8080 }] } };
    const result = storedForm(strategy, update, stored, context);
    expect(result["spec"]).toMatchObject({
      clusterIP: "10.96.0.10",
      clusterIPs: ["10.96.0.10"],
      ports: [{ name: "http", port: 8080, protocol: "TCP", targetPort: 8080, nodePort: 30000 }],
    });
    expect(result["status"]).toBeUndefined();
    expect(strategy.validate(result, stored)).toEqual([]);
  });

  it("keeps the health-check node port while the service stays LoadBalancer with Local traffic", () => {
    const context = testContext();
    const spec = {
      type: "LoadBalancer",
      externalTrafficPolicy: "Local",
      ports: [{ name: "https", port: 443 }],
    };
    const stored = storedForm(strategy, { metadata, spec }, undefined, context);
    expect(stored["spec"]).toMatchObject({ healthCheckNodePort: 30001 });
    expect(storedForm(strategy, { metadata, spec }, stored, context)["spec"]).toMatchObject({
      healthCheckNodePort: 30001,
      ports: [{ name: "https", nodePort: 30000 }],
    });
    const clusterTraffic = storedForm(
      strategy,
      { metadata, spec: { ...spec, externalTrafficPolicy: "Cluster" } },
      stored,
      context,
    );
    expect(clusterTraffic["spec"]).not.toHaveProperty("healthCheckNodePort");
  });

  it("switching to ExternalName releases the cluster IP and node ports", () => {
    const context = testContext();
    const stored = storedForm(
      strategy,
      { metadata, spec: { type: "NodePort", ports: [{ port: 80 }] } },
      undefined,
      context,
    );
    const storedSpec = stored["spec"] as { readonly clusterIP: string };
    const update = {
      metadata,
      spec: {
        type: "ExternalName",
        externalName: "x.example.com",
        clusterIP: storedSpec.clusterIP,
        ports: [{ port: 80, nodePort: 30000 }],
      },
    };
    expect(storedForm(strategy, update, stored, context)["spec"]).toEqual({
      type: "ExternalName",
      externalName: "x.example.com",
      ports: [{ port: 80, protocol: "TCP", targetPort: 80 }],
      sessionAffinity: "None",
    });
  });
});

describe("Service validation", () => {
  it("requires ports, a DNS-1035 name and refuses nodePort on ClusterIP", () => {
    const bad = storedForm(strategy, { metadata: { name: "1web" }, spec: {} }, undefined, testContext());
    expect(strategy.validate(bad, undefined)).toEqual([
      {
        reason: "FieldValueInvalid",
        message:
          "Invalid value: \"1web\": a DNS-1035 label must consist of lower case alphanumeric characters or '-', start with an alphabetic character, and end with an alphanumeric character (e.g. 'my-name',  or 'abc-123', regex used for validation is '[a-z]([-a-z0-9]*[a-z0-9])?')",
        field: "metadata.name",
      },
      { reason: "FieldValueRequired", message: "Required value", field: "spec.ports" },
    ]);
    const nodePort = storedForm(
      strategy,
      { metadata, spec: { ports: [{ port: 80, nodePort: 30080 }, { port: 81 }] } },
      undefined,
      testContext(),
    );
    expect(strategy.validate(nodePort, undefined)).toEqual([
      {
        reason: "FieldValueForbidden",
        message: "Forbidden: may not be used when `type` is 'ClusterIP'",
        field: "spec.ports[0].nodePort",
      },
      { reason: "FieldValueRequired", message: "Required value", field: "spec.ports[0].name" },
      { reason: "FieldValueRequired", message: "Required value", field: "spec.ports[1].name" },
    ]);
  });

  it("refuses a changed cluster IP", () => {
    const context = testContext();
    const stored = storedForm(strategy, { metadata, spec: { ports: [{ port: 80 }] } }, undefined, context);
    const update = storedForm(
      strategy,
      { metadata, spec: { clusterIP: "10.96.0.99", ports: [{ port: 80 }] } },
      stored,
      context,
    );
    expect(strategy.validate(update, stored)).toEqual([
      {
        reason: "FieldValueInvalid",
        message: 'Invalid value: []string{"10.96.0.99"}: may not change once set',
        field: "spec.clusterIPs[0]",
      },
    ]);
  });
});
