/**
 * Issue 11, item 3: the habits of kubectl users on every command that reads the cluster (diff,
 * plan, apply, adopt): `-l/--selector`, `-A/--all-namespaces`, `-n` that contradicts a manifest,
 * `--request-timeout`, `-v/--verbose` and `--debug`. Manifests applied to the sandbox with the real
 * kubectl, changed with kubectl, then the built kubedrift run as a process; kubectl's own messages
 * are the reference where kubectl has the same behaviour.
 */
import { mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { createServer } from "node:net";
import { join } from "node:path";
import { beforeAll, describe, expect, it } from "vitest";
import { kubectlOk, runKubectl } from "../support/kubectl.js";
import { runKubedrift } from "../support/kubedrift.js";
import { useSandbox } from "../support/sandbox.js";

const fixture = useSandbox();
const namespace = "habits";
const elsewhere = "habits-elsewhere";
const secretValue = "s3cret-habits-value";

const configText = `apiVersion: v1
kind: ConfigMap
metadata:
  name: web-config
  namespace: ${namespace}
  labels:
    app: web
    tier: front
data:
  CACHE_TTL: "300"
---
apiVersion: v1
kind: ConfigMap
metadata:
  name: db-config
  namespace: ${namespace}
  labels:
    app: db
data:
  POOL: "10"
---
apiVersion: v1
kind: ConfigMap
metadata:
  name: legacy-config
  namespace: ${namespace}
  labels:
    app: web
    legacy: "true"
data:
  OLD: "yes"
---
apiVersion: v1
kind: Secret
metadata:
  name: web-secret
  namespace: ${namespace}
  labels:
    app: web
stringData:
  password: ${secretValue}
`;

interface Resource {
  readonly kind: string;
  readonly namespace?: string;
  readonly name: string;
  readonly status: string;
}

interface Report {
  readonly resources: readonly Resource[];
}

let directory = "";

function kubedrift(args: readonly string[], cwd = directory) {
  return runKubedrift([...args, "--kubeconfig", fixture.sandbox().kubeconfigPath], { cwd });
}

/** `diff -o json` with more flags: exit status and `KIND NAMESPACE/NAME STATUS` per resource. */
async function diffJson(flags: readonly string[]): Promise<{ code: number; resources: string[] }> {
  const result = await kubedrift(["diff", "-f", "deploy", "-o", "json", ...flags]);
  if (result.stdout === "")
    throw new Error(`kubedrift diff printed nothing (exit ${result.code}): ${result.stderr}`);
  const report = JSON.parse(result.stdout) as Report;
  return {
    code: result.code,
    resources: report.resources.map(
      (resource) => `${resource.kind} ${resource.namespace ?? ""}/${resource.name} ${resource.status}`,
    ),
  };
}

async function kubectl(args: readonly string[]): Promise<void> {
  await kubectlOk(fixture.sandbox(), args);
}

/** A port nothing listens on: taken from the kernel, then let go. */
async function closedPort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const address = server.address();
  await new Promise<void>((resolve) => server.close(() => resolve()));
  if (address === null || typeof address === "string") throw new Error("no port");
  return address.port;
}

beforeAll(async () => {
  directory = join(fixture.directory(), "habits");
  mkdirSync(join(directory, "deploy"), { recursive: true });
  writeFileSync(join(directory, "deploy", "config.yaml"), configText);
  await kubectl(["create", "namespace", namespace]);
  await kubectl(["create", "namespace", elsewhere]);
  await kubectl(["apply", "-f", join(directory, "deploy")]);
  // Out of band: a changed value in db-config, and undeclared ConfigMaps with and without app=web.
  await kubectl(["patch", "configmap", "db-config", "-n", namespace, "-p", '{"data":{"POOL":"50"}}']);
  await kubectl(["create", "configmap", "stray-web", "-n", namespace, "--from-literal=a=b"]);
  await kubectl(["label", "configmap", "stray-web", "-n", namespace, "app=web"]);
  await kubectl(["create", "configmap", "stray-db", "-n", namespace, "--from-literal=a=b"]);
  await kubectl(["label", "configmap", "stray-db", "-n", namespace, "app=db"]);
  await kubectl(["create", "configmap", "stray-elsewhere", "-n", elsewhere, "--from-literal=a=b"]);
});

describe("-l/--selector", () => {
  it("without it, everything in scope is compared", async () => {
    expect(await diffJson([])).toEqual({
      code: 2,
      resources: [
        "ConfigMap habits/db-config Drifted",
        "ConfigMap habits/legacy-config InSync",
        "ConfigMap habits/stray-db Extra",
        "ConfigMap habits/stray-web Extra",
        "ConfigMap habits/web-config InSync",
        "Secret habits/web-secret InSync",
      ],
    });
  });

  it("filters desired and live objects by label, and only matching live objects are Extra", async () => {
    expect(await diffJson(["-l", "app=web"])).toEqual({
      code: 2,
      resources: [
        "ConfigMap habits/legacy-config InSync",
        "ConfigMap habits/stray-web Extra",
        "ConfigMap habits/web-config InSync",
        "Secret habits/web-secret InSync",
      ],
    });
    expect(await diffJson(["--selector", "app=db"])).toEqual({
      code: 2,
      resources: ["ConfigMap habits/db-config Drifted", "ConfigMap habits/stray-db Extra"],
    });
  });

  it("takes kubectl's whole syntax: in, notin, !=, !key, key", async () => {
    expect(await diffJson(["-l", "app in (web,db),!legacy,tier"])).toEqual({
      code: 0,
      resources: ["ConfigMap habits/web-config InSync"],
    });
    expect(await diffJson(["-l", "app notin (web),app!=other"])).toEqual({
      code: 2,
      resources: ["ConfigMap habits/db-config Drifted", "ConfigMap habits/stray-db Extra"],
    });
  });

  it("is sent to the server as the LIST's labelSelector", async () => {
    const result = await kubedrift(["diff", "-f", "deploy", "-l", "app=web", "-v"]);
    expect(result.stderr).toContain(
      `/api/v1/namespaces/${namespace}/configmaps?limit=500&labelSelector=app%3Dweb 200 OK in `,
    );
  });

  it("a malformed selector is one line, with the parser's words that kubectl prints, exit 1", async () => {
    const selector = "app in (web";
    const kubectlSays = await runKubectl(fixture.sandbox(), [
      "get",
      "configmaps",
      "-n",
      namespace,
      "-l",
      selector,
    ]);
    expect(kubectlSays.code).toBe(1);
    // kubectl lets the server parse it: `Error from server (BadRequest): … unable to parse requirement: …`.
    const problem = /unable to parse requirement: .*$/.exec(kubectlSays.stderr.trim())?.[0];
    expect(problem).toBe("unable to parse requirement: found '', expected: ',' or ')'");
    const result = await kubedrift(["diff", "-f", "deploy", "-l", selector]);
    expect(result).toEqual({
      code: 1,
      stdout: "",
      stderr: `error: --selector "${selector}": ${problem ?? ""}\n`,
    });
  });

  it("narrows plan, apply and adopt the same way", async () => {
    const planAll = await kubedrift(["plan", "-f", "deploy"]);
    expect(planAll.code).toBe(2);
    expect(planAll.stdout).toContain("db-config");
    const planWeb = await kubedrift(["plan", "-f", "deploy", "-l", "app=web"]);
    expect(planWeb.code).toBe(0);
    expect(planWeb.stdout).not.toContain("db-config");
    const applyWeb = await kubedrift(["apply", "-f", "deploy", "-l", "app=web", "--dry-run"]);
    expect(applyWeb.code).toBe(0);
    expect(applyWeb.stdout).not.toContain("db-config");
    const adoptWeb = await kubedrift(["adopt", "-f", "deploy", "-l", "app=web"]);
    expect(adoptWeb.code).toBe(0);
    expect(adoptWeb.stdout).not.toContain("db-config");
    const adoptDb = await kubedrift(["adopt", "-f", "deploy", "-l", "app=db"]);
    expect(adoptDb.stdout).toContain('POOL: "50"');
    expect(readFileSync(join(directory, "deploy", "config.yaml"), "utf8")).toBe(configText);
  });
});

describe("-A/--all-namespaces", () => {
  it("widens Extra to every namespace, for the declared kinds", async () => {
    const result = await diffJson(["-A"]);
    expect(result.code).toBe(2);
    expect(result.resources).toContain("ConfigMap habits-elsewhere/stray-elsewhere Extra");
    // kube-root-ca.crt in every namespace is Kubernetes' own, never Extra.
    expect(result.resources.filter((line) => line.includes("kube-root-ca.crt"))).toEqual([]);
    expect((await diffJson([])).resources.join("\n")).not.toContain(elsewhere);
  });

  it("with -l, only matching objects anywhere are Extra", async () => {
    const result = await diffJson(["--all-namespaces", "-l", "app=web"]);
    expect(result.resources).toEqual([
      "ConfigMap habits/legacy-config InSync",
      "ConfigMap habits/stray-web Extra",
      "ConfigMap habits/web-config InSync",
      "Secret habits/web-secret InSync",
    ]);
  });

  it("is in every cluster-reading command's help", async () => {
    for (const command of ["diff", "plan", "apply", "adopt"]) {
      const help = await kubedrift([command, "--help"]);
      expect(help.stdout).toContain("-A, --all-namespaces");
    }
  });
});

describe("-n that contradicts a manifest's namespace", () => {
  it("is kubectl's error, one line naming the file and the object, exit 1, for every command", async () => {
    const kubectlSays = await runKubectl(fixture.sandbox(), [
      "apply",
      "--dry-run=client",
      "-n",
      "other",
      "-f",
      join(directory, "deploy", "config.yaml"),
    ]);
    expect(kubectlSays.code).toBe(1);
    const kubectlLine = kubectlSays.stderr.split("\n")[0]?.replace(/^error: /, "") ?? "";
    expect(kubectlLine).toBe(
      `the namespace from the provided object "${namespace}" does not match the namespace "other". You must pass '--namespace=${namespace}' to perform this operation.`,
    );
    for (const command of ["diff", "plan", "apply", "adopt"]) {
      const result = await kubedrift([command, "-f", "deploy", "-n", "other"]);
      expect({ command, ...result }).toEqual({
        command,
        code: 1,
        stdout: "",
        stderr: `error: deploy/config.yaml:1: ConfigMap ${namespace}/web-config: ${kubectlLine}\n`,
      });
    }
  });

  it("-n that agrees with the manifests is no error", async () => {
    expect((await diffJson(["-n", namespace])).code).toBe(2);
  });
});

describe("--request-timeout", () => {
  it("every command that reads the cluster takes it and checks its value", async () => {
    for (const command of ["diff", "plan", "apply", "adopt"]) {
      const help = await kubedrift([command, "--help"]);
      expect(help.stdout).toContain("--request-timeout <duration>");
      const result = await kubedrift([command, "-f", "deploy", "--request-timeout", "soon"]);
      expect({ command, ...result }).toEqual({
        command,
        code: 1,
        stdout: "",
        stderr: 'error: --request-timeout: invalid duration "soon" (expected e.g. 500ms, 30s, 5m, 1h)\n',
      });
    }
    expect((await diffJson(["--request-timeout", "20s"])).code).toBe(2);
  });
});

describe("--chunk-size", () => {
  it("pages LISTs as kubectl does (500 by default, 0 for none) and gives the same report", async () => {
    const pages = async (args: readonly string[]): Promise<readonly string[]> => {
      const result = await kubedrift(["diff", "-f", "deploy", "-o", "json", "-v", ...args]);
      expect(result.code).toBe(2);
      return result.stderr.split("\n").filter((line) => line.includes(`/namespaces/${namespace}/configmaps`));
    };
    expect((await pages([])).every((line) => line.includes("?limit=500 "))).toBe(true);
    const small = await pages(["--chunk-size", "1"]);
    expect(small.length).toBeGreaterThan(1);
    expect(small.some((line) => line.includes("continue="))).toBe(true);
    expect((await pages(["--chunk-size", "0"])).map((line) => line.includes("limit="))).toEqual([false]);
    const reports = await Promise.all(
      [[], ["--chunk-size", "1"], ["--chunk-size", "0"]].map(async (args) => {
        const { stdout } = await kubedrift(["diff", "-f", "deploy", "-o", "json", ...args]);
        return (JSON.parse(stdout) as { resources: unknown }).resources;
      }),
    );
    expect(reports[1]).toEqual(reports[0]);
    expect(reports[2]).toEqual(reports[0]);
    for (const command of ["diff", "plan", "apply", "adopt"]) {
      const result = await kubedrift([command, "-f", "deploy", "--chunk-size", "-1"]);
      expect({ command, ...result }).toEqual({
        command,
        code: 1,
        stdout: "",
        stderr: expect.stringMatching(/--chunk-size.*expected a whole number ≥ 0/) as unknown,
      });
    }
  });
});

describe("-v/--verbose and --debug", () => {
  it("-v shows each request on stderr (method, URL, status, duration) and each phase's time; stdout is unchanged", async () => {
    const quiet = await kubedrift(["diff", "-f", "deploy", "-o", "json"]);
    const verbose = await kubedrift(["diff", "-f", "deploy", "-o", "json", "-v"]);
    expect(verbose.code).toBe(2);
    expect(JSON.parse(verbose.stdout).resources).toEqual(JSON.parse(quiet.stdout).resources);
    const lines = verbose.stderr.trimEnd().split("\n");
    const phases = lines.filter((line) => line.startsWith("trace: phase "));
    expect(phases.map((line) => /^trace: phase ([a-z-]+) \d+ms$/.exec(line)?.[1]).sort()).toEqual([
      "compare",
      "discover",
      "list",
      "load-sources",
      "render",
      "start-up",
    ]);
    expect(phases[0]).toMatch(/^trace: phase start-up /);
    expect(phases.at(-1)).toMatch(/^trace: phase render /);
    for (const line of lines.filter((line) => !phases.includes(line)))
      expect(line).toMatch(/^trace: GET https:\/\/127\.0\.0\.1:\d+\/\S+ 200 OK in \d+ms$/);
    expect(lines.some((line) => line.includes(" /api/v1 ") || line.includes("/api/v1 200"))).toBe(true);
    expect(
      lines.some((line) => line.includes(`/api/v1/namespaces/${namespace}/secrets?limit=500 200 OK`)),
    ).toBe(true);
  });

  it("kubectl's -v=6 is understood; -v=7 and --debug add the kubeconfig and masked headers", async () => {
    const six = await kubedrift(["diff", "-f", "deploy", "-v=6"]);
    expect(six.stderr).toMatch(/^trace: GET https:\/\/\S+\/api\/v1 200 OK in \d+ms$/m);
    expect(six.stderr).not.toContain("request headers");
    for (const flag of ["--debug", "-v=7"]) {
      const debug = await kubedrift(["diff", "-f", "deploy", flag]);
      expect(debug.stderr).toContain(`trace: kubeconfig ${fixture.sandbox().kubeconfigPath}: context "`);
      expect(debug.stderr).toMatch(
        /^trace: GET https:\/\/\S+\/api\/v1 request headers: Authorization: Bearer <masked>, Accept: application\/json, User-Agent: kubedrift$/m,
      );
    }
  });

  it("never shows the token or a secret value, whatever the level", async () => {
    for (const flag of ["-v", "--debug"]) {
      for (const command of [["diff"], ["plan"], ["diff", "-o", "json"]]) {
        const result = await kubedrift([...command, "-f", "deploy", flag]);
        const output = result.stdout + result.stderr;
        expect(output).not.toContain(fixture.sandbox().token);
        expect(output).not.toContain(secretValue);
        expect(output).not.toContain(Buffer.from(secretValue).toString("base64"));
      }
    }
  });

  it("a request with no answer: -v names the cause (ECONNREFUSED and the address); the error stays one line", async () => {
    const port = await closedPort();
    const kubeconfig = join(directory, "unreachable.kubeconfig");
    writeFileSync(
      kubeconfig,
      readFileSync(fixture.sandbox().kubeconfigPath, "utf8").replace(
        /server: https:\/\/127\.0\.0\.1:\d+/,
        `server: https://127.0.0.1:${port}`,
      ),
    );
    const quiet = await runKubedrift(["diff", "-f", "deploy", "--kubeconfig", kubeconfig], {
      cwd: directory,
    });
    expect(quiet).toEqual({
      code: 1,
      stdout: "",
      stderr: `error: cannot reach https://127.0.0.1:${port}: connection refused\n`,
    });
    const verbose = await runKubedrift(["diff", "-f", "deploy", "--kubeconfig", kubeconfig, "-v"], {
      cwd: directory,
    });
    expect(verbose.code).toBe(1);
    const lines = verbose.stderr.trimEnd().split("\n");
    expect(lines.at(-1)).toBe(`error: cannot reach https://127.0.0.1:${port}: connection refused`);
    expect(lines).toContainEqual(
      expect.stringMatching(
        new RegExp(
          `^trace: GET https://127\\.0\\.0\\.1:${port}/api/v1 no answer after \\d+ms: fetch failed: connect ECONNREFUSED 127\\.0\\.0\\.1:${port}$`,
        ),
      ),
    );
    expect(verbose.stderr).not.toMatch(/\n\s+at /);
  });

  it("every cluster-reading command has -v, --debug and --no-color in its help", async () => {
    for (const command of ["diff", "plan", "apply", "adopt", "version"]) {
      const help = await kubedrift([command, "--help"]);
      for (const flag of ["-v, --verbose [level]", "--debug", "--no-color", "--request-timeout"])
        expect({ command, has: help.stdout.includes(flag), flag }).toEqual({ command, has: true, flag });
      if (command !== "version") expect(help.stdout).toContain("-l, --selector <selector>");
    }
  });
});
