/**
 * Issue 11, item 4: `kubedrift version` (client, and the server of the current context as
 * `kubectl version` reports it), `kubedrift completion bash|zsh|fish`, and usage lines that say
 * `kubectl drift` when kubedrift runs as the kubectl plugin. The built CLI against the sandbox,
 * compared with the real kubectl where kubectl has the same command.
 */
import { spawnSync } from "node:child_process";
import { readFileSync, writeFileSync } from "node:fs";
import { createServer } from "node:net";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";
import { parse as parseYaml } from "yaml";
import { kubectlBinary, kubectlOk } from "../support/kubectl.js";
import { runKubedrift } from "../support/kubedrift.js";
import { useSandbox } from "../support/sandbox.js";

const fixture = useSandbox();
const root = fileURLToPath(new URL("../..", import.meta.url));
const packageVersion = (JSON.parse(readFileSync(join(root, "package.json"), "utf8")) as { version: string })
  .version;

/** A port nothing listens on: taken from the kernel, then let go. */
async function closedPort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const address = server.address();
  await new Promise<void>((resolve) => server.close(() => resolve()));
  if (address === null || typeof address === "string") throw new Error("no port");
  return address.port;
}

/** The sandbox's kubeconfig, pointed at a port where nothing answers. */
async function unreachableKubeconfig(): Promise<{ readonly path: string; readonly port: number }> {
  const port = await closedPort();
  const text = readFileSync(fixture.sandbox().kubeconfigPath, "utf8").replace(
    /server: https:\/\/127\.0\.0\.1:\d+/,
    `server: https://127.0.0.1:${port}`,
  );
  const path = join(fixture.directory(), `unreachable-${port}.kubeconfig`);
  writeFileSync(path, text);
  return { path, port };
}

function kubedrift(args: readonly string[], env: Readonly<Record<string, string>> = {}) {
  return runKubedrift(args, {
    cwd: fixture.directory(),
    env: { KUBECONFIG: fixture.sandbox().kubeconfigPath, ...env },
  });
}

function bash(script: string): { readonly code: number; readonly stdout: string; readonly stderr: string } {
  const result = spawnSync("bash", ["-c", script], {
    encoding: "utf8",
    env: {
      PATH: `${join(root, "bin")}:${process.env["PATH"] ?? "/usr/bin:/bin"}`,
      HOME: fixture.directory(),
    },
  });
  return { code: result.status ?? -1, stdout: result.stdout, stderr: result.stderr };
}

function hasShell(name: string): boolean {
  return spawnSync("sh", ["-c", `command -v ${name}`]).status === 0;
}

describe("kubedrift version", () => {
  it("prints the client version and the server version that kubectl version reports", async () => {
    const kubectl = JSON.parse((await kubectlOk(fixture.sandbox(), ["version", "-o", "json"])).stdout) as {
      serverVersion: { gitVersion: string };
    };
    const result = await kubedrift(["version"]);
    expect(result).toEqual({
      code: 0,
      stdout: `Client Version: v${packageVersion}\nServer Version: ${kubectl.serverVersion.gitVersion}\n`,
      stderr: "",
    });
    expect(kubectl.serverVersion.gitVersion).toMatch(/^v1\.32\.0/);
  });

  it("-o json and -o yaml carry the server's /version object as kubectl's serverVersion", async () => {
    const kubectl = JSON.parse((await kubectlOk(fixture.sandbox(), ["version", "-o", "json"])).stdout) as {
      serverVersion: unknown;
    };
    const json = await kubedrift(["version", "-o", "json"]);
    expect(json.code).toBe(0);
    const document = JSON.parse(json.stdout) as {
      clientVersion: Record<string, string>;
      serverVersion: unknown;
    };
    expect(document.serverVersion).toEqual(kubectl.serverVersion);
    expect(document.clientVersion["gitVersion"]).toBe(`v${packageVersion}`);
    expect(document.clientVersion["nodeVersion"]).toMatch(/^v\d+\.\d+\.\d+$/);
    const yaml = await kubedrift(["version", "-o", "yaml"]);
    expect(yaml.code).toBe(0);
    expect(parseYaml(yaml.stdout)).toEqual(document);
  });

  it("--client asks no server: it works with no kubeconfig at all", async () => {
    const result = await runKubedrift(["version", "--client"], {
      cwd: fixture.directory(),
      env: { KUBECONFIG: join(fixture.directory(), "no-such-kubeconfig") },
    });
    expect(result).toEqual({ code: 0, stdout: `Client Version: v${packageVersion}\n`, stderr: "" });
    const json = await runKubedrift(["version", "--client", "-o", "json"], { cwd: fixture.directory() });
    expect(Object.keys(JSON.parse(json.stdout) as object)).toEqual(["clientVersion"]);
  });

  it("an unreachable server: the client version on stdout, one line on stderr, exit 1", async () => {
    const { path, port } = await unreachableKubeconfig();
    const result = await kubedrift(["version", "--kubeconfig", path]);
    expect(result).toEqual({
      code: 1,
      stdout: `Client Version: v${packageVersion}\n`,
      stderr: `error: cannot reach https://127.0.0.1:${port}: connection refused\n`,
    });
    const json = await kubedrift(["version", "--kubeconfig", path, "-o", "json"]);
    expect(json.code).toBe(1);
    expect(Object.keys(JSON.parse(json.stdout) as object)).toEqual(["clientVersion"]);
  });

  it("takes the flags of a command that reads the cluster", async () => {
    const help = await kubedrift(["version", "--help"]);
    for (const flag of [
      "--client",
      "--output",
      "--kubeconfig",
      "--context",
      "--request-timeout",
      "--verbose",
      "--debug",
      "--no-color",
    ])
      expect(help.stdout).toContain(flag);
    const verbose = await kubedrift(["version", "-v"]);
    expect(verbose.code).toBe(0);
    expect(verbose.stderr).toMatch(/^trace: GET https:\/\/127\.0\.0\.1:\d+\/version 200 OK in \d+ms\n$/);
    const bad = await kubedrift(["version", "--request-timeout", "soon"]);
    expect(bad.code).toBe(1);
    expect(bad.stderr).toBe(
      'error: --request-timeout: invalid duration "soon" (expected e.g. 500ms, 30s, 5m, 1h)\n',
    );
  });
});

describe("kubedrift completion", () => {
  it("bash: the script loads and registers _kubedrift for kubedrift and kubectl-drift", () => {
    const result = bash(
      "source <(kubedrift completion bash) && complete -p kubedrift && complete -p kubectl-drift",
    );
    expect(result).toEqual({
      code: 0,
      stdout:
        "complete -o bashdefault -o default -F _kubedrift kubedrift\ncomplete -o bashdefault -o default -F _kubedrift kubectl-drift\n",
      stderr: "",
    });
  });

  it("bash: commands, flags and flag values complete as the program defines them", () => {
    const complete = (words: string): string =>
      bash(
        `source <(kubedrift completion bash); COMP_WORDS=(${words}); COMP_CWORD=$((\${#COMP_WORDS[@]} - 1)); _kubedrift; echo "\${COMPREPLY[*]}"`,
      ).stdout.trim();
    expect(complete("kubedrift ''")).toBe(
      "diff plan apply adopt watch guard lint rbac sandbox demo history version completion -h --help -V --version",
    );
    expect(complete("kubedrift ve")).toBe("version");
    expect(complete("kubedrift diff --sel")).toBe("--selector");
    expect(complete("kubedrift plan --request-t")).toBe("--request-timeout");
    expect(complete("kubedrift diff -o j")).toBe("json junit");
    expect(complete("kubedrift plan -o ''")).toBe("text json");
    expect(complete("kubedrift version -o ''")).toBe("text json yaml");
    expect(complete("kubedrift completion ''").split(" ").slice(0, 3)).toEqual(["bash", "zsh", "fish"]);
    expect(complete("kubedrift adopt --no-c")).toBe("--no-color");
  });

  it("zsh: the script parses and names every command", () => {
    const result = bash("kubedrift completion zsh");
    expect(result.code).toBe(0);
    expect(result.stdout.split("\n")[0]).toBe("#compdef kubedrift kubectl-drift");
    for (const command of ["diff", "plan", "apply", "adopt", "sandbox", "demo", "version", "completion"])
      expect(result.stdout).toContain(`\n    ${command})\n      _arguments -s \\\n`);
    expect(result.stdout).toContain("'(-l --selector)'{-l,--selector}'[");
    expect(result.stdout).toContain("compdef _kubedrift kubedrift kubectl-drift");
    if (hasShell("zsh")) {
      expect(bash("zsh -n <(kubedrift completion zsh)")).toEqual({ code: 0, stdout: "", stderr: "" });
      // With compinit loaded, sourcing it registers the function for both names.
      expect(
        bash(
          `zsh -c 'autoload -U compinit && compinit -u -d "$HOME/.zcompdump" && source <(kubedrift completion zsh) && print -r -- $_comps[kubedrift] $_comps[kubectl-drift]'`,
        ).stdout,
      ).toBe("_kubedrift _kubedrift\n");
    }
  });

  it("fish: the script parses and completes flags and their values", () => {
    const result = bash("kubedrift completion fish");
    expect(result.code).toBe(0);
    expect(result.stdout).toContain(
      "complete -c kubedrift -n '__fish_seen_subcommand_from diff' -s o -l output -x -a 'text json yaml markdown sarif junit' -d 'report format'",
    );
    expect(result.stdout).toContain("complete -c kubedrift -n __fish_use_subcommand -f -a version -d ");
    if (hasShell("fish")) {
      expect(bash('kubedrift completion fish > "$HOME/k.fish" && fish -n "$HOME/k.fish"').code).toBe(0);
      const completed = bash(
        `fish -c 'kubedrift completion fish | source; complete -C "kubedrift diff -o j"; complete -C "kubedrift diff --sel"'`,
      );
      expect(completed.stdout.split("\n").map((line) => line.split("\t")[0])).toEqual([
        "json",
        "junit",
        "--selector",
        "",
      ]);
    }
  });

  it("an unknown shell is a usage error", async () => {
    const result = await kubedrift(["completion", "tcsh"]);
    expect(result.code).toBe(1);
    expect(result.stderr).toBe(
      "kubedrift: command-argument value 'tcsh' is invalid for argument 'shell'. Allowed choices are bash, zsh, fish. (see 'kubedrift completion --help')\n",
    );
  });
});

describe("kubectl drift", () => {
  it("usage lines and usage errors say 'kubectl drift' when the launcher says it is the plugin", async () => {
    const help = await kubedrift(["diff", "--help"], { KUBEDRIFT_INVOKED_AS: "kubectl-drift" });
    expect(help.stdout.split("\n")[0]).toBe("Usage: kubectl drift diff [options]");
    const top = await kubedrift(["--help"], { KUBEDRIFT_INVOKED_AS: "kubectl-drift" });
    expect(top.stdout.split("\n")[0]).toBe("Usage: kubectl drift [options] [command]");
    const wrong = await kubedrift(["diff", "--bogus"], { KUBEDRIFT_INVOKED_AS: "kubectl-drift" });
    expect(wrong.stderr).toBe("kubedrift: unknown option '--bogus' (see 'kubectl drift diff --help')\n");
    const plain = await kubedrift(["diff", "--help"]);
    expect(plain.stdout.split("\n")[0]).toBe("Usage: kubedrift diff [options]");
  });

  // bin/kubectl-drift execs node with dist/cli/main.js, so argv shows main.js: the launcher says it.
  it("the real kubectl runs the plugin, whose help says 'kubectl drift'", () => {
    const result = spawnSync(kubectlBinary, ["drift", "diff", "--help"], {
      encoding: "utf8",
      env: {
        PATH: `${join(root, "bin")}:${process.env["PATH"] ?? "/usr/bin:/bin"}`,
        HOME: fixture.directory(),
        KUBECONFIG: fixture.sandbox().kubeconfigPath,
      },
    });
    expect(result.status).toBe(0);
    expect(result.stdout.split("\n")[0]).toBe("Usage: kubectl drift diff [options]");
  });
});
