/**
 * `kubedrift sandbox --audit-policy-file … --audit-webhook-config-file …
 * --audit-webhook-batch-max-wait … --audit-webhook-batch-max-size …`: the flags of kube-apiserver,
 * a malformed file refused in one line, and events sent to an HTTP receiver on SIGTERM at the latest.
 */
import { spawn, type ChildProcessWithoutNullStreams } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { createServer } from "node:http";
import type { AddressInfo } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { afterAll, describe, expect, it } from "vitest";
import { parse } from "yaml";
import { call } from "../../src/sandbox/https-client.test-helper.js";

const root = fileURLToPath(new URL("../..", import.meta.url));
const directory = mkdtempSync(join(tmpdir(), "kubedrift-sandbox-audit-"));

afterAll(() => rmSync(directory, { recursive: true, force: true }));

function runCli(args: readonly string[]): ChildProcessWithoutNullStreams {
  return spawn(process.execPath, ["--import", "tsx", "src/cli/main.ts", "sandbox", ...args], {
    cwd: root,
    env: { ...process.env, NO_COLOR: "1" },
  });
}

function outputOf(child: ChildProcessWithoutNullStreams): {
  readonly stdout: () => string;
  readonly stderr: () => string;
  readonly closed: Promise<number | null>;
} {
  let stdout = "";
  let stderr = "";
  child.stdout.on("data", (chunk: Buffer) => (stdout += chunk.toString()));
  child.stderr.on("data", (chunk: Buffer) => (stderr += chunk.toString()));
  return {
    stdout: () => stdout,
    stderr: () => stderr,
    closed: new Promise((resolve) => child.once("close", (code) => resolve(code))),
  };
}

const policyFile = join(directory, "policy.yaml");
writeFileSync(policyFile, "apiVersion: audit.k8s.io/v1\nkind: Policy\nrules:\n  - level: Metadata\n");

describe("kubedrift sandbox's audit flags", () => {
  it("refuse a malformed policy file in one line naming it (exit 1)", async () => {
    const bad = join(directory, "bad-policy.yaml");
    writeFileSync(bad, "apiVersion: audit.k8s.io/v1\nkind: Policy\nrules:\n  - level: Loud\n");
    const output = outputOf(runCli(["--audit-policy-file", bad]));
    expect(await output.closed).toBe(1);
    expect(output.stdout()).toBe("");
    expect(output.stderr()).toBe(
      `error: sandbox: cannot start: audit policy ${bad}: rules[0].level: must be one of None, Metadata, Request, RequestResponse, got "Loud"\n`,
    );
  });

  it("send the events of the requests made, at the latest when stopped", async () => {
    const bodies: string[] = [];
    const receiver = createServer((request, response) => {
      let body = "";
      request.on("data", (chunk: Buffer) => (body += chunk.toString()));
      request.on("end", () => {
        bodies.push(body);
        response.end("{}");
      });
    });
    await new Promise<void>((resolve) => receiver.listen(0, "127.0.0.1", resolve));
    const { port } = receiver.address() as AddressInfo;
    const webhookConfig = join(directory, "webhook.kubeconfig");
    writeFileSync(
      webhookConfig,
      `clusters: [{ name: a, cluster: { server: "http://127.0.0.1:${port}/" } }]\nusers: [{ name: u, user: { token: t } }]\n`,
    );
    const child = runCli([
      "--audit-policy-file",
      policyFile,
      "--audit-webhook-config-file",
      webhookConfig,
      "--audit-webhook-batch-max-wait",
      "1h",
      "--audit-webhook-batch-max-size",
      "1000",
    ]);
    const output = outputOf(child);
    const ready = await new Promise<{ server: string; kubeconfig: string }>((resolve, reject) => {
      child.stdout.on("data", () => {
        const line = output.stdout().split("\n")[0] ?? "";
        if (output.stdout().includes("\n"))
          resolve(JSON.parse(line) as { server: string; kubeconfig: string });
      });
      child.once("exit", (code) => reject(new Error(`exited with ${String(code)}: ${output.stderr()}`)));
    });
    const kubeconfig = parse(readFileSync(ready.kubeconfig, "utf8")) as {
      clusters: { cluster: Record<string, string> }[];
      users: { user: { token: string } }[];
    };
    const answer = await call(
      {
        url: ready.server,
        token: kubeconfig.users[0]?.user.token ?? "",
        certificateAuthority: Buffer.from(
          kubeconfig.clusters[0]?.cluster["certificate-authority-data"] ?? "",
          "base64",
        ).toString(),
      },
      "/api/v1/namespaces",
    );
    expect(answer.kind === "answer" ? answer.status : answer.message).toBe(200);
    // Neither full nor an hour old: the batch waits, and SIGTERM flushes it.
    expect(bodies).toEqual([]);
    child.kill("SIGTERM");
    expect(await output.closed).toBe(0);
    await new Promise<void>((resolve) => receiver.close(() => resolve()));
    expect(bodies).toHaveLength(1);
    const list = JSON.parse(bodies[0] ?? "") as {
      kind: string;
      items: { stage: string; requestURI: string }[];
    };
    expect(list.kind).toBe("EventList");
    expect(list.items.map((event) => [event.stage, event.requestURI])).toEqual([
      ["RequestReceived", "/api/v1/namespaces"],
      ["ResponseComplete", "/api/v1/namespaces"],
    ]);
  });
});
