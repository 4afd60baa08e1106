/**
 * The README's Install section, run as written: the package as `npm pack` makes it, installed with
 * `npm i -g kubedrift` into a fresh prefix (from a registry on 127.0.0.1 that serves this machine's
 * npm cache: no network), run as `kubedrift` and as `kubectl drift` against the sandbox; on a
 * machine whose only Node is too old it says in one line what to do, and after `npm i -g node@24`
 * beside it, it works. From a checkout, `npx kubedrift` (after `npm ci` and `npm run build`, which
 * CI's .ci/run and `npm test` do before this file runs).
 */
import { execFileSync, spawn } from "node:child_process";
import { chmodSync, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { kubectlBinary, kubectlOk } from "../support/kubectl.js";
import { useSandbox } from "../support/sandbox.js";
import type { OfflineRegistry } from "./offline-registry.js";
import { startOfflineRegistry } from "./offline-registry.js";

const root = fileURLToPath(new URL("../..", import.meta.url));
const { version } = JSON.parse(readFileSync(join(root, "package.json"), "utf8")) as { version: string };
/** The directory of the Node that runs the tests (the project's Node 24). */
const goodNodeDirectory = dirname(process.execPath);
const systemPath = "/usr/local/bin:/usr/bin:/bin";
const shop = join(root, "examples/shop");
/** The machine's `node` when it is older than 22.19 (Node 20 on these machines): the case. */
const systemNodeIsTooOld = ((): boolean => {
  try {
    const found = execFileSync("node", ["--version"], { env: { PATH: systemPath }, encoding: "utf8" });
    const [major = 0, minor = 0] = found.trim().slice(1).split(".").map(Number);
    return major < 22 || (major === 22 && minor < 19);
  } catch {
    return false;
  }
})();
/** `diff`'s text when the shop is as deployed (exit status 0). */
const shopInSync = /^No drift in \S+: \d+ resources in sync$/m;

interface Run {
  readonly code: number;
  readonly stdout: string;
  readonly stderr: string;
}

function run(
  command: string,
  args: readonly string[],
  options: { readonly cwd: string; readonly env: Readonly<Record<string, string>> },
): Promise<Run> {
  return new Promise((resolve, reject) => {
    const child = spawn(command, [...args], { cwd: options.cwd, env: options.env, stdio: "pipe" });
    let stdout = "";
    let stderr = "";
    child.stdout.setEncoding("utf8").on("data", (chunk: string) => (stdout += chunk));
    child.stderr.setEncoding("utf8").on("data", (chunk: string) => (stderr += chunk));
    child.on("error", reject);
    child.on("close", (code) => resolve({ code: code ?? -1, stdout, stderr }));
    child.stdin.end();
  });
}

async function ok(
  command: string,
  args: readonly string[],
  options: { readonly cwd: string; readonly env: Readonly<Record<string, string>> },
): Promise<Run> {
  const result = await run(command, args, options);
  if (result.code !== 0) {
    throw new Error(
      `${command} ${args.join(" ")} exited ${result.code}\nstdout: ${result.stdout}\nstderr: ${result.stderr}`,
    );
  }
  return result;
}

const tooOld =
  /^error: kubedrift needs Node\.js 22\.19 or newer, and \S+ is v22\.18\.0: put a newer node first on PATH, or install one beside kubedrift with `npm i -g node@24`\n$/;

describe("the packed package, installed globally", () => {
  const fixture = useSandbox();
  const scratch = mkdtempSync(join(tmpdir(), "kubedrift-install-"));
  const prefix = join(scratch, "prefix");
  const home = join(scratch, "home");
  let registry: OfflineRegistry | undefined;

  /**
   * npm as a user runs it, with this test's registry, cache and prefix and nothing of the caller's
   * npm: the machine's own npm and Node first (Node 20 on these machines, as for the user of the
   * README), else the test's.
   */
  const npmEnvironment = (): Record<string, string> => ({
    PATH: `${systemPath}:${goodNodeDirectory}:${process.env["PATH"] ?? ""}`,
    HOME: home,
    npm_config_registry: registry?.url ?? "",
    npm_config_cache: join(scratch, "npm-cache"),
    npm_config_userconfig: join(home, ".npmrc"),
    npm_config_prefix: prefix,
    npm_config_audit: "false",
    npm_config_fund: "false",
    npm_config_update_notifier: "false",
  });
  const kubedriftEnvironment = (path: string): Record<string, string> => ({
    PATH: path,
    HOME: home,
    TZ: "UTC",
    KUBECACHEDIR: join(home, "kube-cache"),
    KUBEDRIFT_REDACTION_KEY: "kubedrift-tests-0123456789abcdef0123456789",
  });
  /** A `node` that runs the project's Node but says it is 22.18.0, the last that lacks what undici needs. */
  const oldNodeDirectory = join(scratch, "old-node");

  beforeAll(async () => {
    if (!existsSync(join(root, "dist/cli/main.js"))) {
      throw new Error("dist/cli/main.js is missing: run `npm run build` (npm test does it first)");
    }
    mkdirSync(home, { recursive: true });
    writeFileSync(join(home, ".npmrc"), "");
    mkdirSync(oldNodeDirectory);
    const pretend = join(oldNodeDirectory, "pretend-22.18.cjs");
    writeFileSync(
      pretend,
      'Object.defineProperty(process, "version", { value: "v22.18.0" });\n' +
        'Object.defineProperty(process, "versions", { value: { ...process.versions, node: "22.18.0" } });\n',
    );
    writeFileSync(
      join(oldNodeDirectory, "node"),
      `#!/bin/sh\nexec '${process.execPath}' --require '${pretend}' "$@"\n`,
    );
    chmodSync(join(oldNodeDirectory, "node"), 0o755);

    const npmCache = (
      await ok("npm", ["config", "get", "cache"], { cwd: root, env: process.env as Record<string, string> })
    ).stdout.trim();
    const packed = await ok("npm", ["pack", "--json", "--pack-destination", scratch], {
      cwd: root,
      env: { PATH: npmEnvironment().PATH, HOME: home, npm_config_userconfig: join(home, ".npmrc") },
    });
    const [{ filename }] = JSON.parse(packed.stdout) as [{ filename: string }];
    const packageJson = JSON.parse(readFileSync(join(root, "package.json"), "utf8")) as Record<
      string,
      unknown
    >;
    registry = await startOfflineRegistry({
      npmCache,
      lockFile: join(root, "package-lock.json"),
      local: new Map([
        [
          "kubedrift",
          {
            manifest: {
              name: "kubedrift",
              version,
              dependencies: packageJson["dependencies"],
              bin: packageJson["bin"],
              engines: packageJson["engines"],
              dist: {},
            },
            tarball: join(scratch, filename),
          },
        ],
      ]),
    });
    // The README's command.
    const installed = await ok("npm", ["i", "-g", "kubedrift"], { cwd: home, env: npmEnvironment() });
    // As the README says: on an older Node, npm installs anyway, with a warning.
    if (systemNodeIsTooOld) expect(installed.stderr).toContain("EBADENGINE");

    // What the README's examples diff: the shop, deployed as the demo does.
    await kubectlOk(fixture.sandbox(), ["apply", "--server-side", "-f", shop]);
  }, 120_000);

  afterAll(async () => {
    await registry?.stop();
    rmSync(scratch, { recursive: true, force: true });
  });

  it("puts kubedrift and kubectl-drift in the prefix's bin, with the LICENSE", () => {
    for (const command of ["kubedrift", "kubectl-drift"])
      expect(existsSync(join(prefix, "bin", command))).toBe(true);
    const installed = join(prefix, "lib/node_modules/kubedrift");
    expect(readFileSync(join(installed, "LICENSE"), "utf8")).toContain(
      "Apache License\n                           Version 2.0, January 2004",
    );
    expect(JSON.parse(readFileSync(join(installed, "package.json"), "utf8")).engines).toEqual({
      node: ">=22.19",
    });
  });

  it("ships the dashboard's built page, script and stylesheet (no build at run time, ADR 0022)", () => {
    const ui = join(prefix, "lib/node_modules/kubedrift/dist/server/ui");
    expect(readFileSync(join(ui, "index.html"), "utf8")).toContain('src="/ui/dashboard.js"');
    for (const file of ["dashboard.js", "dashboard.css"]) expect(existsSync(join(ui, file)), file).toBe(true);
  });

  it("with a Node >= 22.19 on PATH: kubedrift --version and diff against the sandbox", async () => {
    const env = kubedriftEnvironment(`${join(prefix, "bin")}:${goodNodeDirectory}:${systemPath}`);
    const versionRun = await run(join(prefix, "bin/kubedrift"), ["--version"], { cwd: home, env });
    expect(versionRun).toEqual({ code: 0, stdout: `${version}\n`, stderr: "" });

    const args = ["diff", "-f", shop, "--kubeconfig", fixture.sandbox().kubeconfigPath];
    const diff = await run(join(prefix, "bin/kubedrift"), args, { cwd: home, env });
    expect(diff.stderr).toBe("");
    expect(diff.stdout).toMatch(shopInSync);
    expect(diff.code).toBe(0);
  });

  it("as a kubectl plugin: kubectl drift --version and kubectl drift diff", async () => {
    const env = {
      ...kubedriftEnvironment(`${join(prefix, "bin")}:${goodNodeDirectory}:${systemPath}`),
      KUBECONFIG: fixture.sandbox().kubeconfigPath,
    };
    const versionRun = await run(kubectlBinary, ["drift", "--version"], { cwd: home, env });
    expect(versionRun).toEqual({ code: 0, stdout: `${version}\n`, stderr: "" });

    // The current context of $KUBECONFIG, as kubectl's own commands use it.
    const args = ["drift", "diff", "-f", shop];
    const diff = await run(kubectlBinary, args, { cwd: home, env });
    expect(diff.stderr).toBe("");
    expect(diff.stdout).toMatch(shopInSync);
    expect(diff.code).toBe(0);
  });

  it("when the only Node is older than 22.19: one line that says how to get one, exit 1", async () => {
    const env = kubedriftEnvironment(`${oldNodeDirectory}:${systemPath}`);
    for (const command of ["kubedrift", "kubectl-drift"]) {
      const result = await run(join(prefix, "bin", command), ["--version"], { cwd: home, env });
      expect(result.stdout).toBe("");
      expect(result.stderr).toMatch(tooOld);
      expect(result.code).toBe(1);
    }
  });

  it.runIf(systemNodeIsTooOld)("on this machine's own Node (too old), the same line", async () => {
    const env = kubedriftEnvironment(systemPath);
    const result = await run(join(prefix, "bin/kubedrift"), ["diff", "--help"], { cwd: home, env });
    expect(result.stdout).toBe("");
    expect(result.stderr).toMatch(
      /^error: kubedrift needs Node\.js 22\.19 or newer, and \S+ is v\d+\.\d+\.\d+: put a newer node first on PATH, or install one beside kubedrift with `npm i -g node@24`\n$/,
    );
    expect(result.code).toBe(1);
  });

  it("after `npm i -g node@24` beside it, kubedrift runs on that Node whatever PATH's node is", async () => {
    await ok("npm", ["i", "-g", "node@24"], { cwd: home, env: npmEnvironment() });
    expect(existsSync(join(prefix, "lib/node_modules/node/bin/node"))).toBe(true);
    expect(existsSync(join(prefix, "bin/node"))).toBe(true);

    const env = kubedriftEnvironment(`${oldNodeDirectory}:${systemPath}`);
    const versionRun = await run(join(prefix, "bin/kubedrift"), ["--version"], { cwd: home, env });
    expect(versionRun).toEqual({ code: 0, stdout: `${version}\n`, stderr: "" });
    const args = ["diff", "-f", shop, "--kubeconfig", fixture.sandbox().kubeconfigPath];
    const diff = await run(join(prefix, "bin/kubectl-drift"), args, { cwd: home, env });
    expect(diff.stderr).toBe("");
    expect(diff.code).toBe(0);
  }, 120_000);

  it("from a checkout: npx kubedrift", async () => {
    const env = {
      ...kubedriftEnvironment(`${goodNodeDirectory}:${process.env["PATH"] ?? systemPath}`),
      KUBECONFIG: fixture.sandbox().kubeconfigPath,
    };
    const versionRun = await run("npx", ["kubedrift", "--version"], { cwd: root, env });
    expect(versionRun).toEqual({ code: 0, stdout: `${version}\n`, stderr: "" });
    const diff = await run("npx", ["kubedrift", "diff", "-f", "examples/shop"], { cwd: root, env });
    expect(diff.stderr).toBe("");
    expect(diff.stdout).toMatch(shopInSync);
    expect(diff.code).toBe(0);
  });
});
