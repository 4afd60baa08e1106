import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from "vitest";
import type { KubeObject } from "../../kube/value/json.js";
import { createSandboxCore, type SandboxCore } from "../sandbox.js";
import type { ApiRequest } from "../server/app.js";
import { createWebhookAdmission, type WebhookAdmission } from "./dispatcher.js";
import { deadPort, startWebhookServer, type TestWebhookServer } from "./webhook-server.test-helper.js";

const adminToken = "admin-token";
let directory: string;
let core: SandboxCore;
let admission: WebhookAdmission;
let webhook: TestWebhookServer;
let logged: string[];

beforeAll(async () => {
  webhook = await startWebhookServer();
});

afterAll(() => webhook.close());

function request(method: string, url: string, body?: unknown, token = "alice-token"): ApiRequest {
  return {
    method,
    url,
    headers: {
      authorization: `Bearer ${token}`,
      "content-type": method === "PATCH" ? "application/merge-patch+json" : "application/json",
    },
    ...(body === undefined ? {} : { body: Buffer.from(JSON.stringify(body)) }),
  };
}

function admin(method: string, url: string, body?: unknown): void {
  const response = core.app.handle(request(method, url, body, adminToken));
  if (response.status >= 300)
    throw new Error(`${method} ${url}: ${JSON.stringify(response.kind === "json" ? response.body : "")}`);
}

function register(name: string, hooks: readonly Record<string, unknown>[]): void {
  admin("POST", "/apis/admissionregistration.k8s.io/v1/validatingwebhookconfigurations", {
    apiVersion: "admissionregistration.k8s.io/v1",
    kind: "ValidatingWebhookConfiguration",
    metadata: { name },
    webhooks: hooks.map((hook) => ({
      sideEffects: "None",
      admissionReviewVersions: ["v1"],
      clientConfig: { url: `${webhook.url}/${String(hook["name"])}`, caBundle: webhook.caBundle },
      rules: [{ operations: ["*"], apiGroups: [""], apiVersions: ["v1"], resources: ["configmaps"] }],
      ...hook,
    })),
  });
}

beforeEach(() => {
  directory = mkdtempSync(join(tmpdir(), "kubedrift-webhooks-"));
  const tokenFile = join(directory, "tokens.csv");
  writeFileSync(tokenFile, 'alice-token,alice,1001,"devs"\nbob-token,bob,1002\n');
  core = createSandboxCore({ token: adminToken, rootCA: "CA", tokenAuthFile: tokenFile });
  logged = [];
  admission = createWebhookAdmission({
    context: core.context,
    handle: (incoming) => core.app.handle(incoming),
    log: (line) => logged.push(line),
  });
  webhook.reviews.length = 0;
  webhook.answers.clear();
  admin("POST", "/api/v1/namespaces", { metadata: { name: "shop", labels: { team: "shop" } } });
  admin("POST", "/api/v1/namespaces", { metadata: { name: "lab" } });
  for (const namespace of ["shop", "lab"])
    admin("POST", `/apis/rbac.authorization.k8s.io/v1/namespaces/${namespace}/rolebindings`, {
      metadata: { name: "alice-edit" },
      roleRef: { apiGroup: "rbac.authorization.k8s.io", kind: "ClusterRole", name: "edit" },
      subjects: ["alice", "bob"].map((name) => ({
        apiGroup: "rbac.authorization.k8s.io",
        kind: "User",
        name,
      })),
    });
});

afterEach(() => {
  core.close();
  rmSync(directory, { recursive: true, force: true });
});

const configMap = (name: string, data: Record<string, string> = {}): KubeObject => ({
  apiVersion: "v1",
  kind: "ConfigMap",
  metadata: { name, labels: { app: "web" } },
  data,
});

describe("the validating webhook dispatcher", () => {
  it("sends a CREATE with the would-be object and no old one; the dry run stores nothing", async () => {
    register("record", [{ name: "record" }]);
    const create = request("POST", "/api/v1/namespaces/shop/configmaps", configMap("settings", { a: "1" }));
    expect(await admission.admit(create)).toEqual({ kind: "proceed", warnings: [] });
    expect(webhook.reviews).toHaveLength(1);
    expect(webhook.reviews[0]?.review.request).toMatchObject({
      kind: { group: "", version: "v1", kind: "ConfigMap" },
      resource: { group: "", version: "v1", resource: "configmaps" },
      name: "settings",
      namespace: "shop",
      operation: "CREATE",
      userInfo: { username: "alice", uid: "1001", groups: ["devs", "system:authenticated"] },
      object: { kind: "ConfigMap", metadata: { name: "settings", namespace: "shop" }, data: { a: "1" } },
      oldObject: null,
      dryRun: false,
      options: { kind: "CreateOptions", apiVersion: "meta.k8s.io/v1" },
    });
    expect(
      core.context.store.get({ group: "", resource: "configmaps", namespace: "shop", name: "settings" }),
    ).toBe(undefined);
  });

  it("sends a DELETE with the stored object as oldObject and DeleteOptions", async () => {
    admin("POST", "/api/v1/namespaces/shop/configmaps", configMap("settings"));
    register("record", [{ name: "record" }]);
    await admission.admit(request("DELETE", "/api/v1/namespaces/shop/configmaps/settings"));
    expect(webhook.reviews[0]?.review.request).toMatchObject({
      operation: "DELETE",
      name: "settings",
      object: null,
      oldObject: { metadata: { name: "settings" } },
      options: { kind: "DeleteOptions", apiVersion: "meta.k8s.io/v1" },
    });
  });

  it("names the impersonated user in userInfo (kubectl --as), and says dryRun for a dry run", async () => {
    register("record", [{ name: "record" }]);
    const create = request(
      "POST",
      "/api/v1/namespaces/shop/configmaps?dryRun=All",
      configMap("settings"),
      adminToken,
    );
    await admission.admit({ ...create, headers: { ...create.headers, "impersonate-user": "alice" } });
    expect(webhook.reviews[0]?.review.request).toMatchObject({
      userInfo: { username: "alice", groups: ["system:authenticated"] },
      dryRun: true,
      options: { kind: "CreateOptions", dryRun: ["All"] },
    });
  });

  it("answers a request the dry run refuses without calling any webhook", async () => {
    register("record", [{ name: "record" }]);
    const outcome = await admission.admit(
      request("PATCH", "/api/v1/namespaces/shop/configmaps/absent", { data: { a: "1" } }),
    );
    expect(outcome).toMatchObject({ kind: "refuse", answer: { status: 404 } });
    expect(webhook.reviews).toHaveLength(0);
  });

  it("calls only the webhooks whose namespaceSelector and objectSelector match", async () => {
    register("selective", [
      { name: "team-shop", namespaceSelector: { matchLabels: { team: "shop" } } },
      { name: "not-web", objectSelector: { matchLabels: { app: "api" } } },
    ]);
    await admission.admit(request("POST", "/api/v1/namespaces/lab/configmaps", configMap("settings")));
    expect(webhook.reviews).toHaveLength(0);
    await admission.admit(request("POST", "/api/v1/namespaces/shop/configmaps", configMap("settings")));
    expect(webhook.reviews.map((review) => review.path)).toEqual(["/team-shop"]);
  });

  it("passes a webhook's warnings on, and refuses with the first denial", async () => {
    register("answers", [{ name: "warns" }, { name: "denies" }]);
    webhook.answers.set("/warns", { allowed: true, warnings: ["settings should be in Git"] });
    const create = request("POST", "/api/v1/namespaces/shop/configmaps", configMap("settings"));
    expect(await admission.admit(create)).toEqual({
      kind: "proceed",
      warnings: ["settings should be in Git"],
    });
    webhook.answers.set("/denies", { allowed: false, status: { reason: "Forbidden" } });
    expect(await admission.admit(create)).toEqual({
      kind: "refuse",
      answer: {
        kind: "json",
        status: 400,
        body: {
          kind: "Status",
          apiVersion: "v1",
          metadata: {},
          status: "Failure",
          message: 'admission webhook "denies" denied the request: Forbidden',
          reason: "Forbidden",
          code: 400,
        },
      },
    });
  });

  it("refuses a dry run when a called webhook may have side effects", async () => {
    // v1 validation admits only None and NoneOnDryRun; an older stored configuration may say Some.
    core.context.store.create(
      {
        group: "admissionregistration.k8s.io",
        resource: "validatingwebhookconfigurations",
        namespace: "",
        name: "old",
      },
      {
        apiVersion: "admissionregistration.k8s.io/v1",
        kind: "ValidatingWebhookConfiguration",
        metadata: { name: "old" },
        webhooks: [
          {
            name: "side-effects",
            sideEffects: "Some",
            admissionReviewVersions: ["v1"],
            clientConfig: { url: `${webhook.url}/side-effects`, caBundle: webhook.caBundle },
            rules: [{ operations: ["*"], apiGroups: [""], apiVersions: ["v1"], resources: ["configmaps"] }],
          },
        ],
      },
    );
    const dryRun = request("POST", "/api/v1/namespaces/shop/configmaps?dryRun=All", configMap("settings"));
    expect(await admission.admit(dryRun)).toMatchObject({
      kind: "refuse",
      answer: { status: 400, body: { message: 'admission webhook "side-effects" does not support dry run' } },
    });
    expect(webhook.reviews).toHaveLength(0);
  });

  it("fails open or closed as failurePolicy says when a webhook cannot be reached", async () => {
    const port = await deadPort();
    register("dead", [
      { name: "ignored", failurePolicy: "Ignore", clientConfig: { url: `https://127.0.0.1:${port}/hook` } },
    ]);
    const create = request("POST", "/api/v1/namespaces/shop/configmaps", configMap("settings"));
    expect(await admission.admit(create)).toEqual({ kind: "proceed", warnings: [] });
    expect(logged).toEqual([
      `sandbox: failed calling webhook "ignored", failing open: failed to call webhook: Post "https://127.0.0.1:${port}/hook?timeout=10s": connect ECONNREFUSED 127.0.0.1:${port}`,
    ]);
    register("service", [
      { name: "in-cluster", clientConfig: { service: { namespace: "kubedrift", name: "kubedrift" } } },
    ]);
    expect(await admission.admit(create)).toMatchObject({
      kind: "refuse",
      answer: {
        status: 500,
        body: {
          reason: "InternalError",
          message:
            'Internal error occurred: failed calling webhook "in-cluster": failed to call webhook: service "kubedrift/kubedrift" has no endpoints in the sandbox',
        },
      },
    });
  });

  it("gives up on a webhook after its timeoutSeconds, as kube-apiserver says it", async () => {
    register("slow", [{ name: "slow", timeoutSeconds: 1 }]);
    webhook.answers.set("/slow", { hang: true });
    const outcome = await admission.admit(
      request("POST", "/api/v1/namespaces/shop/configmaps", configMap("settings")),
    );
    expect(outcome).toMatchObject({
      kind: "refuse",
      answer: {
        status: 500,
        body: {
          message: `Internal error occurred: failed calling webhook "slow": failed to call webhook: Post "${webhook.url}/slow?timeout=1s": context deadline exceeded`,
        },
      },
    });
  });

  it("is not called for writes of webhook configurations", async () => {
    register("everything", [
      {
        name: "everything",
        rules: [{ operations: ["*"], apiGroups: ["*"], apiVersions: ["*"], resources: ["*/*"] }],
      },
    ]);
    const outcome = await admission.admit(
      request(
        "DELETE",
        "/apis/admissionregistration.k8s.io/v1/validatingwebhookconfigurations/everything",
        undefined,
        adminToken,
      ),
    );
    expect(outcome).toEqual({ kind: "proceed", warnings: [] });
    expect(webhook.reviews).toHaveLength(0);
  });
});

const configurationsPath = "/apis/admissionregistration.k8s.io/v1/validatingwebhookconfigurations";

function conditional(name: string, expressions: readonly string[], more: Record<string, unknown> = {}) {
  return {
    name,
    matchConditions: expressions.map((expression, position) => ({
      name: `c${String(position)}`,
      expression,
    })),
    ...more,
  };
}

describe("matchConditions", () => {
  const create = (token = "alice-token", object = configMap("settings")) =>
    request("POST", "/api/v1/namespaces/shop/configmaps", object, token);

  it("calls the webhook only when every condition is true (request.userInfo)", async () => {
    register("alice-only", [conditional("alice-only", ['request.userInfo.username == "alice"'])]);
    await admission.admit(create("bob-token"));
    expect(webhook.reviews).toHaveLength(0);
    await admission.admit(create());
    expect(webhook.reviews.map((review) => review.path)).toEqual(["/alice-only"]);
    expect(logged).toEqual([]);
  });

  it("sees the object the write would store, guarded with has() as kube's docs do", async () => {
    register("web-only", [
      conditional("web-only", [
        'has(object.metadata.labels) && "app" in object.metadata.labels && object.metadata.labels.app == "web"',
        'request.namespace == "shop" && request.operation == "CREATE" && oldObject == null',
      ]),
    ]);
    const unlabelled = { ...configMap("plain"), metadata: { name: "plain" } };
    await admission.admit(create("alice-token", unlabelled));
    expect(webhook.reviews).toHaveLength(0);
    await admission.admit(create());
    expect(webhook.reviews).toHaveLength(1);
  });

  it("refuses the write when a condition cannot be evaluated and failurePolicy is Fail", async () => {
    register("team", [conditional("team", ['object.metadata.labels.team == "shop"'])]);
    expect(await admission.admit(create())).toEqual({
      kind: "refuse",
      answer: {
        kind: "json",
        status: 403,
        body: {
          kind: "Status",
          apiVersion: "v1",
          metadata: {},
          status: "Failure",
          message:
            'configmaps "settings" is forbidden: expression \'object.metadata.labels.team == "shop"\' resulted in error: No such key: team',
          reason: "Forbidden",
          details: { name: "settings", kind: "configmaps" },
          code: 403,
        },
      },
    });
    expect(webhook.reviews).toHaveLength(0);
  });

  it("skips the webhook when a condition cannot be evaluated and failurePolicy is Ignore, and a false one wins", async () => {
    register("team", [
      conditional("ignored", ['object.metadata.labels.team == "shop"'], { failurePolicy: "Ignore" }),
      conditional("false-wins", ['object.metadata.labels.team == "shop"', "false"]),
    ]);
    expect(await admission.admit(create())).toEqual({ kind: "proceed", warnings: [] });
    expect(webhook.reviews).toHaveLength(0);
    expect(logged).toEqual([
      'sandbox: failed evaluating the matchConditions of webhook "ignored", skipping it: expression \'object.metadata.labels.team == "shop"\' resulted in error: No such key: team',
    ]);
  });

  it("compiles the conditions again when the configuration changes", async () => {
    register("switch", [conditional("switch", ['request.userInfo.username == "bob"'])]);
    await admission.admit(create());
    expect(webhook.reviews).toHaveLength(0);
    admin("PATCH", `${configurationsPath}/switch`, {
      webhooks: [
        {
          name: "switch",
          sideEffects: "None",
          admissionReviewVersions: ["v1"],
          clientConfig: { url: `${webhook.url}/switch`, caBundle: webhook.caBundle },
          rules: [{ operations: ["*"], apiGroups: [""], apiVersions: ["v1"], resources: ["configmaps"] }],
          matchConditions: [{ name: "alice", expression: 'request.userInfo.username == "alice"' }],
        },
      ],
    });
    await admission.admit(create());
    expect(webhook.reviews).toHaveLength(1);
  });

  it("refuses a configuration whose conditions do not compile, repeat a name or lack one (422)", () => {
    const response = core.app.handle(
      request(
        "POST",
        configurationsPath,
        {
          apiVersion: "admissionregistration.k8s.io/v1",
          kind: "ValidatingWebhookConfiguration",
          metadata: { name: "broken" },
          webhooks: [
            {
              name: "broken",
              sideEffects: "None",
              admissionReviewVersions: ["v1"],
              clientConfig: { url: `${webhook.url}/broken` },
              matchConditions: [
                { name: "ok", expression: "true" },
                { name: "ok", expression: "1 +" },
                { name: "who", expression: 'authorizer.group("").resource("pods").check("get").allowed()' },
                { expression: "object.metadata.name" },
              ],
            },
          ],
        },
        adminToken,
      ),
    );
    expect(response).toMatchObject({ status: 422, body: { reason: "Invalid" } });
    const causes =
      response.kind === "json" ? (response.body as { details: { causes: unknown[] } }).details.causes : [];
    expect(causes).toEqual([
      {
        reason: "FieldValueInvalid",
        message: 'Invalid value: "1 +": compilation failed: ERROR: <input>:1:4: Unexpected token: EOF',
        field: "webhooks[0].matchConditions[1].expression",
      },
      {
        reason: "FieldValueDuplicate",
        message: 'Duplicate value: "ok"',
        field: "webhooks[0].matchConditions[1].name",
      },
      {
        reason: "FieldValueInvalid",
        message:
          'Invalid value: "authorizer.group(\\"\\").resource(\\"pods\\").check(\\"get\\").allowed()": compilation failed: ERROR: <input>:1:1: Unknown variable: authorizer',
        field: "webhooks[0].matchConditions[2].expression",
      },
      {
        reason: "FieldValueInvalid",
        message: 'Invalid value: "object.metadata.name": must evaluate to bool',
        field: "webhooks[0].matchConditions[3].expression",
      },
      {
        reason: "FieldValueRequired",
        message: "Required value",
        field: "webhooks[0].matchConditions[3].name",
      },
    ]);
  });

  it("refuses more than 64 conditions", () => {
    const response = core.app.handle(
      request(
        "POST",
        configurationsPath,
        {
          apiVersion: "admissionregistration.k8s.io/v1",
          kind: "ValidatingWebhookConfiguration",
          metadata: { name: "many" },
          webhooks: [
            {
              ...conditional(
                "many",
                Array.from({ length: 65 }, () => "true"),
              ),
              sideEffects: "None",
              admissionReviewVersions: ["v1"],
              clientConfig: { url: `${webhook.url}/many` },
            },
          ],
        },
        adminToken,
      ),
    );
    expect(response).toMatchObject({
      status: 422,
      body: {
        message:
          'ValidatingWebhookConfiguration.admissionregistration.k8s.io "many" is invalid: webhooks[0].matchConditions: Too many: 65: must have at most 64 items',
      },
    });
  });
});
