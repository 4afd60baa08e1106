import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { KubeConfig } from "@kubernetes/client-node";
import { describe, expect, it } from "vitest";
import type { ExecConfig } from "./exec-credential.js";
import { execConfigOf, runCredentialPlugin, withCredential } from "./exec-credential.js";

function plugin(script: string, more: Partial<ExecConfig> = {}): ExecConfig {
  return {
    command: "sh",
    args: ["-c", script],
    env: {},
    apiVersion: "client.authentication.k8s.io/v1",
    installHint: "",
    ...more,
  };
}

const run = { timeoutMs: 5_000, env: { PATH: process.env["PATH"] ?? "/usr/bin:/bin" } };

function failureOf(promise: Promise<unknown>): Promise<string> {
  return promise.then(
    () => "resolved",
    (error: unknown) => (error instanceof Error ? error.message : String(error)),
  );
}

/** Running, not merely a zombie: a killed orphan stays a zombie until whatever reaps orphans gets to it. */
function alive(pid: number): boolean {
  try {
    return !/^State:\s+Z/m.test(readFileSync(`/proc/${pid}/status`, "utf8"));
  } catch {
    return false;
  }
}

const credential = (status: object): string =>
  JSON.stringify({ apiVersion: "client.authentication.k8s.io/v1", kind: "ExecCredential", status });

describe("credential plugins", () => {
  it("reads a token, with the plugin's env entries and KUBERNETES_EXEC_INFO set as client-go sets them", async () => {
    const exec = plugin(
      `test "$GREETING" = hi || exit 9; echo "$KUBERNETES_EXEC_INFO" | grep -q '"interactive":false' || exit 8; printf '%s' '${credential({ token: "t0ken" })}'`,
      { env: { GREETING: "hi" } },
    );
    expect(await runCredentialPlugin(exec, run)).toEqual({ kind: "token", token: "t0ken" });
  });

  it("reads a client certificate and key", async () => {
    const exec = plugin(
      `printf '%s' '${credential({ clientCertificateData: "CERT", clientKeyData: "KEY" })}'`,
    );
    expect(await runCredentialPlugin(exec, run)).toEqual({
      kind: "certificate",
      certificate: "CERT",
      key: "KEY",
    });
  });

  it("gives up on a plugin that does not answer, and kills it with its children", async () => {
    const directory = mkdtempSync(join(tmpdir(), "kubedrift-exec-"));
    const pidFile = join(directory, "pid");
    const message = await failureOf(
      runCredentialPlugin(plugin(`sleep 30 & echo $! > ${pidFile}; wait`), { ...run, timeoutMs: 500 }),
    );
    expect(message).toBe('credential plugin "sh" did not answer within 0.5s');
    const sleeper = Number(readFileSync(pidFile, "utf8"));
    await expect.poll(() => alive(sleeper), { timeout: 10_000 }).toBe(false);
    rmSync(directory, { recursive: true });
  });

  it("says how a plugin failed with the first line it wrote on stderr, never what it wrote on stdout", async () => {
    const message = await failureOf(
      runCredentialPlugin(
        plugin("echo secret-token; echo; echo 'please log in' >&2; echo more >&2; exit 4"),
        run,
      ),
    );
    expect(message).toBe('credential plugin "sh" failed with exit status 4: please log in');
    expect(await failureOf(runCredentialPlugin(plugin("echo s3cret"), run))).toBe(
      'credential plugin "sh" did not print an ExecCredential (its output is not JSON)',
    );
    expect(await failureOf(runCredentialPlugin(plugin(`printf '%s' '${credential({})}'`), run))).toMatch(
      /neither a token nor a client certificate/,
    );
  });

  it("refuses an answer in another apiVersion, as client-go does", async () => {
    const exec = plugin(`printf '%s' '${credential({ token: "t" })}'`, {
      apiVersion: "client.authentication.k8s.io/v1beta1",
    });
    expect(await failureOf(runCredentialPlugin(exec, run))).toBe(
      'credential plugin "sh" answered with apiVersion client.authentication.k8s.io/v1, but the kubeconfig asks for client.authentication.k8s.io/v1beta1',
    );
  });

  it("names a plugin that is not installed, with its install hint", async () => {
    const exec = plugin("", {
      command: "kubedrift-no-such-plugin",
      args: [],
      installHint: "Install it with\nbrew",
    });
    expect(await failureOf(runCredentialPlugin(exec, run))).toBe(
      'credential plugin "kubedrift-no-such-plugin" was not found (Install it with)',
    );
  });

  it("replaces the user's plugin with its answer, keeping the rest of the kubeconfig", () => {
    const config = new KubeConfig();
    config.loadFromOptions({
      clusters: [{ name: "c", server: "https://example.test:6443", skipTLSVerify: false }],
      users: [
        {
          name: "u",
          exec: { command: "get-token", args: ["--x"], apiVersion: "v1" },
          impersonateUser: "bob",
        },
        { name: "other", token: "other" },
      ],
      contexts: [{ name: "ctx", cluster: "c", user: "u" }],
      currentContext: "ctx",
    });
    expect(execConfigOf(config.getCurrentUser())).toEqual({
      command: "get-token",
      args: ["--x"],
      env: {},
      apiVersion: "v1",
      installHint: "",
    });
    const resolved = withCredential(config, { kind: "token", token: "t" });
    expect(resolved.getCurrentUser()).toEqual({ name: "u", token: "t", impersonateUser: "bob" });
    expect(resolved.getCurrentCluster()?.server).toBe("https://example.test:6443");
    expect(execConfigOf(resolved.getCurrentUser())).toBeUndefined();
    expect(resolved.users.map((user) => user.name)).toEqual(["u", "other"]);
  });
});
