/**
 * What the suite measures and how it reports it: every figure is recorded (for `--json`) and printed
 * as it comes (on stdout, or on stderr as progress with `--json`), with the target it is judged
 * against beside it. Children are timed from spawn to exit, their peak RSS read with GNU time.
 */
import { spawn } from "node:child_process";
import { existsSync, mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";

export interface Figure {
  readonly part: string;
  readonly name: string;
  /** null when it could not be measured (see `note`). */
  readonly value: number | null;
  readonly unit: string;
  /** How many runs the value is the median of (1: a single run or a count). */
  readonly runs?: number;
  readonly samples?: readonly number[];
  /** The target the figure is judged against, in words; never a failure. */
  readonly target?: string;
  /** Whether the value meets the target, when the target is a number. */
  readonly meets?: boolean;
  readonly note?: string;
  readonly detail?: Readonly<Record<string, unknown>>;
}

export interface Output {
  readonly json: boolean;
  /** Where the human-readable lines go: stdout, or stderr with --json. */
  readonly write: (line: string) => void;
}

export class Recorder {
  readonly figures: Figure[] = [];
  /** Lines printed by the benches that predate the recorder, by part. */
  readonly lines: Record<string, string[]> = {};
  constructor(readonly output: Output) {}

  record(figure: Figure): Figure {
    this.figures.push(figure);
    this.output.write(formatFigure(figure));
    return figure;
  }

  heading(text: string): void {
    this.output.write(`\n${text}`);
  }
}

function formatValue(figure: Figure): string {
  if (figure.value === null) return "n/a".padStart(9);
  const digits = Math.abs(figure.value) >= 100 ? 0 : Math.abs(figure.value) >= 10 ? 1 : 2;
  return figure.value.toFixed(digits).padStart(9);
}

export function formatFigure(figure: Figure): string {
  const runs = figure.runs !== undefined && figure.runs > 1 ? ` median of ${figure.runs}` : "";
  const target =
    figure.target === undefined
      ? ""
      : `  [target ${figure.target}${figure.meets === undefined ? "" : figure.meets ? ": met" : ": NOT met"}]`;
  const note = figure.note === undefined ? "" : `  (${figure.note})`;
  return `  ${figure.name.padEnd(52)} ${formatValue(figure)} ${figure.unit.padEnd(10)}${runs}${target}${note}`;
}

export function median(values: readonly number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  if (sorted.length === 0) return NaN;
  const middle = Math.floor(sorted.length / 2);
  return sorted.length % 2 === 1
    ? (sorted[middle] ?? NaN)
    : ((sorted[middle - 1] ?? NaN) + (sorted[middle] ?? NaN)) / 2;
}

export function percentile(values: readonly number[], fraction: number): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.floor(sorted.length * fraction))] ?? NaN;
}

// ---- children ------------------------------------------------------------------------------------

export interface ChildRun {
  readonly seconds: number;
  readonly status: number | null;
  readonly stdout: string;
  readonly stderr: string;
  /** Peak resident set of the child, from GNU time; NaN without /usr/bin/time. */
  readonly peakRssMb: number;
}

export interface ChildOptions {
  readonly cwd: string;
  readonly env?: Readonly<Record<string, string>>;
  /** Keep stdout (a JSON report, say); by default only its length is kept. */
  readonly keepStdout?: boolean;
}

const gnuTime = "/usr/bin/time";

/** Runs a command to its end, timed from spawn to exit, its peak RSS measured by GNU time. */
export function runChild(command: string, args: readonly string[], options: ChildOptions): Promise<ChildRun> {
  const scratch = mkdtempSync(join(tmpdir(), "kubedrift-bench-time-"));
  const rssFile = join(scratch, "rss");
  const timed = existsSync(gnuTime);
  const [file, argv] = timed
    ? [gnuTime, ["-o", rssFile, "-f", "%M", command, ...args]]
    : [command, [...args]];
  const started = performance.now();
  return new Promise<ChildRun>((resolve, reject) => {
    const child = spawn(file, argv, {
      cwd: options.cwd,
      env: { ...process.env, HOME: options.cwd, ...options.env },
      stdio: ["ignore", "pipe", "pipe"],
    });
    const out: Buffer[] = [];
    let stderr = "";
    child.stdout.on("data", (chunk: Buffer) => {
      if (options.keepStdout === true) out.push(chunk);
    });
    child.stderr.on("data", (chunk: Buffer) => (stderr += chunk.toString()));
    child.on("error", reject);
    child.on("close", (status) => {
      const seconds = (performance.now() - started) / 1000;
      const kb =
        timed && existsSync(rssFile) ? Number(readFileSync(rssFile, "utf8").trim().split("\n").pop()) : NaN;
      rmSync(scratch, { recursive: true, force: true });
      resolve({ seconds, status, stdout: Buffer.concat(out).toString(), stderr, peakRssMb: kb / 1024 });
    });
  });
}

/** `runs` runs one after the other (never in parallel: 2 cores are shared). */
export async function repeat<T>(runs: number, run: () => Promise<T>): Promise<T[]> {
  const results: T[] = [];
  for (let index = 0; index < runs; index += 1) results.push(await run());
  return results;
}

export const phaseNames = ["start-up", "load-sources", "discover", "list", "compare", "render"] as const;

/** `trace: phase <name> <n>ms` lines of `kubedrift diff -v`; absent phases are absent. */
export function phasesOf(stderr: string): Readonly<Record<string, number>> {
  const phases: Record<string, number> = {};
  for (const match of stderr.matchAll(/^trace: phase (\S+) (\d+(?:\.\d+)?)ms\s*$/gm))
    phases[match[1] ?? ""] = (phases[match[1] ?? ""] ?? 0) + Number(match[2]);
  return phases;
}
