/**
 * `kubedrift lint`'s rate on 10,000 desired objects (Deployments, Services and ConfigMaps in turn):
 * schema validation alone, to set against kubeconform's published 50,714 resources in 6.7 s
 * (~7,500/s), and every check (schema, best practices, drift) through the runner, findings placed.
 * Run alone with `node --import tsx bench/lint.ts`.
 */
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { performance } from "node:perf_hooks";
import { estate, writeEstate } from "./estate.js";
import { median as medianOf, repeat, runChild, type Recorder } from "./figures.js";
import { kubedriftBin } from "./scale.js";
import { pathToFileURL } from "node:url";
import { benchManifest } from "./manifests.js";
import type { Kind } from "./manifests.js";
import { refOf } from "../src/kube/object.js";
import { builtinSchema } from "../src/kube/schema/builtin.js";
import { checksFor, emptyLintConfig, lintContextOf, lintObjects } from "../src/lint/index.js";
import { schemaChecks } from "../src/lint/schema/index.js";
import type { LintContext } from "../src/lint/types.js";
import type { DesiredObject } from "../src/model/index.js";

const kinds: readonly Kind[] = ["Deployment", "Service", "ConfigMap"];

function desiredObjects(count: number): readonly DesiredObject[] {
  return Array.from({ length: count }, (_, index) => {
    const object = benchManifest(kinds[index % kinds.length], `app-${index}`, `team-${index % 20}`);
    return { ref: refOf(object), object, source: { file: "bench.yaml", line: 1 + index * 30 } };
  });
}

/** One pass of every schema check over every object; returns the findings (0 for these manifests). */
function lintOnce(objects: readonly DesiredObject[]): number {
  const checks = schemaChecks(builtinSchema);
  const context: LintContext = lintContextOf(objects, "1.32");
  let findings = 0;
  for (const object of objects) for (const check of checks) findings += check.run(object, context).length;
  return findings;
}

function median(run: () => void, rounds: number): number {
  const times: number[] = [];
  for (let round = 0; round < rounds; round++) {
    const start = performance.now();
    run();
    times.push(performance.now() - start);
  }
  times.sort((a, b) => a - b);
  return times[Math.floor(times.length / 2)] ?? 0;
}

function benchAllChecks(objects: readonly DesiredObject[], rounds: number): void {
  const checks = checksFor(builtinSchema, emptyLintConfig, "manifests");
  let findings = 0;
  const time = median(() => {
    findings = lintObjects(objects, { checks, kubernetesVersion: "1.32" }).findings.length;
  }, rounds);
  console.log(
    `  all ${checks.length} checks, ${objects.length.toLocaleString("en")} objects (${findings.toLocaleString("en")} findings): ` +
      `median ${time.toFixed(0)} ms (${Math.round((objects.length / time) * 1000).toLocaleString("en")} objects/s)`,
  );
}

export function benchLint(count = 10_000, rounds = 5): void {
  const objects = desiredObjects(count);
  const coldStart = performance.now();
  const findings = lintOnce(objects);
  const cold = performance.now() - coldStart;
  const warm = median(() => lintOnce(objects), rounds);
  const rate = (ms: number): string => Math.round((count / ms) * 1000).toLocaleString("en");
  console.log(
    `  schema validation, ${count.toLocaleString("en")} objects (${findings} findings): ` +
      `first run ${cold.toFixed(0)} ms (${rate(cold)} objects/s, loading the tables), ` +
      `then median ${warm.toFixed(0)} ms (${rate(warm)} objects/s)`,
  );
  benchAllChecks(objects, rounds);
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? "").href) benchLint();

/**
 * The built `kubedrift lint -f apps` on the files of the estate of `size` objects (bench/estate.ts):
 * end to end, peak RSS by GNU time, the median of `runs`.
 */
export async function benchLintCli(recorder: Recorder, runs: number, size = 10_000): Promise<void> {
  const directory = mkdtempSync(join(tmpdir(), "kubedrift-bench-lint-"));
  try {
    writeEstate(directory, estate(size));
    const results = await repeat(runs, () =>
      runChild(kubedriftBin, ["lint", "-f", "apps", "-o", "json"], { cwd: directory, keepStdout: true }),
    );
    const seconds = medianOf(results.map((run) => run.seconds));
    const findings = (() => {
      try {
        return String((JSON.parse(results[0]?.stdout ?? "") as { findings?: unknown[] }).findings?.length);
      } catch {
        return "?";
      }
    })();
    recorder.record({
      part: "lint",
      name: `kubedrift lint -f (${size} objects, one file per app)`,
      value: seconds,
      unit: "s",
      runs,
      samples: results.map((run) => run.seconds),
      note: `${Math.round(size / seconds)} objects/s, peak RSS ${Math.max(...results.map((run) => run.peakRssMb)).toFixed(0)} MB, exit ${String(results[0]?.status)}, ${findings} findings`,
    });
  } finally {
    rmSync(directory, { recursive: true, force: true });
  }
}
