/**
 * Continuous detection: the built `kubedrift watch` against the sandbox with 1,000 and 10,000
 * ConfigMaps, and with the estate of 10,000 objects of bench/estate.ts (its ConfigMaps changed).
 * Time to the first sync, the memory of the process doing the work, and the latency from an
 * out-of-band change to the "drift opened" line that watch writes for it.
 */
import { spawn, type ChildProcess } from "node:child_process";
import { mkdirSync, mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { setTimeout as delay } from "node:timers/promises";
import { stringify } from "yaml";
import { estate, pathOf, seedEstate, writeEstate } from "./estate.js";
import type { Recorder } from "./figures.js";
import { benchManifest } from "./manifests.js";
import { measure, ok, startServer, type Started, type Target } from "./sandbox.js";

const root = fileURLToPath(new URL("..", import.meta.url));
const namespace = "watched";
const changesPerSecond = 50;
const aim = { p99Ms: 250, rssMb: 300 };

interface Size {
  readonly objects: number;
  readonly streamSeconds: number;
  /** The estate of bench/estate.ts (undrifted) rather than ConfigMaps alone; its ConfigMaps are changed. */
  readonly estate?: boolean;
}

const labelOf = (size: Size): string => `${size.objects}${size.estate === true ? " estate" : ""}`;

const nameOf = (index: number): string => `cm-${String(index).padStart(5, "0")}`;

async function seed(target: Target, objects: number): Promise<void> {
  await ok(target, { method: "POST", path: "/api/v1/namespaces", body: { metadata: { name: namespace } } });
  await measure("seed", objects, 16, (index) =>
    ok(target, {
      method: "POST",
      path: `/api/v1/namespaces/${namespace}/configmaps?fieldManager=kubectl-client-side-apply`,
      body: benchManifest("ConfigMap", nameOf(index), namespace),
    }),
  );
}

/** The same objects as manifests, a thousand to a file, as a repository of generated YAML might hold. */
function writeManifests(directory: string, objects: number): string {
  const deploy = join(directory, "deploy");
  mkdirSync(deploy);
  for (let first = 0; first < objects; first += 1000) {
    const documents: string[] = [];
    for (let index = first; index < Math.min(objects, first + 1000); index += 1)
      // YAML 1.1 quoting, as kubectl reads manifests: an unquoted `on` would be a boolean.
      documents.push(stringify(benchManifest("ConfigMap", nameOf(index), namespace), { version: "1.1" }));
    writeFileSync(join(deploy, `part-${String(first).padStart(5, "0")}.yaml`), documents.join("---\n"));
  }
  return deploy;
}

// ---- the watch process -------------------------------------------------------------------------

interface LogRecord {
  readonly msg: string;
  readonly [field: string]: unknown;
}

interface WatchProcess {
  readonly child: ChildProcess;
  readonly spawnedAt: number;
  /** When each object's "drift opened" line was read, by name, and the `at` it carried. */
  readonly opened: Map<string, { readonly readAt: number; readonly at: string }>;
  /** The first line with this message, and when it was read. */
  readonly next: (msg: string, timeoutMs: number) => Promise<{ record: LogRecord; readAt: number }>;
  readonly errors: () => readonly string[];
  readonly tail: () => string;
  readonly exited: Promise<number | null>;
}

function startWatch(directory: string, kubeconfigPath: string): WatchProcess {
  const args = ["watch", "-f", "deploy", "--kubeconfig", kubeconfigPath];
  const options = ["--store", `sqlite:${join(directory, "kubedrift.db")}`, "--listen", "127.0.0.1:0"];
  const spawnedAt = performance.now();
  const child = spawn(
    join(root, "bin", "kubedrift"),
    [...args, ...options, "--no-events", "--resync", "1h"],
    {
      cwd: directory,
      env: { ...process.env, HOME: directory },
      stdio: ["ignore", "ignore", "pipe"],
    },
  );
  const exited = new Promise<number | null>((resolve) => child.once("close", resolve));
  return { child, spawnedAt, exited, ...readLog(child) };
}

type Waiter = (record: LogRecord, readAt: number) => boolean;

/** Reads stderr as it comes; "drift opened" lines are only indexed, as the bench must not slow them. */
function readLog(child: ChildProcess): Omit<WatchProcess, "child" | "spawnedAt" | "exited"> {
  const opened = new Map<string, { readAt: number; at: string }>();
  const waiters = new Set<Waiter>();
  const errors: string[] = [];
  let partial = "";
  let recent = "";
  const line = (text: string, readAt: number): void => {
    if (!text.startsWith("{")) return;
    const record = JSON.parse(text) as LogRecord;
    if (record.msg === "drift opened") {
      const name = record["name"] as string;
      if (!opened.has(name)) opened.set(name, { readAt, at: record["at"] as string });
    } else if (record.msg === "error") errors.push(String(record["error"]));
    for (const waiter of waiters) if (waiter(record, readAt)) waiters.delete(waiter);
  };
  child.stderr?.on("data", (chunk: Buffer) => {
    // One time for the whole chunk: the lines in it were all there when it was read.
    const readAt = performance.now();
    const lines = (partial + chunk.toString()).split("\n");
    partial = lines.pop() ?? "";
    recent = (recent + chunk.toString()).slice(-2000);
    for (const text of lines) line(text, readAt);
  });
  const next = (msg: string, timeoutMs: number): Promise<{ record: LogRecord; readAt: number }> =>
    new Promise((resolve, reject) => {
      const timer = setTimeout(
        () => reject(new Error(`no "${msg}" line within ${timeoutMs / 1000} s`)),
        timeoutMs,
      );
      child.once("close", () => {
        clearTimeout(timer);
        reject(new Error(`watch exited before "${msg}": ${recent}`));
      });
      waiters.add((record, readAt) => {
        if (record.msg !== msg) return false;
        clearTimeout(timer);
        resolve({ record, readAt });
        return true;
      });
    });
  return { opened, next, errors: () => errors, tail: () => recent };
}

async function stopWatch(watch: WatchProcess): Promise<void> {
  if (watch.child.exitCode !== null || watch.child.signalCode !== null) return;
  watch.child.kill("SIGTERM");
  const stopped = await Promise.race([watch.exited.then(() => true), delay(15_000).then(() => false)]);
  if (!stopped) {
    console.log(`${"".padEnd(34)} watch did not stop within 15 s of SIGTERM: killed`);
    watch.child.kill("SIGKILL");
    await watch.exited;
  }
}

// ---- /proc ---------------------------------------------------------------------------------------

function readProc(pid: number, file: string): string {
  try {
    return readFileSync(`/proc/${pid}/${file}`, "utf8");
  } catch {
    return "";
  }
}

function childrenOf(pid: number): number[] {
  const tasks = (() => {
    try {
      return readdirSync(`/proc/${pid}/task`);
    } catch {
      return [];
    }
  })();
  return tasks.flatMap((task) =>
    readProc(pid, `task/${task}/children`).split(" ").filter(Boolean).map(Number),
  );
}

/** bin/kubedrift is a shell launcher that execs node today; should it ever fork instead, measure the node below it. */
function workerPid(pid: number): number | undefined {
  if (readProc(pid, "cmdline").includes("dist/cli/main.js")) return pid;
  for (const child of childrenOf(pid)) {
    const found = workerPid(child);
    if (found !== undefined) return found;
  }
  return undefined;
}

interface Usage {
  readonly rssMb: number;
  readonly peakMb: number;
  readonly cpuSeconds: number;
}

function usageOf(pid: number): Usage {
  const status = readProc(pid, "status");
  const kb = (field: string): number => Number(new RegExp(`${field}:\\s+(\\d+) kB`).exec(status)?.[1] ?? 0);
  // utime and stime, fields 14 and 15, counted after the command name (which may hold spaces).
  const stat = readProc(pid, "stat");
  const fields = stat.slice(stat.lastIndexOf(")") + 2).split(" ");
  const ticks = Number(fields[11] ?? 0) + Number(fields[12] ?? 0);
  return { rssMb: kb("VmRSS") / 1024, peakMb: kb("VmHWM") / 1024, cpuSeconds: ticks / 100 };
}

function usageText(usage: Usage): string {
  return `RSS ${usage.rssMb.toFixed(0)} MB (peak ${usage.peakMb.toFixed(0)} MB), CPU ${usage.cpuSeconds.toFixed(1)} s so far`;
}

// ---- the change stream ---------------------------------------------------------------------------

/** Filled in as the change goes out and its answer comes back. */
interface Sent extends Change {
  /** performance.now() and Date.now() just before the request went out. */
  sentAt: number;
  wallAt: number;
  /** The PATCH's round trip, NaN when it failed. */
  roundTrip: number;
}

interface Change {
  readonly name: string;
  readonly path: string;
  readonly body: unknown;
}

/** `count` changes of distinct objects spread over the estate (or the ConfigMaps). */
function changesOf(size: Size, count: number): readonly Change[] {
  if (size.estate !== true) {
    const stride = Math.max(1, Math.floor(size.objects / count));
    return Array.from({ length: count }, (_, index) => {
      const name = nameOf((index * stride) % size.objects);
      return {
        name,
        path: `/api/v1/namespaces/${namespace}/configmaps/${name}`,
        body: { data: { TTL: "301" } },
      };
    });
  }
  const maps = estate(size.objects).objects.filter((object) => object["kind"] === "ConfigMap");
  const stride = Math.max(1, Math.floor(maps.length / count));
  return Array.from({ length: count }, (_, index) => {
    const object = maps[(index * stride) % maps.length] ?? {};
    const name = (object["metadata"] as { name: string }).name;
    return { name, path: pathOf(object, true), body: { data: { CACHE_TTL: "1" } } };
  });
}

/** Paced by an absolute schedule so that a late tick does not push every later change back. */
async function streamChanges(target: Target, changes: readonly Change[]): Promise<Sent[]> {
  const interval = 1000 / changesPerSecond;
  const count = changes.length;
  const start = performance.now() + interval;
  const sent: Sent[] = [];
  const replies: Promise<void>[] = [];
  for (let index = 0; index < count; index += 1) {
    const wait = start + index * interval - performance.now();
    if (wait > 0) await delay(wait);
    const change: Sent = { ...changes[index], sentAt: 0, wallAt: 0, roundTrip: NaN };
    replies.push(send(target, change));
    sent.push(change);
  }
  await Promise.all(replies);
  return sent;
}

async function send(target: Target, change: Sent): Promise<void> {
  change.sentAt = performance.now();
  change.wallAt = Date.now();
  try {
    await ok(target, {
      method: "PATCH",
      path: `${change.path}?fieldManager=kubectl-edit`,
      body: change.body,
      contentType: "application/merge-patch+json",
    });
    change.roundTrip = performance.now() - change.sentAt;
  } catch {
    // Counted as a failed change in the report; the stream goes on.
  }
}

/** Until every change is detected, or nothing new was detected for `quietMs`. */
async function awaitDetections(watch: WatchProcess, sent: readonly Sent[], quietMs: number): Promise<void> {
  let seen = -1;
  let lastProgress = performance.now();
  for (;;) {
    const detected = sent.filter((change) => watch.opened.has(change.name)).length;
    if (detected === sent.length) return;
    if (detected !== seen) [seen, lastProgress] = [detected, performance.now()];
    if (performance.now() - lastProgress > quietMs) return;
    await delay(50);
  }
}

// ---- report --------------------------------------------------------------------------------------

function percentile(sorted: readonly number[], fraction: number): number {
  return sorted[Math.min(sorted.length - 1, Math.floor(sorted.length * fraction))] ?? NaN;
}

function distribution(values: readonly number[]): string {
  const sorted = [...values].sort((a, b) => a - b);
  const at = (fraction: number): string => percentile(sorted, fraction).toFixed(0);
  return `p50 ${at(0.5)}   p90 ${at(0.9)}   p99 ${at(0.99)}   max ${at(1)} ms`;
}

interface Latency {
  readonly p50: number;
  readonly p99: number;
  readonly detected: number;
  readonly sent: number;
}

function reportLatency(label: string, watch: WatchProcess, sent: readonly Sent[]): Latency {
  const detected = sent.flatMap((change) => {
    const opened = watch.opened.get(change.name);
    return opened === undefined ? [] : [{ change, opened }];
  });
  const latencies = detected.map(({ change, opened }) => opened.readAt - change.sentAt);
  const failed = sent.filter((change) => Number.isNaN(change.roundTrip)).length;
  const sorted = [...latencies].sort((a, b) => a - b);
  const verdict = percentile(sorted, 0.99) < aim.p99Ms ? "within" : "OVER";
  console.log(
    `${label.padEnd(34)} ${distribution(latencies)}   (${detected.length}/${sent.length} detected${failed > 0 ? `, ${failed} PATCHes failed` : ""}; p99 ${verdict} the ${aim.p99Ms} ms aim)`,
  );
  // Where the time goes: the episode's own timestamp is taken before the store write and the log line.
  const stamped = detected.map(({ change, opened }) => Date.parse(opened.at) - change.wallAt);
  const roundTrips = sent.map((change) => change.roundTrip).filter((time) => !Number.isNaN(time));
  console.log(`${"  change → episode stamped".padEnd(34)} ${distribution(stamped)}`);
  console.log(`${"  PATCH round trip (sandbox)".padEnd(34)} ${distribution(roundTrips)}`);
  return {
    p50: percentile(sorted, 0.5),
    p99: percentile(sorted, 0.99),
    detected: detected.length,
    sent: sent.length,
  };
}

// ---- one size ------------------------------------------------------------------------------------

/** Seconds from spawn to the first "synced" line, undefined when it did not come. */
async function firstSync(watch: WatchProcess, pid: () => number, size: Size): Promise<number | undefined> {
  const timeoutMs = Math.max(120_000, size.objects * 30);
  try {
    const synced = await watch.next("synced", timeoutMs);
    const seconds = (synced.readAt - watch.spawnedAt) / 1000;
    const own = Number(synced.record["seconds"]).toFixed(2);
    console.log(
      `${`watch first sync (${labelOf(size)} objects)`.padEnd(34)} ${seconds.toFixed(2).padStart(7)} s          (from spawn; the sync itself ${own} s; ${usageText(usageOf(pid()))})`,
    );
    return seconds;
  } catch (error: unknown) {
    console.log(`${`watch first sync (${labelOf(size)} objects)`.padEnd(34)} ${(error as Error).message}`);
    return undefined;
  }
}

async function detection(
  started: Started,
  watch: WatchProcess,
  pid: () => number,
  size: Size,
): Promise<Latency & { readonly rssMb: number }> {
  const count = size.streamSeconds * changesPerSecond;
  const sent = await streamChanges(started.target, changesOf(size, count));
  await awaitDetections(watch, sent, 10_000);
  const latency = reportLatency(`detection latency (${labelOf(size)}, ${changesPerSecond}/s)`, watch, sent);
  const usage = usageOf(pid());
  const verdict = usage.rssMb < aim.rssMb ? "within" : "OVER";
  console.log(
    `${`watch after ${count} changes`.padEnd(34)} ${usageText(usage)}; RSS ${verdict} the ${aim.rssMb} MB aim`,
  );
  const errors = watch.errors();
  if (errors.length > 0)
    console.log(`${"  watch logged errors".padEnd(34)} ${errors.length}, first: ${errors[0]}`);
  return { ...latency, rssMb: usage.peakMb };
}

function recordSize(
  recorder: Recorder | undefined,
  size: Size,
  synced: number | undefined,
  latency: (Latency & { readonly rssMb: number }) | undefined,
): void {
  if (recorder === undefined) return;
  const part = "watch";
  const objects = labelOf(size);
  const single = "one run; the percentiles are over the changes of one stream";
  recorder.record({
    part,
    name: `watch start-up to ready (${objects} objects)`,
    value: synced ?? null,
    unit: "s",
    note: single,
  });
  if (latency === undefined) return;
  const note = `${latency.detected}/${latency.sent} changes detected, ${changesPerSecond} changes/s`;
  recorder.record({
    part,
    name: `  detection latency p50 (${objects})`,
    value: latency.p50,
    unit: "ms",
    note,
  });
  recorder.record({
    part,
    name: `  detection latency p99 (${objects})`,
    value: latency.p99,
    unit: "ms",
    ...(size.objects === 10_000 ? { target: `≤ ${aim.p99Ms} ms`, meets: latency.p99 <= aim.p99Ms } : {}),
  });
  recorder.record({ part, name: `  peak RSS of watch (${objects})`, value: latency.rssMb, unit: "MB" });
}

export async function benchSize(size: Size, recorder?: Recorder): Promise<void> {
  const started = await startServer();
  const directory = mkdtempSync(join(tmpdir(), "kubedrift-bench-watch-"));
  let watch: WatchProcess | undefined;
  try {
    if (size.estate === true) {
      const of = estate(size.objects);
      await seedEstate(started.target, of);
      writeEstate(join(directory, "deploy"), of);
    } else {
      await seed(started.target, size.objects);
      writeManifests(directory, size.objects);
    }
    const running = startWatch(directory, started.kubeconfigPath);
    watch = running;
    // Looked up once the process has started its work, then kept: the pid does not change.
    let cached: number | undefined;
    const launched = running.child.pid ?? 0;
    const pid = (): number => (cached ??= workerPid(launched) ?? launched);
    const synced = await firstSync(running, pid, size);
    const latency = synced === undefined ? undefined : await detection(started, running, pid, size);
    recordSize(recorder, size, synced, latency);
  } finally {
    if (watch !== undefined) await stopWatch(watch);
    await stopSandbox(started);
    rmSync(directory, { recursive: true, force: true });
    rmSync(dirname(started.kubeconfigPath), { recursive: true, force: true });
  }
}

async function stopSandbox(started: Started): Promise<void> {
  started.target.agent.destroy();
  const exited = new Promise((resolve) => started.child.once("close", resolve));
  started.child.kill("SIGTERM");
  await Promise.race([exited, delay(10_000)]);
}

export async function benchWatch(recorder?: Recorder): Promise<void> {
  console.log(`aims: p99 detection latency < ${aim.p99Ms} ms, RSS < ${aim.rssMb} MB at 10,000 objects`);
  await benchSize({ objects: 1000, streamSeconds: 5 }, recorder);
  await benchSize({ objects: 10_000, streamSeconds: 20 }, recorder);
  await benchSize({ objects: 10_000, streamSeconds: 20, estate: true }, recorder);
}
