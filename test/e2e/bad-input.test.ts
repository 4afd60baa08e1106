/**
 * Issue 8, bad input: the built `kubedrift diff` run as a process on input that is wrong in one way
 * each. Every case must end within seconds with exit status 1 and one line on stderr that names what
 * is wrong and where, without a stack trace, a Node warning or any secret value.
 */
import { execFileSync } from "node:child_process";
import { mkdirSync, readFileSync, symlinkSync, writeFileSync } from "node:fs";
import { createServer } from "node:net";
import type { Server, Socket } from "node:net";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { runKubedrift } from "../support/kubedrift.js";
import type { KubedriftResult } from "../support/kubedrift.js";
import { useSandbox } from "../support/sandbox.js";

const fixture = useSandbox();

let counter = 0;
/** A fresh directory per case, with an empty live file to compare against offline. */
function workspace(files: Readonly<Record<string, string | Buffer>> = {}): string {
  counter += 1;
  const directory = join(fixture.directory(), `case-${counter}`);
  mkdirSync(directory, { recursive: true });
  writeFileSync(join(directory, "live.yaml"), "");
  for (const [name, text] of Object.entries(files)) {
    mkdirSync(join(directory, name, ".."), { recursive: true });
    writeFileSync(join(directory, name), text);
  }
  return directory;
}

const configMap = "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: a\n  namespace: default\n";

function diff(directory: string, args: readonly string[], input?: string): Promise<KubedriftResult> {
  return runKubedrift(["diff", ...args], { cwd: directory, ...(input === undefined ? {} : { input }) });
}

/** Exit status 1, nothing on stdout, exactly one line on stderr matching `pattern`, none of `secrets`. */
function expectOneLineError(result: KubedriftResult, pattern: RegExp, secrets: readonly string[] = []): void {
  expect({ code: result.code, stdout: result.stdout }).toEqual({ code: 1, stdout: "" });
  expect(result.stderr).toMatch(/^[^\n]+\n$/);
  expect(result.stderr).toMatch(pattern);
  expect(result.stderr).not.toMatch(/^\s+at |\(node:\d+\)/m);
  for (const secret of secrets) expect(result.stderr).not.toContain(secret);
}

function kubeconfig(
  server: string,
  extra: { readonly cluster?: string; readonly user?: string } = {},
): string {
  return `apiVersion: v1
kind: Config
current-context: c
clusters:
  - name: c
    cluster:
      server: ${server}
${extra.cluster ?? ""}users:
  - name: u
    user:
${extra.user ?? "      token: t\n"}contexts:
  - name: c
    context: {cluster: c, user: u}
`;
}

async function listening(server: Server): Promise<number> {
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const address = server.address();
  if (address === null || typeof address === "string") throw new Error("no port");
  return address.port;
}

async function closedPort(): Promise<number> {
  const server = createServer();
  const port = await listening(server);
  await new Promise((resolve) => server.close(resolve));
  return port;
}

describe("bad input: credentials and connections (items 1 and 8)", () => {
  it("gives up on a credential plugin that does not answer, within the request timeout", async () => {
    const directory = workspace({
      kubeconfig: kubeconfig("https://127.0.0.1:6443", {
        user: "      exec:\n        apiVersion: client.authentication.k8s.io/v1beta1\n        command: sleep\n        args: ['600']\n",
      }),
      "cm.yaml": configMap,
    });
    // The message itself says the timeout fired; the test's own time limit catches a hang.
    const result = await diff(directory, [
      "-f",
      "cm.yaml",
      "--kubeconfig",
      "kubeconfig",
      "--request-timeout",
      "1s",
    ]);
    expectOneLineError(result, /^error: .*credential plugin "sleep" did not answer within 1s/);
  });

  it("uses what a credential plugin answers (the control for the cases below)", async () => {
    const original = readFileSync(fixture.sandbox().kubeconfigPath, "utf8");
    const answer = {
      apiVersion: "client.authentication.k8s.io/v1",
      kind: "ExecCredential",
      status: { token: fixture.sandbox().token },
    };
    const directory = workspace({ "answer.json": JSON.stringify(answer), "cm.yaml": configMap });
    const exec = `exec:\n        apiVersion: client.authentication.k8s.io/v1\n        command: cat\n        args: ['${join(directory, "answer.json")}']`;
    writeFileSync(join(directory, "kubeconfig"), original.replace(/token: .*/, exec));
    const result = await diff(directory, ["-f", "cm.yaml", "--kubeconfig", "kubeconfig", "-o", "json"]);
    expect({ code: result.code, stderr: result.stderr }).toEqual({ code: 2, stderr: "" });
  });

  it("says a credential plugin failed, with its exit status, and never prints what it wrote on stdout", async () => {
    const directory = workspace({
      kubeconfig: kubeconfig("https://127.0.0.1:6443", {
        user: "      exec:\n        apiVersion: client.authentication.k8s.io/v1beta1\n        command: sh\n        args: ['-c', 'echo token-hunter2; echo not logged in >&2; exit 3']\n",
      }),
      "cm.yaml": configMap,
    });
    const result = await diff(directory, ["-f", "cm.yaml", "--kubeconfig", "kubeconfig"]);
    expectOneLineError(result, /credential plugin "sh" failed with exit status 3: not logged in/, [
      "hunter2",
    ]);
  });

  it("says the connection was refused, naming the endpoint", async () => {
    const port = await closedPort();
    const directory = workspace({
      kubeconfig: kubeconfig(`https://127.0.0.1:${port}`),
      "cm.yaml": configMap,
    });
    const result = await diff(directory, ["-f", "cm.yaml", "--kubeconfig", "kubeconfig"]);
    expectOneLineError(
      result,
      new RegExp(`^error: cannot reach https://127\\.0\\.0\\.1:${port}: connection refused\\n`),
    );
  });

  it("explains a port that Node's fetch refuses to use instead of 'fetch failed'", async () => {
    const directory = workspace({ kubeconfig: kubeconfig("https://127.0.0.1:6000"), "cm.yaml": configMap });
    const result = await diff(directory, ["-f", "cm.yaml", "--kubeconfig", "kubeconfig"]);
    expectOneLineError(result, /^error: cannot reach https:\/\/127\.0\.0\.1:6000: port 6000 is blocked/);
    expect(result.stderr).not.toContain("fetch failed");
  });

  it("says the DNS lookup failed", async () => {
    const directory = workspace({
      kubeconfig: kubeconfig("https://kubedrift-test.invalid:6443"),
      "cm.yaml": configMap,
    });
    const result = await diff(directory, ["-f", "cm.yaml", "--kubeconfig", "kubeconfig"]);
    expectOneLineError(
      result,
      /^error: cannot reach https:\/\/kubedrift-test\.invalid:6443: DNS lookup of kubedrift-test\.invalid failed/,
    );
  });

  it("says the server does not speak TLS, in one line without OpenSSL's internals", async () => {
    const server = createServer((socket) => {
      socket.on("data", () => socket.end("HTTP/1.1 400 Bad Request\r\nContent-Length: 0\r\n\r\n"));
      socket.on("error", () => undefined);
    });
    const port = await listening(server);
    try {
      const directory = workspace({
        kubeconfig: kubeconfig(`https://127.0.0.1:${port}`),
        "cm.yaml": configMap,
      });
      const result = await diff(directory, ["-f", "cm.yaml", "--kubeconfig", "kubeconfig"]);
      expectOneLineError(result, new RegExp(`^error: .*127\\.0\\.0\\.1:${port}.*does not speak TLS`));
      expect(result.stderr).not.toMatch(/SSL routines|openssl/);
    } finally {
      server.close();
    }
  });

  it("says the request timed out", async () => {
    const sockets: Socket[] = [];
    const server = createServer((socket) => sockets.push(socket));
    const port = await listening(server);
    try {
      const directory = workspace({
        kubeconfig: kubeconfig(`https://127.0.0.1:${port}`),
        "cm.yaml": configMap,
      });
      const result = await diff(directory, [
        "-f",
        "cm.yaml",
        "--kubeconfig",
        "kubeconfig",
        "--request-timeout",
        "1s",
      ]);
      expectOneLineError(
        result,
        new RegExp(`^error: timed out after 1s waiting for https://127\\.0\\.0\\.1:${port}\\n$`),
      );
    } finally {
      for (const socket of sockets) socket.destroy();
      server.close();
    }
  });

  it("says the certificate is signed by an unknown authority, and when its name does not match", async () => {
    const original = readFileSync(fixture.sandbox().kubeconfigPath, "utf8");
    const directory = workspace({
      "unknown-ca.kubeconfig": original.replace(/^\s*certificate-authority-data: .*\n/m, ""),
      "wrong-name.kubeconfig": original.replace(
        /^(\s*)(server: .*)$/m,
        "$1$2\n$1tls-server-name: wrong.example",
      ),
      "cm.yaml": configMap,
    });
    const server = fixture.sandbox().url.replace(/[.]/g, "\\.");
    const unknown = await diff(directory, ["-f", "cm.yaml", "--kubeconfig", "unknown-ca.kubeconfig"]);
    expectOneLineError(unknown, new RegExp(`^error: .*${server}.*certificate signed by unknown authority`));
    const mismatch = await diff(directory, ["-f", "cm.yaml", "--kubeconfig", "wrong-name.kubeconfig"]);
    expectOneLineError(
      mismatch,
      new RegExp(`^error: .*${server}.*certificate name mismatch.*wrong\\.example`),
    );
  });
});

describe("bad input: files and directories (items 2, 3, 9)", () => {
  it("skips a FIFO named *.yaml in a directory, and refuses one named directly", async () => {
    const directory = workspace({ "deploy/cm.yaml": configMap });
    execFileSync("mkfifo", [join(directory, "deploy", "pipe.yaml")]);
    const walked = await diff(directory, ["-f", "deploy", "--live-file", "live.yaml", "-o", "json"]);
    expect(walked.code).toBe(2);
    expect(walked.stderr).toBe("note: not a regular file: deploy/pipe.yaml\n");
    const named = await diff(directory, ["-f", "deploy/pipe.yaml", "--live-file", "live.yaml"]);
    expectOneLineError(named, /^error: not a regular file \(a FIFO.*\): deploy\/pipe\.yaml\n$/);
  });

  it("visits a directory reached again through a symlink to a parent once", async () => {
    const directory = workspace({ "deploy/cm.yaml": configMap, "deploy/README.md": "# notes\n" });
    mkdirSync(join(directory, "deploy", "sub"));
    symlinkSync("..", join(directory, "deploy", "sub", "up"));
    symlinkSync("cm.yaml", join(directory, "deploy", "same.yaml"));
    const result = await diff(directory, ["-f", "deploy", "--live-file", "live.yaml", "-o", "json"]);
    expect(result.stderr).toBe("note: not a manifest: deploy/README.md\n");
    expect(result.code).toBe(2);
    expect((JSON.parse(result.stdout) as { summary: { missing: number } }).summary.missing).toBe(1);
  });

  it("rejects invalid UTF-8, naming the file and byte offset", async () => {
    const text = Buffer.concat([
      Buffer.from('apiVersion: v1\nkind: Secret\nmetadata:\n  name: s\nstringData:\n  password: "hunter2'),
      Buffer.from([0xff, 0xfe]),
      Buffer.from('"\n'),
    ]);
    const directory = workspace({ "secret.yaml": text });
    const result = await diff(directory, ["-f", "secret.yaml", "--live-file", "live.yaml"]);
    expectOneLineError(result, /^error: secret\.yaml: invalid UTF-8 at byte 80 \(line 6\)\n$/, ["hunter2"]);
  });
});

describe("bad input: YAML (items 5 and 13)", () => {
  it("names the position of an unresolved alias in a Secret, never its text", async () => {
    const directory = workspace({
      "secret.yaml":
        "apiVersion: v1\nkind: Secret\nmetadata:\n  name: s\nstringData:\n  password: *hunter2secret\n",
    });
    const result = await diff(directory, ["-f", "secret.yaml", "--live-file", "live.yaml"]);
    expectOneLineError(result, /^error: secret\.yaml:6:13: unresolved alias/, ["hunter2"]);
  });

  it("quotes no value of a bad escape in a double-quoted string", async () => {
    const directory = workspace({
      "secret.yaml":
        'apiVersion: v1\nkind: Secret\nmetadata:\n  name: s\nstringData:\n  password: "hunter2\\qx"\n',
    });
    const result = await diff(directory, ["-f", "secret.yaml", "--live-file", "live.yaml"]);
    expectOneLineError(result, /^error: secret\.yaml:6:\d+: /, ["hunter2", "\\q"]);
  });

  it("refuses complex keys at their line, without a Node warning", async () => {
    for (const key of ["? [a, b]\n  : x\n", "{a: 1}: x\n"]) {
      const directory = workspace({
        "cm.yaml": `apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: c\ndata:\n  ${key}`,
      });
      const result = await diff(directory, ["-f", "cm.yaml", "--live-file", "live.yaml"]);
      expectOneLineError(
        result,
        /^error: cm\.yaml:6:\d+: a mapping key must be a string, not a (list|mapping)/,
      );
    }
  });
});

describe("bad input: Kustomize (item 4)", () => {
  it("gives the first meaningful line of a multi-line error", async () => {
    const directory = workspace({
      "kz/kustomization.yaml": "resources:\n  - secret.yaml\n",
      "kz/secret.yaml":
        "apiVersion: v1\nkind: Secret\nmetadata:\n  name: s\nstringData:\n  password: hunter2\n  password: hunter3\n",
    });
    const result = await diff(directory, ["-k", "kz", "--live-file", "live.yaml"]);
    expectOneLineError(
      result,
      /^error: cannot build kz: .*mapping key "password" already defined at line 6\n$/,
      ["hunter"],
    );
  });

  it("never echoes a generator's literal", async () => {
    for (const literal of ["hunter2", "=hunter2"]) {
      const directory = workspace({
        "kz/kustomization.yaml": `secretGenerator:\n  - name: db\n    literals:\n      - user=admin\n      - ${literal}\n`,
      });
      const result = await diff(directory, ["-k", "kz", "--live-file", "live.yaml"]);
      expectOneLineError(result, /^error: cannot build kz: .*kz\/kustomization\.yaml:5/, ["hunter2"]);
    }
  });
});

describe("bad input: Terraform (items 6 and 7)", () => {
  it("caps the error of garbage HCL and points at the first error", async () => {
    const garbage = 'x = = "hunter2"\n'.repeat(20_000);
    const directory = workspace({ "tf/main.tf": garbage });
    const result = await diff(directory, ["--terraform", "tf", "--live-file", "live.yaml"]);
    expectOneLineError(result, /^error: tf\/main\.tf:1:5: Invalid expression/);
    expect(result.stderr.length).toBeLessThan(600);
  });

  it("refuses a duplicate resource address, in one file and across two", async () => {
    const block = (name: string): string =>
      `resource "kubernetes_config_map" "x" {\n  metadata {\n    name = "${name}"\n  }\n}\n`;
    const one = workspace({ "tf/main.tf": `${block("a")}\n${block("b")}` });
    const inOne = await diff(one, ["--terraform", "tf", "--live-file", "live.yaml"]);
    expectOneLineError(
      inOne,
      /^error: tf\/main\.tf:7: Duplicate resource "kubernetes_config_map" configuration: .*"x" was already declared at tf\/main\.tf:1\n$/,
    );
    const two = workspace({ "tf/a.tf": block("a"), "tf/b.tf": block("b") });
    const inTwo = await diff(two, ["--terraform", "tf", "--live-file", "live.yaml"]);
    expectOneLineError(
      inTwo,
      /^error: tf\/b\.tf:1: Duplicate resource "kubernetes_config_map" configuration: .*already declared at tf\/a\.tf:1\n$/,
    );
  });
});

describe("bad input: flags (items 10, 11, 12)", () => {
  it("rejects empty values of value flags", async () => {
    const directory = workspace({ "cm.yaml": configMap });
    for (const flag of ["-n", "--namespace", "--context", "--kubeconfig", "--live-file", "-f", "--config"]) {
      const result = await diff(directory, ["-f", "cm.yaml", "--live-file", "live.yaml", flag, ""]);
      expectOneLineError(
        result,
        /^kubedrift: option '.*' must not be empty \(see 'kubedrift diff --help'\)\n$/,
      );
    }
  });

  it("says what is wrong with --config in plain words, with the path", async () => {
    const directory = workspace({ "cm.yaml": configMap });
    mkdirSync(join(directory, "settings"));
    const isDirectory = await diff(directory, [
      "-f",
      "cm.yaml",
      "--live-file",
      "live.yaml",
      "--config",
      "settings",
    ]);
    expectOneLineError(isDirectory, /^error: --config settings: is a directory\n$/);
    const missing = await diff(directory, [
      "-f",
      "cm.yaml",
      "--live-file",
      "live.yaml",
      "--config",
      "nope.yaml",
    ]);
    expectOneLineError(missing, /^error: --config nope\.yaml: no such file\n$/);
  });

  it("reports usage errors in one line with where to look", async () => {
    const directory = workspace();
    const cases: readonly (readonly [readonly string[], RegExp])[] = [
      [["diff", "--bogus"], /^kubedrift: unknown option '--bogus' \(see 'kubedrift diff --help'\)\n$/],
      [
        ["diff", "--blam"],
        /^kubedrift: unknown option '--blam' \(did you mean --blame\?\) \(see 'kubedrift diff --help'\)\n$/,
      ],
      [
        ["diff", "-o", "xml"],
        /^kubedrift: option '-o, --output <format>' argument 'xml' is invalid\. .*\(see 'kubedrift diff --help'\)\n$/,
      ],
      [
        ["diff", "-o"],
        /^kubedrift: option '-o, --output <format>' argument missing \(see 'kubedrift diff --help'\)\n$/,
      ],
      [["bogus"], /^kubedrift: unknown command 'bogus' \(see 'kubedrift --help'\)\n$/],
    ];
    for (const [args, pattern] of cases) {
      const result = await runKubedrift(args, { cwd: directory });
      expectOneLineError(result, pattern);
    }
  });
});
