/**
 * Rule 7 as users meet it: the built CLI against the sandbox, with a `redact:` rule on a ConfigMap
 * key and a Secret, changed out of band with the real kubectl. No output of diff, plan, apply or
 * adopt (text or JSON, stdout or stderr) may carry a withheld value; the hashes that stand in for
 * them are keyed (HMAC-SHA-256, 16 hex digits) with a per-installation key made on first use.
 */
import { mkdirSync, readFileSync, readdirSync, statSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { createHmac } from "node:crypto";
import { kubectlOk } from "../support/kubectl.js";
import { runKubedrift } from "../support/kubedrift.js";
import type { KubedriftResult } from "../support/kubedrift.js";
import { useSandbox } from "../support/sandbox.js";

const fixture = useSandbox();

const pin = "493817";
const changedPin = "000111";
const password = "hunter2-4711";
const changedPassword = "hunter3-0815";
/** Every spelling in which a withheld value could leak: as written, and base64 as Secrets hold it. */
const withheld = [pin, changedPin, password, changedPassword].flatMap((value) => [
  value,
  Buffer.from(value).toString("base64"),
]);

const manifests = `apiVersion: v1
kind: Namespace
metadata:
  name: vault
---
apiVersion: v1
kind: ConfigMap
metadata:
  name: credentials
  namespace: vault
data:
  user: app
  pin: "${pin}"
---
apiVersion: v1
kind: Secret
metadata:
  name: db
  namespace: vault
stringData:
  password: ${password}
`;

const config = `apiVersion: kubedrift.dev/v1
kind: Config
redact:
  - path: /data/pin
    kinds: [ConfigMap]
    names: [credentials]
`;

interface Project {
  readonly directory: string;
  /** A fresh XDG_CONFIG_HOME: never the real home. */
  readonly xdg: string;
}

/*
 * Written-out hashes of the PIN, computed once with OpenSSL, not with the code under test:
 *   printf '%s' 493817 | openssl dgst -sha256 -hmac "$(printf 'a%.0s' $(seq 32))" -r | cut -c1-16
 */
const pinHashes = {
  keyA: "b1b754284d03e495", // "493817" under "a" × 32
  keyB: "9f6634b80375adf0", // "493817" under "b" × 32
  keyC: "7e670e961b063416", // "493817" under "c" × 40
};

/** For a key made at run time: HMAC-SHA-256 by Node's crypto directly, first 16 hex digits (not kubedrift's function). */
function hmac16(key: string, value: string): string {
  return createHmac("sha256", key).update(value, "utf8").digest("hex").slice(0, 16);
}

let deployed: Promise<void> | undefined;

/** The manifests applied once, then changed as a person would: kubectl patch on both objects. */
function deploy(directory: string): Promise<void> {
  deployed ??= (async () => {
    const sandbox = fixture.sandbox();
    await kubectlOk(sandbox, ["apply", "-f", join(directory, "app.yaml")]);
    const cm = JSON.stringify({ data: { user: "ops", pin: changedPin } });
    await kubectlOk(sandbox, ["-n", "vault", "patch", "configmap", "credentials", "--type=merge", "-p", cm]);
    const secret = JSON.stringify({ data: { password: Buffer.from(changedPassword).toString("base64") } });
    await kubectlOk(sandbox, ["-n", "vault", "patch", "secret", "db", "--type=merge", "-p", secret]);
  })();
  return deployed;
}

async function project(name: string, kubedriftYaml = config): Promise<Project> {
  const directory = join(fixture.directory(), name);
  mkdirSync(directory, { recursive: true });
  writeFileSync(join(directory, "app.yaml"), manifests);
  writeFileSync(join(directory, "kubedrift.yaml"), kubedriftYaml);
  await deploy(directory);
  return { directory, xdg: join(directory, "xdg") };
}

function kubedrift(
  where: Project,
  args: readonly string[],
  env: Readonly<Record<string, string>> = {},
): Promise<KubedriftResult> {
  return runKubedrift([...args, "-f", "app.yaml", "--kubeconfig", fixture.sandbox().kubeconfigPath], {
    cwd: where.directory,
    // No key from the environment unless a test gives one: the key file is under test here.
    env: { XDG_CONFIG_HOME: where.xdg, KUBEDRIFT_REDACTION_KEY: "", ...env },
  });
}

function expectNothingWithheld(result: KubedriftResult, what: string): void {
  for (const value of withheld) {
    expect(result.stdout, `${what}: stdout`).not.toContain(value);
    expect(result.stderr, `${what}: stderr`).not.toContain(value);
  }
}

interface DocumentDrift {
  readonly path: string;
  readonly redacted?: true;
  readonly desiredHash?: string;
  readonly liveHash?: string;
}

function pinDrift(result: KubedriftResult): DocumentDrift {
  const report = JSON.parse(result.stdout) as {
    resources: readonly { kind: string; drifts: readonly DocumentDrift[] }[];
  };
  const drift = report.resources
    .find((resource) => resource.kind === "ConfigMap")
    ?.drifts.find((candidate) => candidate.path === "/data/pin");
  if (drift === undefined) throw new Error(`no /data/pin drift in ${result.stdout}`);
  return drift;
}

describe("redaction in every command's output", () => {
  it("diff, plan, apply and adopt never print a redacted ConfigMap value or a Secret value", async () => {
    const where = await project("outputs");
    const runs: [string, readonly string[]][] = [
      ["diff", ["diff"]],
      ["diff -o json", ["diff", "-o", "json"]],
      ["diff -o yaml", ["diff", "-o", "yaml"]],
      ["diff -o markdown", ["diff", "-o", "markdown"]],
      ["diff -o sarif", ["diff", "-o", "sarif"]],
      ["diff -o junit", ["diff", "-o", "junit"]],
      ["plan", ["plan"]],
      ["plan -o json", ["plan", "-o", "json"]],
      // Without a terminal or --yes, apply shows the plan on stderr and stops.
      ["apply (unconfirmed)", ["apply"]],
      ["apply --dry-run", ["apply", "--dry-run"]],
      // adopt shows the file diff, whose context holds the pin, and stops without --yes.
      ["adopt (unconfirmed)", ["adopt"]],
    ];
    for (const [what, args] of runs) {
      const result = await kubedrift(where, args);
      expect(result.stderr, what).not.toMatch(/at .*\.js:\d+|unknown option/);
      expectNothingWithheld(result, what);
    }

    const diff = await kubedrift(where, ["diff", "-o", "json"]);
    expect(diff.code).toBe(2);
    const drift = pinDrift(diff);
    expect(drift).toMatchObject({ redacted: true });
    const plan = await kubedrift(where, ["plan", "-o", "json"]);
    expect(plan.code).toBe(2);
    // The plan's marker carries the same hash as diff's desiredHash: one redaction step.
    expect(plan.stdout).toContain(`"pin": "(redacted ${drift.desiredHash ?? "?"})"`);
    const planText = await kubedrift(where, ["plan"]);
    expect(planText.stdout).toContain(`pin: (redacted ${drift.desiredHash ?? "?"})`);
    expect(planText.stdout).toContain("user: app");

    const adopt = await kubedrift(where, ["adopt"]);
    expect(adopt.stdout).toContain("+  user: ops");
    expect(adopt.stdout).toContain('pin: "(value hidden)"');
  });

  it("adopt still writes the files with their real values; only what it prints is redacted", async () => {
    const where = await project("adopt-writes");
    const adopted = await kubedrift(where, ["adopt", "--yes"]);
    expectNothingWithheld(adopted, "adopt --yes");
    expect(adopted.code).toBe(0);
    const written = readFileSync(join(where.directory, "app.yaml"), "utf8");
    expect(written).toBe(manifests.replace("user: app", "user: ops"));
  });

  it("hashes are 16 hex digits, keyed per installation: a key file 0600 made on first use, stable after", async () => {
    const where = await project("key-file");
    const first = pinDrift(await kubedrift(where, ["diff", "-o", "json"]));
    expect(first.desiredHash).toMatch(/^[0-9a-f]{16}$/);
    expect(first.liveHash).toMatch(/^[0-9a-f]{16}$/);
    const keyFile = join(where.xdg, "kubedrift", "redaction.key");
    expect(statSync(keyFile).mode & 0o777).toBe(0o600);
    expect(statSync(join(where.xdg, "kubedrift")).mode & 0o777).toBe(0o700);
    const key = readFileSync(keyFile, "utf8").trim();
    expect(key).toMatch(/^[0-9a-f]{64}$/);
    expect(first.desiredHash).toBe(hmac16(key, pin));
    expect(first.liveHash).toBe(hmac16(key, changedPin));

    const again = pinDrift(await kubedrift(where, ["diff", "-o", "json"]));
    expect(again).toEqual(first);
    // Another installation (another config home) has another key, so other hashes.
    const elsewhere = pinDrift(
      await kubedrift({ ...where, xdg: join(where.directory, "xdg-elsewhere") }, ["diff", "-o", "json"]),
    );
    expect(elsewhere.desiredHash).not.toBe(first.desiredHash);
  });

  it("KUBEDRIFT_REDACTION_KEY (for CI) gives the same hashes on every machine, other keys other hashes", async () => {
    const where = await project("env-key");
    const keyA = "a".repeat(32);
    const keyB = "b".repeat(32);
    const withA = pinDrift(await kubedrift(where, ["diff", "-o", "json"], { KUBEDRIFT_REDACTION_KEY: keyA }));
    expect(withA.desiredHash).toBe(pinHashes.keyA);
    const otherMachine = { ...where, xdg: join(where.directory, "other-machine") };
    const againA = pinDrift(
      await kubedrift(otherMachine, ["diff", "-o", "json"], { KUBEDRIFT_REDACTION_KEY: keyA }),
    );
    expect(againA).toEqual(withA);
    const withB = pinDrift(await kubedrift(where, ["diff", "-o", "json"], { KUBEDRIFT_REDACTION_KEY: keyB }));
    expect(withB.desiredHash).toBe(pinHashes.keyB);
    expect(withB.desiredHash).not.toBe(withA.desiredHash);
    // No key file is made when the key comes from the environment.
    expect(() => readdirSync(where.xdg)).toThrow(/ENOENT/);

    const short = await kubedrift(where, ["diff"], { KUBEDRIFT_REDACTION_KEY: "123456" });
    expect(short.code).toBe(1);
    expect(short.stderr).toContain("KUBEDRIFT_REDACTION_KEY must be at least 32 characters");
    expect(short.stderr).not.toContain("123456");
  });

  it("redactionKey in kubedrift.yaml works too; redactionSalt is refused with a pointer to it", async () => {
    const key = "c".repeat(40);
    const keyed = await project("config-key", `${config}redactionKey: ${key}\n`);
    expect(pinDrift(await kubedrift(keyed, ["diff", "-o", "json"])).desiredHash).toBe(pinHashes.keyC);
    const salted = await project("config-salt", `${config}redactionSalt: kubedrift\n`);
    const refused = await kubedrift(salted, ["diff"]);
    expect(refused.code).toBe(1);
    expect(refused.stderr).toContain("kubedrift.yaml:7: redactionSalt is no longer supported");
    expect(refused.stderr).toContain(
      "set redactionKey (or the KUBEDRIFT_REDACTION_KEY environment variable)",
    );
  });

  it("concurrent first runs agree on one key", async () => {
    const where = await project("concurrent");
    const results = await Promise.all([1, 2, 3, 4].map(() => kubedrift(where, ["diff", "-o", "json"])));
    const hashes = new Set(results.map((result) => pinDrift(result).desiredHash));
    expect(hashes.size).toBe(1);
    expect(readdirSync(join(where.xdg, "kubedrift"))).toEqual(["redaction.key"]);
    const key = readFileSync(join(where.xdg, "kubedrift", "redaction.key"), "utf8").trim();
    expect([...hashes]).toEqual([hmac16(key, pin)]);
  });

  it("a rule that covers list items hides their keys in the labels of drifted paths too", async () => {
    const directory = join(fixture.directory(), "env-names");
    mkdirSync(directory, { recursive: true });
    const secretName = "LICENSE_7f3a9";
    writeFileSync(
      join(directory, "app.yaml"),
      `apiVersion: v1
kind: Namespace
metadata:
  name: vault-env
---
apiVersion: apps/v1
kind: Deployment
metadata:
  name: worker
  namespace: vault-env
spec:
  selector: { matchLabels: { app: worker } }
  template:
    metadata: { labels: { app: worker } }
    spec:
      containers:
        - name: worker
          image: busybox:1.36
          env:
            - name: ${secretName}
              value: "1"
`,
    );
    writeFileSync(
      join(directory, "kubedrift.yaml"),
      "apiVersion: kubedrift.dev/v1\nkind: Config\nredact:\n  - path: /spec/template/spec/containers/*/env/*\n    kinds: [Deployment]\n",
    );
    await kubectlOk(fixture.sandbox(), ["apply", "-f", join(directory, "app.yaml")]);
    await kubectlOk(fixture.sandbox(), [
      "-n",
      "vault-env",
      "set",
      "env",
      "deployment/worker",
      `${secretName}=2`,
    ]);
    const where = { directory, xdg: join(directory, "xdg") };
    for (const format of ["text", "markdown"]) {
      const result = await kubedrift(where, ["diff", "-o", format]);
      expect(result.code, format).toBe(2);
      expect(result.stdout, format).toContain("env");
      expect(result.stdout + result.stderr, format).not.toContain(secretName);
    }
  });
});
