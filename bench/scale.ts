/**
 * `kubedrift diff` at estate scale (issue 17): the estate of bench/estate.ts at each size, seeded in
 * a sandbox and ~5% drifted, compared online and from YAML and JSON live files; end to end and by
 * phase, peak RSS, and the growth from the smallest size to the largest. Then `kubectl diff` and
 * `kubectl diff --server-side` on the same 300, 1,000 and 2,000 objects.
 */
import { mkdtempSync, rmSync, statSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { driftEstate, dumpLive, estate, seedEstate, writeEstate, type Estate } from "./estate.js";
import {
  median,
  phaseNames,
  phasesOf,
  repeat,
  runChild,
  type ChildRun,
  type Figure,
  type Recorder,
} from "./figures.js";
import { startServer, type Started } from "./sandbox.js";

const root = fileURLToPath(new URL("..", import.meta.url));
export const kubedriftBin = join(root, "bin", "kubedrift");
/** Secret values are hashed with this key: the same in every run, no key file written under HOME. */
export const redactionKey = "kubedrift-tests-0123456789abcdef0123456789";

export interface Prepared {
  readonly estate: Estate;
  readonly directory: string;
  readonly started: Started;
  readonly drifted: number;
  readonly seedSeconds: number;
  readonly driftSeconds: number;
}

/** A sandbox holding the estate of `size` objects, ~5% drifted, and its files in a directory. */
export async function prepareEstate(size: number): Promise<Prepared> {
  const of = estate(size);
  const directory = mkdtempSync(join(tmpdir(), `kubedrift-bench-estate-${size}-`));
  writeEstate(directory, of);
  const started = await startServer();
  const seedSeconds = await seedEstate(started.target, of);
  const driftStart = performance.now();
  const drifted = await driftEstate(started.target, started.kubeconfigPath, of);
  const driftSeconds = (performance.now() - driftStart) / 1000;
  return { estate: of, directory, started, drifted, seedSeconds, driftSeconds };
}

export async function disposeEstate(prepared: Prepared): Promise<void> {
  prepared.started.target.agent.destroy();
  const exited = new Promise((resolve) => prepared.started.child.once("close", resolve));
  prepared.started.child.kill("SIGTERM");
  await Promise.race([exited, new Promise((resolve) => setTimeout(resolve, 10_000))]);
  rmSync(prepared.directory, { recursive: true, force: true });
  rmSync(dirname(prepared.started.kubeconfigPath), { recursive: true, force: true });
}

export function diffOnce(
  directory: string,
  source: readonly string[],
  binary = kubedriftBin,
): Promise<ChildRun> {
  return runChild(binary, ["diff", "-f", "apps", ...source, "-o", "json", "-v"], {
    cwd: directory,
    env: { KUBEDRIFT_REDACTION_KEY: redactionKey, TZ: "UTC" },
    keepStdout: true,
  });
}

function summaryOf(run: ChildRun): Readonly<Record<string, number>> | undefined {
  try {
    return (JSON.parse(run.stdout) as { summary: Record<string, number> }).summary;
  } catch {
    return undefined;
  }
}

// ---- diff at each size -----------------------------------------------------------------------------

type Mode = "online" | "yaml" | "json";
const modes: readonly Mode[] = ["online", "json", "yaml"];

export interface ScaleOptions {
  readonly sizes: readonly number[];
  readonly runs: number;
  /** Runs at 50,000 objects and more, where one run is long. */
  readonly largeRuns: number;
}

interface Measured {
  readonly mode: Mode;
  readonly size: number;
  /** null when every run failed. */
  readonly seconds: number | null;
  readonly rssMb: number;
}

const secondsTarget: Readonly<Record<number, number>> = { 10_000: 2, 50_000: 8 };

function sourceArgs(mode: Mode, prepared: Prepared): readonly string[] {
  return mode === "online"
    ? ["--kubeconfig", prepared.started.kubeconfigPath]
    : ["--live-file", `live.${mode}`];
}

function phaseFigures(
  recorder: Recorder,
  detail: { readonly size: number; readonly mode: Mode },
  runs: readonly ChildRun[],
): void {
  const parsed = runs.map((run) => phasesOf(run.stderr));
  for (const phase of phaseNames) {
    const values = parsed.flatMap((phases) => (phases[phase] === undefined ? [] : [phases[phase]]));
    recorder.record({
      part: "diff",
      name: `  phase ${phase}`,
      value: values.length === 0 ? null : median(values),
      unit: "ms",
      runs: values.length,
      ...(values.length === 0 ? { note: "no `trace: phase` line in diff -v's stderr" } : {}),
      detail,
    });
  }
}

/** A run that wrote its report: exit 0 (no drift) or 2 (drift). */
const succeeded = (run: ChildRun): boolean => run.status === 0 || run.status === 2;

/** The line of stderr that says why a run failed (V8's out-of-memory, an error), else its last. */
function failureOf(run: ChildRun): string {
  const lines = run.stderr.split("\n").filter((line) => line.trim() !== "" && !line.startsWith("trace:"));
  const telling = lines.find((line) => /FATAL ERROR|heap out of memory|^error|Error:/i.test(line));
  return (telling ?? lines.at(-1) ?? "").trim().slice(0, 200);
}

function verdictNote(runs: readonly ChildRun[], drifted: number): string {
  const statuses = [...new Set(runs.map((run) => String(run.status)))].join(",");
  const failed = runs.find((run) => !succeeded(run));
  const good = runs.find(succeeded);
  const summary = good === undefined ? undefined : summaryOf(good);
  const failure =
    failed === undefined ? "" : `; a run failed after ${failed.seconds.toFixed(0)} s: ${failureOf(failed)}`;
  if (summary === undefined) return `exit ${statuses}, no report${failure}`;
  return `exit ${statuses}, ${summary["drifted"]} drifted of ${summary["total"]} (${drifted} written), ${summary["errors"]} errors${failure}`;
}

/** Up to `runs` runs, stopping at the first that fails: a crash (out of memory, say) is not worth repeating. */
async function diffRuns(prepared: Prepared, mode: Mode, runs: number): Promise<ChildRun[]> {
  const results: ChildRun[] = [];
  for (let index = 0; index < runs; index += 1) {
    const run = await diffOnce(prepared.directory, sourceArgs(mode, prepared));
    results.push(run);
    if (!succeeded(run)) break;
  }
  return results;
}

async function measureMode(
  recorder: Recorder,
  prepared: Prepared,
  mode: Mode,
  runs: number,
): Promise<Measured> {
  const size = prepared.estate.size;
  const results = await diffRuns(prepared, mode, runs);
  const good = results.filter(succeeded);
  const seconds = good.length === 0 ? null : median(good.map((run) => run.seconds));
  const rssMb = Math.max(...results.map((run) => run.peakRssMb));
  const limit = secondsTarget[size];
  const label = mode === "online" ? "online" : `--live-file live.${mode}`;
  recorder.record({
    part: "diff",
    name: `diff ${size} objects, ${label}`,
    value: seconds,
    unit: "s",
    runs: good.length,
    samples: results.map((run) => run.seconds),
    ...(limit === undefined ? {} : { target: `≤ ${limit} s`, meets: seconds !== null && seconds <= limit }),
    note: verdictNote(results, prepared.drifted),
    detail: { size, mode },
  });
  const perObject = seconds === null ? null : (seconds * 1e6) / size;
  recorder.record({
    part: "diff",
    name: `  per object`,
    value: perObject,
    unit: "µs",
    runs: good.length,
    detail: { size, mode },
  });
  recorder.record({
    part: "diff",
    name: `  peak RSS`,
    value: rssMb,
    unit: "MB",
    note: `the largest of ${results.length} runs`,
    ...(size >= 50_000 ? { target: "≤ 1024 MB", meets: rssMb <= 1024 } : {}),
    detail: { size, mode },
  });
  phaseFigures(recorder, { size, mode }, good);
  return { mode, size, seconds, rssMb };
}

async function dumpFigures(recorder: Recorder, prepared: Prepared): Promise<void> {
  for (const format of ["json", "yaml"] as const) {
    const file = join(prepared.directory, `live.${format}`);
    const started = performance.now();
    await dumpLive(prepared.started.kubeconfigPath, file, format);
    recorder.record({
      part: "diff",
      name: `kubectl get -A -o ${format} > live.${format}`,
      value: (performance.now() - started) / 1000,
      unit: "s",
      note: `${(statSync(file).size / 2 ** 20).toFixed(0)} MB, for --live-file`,
    });
  }
}

async function oneSize(recorder: Recorder, size: number, options: ScaleOptions): Promise<Measured[]> {
  recorder.heading(`diff: the estate of ${size.toLocaleString("en")} objects`);
  const prepared = await prepareEstate(size);
  try {
    recorder.record({
      part: "diff",
      name: `seed ${size} objects (as kubectl apply creates them)`,
      value: prepared.seedSeconds,
      unit: "s",
    });
    recorder.record({
      part: "diff",
      name: `drift ${prepared.drifted} of them (kubectl's writes)`,
      value: prepared.driftSeconds,
      unit: "s",
    });
    await dumpFigures(recorder, prepared);
    const runs = size >= 50_000 ? options.largeRuns : options.runs;
    const measured: Measured[] = [];
    for (const mode of modes) measured.push(await measureMode(recorder, prepared, mode, runs));
    return measured;
  } finally {
    await disposeEstate(prepared);
  }
}

function stepFigures(
  recorder: Recorder,
  good: readonly Measured[],
  perObject: (entry: Measured) => number,
): void {
  for (const [index, to] of good.entries()) {
    const from = good[index - 1];
    if (from === undefined) continue;
    const step = perObject(to) / perObject(from);
    recorder.record({
      part: "diff",
      name: `  step ${from.size} → ${to.size}`,
      value: step,
      unit: "×",
      target: "≤ 1",
      meets: step <= 1,
      detail: { mode: to.mode },
    });
  }
}

/** Per-object time and RSS from the smallest size to the largest that succeeded, for one source. */
function growthOf(recorder: Recorder, mode: Mode, entries: readonly Measured[]): void {
  const sorted = [...entries].sort((a, b) => a.size - b.size);
  const good = sorted.filter((entry) => entry.seconds !== null);
  const small = good[0];
  const large = good.at(-1);
  const failed = sorted.filter((entry) => entry.seconds === null).map((entry) => `${entry.size}: failed`);
  if (small === undefined || large === undefined || small === large) return;
  const perObject = (entry: Measured): number => ((entry.seconds ?? NaN) * 1e6) / entry.size;
  const ratio = perObject(large) / perObject(small);
  const span = `${small.size} → ${large.size}`;
  recorder.record({
    part: "diff",
    name: `growth of per-object time, ${mode} (${span})`,
    value: ratio,
    unit: "×",
    target: "≤ 1 (linear or better)",
    meets: ratio <= 1,
    note: [...good.map((entry) => `${entry.size}: ${perObject(entry).toFixed(0)} µs`), ...failed].join(", "),
  });
  // At the smallest size the start-up dominates: each step between sizes tells more.
  if (good.length > 2) stepFigures(recorder, good, perObject);
  recorder.record({
    part: "diff",
    name: `growth of peak RSS, ${mode} (${span})`,
    value: ((large.rssMb - small.rssMb) * 1024) / (large.size - small.size),
    unit: "KB/object",
    note: sorted.map((entry) => `${entry.size}: ${entry.rssMb.toFixed(0)} MB`).join(", "),
  });
}

function growthFigures(recorder: Recorder, measured: readonly Measured[]): void {
  const sizes = [...new Set(measured.map((entry) => entry.size))].sort((a, b) => a - b);
  if (sizes.length < 2) return;
  recorder.heading(
    `diff: growth from ${(sizes[0] ?? 0).toLocaleString("en")} to ${(sizes.at(-1) ?? 0).toLocaleString("en")} objects`,
  );
  for (const mode of modes)
    growthOf(
      recorder,
      mode,
      measured.filter((entry) => entry.mode === mode),
    );
}

export async function benchScale(recorder: Recorder, options: ScaleOptions): Promise<void> {
  const measured: Measured[] = [];
  for (const size of options.sizes) measured.push(...(await oneSize(recorder, size, options)));
  growthFigures(recorder, measured);
}

// ---- kubectl diff on the same objects ------------------------------------------------------------

function kubectlDiff(prepared: Prepared, serverSide: boolean): Promise<ChildRun> {
  const args = ["--kubeconfig", prepared.started.kubeconfigPath, "diff", "-R", "-f", "apps"];
  const home = prepared.directory;
  return runChild("/usr/bin/kubectl", serverSide ? [...args, "--server-side", "--force-conflicts"] : args, {
    cwd: prepared.directory,
    env: { KUBECACHEDIR: join(home, ".kube-cache"), TERM: "dumb" },
  });
}

function ratioFigure(
  recorder: Recorder,
  name: string,
  times: { readonly ours: number; readonly theirs: number },
  target?: number,
): void {
  const ratio = times.theirs / times.ours;
  recorder.record({
    part: "kubectl",
    name,
    value: ratio,
    unit: "× faster",
    ...(target === undefined ? {} : { target: `≥ ${target}×`, meets: ratio >= target }),
  });
}

function timeFigure(recorder: Recorder, name: string, runs: readonly ChildRun[], size: number): number {
  const seconds = median(runs.map((run) => run.seconds));
  const statuses = [...new Set(runs.map((run) => String(run.status)))].join(",");
  const rss = Math.max(...runs.map((run) => run.peakRssMb));
  const figure: Figure = {
    part: "kubectl",
    name,
    value: seconds,
    unit: "s",
    runs: runs.length,
    samples: runs.map((run) => run.seconds),
    note: `${((seconds * 1e3) / size).toFixed(2)} ms/object, peak RSS ${rss.toFixed(0)} MB, exit ${statuses}`,
  };
  recorder.record(figure);
  return seconds;
}

async function compareAt(recorder: Recorder, size: number, runs: number, plain: boolean): Promise<void> {
  recorder.heading(
    `kubectl diff against kubedrift diff, the same ${size.toLocaleString("en")} objects (~5% drifted)`,
  );
  const prepared = await prepareEstate(size);
  try {
    const online = ["--kubeconfig", prepared.started.kubeconfigPath];
    const ours = timeFigure(
      recorder,
      `kubedrift diff (${size})`,
      await repeat(runs, () => diffOnce(prepared.directory, online)),
      size,
    );
    if (plain) {
      const theirs = timeFigure(
        recorder,
        `kubectl diff (${size})`,
        await repeat(runs, () => kubectlDiff(prepared, false)),
        size,
      );
      ratioFigure(
        recorder,
        `  kubedrift vs kubectl diff (${size})`,
        { ours, theirs },
        size === 300 ? 25 : undefined,
      );
    }
    const serverSide = timeFigure(
      recorder,
      `kubectl diff --server-side (${size})`,
      await repeat(runs, () => kubectlDiff(prepared, true)),
      size,
    );
    ratioFigure(
      recorder,
      `  kubedrift vs kubectl diff --server-side (${size})`,
      { ours, theirs: serverSide },
      size === 2000 ? 10 : undefined,
    );
  } finally {
    await disposeEstate(prepared);
  }
}

export async function benchKubectl(recorder: Recorder, runs: number): Promise<void> {
  await compareAt(recorder, 300, runs, true);
  await compareAt(recorder, 1000, runs, true);
  await compareAt(recorder, 2000, runs, false);
}
