/**
 * The real-cluster regression corpus (issue 10): objects that real kube-apiservers stored, each
 * paired with the manifest it was deployed from, under test/fixtures/real-clusters/corpus/. Every
 * case file names its source and what is known of its Kubernetes version in its comment header, and
 * states its verdict: the status and the exact drifts (path, type, and for Added the reason). The
 * files are formatted by the repository's prettier (indentation, long flow mappings broken over
 * lines); no value differs from the source.
 *
 * The engine runs exactly as in real-cluster-defaults.test.ts: compare() with builtinSchema and the
 * default config, plus the case's `trustedManagers` (and `deployers`, passed through for the
 * engine that reads them). A case with `pending` states a rule the engine does not implement yet: it
 * runs as `it.fails`, so it turns red the day the engine gets it right (then delete the line).
 */
import { readFileSync, readdirSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { parse as parseYaml } from "yaml";
import { describe, expect, it } from "vitest";
import { compare } from "../../src/engine/compare.js";
import { defaultEngineConfig } from "../../src/engine/config.js";
import type { CompareInput, EngineConfig } from "../../src/engine/types.js";
import { builtinSchema } from "../../src/kube/schema/builtin.js";
import type { KubeObject } from "../../src/kube/value/json.js";
import type { ObjectRef } from "../../src/kube/object.js";
import type { DesiredObject, LiveObject } from "../../src/model/index.js";

interface ExpectedDrift {
  readonly path: string;
  readonly type: "Changed" | "Removed" | "Added";
  readonly reason?: "outOfBand" | "undeclared";
}

interface CorpusCase {
  readonly desired: KubeObject;
  readonly live: KubeObject;
  readonly verdict: { readonly status: "InSync" | "Drifted"; readonly drifts?: readonly ExpectedDrift[] };
  readonly trustedManagers?: readonly string[];
  readonly deployers?: readonly string[];
  readonly pending?: string;
}

const corpusDir = fileURLToPath(new URL("../fixtures/real-clusters/corpus/", import.meta.url));

function load(file: string): CorpusCase {
  const parsed = parseYaml(readFileSync(`${corpusDir}${file}`, "utf8")) as CorpusCase;
  if (parsed.desired === undefined || parsed.live === undefined || parsed.verdict === undefined)
    throw new Error(`${file}: a case needs desired, live and verdict`);
  return parsed;
}

/** The identity the CLI would give the object (rule 1): the namespace as written, if any. */
function refOf(object: KubeObject): ObjectRef {
  const metadata = object["metadata"] as { name: string; namespace?: string };
  const apiVersion = object["apiVersion"] as string;
  const [group, version] = apiVersion.includes("/") ? apiVersion.split("/") : ["", apiVersion];
  return {
    group,
    version,
    kind: object["kind"] as string,
    namespace: metadata.namespace ?? "",
    name: metadata.name,
  };
}

/**
 * The desired object's identity is the live object's: the corpus is about comparing one pair, not
 * about identity (rule 1). A manifest for a cluster-scoped object may carry a `metadata.namespace`
 * that kube-apiserver ignores, so the pair is always matched.
 */
function run(testCase: CorpusCase): ReturnType<typeof compare>["resources"][number] {
  const ref = refOf(testCase.live);
  const desired: DesiredObject = { ref, object: testCase.desired, source: { file: "app.yaml", line: 1 } };
  const live: LiveObject = { ref, object: testCase.live };
  const config: EngineConfig & { deployers?: readonly string[] } = {
    ...defaultEngineConfig,
    trustedManagers: [...defaultEngineConfig.trustedManagers, ...(testCase.trustedManagers ?? [])],
    ...(testCase.deployers === undefined ? {} : { deployers: testCase.deployers }),
  };
  const input: CompareInput = {
    desired: [desired],
    live: [live],
    scope: { kinds: [], namespaces: [] },
    schema: builtinSchema,
    config,
    cluster: "real-cluster-corpus",
    generatedAt: "2026-12-02T00:00:00Z",
  };
  const report = compare(input);
  expect(report.resources).toHaveLength(1);
  return report.resources[0];
}

function check(testCase: CorpusCase): void {
  const result = run(testCase);
  const expected = testCase.verdict.drifts ?? [];
  const byPath = (a: { path: string }, b: { path: string }): number => a.path.localeCompare(b.path);
  const actual = result.drifts
    .map((drift) => {
      const reason = (drift as { reason?: string }).reason;
      const wanted = expected.find((one) => one.path === drift.path);
      // The reason is checked where the case states one.
      return wanted?.reason === undefined
        ? { path: drift.path, type: drift.type }
        : { path: drift.path, type: drift.type, reason };
    })
    .sort(byPath);
  expect(actual).toEqual(
    expected
      .map((one) =>
        one.reason === undefined
          ? { path: one.path, type: one.type }
          : { path: one.path, type: one.type, reason: one.reason },
      )
      .sort(byPath),
  );
  expect(result.status).toBe(testCase.verdict.status);
}

const files = readdirSync(corpusDir)
  .filter((file) => file.endsWith(".yaml"))
  .sort();

describe("real-cluster corpus", () => {
  it("has cases", () => {
    expect(files.length).toBeGreaterThan(0);
  });

  for (const file of files) {
    const testCase = load(file);
    if (testCase.pending === undefined) it(file, () => check(testCase));
    else it.fails(`${file} (pending: ${testCase.pending})`, () => check(testCase));
  }
});
