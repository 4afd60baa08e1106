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
  readonly seconds: number;
  readonly rssMb: number;
}

const secondsTarget: Readonly<Record<number, number>> = { 10_000: 2, 50_000: 8 };

function sourceArgs(mode: Mode, prepared: Prepared): readonly string[] {
  return mode === "online"
    ? ["--kubeconfig", prepared.started.kubeconfigPath]
    : ["--live-file", `live.${mode}`];
}

function phaseFigures(recorder: Recorder, label: string, runs: readonly ChildRun[]): void {
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
      detail: { label },
    });
  }
}

function verdictNote(runs: readonly ChildRun[], drifted: number): string {
  const first = runs[0];
  const summary = first === undefined ? undefined : summaryOf(first);
  const statuses = [...new Set(runs.map((run) => String(run.status)))].join(",");
  if (summary === undefined)
    return `exit ${statuses}, no report: ${first?.stderr.split("\n").slice(-3).join(" ")}`;
  return `exit ${statuses}, ${summary["drifted"]} drifted of ${summary["total"]} (${drifted} written), ${summary["errors"]} errors`;
}

async function measureMode(
  recorder: Recorder,
  prepared: Prepared,
  mode: Mode,
  runs: number,
): Promise<Measured> {
  const size = prepared.estate.size;
  const results = await repeat(runs, () => diffOnce(prepared.directory, sourceArgs(mode, prepared)));
  const seconds = median(results.map((run) => run.seconds));
  const rssMb = Math.max(...results.map((run) => run.peakRssMb));
  const limit = secondsTarget[size];
  const label = mode === "online" ? "online" : `--live-file live.${mode}`;
  recorder.record({
    part: "diff",
    name: `diff ${size} objects, ${label}`,
    value: seconds,
    unit: "s",
    runs,
    samples: results.map((run) => run.seconds),
    ...(limit === undefined ? {} : { target: `≤ ${limit} s`, meets: seconds <= limit }),
    note: verdictNote(results, prepared.drifted),
    detail: { size, mode },
  });
  recorder.record({ part: "diff", name: `  per object`, value: (seconds * 1e6) / size, unit: "µs", runs });
  recorder.record({
    part: "diff",
    name: `  peak RSS`,
    value: rssMb,
    unit: "MB",
    note: `the largest of ${runs} runs`,
    ...(size >= 50_000 ? { target: "≤ 1024 MB", meets: rssMb <= 1024 } : {}),
    detail: { size, mode },
  });
  phaseFigures(recorder, `${size} ${mode}`, results);
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

function growthFigures(recorder: Recorder, measured: readonly Measured[]): void {
  const sizes = [...new Set(measured.map((entry) => entry.size))].sort((a, b) => a - b);
  const smallest = sizes[0];
  const largest = sizes.at(-1);
  if (smallest === undefined || largest === undefined || smallest === largest) return;
  recorder.heading(
    `diff: growth from ${smallest.toLocaleString("en")} to ${largest.toLocaleString("en")} objects`,
  );
  for (const mode of modes) {
    const at = (size: number): Measured | undefined =>
      measured.find((entry) => entry.mode === mode && entry.size === size);
    const small = at(smallest);
    const large = at(largest);
    if (small === undefined || large === undefined) continue;
    const perObject = (entry: Measured): number => entry.seconds / entry.size;
    const ratio = perObject(large) / perObject(small);
    recorder.record({
      part: "diff",
      name: `growth of per-object time, ${mode}`,
      value: ratio,
      unit: "×",
      target: "≤ 1 (linear or better)",
      meets: ratio <= 1,
      note: sizes
        .map((size) => `${size}: ${(perObject(at(size) ?? small) * 1e6 || 0).toFixed(0)} µs`)
        .join(", "),
    });
    const rssPerObject = ((large.rssMb - small.rssMb) * 1024) / (largest - smallest);
    recorder.record({
      part: "diff",
      name: `growth of peak RSS, ${mode}`,
      value: rssPerObject,
      unit: "KB/object",
      note: sizes.map((size) => `${size}: ${(at(size)?.rssMb ?? NaN).toFixed(0)} MB`).join(", "),
    });
  }
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
