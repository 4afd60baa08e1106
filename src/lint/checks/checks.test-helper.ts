/** Test support for the best-practice checks: YAML to desired objects, a lint context, results by check. */
import { readFileSync, readdirSync } from "node:fs";
import { join } from "node:path";
import { LineCounter, parseAllDocuments } from "yaml";
import { refOf } from "../../kube/object.js";
import type { KubeObject } from "../../kube/value/json.js";
import { isJsonObject } from "../../kube/value/json.js";
import type { DesiredObject } from "../../model/index.js";
import type { Check, LintContext } from "../types.js";
import { bestPracticeChecks } from "./index.js";

export function desiredFromYaml(text: string, file = "test.yaml"): readonly DesiredObject[] {
  const lineCounter = new LineCounter();
  return parseAllDocuments(text, { lineCounter }).flatMap((document): DesiredObject[] => {
    const object: unknown = document.toJS();
    if (!isJsonObject(object)) return [];
    const line = lineCounter.linePos(document.contents?.range[0] ?? 0).line;
    return [{ ref: refOf(object), object: object, source: { file, line } }];
  });
}

export function desiredFromDirectory(directory: string): readonly DesiredObject[] {
  return readdirSync(directory)
    .filter((name) => name.endsWith(".yaml"))
    .sort()
    .flatMap((name) => desiredFromYaml(readFileSync(join(directory, name), "utf8"), name));
}

export function lintContext(objects: readonly DesiredObject[], kubernetesVersion = "1.32"): LintContext {
  return {
    objects,
    ofKind: (group, kind) =>
      objects.filter((desired) => desired.ref.group === group && desired.ref.kind === kind),
    kubernetesVersion,
  };
}

export interface ResultRow {
  readonly check: string;
  readonly kind: string;
  readonly namespace: string;
  readonly name: string;
  readonly path: string;
}

export function checkById(id: string): Check {
  const check = bestPracticeChecks.find((candidate) => candidate.id === id);
  if (check === undefined) throw new Error(`no check ${id}`);
  return check;
}

/** Every result of the given checks (all by default) over the objects, as comparable rows. */
export function resultRows(
  objects: readonly DesiredObject[],
  checks: readonly Check[] = bestPracticeChecks,
  kubernetesVersion = "1.32",
): readonly ResultRow[] {
  const context = lintContext(objects, kubernetesVersion);
  return objects.flatMap((desired) =>
    checks.flatMap((check) =>
      check.run(desired, context).map((result) => ({
        check: check.id,
        kind: desired.ref.kind,
        namespace: desired.ref.namespace,
        name: desired.ref.name,
        path: result.path,
      })),
    ),
  );
}

/** The `path`s one check reports on YAML text (every object), as `Kind/name path`. */
export function findings(id: string, yaml: string, kubernetesVersion = "1.32"): readonly string[] {
  return resultRows(desiredFromYaml(yaml), [checkById(id)], kubernetesVersion).map(
    (row) => `${row.kind}/${row.name} ${row.path}`,
  );
}

/** The messages of one check's results, to assert they name the value. */
export function messages(id: string, yaml: string, kubernetesVersion = "1.32"): readonly string[] {
  const objects = desiredFromYaml(yaml);
  const context = lintContext(objects, kubernetesVersion);
  const check = checkById(id);
  return objects.flatMap((desired) => check.run(desired, context).map((result) => result.message));
}

export const goodDirectory = new URL("../../../test/fixtures/lint/good/", import.meta.url).pathname;
export const badDirectory = new URL("../../../test/fixtures/lint/bad/", import.meta.url).pathname;
