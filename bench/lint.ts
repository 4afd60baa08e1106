/**
 * Schema validation rate of `kubedrift lint` on 10,000 desired objects (Deployments, Services and
 * ConfigMaps in turn), to set against kubeconform's published 50,714 resources in 6.7 s (~7,500/s).
 * Run alone with `node --import tsx bench/lint-schema.ts`.
 */
import { performance } from "node:perf_hooks";
import { pathToFileURL } from "node:url";
import { benchManifest } from "./manifests.js";
import type { Kind } from "./manifests.js";
import { refOf } from "../src/kube/object.js";
import { builtinSchema } from "../src/kube/schema/builtin.js";
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
  const context: LintContext = { objects, ofKind: () => [], kubernetesVersion: "1.32" };
  let findings = 0;
  for (const object of objects) for (const check of checks) findings += check.run(object, context).length;
  return findings;
}

export function benchLintSchema(count = 10_000, rounds = 5): void {
  const objects = desiredObjects(count);
  const coldStart = performance.now();
  const findings = lintOnce(objects);
  const cold = performance.now() - coldStart;
  const times: number[] = [];
  for (let round = 0; round < rounds; round++) {
    const start = performance.now();
    lintOnce(objects);
    times.push(performance.now() - start);
  }
  times.sort((a, b) => a - b);
  const median = times[Math.floor(times.length / 2)] ?? cold;
  const rate = (ms: number): string => Math.round((count / ms) * 1000).toLocaleString("en");
  console.log(
    `  schema validation, ${count.toLocaleString("en")} objects (${findings} findings): ` +
      `first run ${cold.toFixed(0)} ms (${rate(cold)} objects/s, loading the tables), ` +
      `then median ${median.toFixed(0)} ms (${rate(median)} objects/s)`,
  );
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? "").href) benchLintSchema();
