import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { stringify } from "yaml";
import { resolveKubeconfig } from "./kubeconfig.js";
import { ClusterError } from "./types.js";

const directory = mkdtempSync(join(tmpdir(), "kubedrift-kubeconfig-"));
afterAll(() => rmSync(directory, { recursive: true, force: true }));

interface ContextSpec {
  readonly name: string;
  readonly server: string;
  readonly namespace?: string;
}

function writeKubeconfig(name: string, contexts: readonly ContextSpec[], currentContext?: string): string {
  const path = join(directory, name);
  writeFileSync(
    path,
    stringify({
      apiVersion: "v1",
      kind: "Config",
      ...(currentContext === undefined ? {} : { "current-context": currentContext }),
      clusters: contexts.map((context) => ({ name: context.name, cluster: { server: context.server } })),
      users: contexts.map((context) => ({ name: context.name, user: { token: `token-${context.name}` } })),
      contexts: contexts.map((context) => ({
        name: context.name,
        context: {
          cluster: context.name,
          user: context.name,
          ...(context.namespace === undefined ? {} : { namespace: context.namespace }),
        },
      })),
    }),
  );
  return path;
}

const multiContext = writeKubeconfig(
  "multi",
  [
    { name: "staging", server: "https://staging.example:6443", namespace: "shop" },
    { name: "production", server: "https://production.example:6443/" },
  ],
  "staging",
);

function errorOf(action: () => unknown): ClusterError {
  try {
    action();
  } catch (error: unknown) {
    if (error instanceof ClusterError) return error;
    throw error;
  }
  throw new Error("expected a ClusterError");
}

describe("resolveKubeconfig", () => {
  it("uses the current context and its namespace", () => {
    const resolved = resolveKubeconfig({ kubeconfig: multiContext, env: {} });
    expect({ ...resolved, config: undefined }).toEqual({
      config: undefined,
      contextName: "staging",
      namespace: "shop",
      server: "https://staging.example:6443",
      origin: multiContext,
    });
    expect(resolved.config.getCurrentUser()?.token).toBe("token-staging");
  });

  it("selects --context, falls back to namespace default, and lets --namespace win", () => {
    const production = resolveKubeconfig({ kubeconfig: multiContext, context: "production", env: {} });
    expect([production.contextName, production.namespace, production.server]).toEqual([
      "production",
      "default",
      "https://production.example:6443",
    ]);
    expect(production.config.getCurrentUser()?.token).toBe("token-production");
    const overridden = resolveKubeconfig({ kubeconfig: multiContext, namespace: "payments", env: {} });
    expect([overridden.contextName, overridden.namespace]).toEqual(["staging", "payments"]);
  });

  it("names an unknown context and the file it looked in", () => {
    expect(
      errorOf(() => resolveKubeconfig({ kubeconfig: multiContext, context: "qa", env: {} })).message,
    ).toBe(`context "qa" not found in ${multiContext}`);
  });

  it("says when --kubeconfig does not exist", () => {
    const missing = join(directory, "nope");
    expect(errorOf(() => resolveKubeconfig({ kubeconfig: missing, env: {} })).message).toBe(
      `no kubeconfig: ${missing} does not exist (set --kubeconfig or KUBECONFIG)`,
    );
  });

  it("says when a kubeconfig has no current-context and none was asked for", () => {
    const noCurrent = writeKubeconfig("no-current", [{ name: "a", server: "https://a.example" }]);
    expect(errorOf(() => resolveKubeconfig({ kubeconfig: noCurrent, env: {} })).message).toBe(
      `no context: ${noCurrent} has no current-context (set --context)`,
    );
  });

  it("reports a malformed kubeconfig in one line", () => {
    const broken = join(directory, "broken");
    writeFileSync(broken, "clusters: [\n  - name: x\n");
    const message = errorOf(() => resolveKubeconfig({ kubeconfig: broken, env: {} })).message;
    expect(message.startsWith(`invalid kubeconfig ${broken}: `)).toBe(true);
    expect(message.includes("\n")).toBe(false);
  });

  it("merges a KUBECONFIG list: the first file to set a name or current-context wins; missing files are skipped", () => {
    const first = writeKubeconfig("first", [{ name: "shared", server: "https://first.example" }]);
    const second = writeKubeconfig(
      "second",
      [
        { name: "shared", server: "https://second.example" },
        { name: "only-second", server: "https://only-second.example", namespace: "ops" },
      ],
      "only-second",
    );
    const env = { KUBECONFIG: [join(directory, "absent"), first, "", second].join(":") };
    const resolved = resolveKubeconfig({ env });
    expect([resolved.contextName, resolved.namespace, resolved.server, resolved.origin]).toEqual([
      "only-second",
      "ops",
      "https://only-second.example",
      `KUBECONFIG=${first}:${second}`,
    ]);
    const shared = resolveKubeconfig({ env, context: "shared" });
    expect(shared.server).toBe("https://first.example");
  });

  it("prefers --kubeconfig to KUBECONFIG, and KUBECONFIG to ~/.kube/config", () => {
    const home = join(directory, "home");
    mkdirSync(join(home, ".kube"), { recursive: true });
    writeFileSync(
      join(home, ".kube", "config"),
      stringify({
        "current-context": "home",
        clusters: [{ name: "home", cluster: { server: "https://home.example" } }],
        users: [{ name: "home", user: { token: "t" } }],
        contexts: [{ name: "home", context: { cluster: "home", user: "home" } }],
      }),
    );
    expect(resolveKubeconfig({ env: { HOME: home } }).contextName).toBe("home");
    expect(resolveKubeconfig({ env: { HOME: home, KUBECONFIG: multiContext } }).contextName).toBe("staging");
    expect(
      resolveKubeconfig({ kubeconfig: multiContext, context: "production", env: { HOME: home } }).contextName,
    ).toBe("production");
  });

  it("says which file is missing when KUBECONFIG names only missing files", () => {
    const missing = join(directory, "gone");
    expect(errorOf(() => resolveKubeconfig({ env: { KUBECONFIG: missing } })).message).toBe(
      `no kubeconfig: ${missing} does not exist (set --kubeconfig or KUBECONFIG)`,
    );
  });

  it("falls back to in-cluster configuration from the service account mount", () => {
    const emptyHome = join(directory, "empty-home");
    const serviceAccountDir = join(directory, "serviceaccount");
    mkdirSync(emptyHome, { recursive: true });
    mkdirSync(serviceAccountDir, { recursive: true });
    writeFileSync(join(serviceAccountDir, "token"), "sa-token");
    writeFileSync(join(serviceAccountDir, "namespace"), "kubedrift-system");
    writeFileSync(join(serviceAccountDir, "ca.crt"), "");
    const env = { HOME: emptyHome, KUBERNETES_SERVICE_HOST: "10.0.0.1", KUBERNETES_SERVICE_PORT: "443" };
    const resolved = resolveKubeconfig({ env, serviceAccountDir });
    expect([resolved.contextName, resolved.namespace, resolved.server, resolved.origin]).toEqual([
      "in-cluster",
      "kubedrift-system",
      "https://10.0.0.1:443",
      "in-cluster",
    ]);
    expect(errorOf(() => resolveKubeconfig({ env: { HOME: emptyHome }, serviceAccountDir })).message).toBe(
      `no kubeconfig: ${join(emptyHome, ".kube", "config")} does not exist (set --kubeconfig or KUBECONFIG)`,
    );
  });
});
