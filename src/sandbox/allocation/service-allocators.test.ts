import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { createSandboxCore, type CoreOptions, type SandboxCore } from "../sandbox.js";

const token = "test-token";
const cores: SandboxCore[] = [];
const directories: string[] = [];

afterEach(() => {
  for (const core of cores.splice(0)) core.close();
  for (const directory of directories.splice(0)) rmSync(directory, { recursive: true, force: true });
});

function sandbox(options: Partial<CoreOptions> = {}): SandboxCore {
  const core = createSandboxCore({ token, rootCA: "CA", onControllerError: () => undefined, ...options });
  cores.push(core);
  return core;
}

interface Answer {
  readonly status: number;
  // eslint-disable-next-line @typescript-eslint/no-explicit-any
  readonly body: any;
}

function send(core: SandboxCore, method: string, url: string, body?: unknown): Answer {
  const response = core.app.handle({
    method,
    url,
    headers: {
      authorization: `Bearer ${token}`,
      "user-agent": "kubectl/v1.32.4 (linux/amd64) kubernetes/4cb5f07",
      ...(body === undefined ? {} : { "content-type": "application/json" }),
    },
    ...(body === undefined ? {} : { body: Buffer.from(JSON.stringify(body)) }),
  });
  if (response.kind !== "json") throw new Error(`expected a JSON response, got ${response.kind}`);
  return { status: response.status, body: response.body };
}

const services = "/api/v1/namespaces/default/services";

function service(name: string, spec: Record<string, unknown> = {}): Record<string, unknown> {
  return { metadata: { name }, spec: { ports: [{ port: 80 }], ...spec } };
}

function create(core: SandboxCore, name: string, spec: Record<string, unknown> = {}): Answer {
  return send(core, "POST", services, service(name, spec));
}

function clusterIPOf(answer: Answer): string {
  if (answer.status !== 201 && answer.status !== 200) throw new Error(JSON.stringify(answer.body));
  return answer.body.spec.clusterIP as string;
}

/** The next task turn: values reserved by refused or dry-run writes are free again after it. */
const settled = (): Promise<void> => new Promise((resolve) => setImmediate(resolve));

function ipNumber(ip: string): number {
  return ip.split(".").reduce((value, octet) => value * 256 + Number(octet), 0);
}

describe("cluster IPs", () => {
  it("gives the kubernetes Service 10.96.0.1 and others distinct addresses inside 10.96.0.0/12", () => {
    const core = sandbox();
    expect(send(core, "GET", `${services}/kubernetes`).body.spec.clusterIPs).toEqual(["10.96.0.1"]);
    const seen = new Set<string>(["10.96.0.1"]);
    for (let index = 0; index < 5000; index += 1) seen.add(clusterIPOf(create(core, `svc-${index}`)));
    expect(seen.size).toBe(5001);
    const network = ipNumber("10.96.0.0");
    const broadcast = ipNumber("10.111.255.255");
    const outside = [...seen].filter((ip) => ipNumber(ip) <= network || ipNumber(ip) >= broadcast);
    expect(outside).toEqual([]);
    // Dynamic allocations start above the band kube-apiserver leaves to static ones (KEP-3070).
    expect(clusterIPOf(send(core, "GET", `${services}/svc-0`))).toBe("10.96.1.1");
  });

  it("refuses the next Service once a small range is full, with kube-apiserver's error", () => {
    const core = sandbox({ serviceClusterIPRange: "10.0.0.0/29" });
    expect(send(core, "GET", `${services}/kubernetes`).body.spec.clusterIP).toBe("10.0.0.1");
    const ips = [1, 2, 3, 4, 5].map((index) => clusterIPOf(create(core, `svc-${index}`)));
    expect(ips).toEqual(["10.0.0.2", "10.0.0.3", "10.0.0.4", "10.0.0.5", "10.0.0.6"]);
    const full = create(core, "svc-6");
    expect(full.status).toBe(500);
    expect(full.body).toEqual({
      kind: "Status",
      apiVersion: "v1",
      metadata: {},
      status: "Failure",
      message: "Internal error occurred: failed to allocate a serviceIP: range is full",
      reason: "InternalError",
      details: { causes: [{ reason: "", message: "failed to allocate a serviceIP: range is full" }] },
      code: 500,
    });
    // Headless and ExternalName Services take no address.
    expect(create(core, "headless", { clusterIP: "None" }).body.spec.clusterIPs).toEqual(["None"]);
    const external = create(core, "external", { type: "ExternalName", externalName: "example.com" });
    expect(external.status).toBe(201);
    expect(external.body.spec.clusterIP).toBeUndefined();
  });

  it("hands a deleted Service's address out again", async () => {
    const core = sandbox({ serviceClusterIPRange: "10.0.0.0/29" });
    for (const index of [1, 2, 3, 4, 5]) create(core, `svc-${index}`);
    expect(send(core, "DELETE", `${services}/svc-3`).status).toBe(200);
    await settled();
    expect(clusterIPOf(create(core, "again"))).toBe("10.0.0.4");
    expect(create(core, "more").status).toBe(500);
  });

  it("releases the address of a Service that becomes ExternalName", () => {
    const core = sandbox({ serviceClusterIPRange: "10.0.0.0/30" });
    // 10.0.0.1 is the kubernetes Service's, 10.0.0.2 the last usable address.
    const created = create(core, "web");
    expect(clusterIPOf(created)).toBe("10.0.0.2");
    expect(create(core, "other").status).toBe(500);
    const external = send(core, "PUT", `${services}/web`, {
      metadata: { name: "web", resourceVersion: created.body.metadata.resourceVersion },
      spec: { type: "ExternalName", externalName: "example.com", ports: [{ port: 80 }] },
    });
    expect(external.status).toBe(200);
    expect(external.body.spec.clusterIP).toBeUndefined();
    expect(clusterIPOf(create(core, "other"))).toBe("10.0.0.2");
  });

  it("keeps a Service's address on a PUT that omits it", () => {
    const core = sandbox();
    const created = create(core, "web");
    const ip = clusterIPOf(created);
    const updated = send(core, "PUT", `${services}/web`, {
      metadata: { name: "web", resourceVersion: created.body.metadata.resourceVersion },
      spec: { ports: [{ port: 81 }] },
    });
    expect(updated.status).toBe(200);
    expect(updated.body.spec.clusterIPs).toEqual([ip]);
    expect(clusterIPOf(create(core, "next"))).not.toBe(ip);
  });

  it("takes a requested address, and refuses one in use or outside the range with 422", async () => {
    const core = sandbox();
    expect(clusterIPOf(create(core, "dns", { clusterIP: "10.96.0.10" }))).toBe("10.96.0.10");
    const taken = create(core, "dns-2", { clusterIP: "10.96.0.10" });
    expect(taken.status).toBe(422);
    expect(taken.body.reason).toBe("Invalid");
    expect(taken.body.message).toBe(
      'Service "dns-2" is invalid: spec.clusterIPs: Invalid value: []string{"10.96.0.10"}: failed to allocate IP 10.96.0.10: provided IP is already allocated',
    );
    expect(taken.body.details).toEqual({
      name: "dns-2",
      kind: "Service",
      causes: [
        {
          reason: "FieldValueInvalid",
          message:
            'Invalid value: []string{"10.96.0.10"}: failed to allocate IP 10.96.0.10: provided IP is already allocated',
          field: "spec.clusterIPs",
        },
      ],
    });
    const outside = create(core, "elsewhere", { clusterIPs: ["10.0.0.5"] });
    expect(outside.status).toBe(422);
    expect(outside.body.message).toBe(
      'Service "elsewhere" is invalid: spec.clusterIPs: Invalid value: []string{"10.0.0.5"}: failed to allocate IP 10.0.0.5: the provided IP (10.0.0.5) is not in the valid range. The range of valid IPs is 10.96.0.0/12',
    );
    // Neither the network nor the broadcast address is in the range.
    expect(create(core, "network", { clusterIP: "10.96.0.0" }).status).toBe(422);
    expect(create(core, "broadcast", { clusterIP: "10.111.255.255" }).status).toBe(422);
    expect(clusterIPOf(create(core, "last", { clusterIP: "10.111.255.254" }))).toBe("10.111.255.254");
    // A refused or dry-run write holds nothing once it is answered.
    expect(
      send(core, "POST", `${services}?dryRun=All`, service("dry", { clusterIP: "10.96.0.11" })).status,
    ).toBe(201);
    await settled();
    expect(clusterIPOf(create(core, "real", { clusterIP: "10.96.0.11" }))).toBe("10.96.0.11");
  });

  it("does not hand out an address a persisted Service holds after a restart", () => {
    const dataDir = mkdtempSync(join(tmpdir(), "kubedrift-allocators-"));
    directories.push(dataDir);
    const first = sandbox({ dataDir, serviceClusterIPRange: "10.0.0.0/29" });
    expect(["a", "b", "c"].map((name) => clusterIPOf(create(first, name)))).toEqual([
      "10.0.0.2",
      "10.0.0.3",
      "10.0.0.4",
    ]);
    cores.splice(cores.indexOf(first), 1);
    first.close();
    const second = sandbox({ dataDir, serviceClusterIPRange: "10.0.0.0/29" });
    expect(["d", "e"].map((name) => clusterIPOf(create(second, name)))).toEqual(["10.0.0.5", "10.0.0.6"]);
    expect(create(second, "f").status).toBe(500);
    expect(create(second, "static", { clusterIP: "10.0.0.3" }).body.message).toBe(
      'Service "static" is invalid: spec.clusterIPs: Invalid value: []string{"10.0.0.3"}: failed to allocate IP 10.0.0.3: provided IP is already allocated',
    );
  });

  it("refuses a range it cannot use when the sandbox starts", () => {
    expect(() => sandbox({ serviceClusterIPRange: "fd00::/108" })).toThrow(
      'invalid CIDR "fd00::/108" (only IPv4 ranges are supported)',
    );
    expect(() => sandbox({ serviceClusterIPRange: "10.0.0.0/8" })).toThrow(
      "specified range 10.0.0.0/8 is too large; for 32-bit addresses, the mask must be >= 12",
    );
  });
});

describe("node ports", () => {
  it("allocates distinct ports, shares one between TCP and UDP of a port, and refuses a taken one", () => {
    const core = sandbox();
    const dns = create(core, "dns", {
      type: "NodePort",
      ports: [
        { name: "udp", port: 53, protocol: "UDP" },
        { name: "tcp", port: 53, protocol: "TCP" },
        { name: "web", port: 80, nodePort: 30080 },
      ],
    });
    expect(dns.status).toBe(201);
    expect(dns.body.spec.ports.map((port: { nodePort: number }) => port.nodePort)).toEqual([
      30000, 30000, 30080,
    ]);
    const taken = create(core, "web", { type: "NodePort", ports: [{ port: 80, nodePort: 30080 }] });
    expect(taken.status).toBe(422);
    expect(taken.body.message).toBe(
      'Service "web" is invalid: spec.ports[0].nodePort: Invalid value: 30080: provided port is already allocated',
    );
    const outside = create(core, "web", { type: "NodePort", ports: [{ port: 80, nodePort: 40000 }] });
    expect(outside.body.message).toBe(
      'Service "web" is invalid: spec.ports[0].nodePort: Invalid value: 40000: provided port is not in the valid range. The range of valid ports is 30000-32767',
    );
    const next = create(core, "next", { type: "NodePort" });
    expect(next.body.spec.ports[0].nodePort).toBe(30001);
  });

  it("refuses the next node port once the range is full, and frees a deleted Service's", async () => {
    const core = sandbox({ serviceNodePortRange: "30000-30001" });
    expect(create(core, "a", { type: "NodePort" }).body.spec.ports[0].nodePort).toBe(30000);
    expect(create(core, "b", { type: "NodePort" }).body.spec.ports[0].nodePort).toBe(30001);
    const full = create(core, "c", { type: "NodePort" });
    expect(full.status).toBe(500);
    expect(full.body.message).toBe("Internal error occurred: failed to allocate a nodePort: range is full");
    send(core, "DELETE", `${services}/a`);
    await settled();
    expect(create(core, "c", { type: "NodePort" }).body.spec.ports[0].nodePort).toBe(30000);
    // A Service turned ClusterIP gives its node ports back.
    const b = send(core, "GET", `${services}/b`).body;
    const clusterIP = send(core, "PUT", `${services}/b`, {
      metadata: { name: "b", resourceVersion: b.metadata.resourceVersion },
      spec: { ...b.spec, type: "ClusterIP" },
    });
    expect(clusterIP.status).toBe(200);
    expect(clusterIP.body.spec.ports[0].nodePort).toBeUndefined();
    expect(create(core, "d", { type: "NodePort" }).body.spec.ports[0].nodePort).toBe(30001);
  });
});

describe("the kubernetes Service", () => {
  it("is not recreated over a persisted Service holding its address, and the sandbox still starts", () => {
    const dataDir = mkdtempSync(join(tmpdir(), "kubedrift-allocators-"));
    directories.push(dataDir);
    const first = sandbox({ dataDir, serviceClusterIPRange: "10.0.0.0/29" });
    expect(send(first, "DELETE", `${services}/kubernetes`).status).toBe(200);
    return settled().then(() => {
      expect(clusterIPOf(create(first, "squatter", { clusterIP: "10.0.0.1" }))).toBe("10.0.0.1");
      cores.splice(cores.indexOf(first), 1);
      first.close();
      const errors: unknown[] = [];
      const second = sandbox({
        dataDir,
        serviceClusterIPRange: "10.0.0.0/29",
        onControllerError: (error) => errors.push(error),
      });
      expect(send(second, "GET", `${services}/kubernetes`).status).toBe(404);
      expect(errors.map((error) => (error instanceof Error ? error.message : String(error)))).toEqual([
        'Service "kubernetes" is invalid: spec.clusterIPs: Invalid value: []string{"10.0.0.1"}: failed to allocate IP 10.0.0.1: provided IP is already allocated',
      ]);
    });
  });
});
