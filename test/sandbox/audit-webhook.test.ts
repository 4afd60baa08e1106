/**
 * kube-apiserver's audit webhook, driven with the real kubectl: a sandbox started with an audit
 * policy and a webhook kubeconfig sends EventLists to an HTTPS receiver of the test's, which
 * trusts nothing but the bearer token the kubeconfig carries.
 */
import { writeFileSync } from "node:fs";
import { createServer, type Server } from "node:https";
import type { AddressInfo } from "node:net";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it, vi } from "vitest";
import { startSandbox, type RunningSandbox } from "../../src/sandbox/index.js";
import { createServingCertificate } from "../../src/sandbox/tls.js";
import { call } from "../../src/sandbox/https-client.test-helper.js";
import { kubectlOk, runKubectl, scratchDirectory } from "../support/kubectl.js";

interface Delivery {
  readonly authorization: string | undefined;
  readonly body: { readonly kind: string; readonly items: readonly Record<string, unknown>[] };
}

const scratch = scratchDirectory();
const deliveries: Delivery[] = [];
let receiver: Server | undefined;
let running: RunningSandbox | undefined;

function sandbox(): RunningSandbox {
  if (running === undefined) throw new Error("the sandbox is not running");
  return running;
}

async function startReceiver(): Promise<{ readonly url: string; readonly ca: string }> {
  const certificate = await createServingCertificate(["127.0.0.1"], new Date());
  receiver = createServer(
    { cert: certificate.certificatePem, key: certificate.keyPem },
    (request, response) => {
      let body = "";
      request.on("data", (chunk: Buffer) => (body += chunk.toString()));
      request.on("end", () => {
        deliveries.push({
          authorization: request.headers.authorization,
          body: JSON.parse(body) as Delivery["body"],
        });
        response.writeHead(200, { "content-type": "application/json" }).end("{}");
      });
    },
  );
  await new Promise<void>((resolve) => receiver?.listen(0, "127.0.0.1", resolve));
  const { port } = receiver.address() as AddressInfo;
  return { url: `https://127.0.0.1:${port}/audit`, ca: certificate.certificatePem };
}

function events(): readonly Record<string, unknown>[] {
  return deliveries.flatMap((delivery) => delivery.body.items);
}

async function eventually<T>(find: () => T | undefined, what: string): Promise<T> {
  for (let waited = 0; waited < 15_000; waited += 50) {
    const found = find();
    if (found !== undefined) return found;
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  throw new Error(`no ${what} within 15 s; got ${JSON.stringify(events())}`);
}

beforeAll(async () => {
  const target = await startReceiver();
  const tokenFile = join(scratch.path, "tokens.csv");
  writeFileSync(tokenFile, 'alice-token,alice,1001,"devs,oncall"\n');
  const policyFile = join(scratch.path, "audit-policy.yaml");
  writeFileSync(
    policyFile,
    [
      "apiVersion: audit.k8s.io/v1",
      "kind: Policy",
      "omitStages: [RequestReceived]",
      "rules:",
      "  - level: RequestResponse",
      "    resources: [{ group: apps, resources: [deployments, deployments/scale] }]",
      "",
    ].join("\n"),
  );
  const webhookConfig = join(scratch.path, "audit-webhook.kubeconfig");
  writeFileSync(
    webhookConfig,
    JSON.stringify({
      apiVersion: "v1",
      kind: "Config",
      clusters: [
        {
          name: "audit",
          cluster: {
            server: target.url,
            "certificate-authority-data": Buffer.from(target.ca).toString("base64"),
          },
        },
      ],
      users: [{ name: "sandbox", user: { token: "audit-receiver-token" } }],
      contexts: [{ name: "audit", context: { cluster: "audit", user: "sandbox" } }],
      "current-context": "audit",
    }),
  );
  running = await startSandbox({
    kubeconfigPath: join(scratch.path, "kubeconfig"),
    tokenAuthFile: tokenFile,
    auditPolicyFile: policyFile,
    auditWebhookConfigFile: webhookConfig,
    auditWebhookBatchMaxWaitMs: 100,
  });
  await kubectlOk(sandbox(), ["create", "namespace", "shop"]);
  await kubectlOk(sandbox(), ["create", "deployment", "web", "--image=nginx:1.25", "-n", "shop"]);
  await kubectlOk(sandbox(), [
    "create",
    "rolebinding",
    "alice-edit",
    "--clusterrole=edit",
    "--user=alice",
    "-n",
    "shop",
  ]);
});

afterAll(async () => {
  await running?.stop();
  await new Promise<void>((resolve) =>
    receiver === undefined ? resolve() : receiver.close(() => resolve()),
  );
  scratch.remove();
});

describe("the audit webhook", () => {
  it("receives alice's kubectl scale as a ResponseComplete event naming her", async () => {
    const result = await runKubectl(sandbox(), [
      "--token",
      "alice-token",
      "scale",
      "deployment",
      "web",
      "--replicas=5",
      "-n",
      "shop",
    ]);
    expect(result).toEqual({ code: 0, stdout: "deployment.apps/web scaled\n", stderr: "" });
    const scale = await eventually(
      () =>
        events().find(
          (event) =>
            event["verb"] === "patch" &&
            (event["objectRef"] as Record<string, unknown>)["subresource"] === "scale",
        ),
      "event of the scale",
    );
    expect(scale).toMatchObject({
      kind: "Event",
      apiVersion: "audit.k8s.io/v1",
      level: "RequestResponse",
      stage: "ResponseComplete",
      verb: "patch",
      requestURI: expect.stringMatching(
        /^\/apis\/apps\/v1\/namespaces\/shop\/deployments\/web\/scale\b/,
      ) as unknown,
      user: { username: "alice", uid: "1001", groups: ["devs", "oncall", "system:authenticated"] },
      sourceIPs: ["127.0.0.1"],
      userAgent: expect.stringMatching(/^kubectl\/v1\.32\./) as unknown,
      objectRef: {
        resource: "deployments",
        namespace: "shop",
        name: "web",
        apiGroup: "apps",
        apiVersion: "v1",
        subresource: "scale",
      },
      responseStatus: { metadata: {}, code: 200 },
      requestObject: { spec: { replicas: 5 } },
      responseObject: { kind: "Scale", spec: { replicas: 5 } },
    });
    expect(scale["auditID"]).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
    // RequestReceived is omitted by the policy; kubectl's GET of the deployment is audited too.
    expect(events().some((event) => event["stage"] === "RequestReceived")).toBe(false);
    expect(deliveries.every((delivery) => delivery.body.kind === "EventList")).toBe(true);
    expect(deliveries.every((delivery) => delivery.authorization === "Bearer audit-receiver-token")).toBe(
      true,
    );
  });

  it("answers every request with its Audit-Id, the auditID of its events", async () => {
    const answer = await call(sandbox(), "/apis/apps/v1/namespaces/shop/deployments/web");
    if (answer.kind !== "answer") throw new Error(answer.message);
    const id = answer.headers["audit-id"];
    expect(id).toMatch(/^[0-9a-f-]{36}$/);
    await eventually(() => events().find((event) => event["auditID"] === id), "event with the Audit-Id");
    const quiet = await call(sandbox(), "/api/v1/namespaces");
    expect(quiet.kind === "answer" ? quiet.headers["audit-id"] : undefined).toMatch(/^[0-9a-f-]{36}$/);
  });
});

describe("an audit webhook that cannot be reached", () => {
  it("never fails or holds up a request, and its events are dropped in one line on stop", async () => {
    const closed = createServer();
    await new Promise<void>((resolve) => closed.listen(0, "127.0.0.1", resolve));
    const { port } = closed.address() as AddressInfo;
    await new Promise<void>((resolve) => closed.close(() => resolve()));
    const webhookConfig = join(scratch.path, "dead-webhook.kubeconfig");
    writeFileSync(
      webhookConfig,
      `clusters: [{ name: a, cluster: { server: "http://127.0.0.1:${port}/audit" } }]\nusers: [{ name: u, user: { token: dead-secret } }]\n`,
    );
    const policyFile = join(scratch.path, "metadata-policy.yaml");
    writeFileSync(policyFile, "apiVersion: audit.k8s.io/v1\nkind: Policy\nrules: [{ level: Metadata }]\n");
    const lines: string[] = [];
    const spy = vi.spyOn(process.stderr, "write").mockImplementation((chunk: string | Uint8Array) => {
      lines.push(String(chunk));
      return true;
    });
    try {
      const lonely = await startSandbox({
        auditPolicyFile: policyFile,
        auditWebhookConfigFile: webhookConfig,
        auditWebhookBatchMaxSize: 1,
      });
      const answer = await call(lonely, "/api/v1/namespaces");
      expect(answer.kind === "answer" ? answer.status : answer.message).toBe(200);
      await lonely.stop();
    } finally {
      spy.mockRestore();
    }
    const dropped = lines.filter((line) => line.includes("audit webhook: dropped"));
    expect(dropped.length).toBeGreaterThan(0);
    expect(dropped[0]).toMatch(
      new RegExp(
        `^sandbox: audit webhook: dropped 1 events after \\d+ attempts: POST http://127\\.0\\.0\\.1:${port}/audit: connect ECONNREFUSED`,
      ),
    );
    expect(lines.join("")).not.toContain("dead-secret");
  });
});
