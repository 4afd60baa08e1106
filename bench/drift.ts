/**
 * Drift figures: the engine in memory on 10,000 objects; reading one 50 MB manifest; `kubedrift diff`
 * end to end against the sandbox on 10,000 objects; and `kubedrift diff` against `kubectl diff` on the
 * same 500 objects.
 */
import { spawnSync } from "node:child_process";
import { existsSync, mkdtempSync, mkdirSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { stringify } from "yaml";
import { compare, defaultEngineConfig } from "../src/engine/index.js";
import type { DesiredObject, LiveObject } from "../src/model/index.js";
import type { ObjectRef } from "../src/kube/object.js";
import { splitApiVersion } from "../src/kube/object.js";
import type { KubeObject } from "../src/kube/value/json.js";
import { createSandboxCore } from "../src/sandbox/index.js";
import { builtinSchema } from "../src/kube/schema/builtin.js";
import { benchManifest as manifest, type Kind } from "./manifests.js";
import { measure, ok, startServer, type Target } from "./sandbox.js";

const root = fileURLToPath(new URL("..", import.meta.url));

const kinds: readonly Kind[] = ["Deployment", "Service", "ConfigMap"];
const paths: Readonly<Record<Kind, string>> = {
  Deployment: "/apis/apps/v1/namespaces/bench/deployments",
  Service: "/api/v1/namespaces/bench/services",
  ConfigMap: "/api/v1/namespaces/bench/configmaps",
};

function refOf(object: KubeObject): ObjectRef {
  const metadata = object["metadata"] as { name: string; namespace?: string };
  const { group, version } = splitApiVersion(object["apiVersion"] as string);
  return {
    group,
    version,
    kind: object["kind"] as string,
    namespace: metadata.namespace ?? "",
    name: metadata.name,
  };
}

/** Live objects exactly as kube-apiserver stores them: one of each kind written through the sandbox, then renamed. */
function liveTemplates(): Readonly<Record<Kind, KubeObject>> {
  const core = createSandboxCore({ token: "bench", rootCA: "CA" });
  const headers = {
    authorization: "Bearer bench",
    "content-type": "application/json",
    "user-agent": "kubectl/v1.32.4",
  };
  core.app.handle({
    method: "POST",
    url: "/api/v1/namespaces",
    headers,
    body: Buffer.from(JSON.stringify({ metadata: { name: "bench" } })),
  });
  const templates = {} as Record<Kind, KubeObject>;
  for (const kind of kinds) {
    const response = core.app.handle({
      method: "POST",
      url: `${paths[kind]}?fieldManager=kubectl-client-side-apply`,
      headers,
      body: Buffer.from(JSON.stringify(manifest(kind, "bench-placeholder", "bench"))),
    });
    if (response.kind !== "json") throw new Error("unexpected response");
    templates[kind] = response.body as KubeObject;
  }
  core.close();
  return templates;
}

function renamed(template: KubeObject, name: string): KubeObject {
  const text = JSON.stringify(template).replaceAll('"bench-placeholder"', JSON.stringify(name));
  return JSON.parse(text) as KubeObject;
}

/** As `kubectl apply` leaves it: the manifest it applied in the last-applied-configuration annotation. */
function withLastApplied(live: KubeObject, manifest: KubeObject): KubeObject {
  const metadata = live["metadata"] as Record<string, unknown>;
  const annotations = {
    ...(metadata["annotations"] as Record<string, string> | undefined),
    "kubectl.kubernetes.io/last-applied-configuration": `${JSON.stringify(manifest)}\n`,
  };
  return { ...live, metadata: { ...metadata, annotations } };
}

export function engineBench(count: number, options: { readonly lastApplied: boolean }): void {
  const templates = liveTemplates();
  const desired: DesiredObject[] = [];
  const live: LiveObject[] = [];
  for (let index = 0; index < count; index += 1) {
    const kind = kinds[index % kinds.length] ?? "ConfigMap";
    const name = `obj-${index}`;
    const object = manifest(kind, name, "bench");
    desired.push({ ref: refOf(object), object, source: { file: "bench.yaml", line: index * 20 + 1 } });
    const renamedLive = renamed(templates[kind], name);
    const liveObject = options.lastApplied ? withLastApplied(renamedLive, object) : renamedLive;
    live.push({ ref: refOf(liveObject), object: liveObject });
  }
  const input = {
    desired,
    live,
    scope: { kinds: ["apps/Deployment", "/Service", "/ConfigMap"], namespaces: ["bench"] },
    schema: builtinSchema,
    config: defaultEngineConfig,
    cluster: "bench",
    generatedAt: "2026-11-22T00:00:00Z",
  };
  compare(input); // warm-up: schema loading and JIT
  const started = performance.now();
  const report = compare(input);
  const seconds = (performance.now() - started) / 1000;
  const label = options.lastApplied ? "engine compare (with last-applied)" : "engine compare (in memory)";
  console.log(
    `${label.padEnd(34)} ${((seconds * 1e6) / count).toFixed(1).padStart(7)} µs/object   (${count} objects in ${seconds.toFixed(2)} s; ${report.summary.inSync} in sync)`,
  );
}

async function seedCluster(target: Target, namespace: string, count: number): Promise<void> {
  await ok(target, { method: "POST", path: "/api/v1/namespaces", body: { metadata: { name: namespace } } });
  await measure("seed", count, 16, (index) => {
    const kind = kinds[index % kinds.length] ?? "ConfigMap";
    return ok(target, {
      method: "POST",
      path: `${paths[kind].replace("/bench/", `/${namespace}/`)}?fieldManager=kubectl-client-side-apply`,
      body: manifest(kind, `obj-${index}`, namespace),
    });
  });
}

function writeManifests(namespace: string, count: number, files: number): string {
  const directory = mkdtempSync(join(tmpdir(), "kubedrift-bench-manifests-"));
  mkdirSync(join(directory, "deploy"));
  const perFile = Math.ceil(count / files);
  for (let file = 0; file < files; file += 1) {
    const documents: string[] = [];
    for (let index = file * perFile; index < Math.min(count, (file + 1) * perFile); index += 1) {
      const kind = kinds[index % kinds.length] ?? "ConfigMap";
      // YAML 1.1 quoting, as kubectl reads manifests: an unquoted `on` would be a boolean.
      documents.push(stringify(manifest(kind, `obj-${index}`, namespace), { version: "1.1" }));
    }
    writeFileSync(
      join(directory, "deploy", `part-${String(file).padStart(3, "0")}.yaml`),
      documents.join("---\n"),
    );
  }
  return directory;
}

function timed(
  command: string,
  args: readonly string[],
  cwd: string,
): { seconds: number; status: number | null; stderr: string; stdout: string } {
  const started = performance.now();
  const result = spawnSync(command, args, {
    cwd,
    encoding: "utf8",
    maxBuffer: 1 << 30,
    env: { ...process.env, HOME: cwd },
  });
  return {
    seconds: (performance.now() - started) / 1000,
    status: result.status,
    stderr: result.stderr,
    stdout: result.stdout,
  };
}

function kubedrift(
  directory: string,
  kubeconfigPath: string,
): { seconds: number; status: number | null; stderr: string; stdout: string } {
  return timed(
    join(root, "bin", "kubedrift"),
    ["diff", "-f", "deploy", "--kubeconfig", kubeconfigPath, "-o", "json"],
    directory,
  );
}

function summaryOf(stdout: string): string {
  if (!stdout.startsWith("{")) return "";
  const summary = (JSON.parse(stdout) as { summary: Readonly<Record<string, number>> }).summary;
  return ` ${JSON.stringify(summary)}`;
}

function report(
  name: string,
  result: { seconds: number; status: number | null; stderr: string; stdout: string },
  count: number,
): void {
  const verdicts: Readonly<Record<number, string>> = { 0: "no drift", 1: "differences or error", 2: "drift" };
  const verdict = `exit ${String(result.status)}: ${verdicts[result.status ?? -1] ?? "?"}${summaryOf(result.stdout)}`;
  console.log(
    `${name.padEnd(34)} ${result.seconds.toFixed(2).padStart(7)} s          (${count} objects, ${verdict})`,
  );
}

async function endToEnd(count: number, compared: number): Promise<void> {
  const { target, child, kubeconfigPath } = await startServer();
  try {
    await seedCluster(target, "bench", count);
    await seedCluster(target, "compared", compared);
    const all = writeManifests("bench", count, 20);
    report("kubedrift diff (end to end)", kubedrift(all, kubeconfigPath), count);
    const some = writeManifests("compared", compared, 5);
    // The median of three runs: a single short run is at the mercy of the machine's noise.
    const runs = [
      kubedrift(some, kubeconfigPath),
      kubedrift(some, kubeconfigPath),
      kubedrift(some, kubeconfigPath),
    ];
    const ours = [...runs].sort((a, b) => a.seconds - b.seconds)[1] ?? runs[0];
    if (ours === undefined) throw new Error("no run");
    const theirs = timed("/usr/bin/kubectl", ["diff", "-f", "deploy", "--kubeconfig", kubeconfigPath], some);
    report(`kubedrift diff (median of 3)`, ours, compared);
    report(`kubectl diff`, theirs, compared);
    console.log(
      `${"kubedrift diff vs kubectl diff".padEnd(34)} ${(theirs.seconds / ours.seconds).toFixed(1).padStart(7)} × faster`,
    );
  } finally {
    target.agent.destroy();
    child.kill("SIGTERM");
  }
}

/** One ~50 MB file of ConfigMaps with quoted values, as generated manifests often are. */
function writeBigManifest(count: number): string {
  const directory = mkdtempSync(join(tmpdir(), "kubedrift-bench-big-"));
  const documents: string[] = [];
  for (let index = 0; index < count; index += 1) {
    const data = Array.from(
      { length: 20 },
      (_, key) => `  key-${key}: "${"v".repeat(100)}-${index}-${key}"\n`,
    ).join("");
    documents.push(
      `apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: cm-${index}\n  namespace: default\ndata:\n${data}`,
    );
  }
  writeFileSync(join(directory, "big.yaml"), documents.join("---\n"));
  writeFileSync(join(directory, "live.yaml"), "");
  return directory;
}

/** Parsing at scale: `diff -f` of one 50 MB file against an empty live file (time and peak RSS via GNU time). */
export function bigManifest(count: number): void {
  const directory = writeBigManifest(count);
  const args = ["diff", "-f", "big.yaml", "--live-file", "live.yaml", "-o", "json"];
  const gnuTime = "/usr/bin/time";
  const result = existsSync(gnuTime)
    ? timed(gnuTime, ["-f", "peak-rss-kb %M", join(root, "bin", "kubedrift"), ...args], directory)
    : timed(join(root, "bin", "kubedrift"), args, directory);
  rmSync(directory, { recursive: true, force: true });
  const peak = /peak-rss-kb (\d+)/.exec(result.stderr)?.[1];
  const rss = peak === undefined ? "" : `, peak RSS ${Math.round(Number(peak) / 1024)} MB`;
  console.log(
    `${"kubedrift diff -f (one 50 MB file)".padEnd(34)} ${result.seconds.toFixed(2).padStart(7)} s          (${count} objects${rss}, exit ${String(result.status)})`,
  );
}

export async function benchDrift(): Promise<void> {
  engineBench(10_000, { lastApplied: false });
  engineBench(10_000, { lastApplied: true });
  bigManifest(20_000);
  await endToEnd(10_000, 500);
}
