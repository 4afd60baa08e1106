/**
 * `npm run bench [-- --json] [--only PART,…] [--sizes N,…] [--runs N]`: prints figures beside the
 * targets they are judged against; never fails on a timing. See bench/README.md.
 */
import { writeFileSync } from "node:fs";
import { parseArgs } from "node:util";
import { benchApply, benchApplyCli } from "./apply.js";
import { bigManifest, engineBench } from "./drift.js";
import { Recorder, type Output } from "./figures.js";
import { benchGuard, benchPolicies } from "./guard.js";
import { benchDashboard } from "./dashboard.js";
import { benchLint, benchLintCli } from "./lint.js";
import { benchSandbox } from "./sandbox.js";
import { benchKubectl, benchScale } from "./scale.js";
import { benchWatch } from "./watch.js";

interface Options {
  readonly json: boolean;
  readonly out: string | undefined;
  readonly only: readonly string[];
  readonly sizes: readonly number[];
  readonly runs: number;
  readonly largeRuns: number;
}

interface Part {
  readonly name: string;
  readonly title: string;
  readonly run: (recorder: Recorder, options: Options) => Promise<void> | void;
}

const parts: readonly Part[] = [
  {
    name: "sandbox",
    title: "sandbox API server (HTTPS, loopback, server in its own process)",
    run: () => benchSandbox(),
  },
  {
    name: "engine",
    title: "drift engine in process, and parsing one 50 MB manifest",
    run: () => {
      engineBench(10_000, { lastApplied: false });
      engineBench(10_000, { lastApplied: true });
      bigManifest(20_000);
    },
  },
  {
    name: "diff",
    title: "kubedrift diff at estate scale: online, --live-file YAML and JSON, phases, peak RSS, growth",
    run: (recorder, options) => benchScale(recorder, options),
  },
  {
    name: "kubectl",
    title: "kubedrift diff against kubectl diff and kubectl diff --server-side, the same objects",
    run: (recorder, options) => benchKubectl(recorder, options.runs),
  },
  {
    name: "apply",
    title: "remediation: plan and apply of 1,000 drifted objects, and kubectl apply --server-side",
    run: async (recorder, options) => {
      await benchApply();
      await benchApplyCli(recorder, options.runs);
    },
  },
  {
    name: "watch",
    title: "continuous detection: kubedrift watch start-up and detection latency at 50 changes/s",
    run: (recorder) => benchWatch(recorder),
  },
  {
    name: "lint",
    title: "lint of 10,000 objects (kubeconform publishes ~7,500 objects/s on 4 cores)",
    run: async (recorder, options) => {
      benchLint();
      await benchLintCli(recorder, options.runs);
    },
  },
  { name: "guard", title: "admission guard (decisions in process)", run: () => benchGuard() },
  {
    name: "policies",
    title:
      "admission policies (the generated ValidatingAdmissionPolicies, evaluated by the sandbox in process)",
    run: () => benchPolicies(),
  },
  {
    name: "dashboard",
    title: "dashboard (its API in process, what the page waits for before it renders)",
    run: () => benchDashboard(),
  },
];

const usage = `usage: npm run bench [-- [--json] [--only PART,…] [--sizes N,…] [--runs N] [--large-runs N]]
  --json          one JSON document with every figure on stdout; progress on stderr
                  (npm prints a banner on stdout: use "npm run -s bench -- --json", or --out)
  --out FILE      also write the JSON document to FILE
  --only          the parts to run (default: all): ${parts.map((part) => part.name).join(", ")}
  --sizes         estate sizes for the diff part (default 1000,10000,50000)
  --runs          runs of each timing, the median reported (default 3)
  --large-runs    runs at 50,000 objects and more (default 3)
see bench/README.md for how to read the figures`;

function options(): Options {
  const { values } = parseArgs({
    options: {
      json: { type: "boolean", default: false },
      out: { type: "string" },
      only: { type: "string" },
      sizes: { type: "string", default: "1000,10000,50000" },
      runs: { type: "string", default: "3" },
      "large-runs": { type: "string", default: "3" },
      help: { type: "boolean", short: "h", default: false },
    },
  });
  if (values.help) {
    console.log(usage);
    process.exit(0);
  }
  const only = values.only?.split(",").filter(Boolean) ?? parts.map((part) => part.name);
  const unknown = only.filter((name) => !parts.some((part) => part.name === name));
  const sizes = values.sizes.split(",").map(Number);
  if (unknown.length > 0 || sizes.some((size) => !Number.isInteger(size) || size <= 0)) {
    console.error(`unknown part or bad size: ${[...unknown, values.sizes].join(", ")}\n${usage}`);
    process.exit(1);
  }
  return {
    json: values.json,
    out: values.out,
    only,
    sizes,
    runs: Math.max(1, Number(values.runs)),
    largeRuns: Math.max(1, Number(values["large-runs"])),
  };
}

/** The benches that print their own lines: with --json those go to stderr, and into the document. */
async function capturing(recorder: Recorder, part: string, run: () => Promise<void> | void): Promise<void> {
  const lines = (recorder.lines[part] ??= []);
  const original = console.log;
  console.log = (...args: unknown[]): void => {
    const text = args.map(String).join(" ");
    lines.push(...text.split("\n").filter((line) => line.trim() !== ""));
    recorder.output.write(text);
  };
  try {
    await run();
  } finally {
    console.log = original;
  }
}

const chosen = options();
const output: Output = {
  json: chosen.json,
  write: (line) => (chosen.json ? process.stderr : process.stdout).write(`${line}\n`),
};
const recorder = new Recorder(output);
const startedAt = new Date();
const errors: Record<string, string> = {};
output.write(`kubedrift benchmarks — node ${process.version}, ${startedAt.toISOString()}`);
for (const part of parts.filter((candidate) => chosen.only.includes(candidate.name))) {
  recorder.heading(`== ${part.name}: ${part.title}`);
  const started = performance.now();
  try {
    await capturing(recorder, part.name, () => part.run(recorder, chosen));
  } catch (error: unknown) {
    errors[part.name] = error instanceof Error ? error.message : String(error);
    output.write(`  ${part.name} failed: ${errors[part.name]}`);
  }
  output.write(`  (${part.name}: ${((performance.now() - started) / 1000).toFixed(0)} s)`);
}
const seconds = (Date.now() - startedAt.getTime()) / 1000;
output.write(`\nbenchmarks done in ${seconds.toFixed(0)} s`);
const document = {
  kind: "KubedriftBenchmarks",
  node: process.version,
  startedAt: startedAt.toISOString(),
  seconds,
  options: { only: chosen.only, sizes: chosen.sizes, runs: chosen.runs, largeRuns: chosen.largeRuns },
  figures: recorder.figures,
  lines: recorder.lines,
  errors,
};
if (chosen.json) process.stdout.write(`${JSON.stringify(document, null, 2)}\n`);
if (chosen.out !== undefined) writeFileSync(chosen.out, `${JSON.stringify(document, null, 2)}\n`);
// A part that crashed is a broken benchmark, not a slow one: say so in the exit status.
process.exitCode = Object.keys(errors).length > 0 ? 1 : 0;
