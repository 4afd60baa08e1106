/**
 * Validating admission webhooks as kube-apiserver calls them, driven with the real kubectl:
 * ValidatingWebhookConfigurations applied with kubectl, an HTTPS webhook of the test's trusted
 * through `caBundle`, and writes by alice (a token-file user bound to edit in shop).
 */
import { writeFileSync } from "node:fs";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startSandbox, type RunningSandbox } from "../../src/sandbox/index.js";
import {
  deadPort,
  startWebhookServer,
  type TestWebhookServer,
} from "../../src/sandbox/admission-webhooks/webhook-server.test-helper.js";
import { kubectlJson, kubectlOk, runKubectl, scratchDirectory } from "../support/kubectl.js";

const scratch = scratchDirectory();
let running: RunningSandbox | undefined;
let webhook: TestWebhookServer | undefined;
let dead = 0;

function sandbox(): RunningSandbox {
  if (running === undefined) throw new Error("the sandbox is not running");
  return running;
}

function server(): TestWebhookServer {
  if (webhook === undefined) throw new Error("the webhook is not running");
  return webhook;
}

const asAlice = (...args: readonly string[]): readonly string[] => ["--token", "alice-token", ...args];

function configuration(name: string, webhooks: readonly Record<string, unknown>[]): Record<string, unknown> {
  return {
    apiVersion: "admissionregistration.k8s.io/v1",
    kind: "ValidatingWebhookConfiguration",
    metadata: { name },
    webhooks: webhooks.map((hook) => ({ sideEffects: "None", admissionReviewVersions: ["v1"], ...hook })),
  };
}

function rules(operations: readonly string[], group: string, resources: readonly string[]) {
  return [{ operations, apiGroups: [group], apiVersions: ["v1"], resources }];
}

async function apply(object: Record<string, unknown>): Promise<void> {
  const file = join(scratch.path, `${String((object["metadata"] as { name: string }).name)}.json`);
  writeFileSync(file, JSON.stringify(object));
  await kubectlOk(sandbox(), ["apply", "-f", file]);
}

beforeAll(async () => {
  webhook = await startWebhookServer();
  dead = await deadPort();
  const tokenFile = join(scratch.path, "tokens.csv");
  writeFileSync(tokenFile, 'alice-token,alice,1001,"devs"\n');
  running = await startSandbox({
    kubeconfigPath: join(scratch.path, "kubeconfig"),
    tokenAuthFile: tokenFile,
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
  const caBundle = server().caBundle;
  await apply(
    configuration("record", [
      {
        name: "record.kubedrift.dev",
        clientConfig: { url: `${server().url}/record`, caBundle },
        rules: rules(["UPDATE", "DELETE"], "apps", ["deployments", "deployments/scale"]),
      },
    ]),
  );
  await apply(
    configuration("guards", [
      {
        name: "deny.kubedrift.dev",
        clientConfig: { url: `${server().url}/deny`, caBundle },
        rules: rules(["CREATE"], "", ["configmaps"]),
      },
      {
        name: "warn.kubedrift.dev",
        clientConfig: { url: `${server().url}/warn`, caBundle },
        rules: rules(["CREATE"], "", ["services"]),
      },
      {
        name: "dead-ignore.kubedrift.dev",
        clientConfig: { url: `https://127.0.0.1:${dead}/`, caBundle },
        rules: rules(["CREATE"], "", ["secrets"]),
        failurePolicy: "Ignore",
        timeoutSeconds: 2,
      },
      {
        name: "dead-fail.kubedrift.dev",
        clientConfig: { url: `https://127.0.0.1:${dead}/`, caBundle },
        rules: rules(["CREATE"], "", ["serviceaccounts"]),
        timeoutSeconds: 2,
      },
    ]),
  );
  server().answers.set("/warn", { allowed: true, warnings: ["services belong in Git"] });
  server().answers.set("/deny", {
    allowed: false,
    status: { code: 403, message: "configmaps are managed in Git" },
  });
});

afterAll(async () => {
  await running?.stop();
  await webhook?.close();
  scratch.remove();
});

describe("validating admission webhooks", () => {
  it("serve ValidatingWebhookConfigurations with kube-apiserver's defaults", async () => {
    const stored = await kubectlJson(sandbox(), ["get", "validatingwebhookconfiguration", "record"]);
    expect((stored["webhooks"] as readonly Record<string, unknown>[])[0]).toMatchObject({
      failurePolicy: "Fail",
      matchPolicy: "Equivalent",
      namespaceSelector: {},
      objectSelector: {},
      timeoutSeconds: 10,
      rules: [{ scope: "*" }],
    });
  });

  it("send alice's kubectl scale as one UPDATE review of the scale subresource", async () => {
    const before = server().reviews.length;
    const result = await runKubectl(
      sandbox(),
      asAlice("scale", "deployment", "web", "--replicas=5", "-n", "shop"),
    );
    expect(result).toEqual({ code: 0, stdout: "deployment.apps/web scaled\n", stderr: "" });
    const reviews = server().reviews.slice(before);
    expect(reviews).toHaveLength(1);
    const [{ path, review }] = reviews as [(typeof reviews)[number]];
    expect(path).toBe("/record");
    expect(review).toMatchObject({
      apiVersion: "admission.k8s.io/v1",
      kind: "AdmissionReview",
      request: {
        kind: { group: "autoscaling", version: "v1", kind: "Scale" },
        resource: { group: "apps", version: "v1", resource: "deployments" },
        subResource: "scale",
        requestKind: { group: "autoscaling", version: "v1", kind: "Scale" },
        requestResource: { group: "apps", version: "v1", resource: "deployments" },
        requestSubResource: "scale",
        name: "web",
        namespace: "shop",
        operation: "UPDATE",
        userInfo: { username: "alice", uid: "1001", groups: ["devs", "system:authenticated"] },
        object: { kind: "Scale", spec: { replicas: 5 } },
        oldObject: { kind: "Scale", spec: { replicas: 1 } },
        dryRun: false,
        options: { kind: "UpdateOptions", apiVersion: "meta.k8s.io/v1" },
      },
    });
    expect(review.request.uid).toMatch(/^[0-9a-f-]{36}$/);
    const web = await kubectlJson(sandbox(), ["get", "deployment", "web", "-n", "shop"]);
    expect(web["spec"]).toMatchObject({ replicas: 5 });
  });

  it("refuse a write a webhook denies, with kube-apiserver's message and the webhook's code", async () => {
    const result = await runKubectl(sandbox(), asAlice("create", "configmap", "settings", "-n", "shop"));
    expect(result).toEqual({
      code: 1,
      stdout: "",
      stderr:
        'error: failed to create configmap: admission webhook "deny.kubedrift.dev" denied the request: configmaps are managed in Git\n',
    });
    const read = await runKubectl(sandbox(), ["get", "configmap", "settings", "-n", "shop"]);
    expect(read.code).toBe(1);
  });

  it("pass an allowing webhook's warnings on to kubectl", async () => {
    const result = await runKubectl(
      sandbox(),
      asAlice("create", "service", "clusterip", "web", "--tcp=80:8080", "-n", "shop"),
    );
    expect(result).toEqual({
      code: 0,
      stdout: "service/web created\n",
      stderr: "Warning: services belong in Git\n",
    });
  });

  it("let a write through when a webhook that cannot be called fails open (failurePolicy Ignore)", async () => {
    await kubectlOk(
      sandbox(),
      asAlice("create", "secret", "generic", "db", "--from-literal=password=x", "-n", "shop"),
    );
  });

  it("refuse a write when a webhook that cannot be called fails closed (failurePolicy Fail)", async () => {
    const result = await runKubectl(sandbox(), ["create", "serviceaccount", "robot", "-n", "shop"]);
    expect(result.code).toBe(1);
    expect(result.stderr).toBe(
      `error: failed to create serviceaccount: Internal error occurred: failed calling webhook "dead-fail.kubedrift.dev": failed to call webhook: Post "https://127.0.0.1:${dead}/?timeout=2s": connect ECONNREFUSED 127.0.0.1:${dead}\n`,
    );
  });
});
