/**
 * The `lint:` section of kubedrift.yaml: custom checks, project-wide suppressions, checks turned
 * off, and the Kubernetes version the manifests target. Errors name the file and line, as the
 * engine's configuration errors do (`kubedrift.yaml:12: lint.checks[0].expression: …`).
 */
import { isMap, isScalar, isSeq, LineCounter, parseDocument, type Node, type YAMLMap } from "yaml";
import type { CustomCheckSpec } from "./custom.js";
import { customCheckError } from "./custom.js";
import type { ProjectSuppression } from "./suppress.js";
import { Severities, type Severity } from "./types.js";

export interface LintConfig {
  readonly checks: readonly CustomCheckSpec[];
  readonly ignore: readonly ProjectSuppression[];
  /** Check ids not to run. */
  readonly disable: readonly string[];
  readonly kubernetesVersion?: string;
}

export const emptyLintConfig: LintConfig = { checks: [], ignore: [], disable: [] };

export class LintConfigError extends Error {}

interface Reader {
  readonly file: string;
  readonly lines: LineCounter;
}

function fail(reader: Reader, node: Node | null | undefined, message: string): never {
  const offset = node?.range?.[0];
  const line = offset === undefined ? 1 : reader.lines.linePos(offset).line;
  throw new LintConfigError(`${reader.file}:${line}: ${message}`);
}

function field(map: YAMLMap, key: string): Node | undefined {
  return map.get(key, true) ?? undefined;
}

function allowKeys(reader: Reader, map: YAMLMap, allowed: readonly string[], what: string): void {
  for (const pair of map.items) {
    const key = isScalar(pair.key) ? String(pair.key.value) : String(pair.key);
    if (!allowed.includes(key))
      fail(
        reader,
        pair.key as Node,
        `${what}: unknown field "${key}" (expected one of ${allowed.join(", ")})`,
      );
  }
}

function text(reader: Reader, node: Node | undefined, what: string): string {
  if (!isScalar(node) || typeof node.value !== "string" || node.value.trim() === "")
    fail(reader, node, `${what} must be a non-empty string`);
  return node.value;
}

function texts(reader: Reader, node: Node | undefined, what: string): readonly string[] {
  if (!isSeq(node)) fail(reader, node, `${what} must be a list of strings`);
  return node.items.map((item, index) => text(reader, item as Node, `${what}[${index}]`));
}

function optionalTexts(
  reader: Reader,
  map: YAMLMap,
  key: string,
  what: string,
): Record<string, readonly string[]> {
  const node = field(map, key);
  return node === undefined ? {} : { [key]: texts(reader, node, `${what}.${key}`) };
}

function severity(reader: Reader, node: Node | undefined, what: string): Severity {
  if (node === undefined) return "warning";
  const value = text(reader, node, what);
  if (!(Severities as readonly string[]).includes(value))
    fail(reader, node, `${what} must be one of ${Severities.join(", ")} (got ${JSON.stringify(value)})`);
  return value as Severity;
}

const checkId = /^[a-z0-9]+(-[a-z0-9]+)*$/;

function customCheck(reader: Reader, node: Node, index: number): CustomCheckSpec {
  const what = `lint.checks[${index}]`;
  if (!isMap(node)) fail(reader, node, `${what} must be a mapping (id, severity, expression, message)`);
  allowKeys(reader, node, ["id", "severity", "expression", "message", "hint", "kinds"], what);
  const id = text(reader, field(node, "id"), `${what}.id`);
  if (!checkId.test(id))
    fail(reader, field(node, "id"), `${what}.id must be kebab-case (got ${JSON.stringify(id)})`);
  const expressionNode = field(node, "expression");
  const expression = text(reader, expressionNode, `${what}.expression`);
  const error = customCheckError(expression);
  if (error !== undefined) fail(reader, expressionNode, `${what}.expression: ${error}`);
  const hint = field(node, "hint");
  return {
    id,
    severity: severity(reader, field(node, "severity"), `${what}.severity`),
    expression,
    message: text(reader, field(node, "message"), `${what}.message`),
    ...(hint === undefined ? {} : { hint: text(reader, hint, `${what}.hint`) }),
    ...optionalTexts(reader, node, "kinds", what),
  };
}

function suppression(reader: Reader, node: Node, index: number): ProjectSuppression {
  const what = `lint.ignore[${index}]`;
  if (!isMap(node))
    fail(reader, node, `${what} must be a mapping (checks, kinds, namespaces, names, reason)`);
  allowKeys(reader, node, ["checks", "kinds", "namespaces", "names", "reason"], what);
  return {
    checks: texts(reader, field(node, "checks"), `${what}.checks`),
    reason: text(reader, field(node, "reason"), `${what}.reason`),
    ...optionalTexts(reader, node, "kinds", what),
    ...optionalTexts(reader, node, "namespaces", what),
    ...optionalTexts(reader, node, "names", what),
  };
}

function listOf<T>(
  reader: Reader,
  node: Node | undefined,
  what: string,
  item: (node: Node, index: number) => T,
): T[] {
  if (node === undefined) return [];
  if (!isSeq(node)) fail(reader, node, `${what} must be a list`);
  return node.items.map((entry, index) => item(entry as Node, index));
}

function sectionOf(reader: Reader, section: YAMLMap): LintConfig {
  allowKeys(reader, section, ["checks", "ignore", "disable", "kubernetesVersion"], "lint");
  const version = field(section, "kubernetesVersion");
  const disable = field(section, "disable");
  const ids = new Set<string>();
  const checks = listOf(reader, field(section, "checks"), "lint.checks", (node, index) => {
    const check = customCheck(reader, node, index);
    if (ids.has(check.id)) fail(reader, node, `lint.checks[${index}].id ${check.id} is used twice`);
    ids.add(check.id);
    return check;
  });
  return {
    checks,
    ignore: listOf(reader, field(section, "ignore"), "lint.ignore", (node, index) =>
      suppression(reader, node, index),
    ),
    disable: disable === undefined ? [] : texts(reader, disable, "lint.disable"),
    ...(version === undefined ? {} : { kubernetesVersion: kubernetesVersionOf(reader, version) }),
  };
}

function kubernetesVersionOf(reader: Reader, node: Node): string {
  const value = isScalar(node) ? String(node.value) : "";
  if (!/^1\.\d+$/.test(value))
    fail(
      reader,
      node,
      `lint.kubernetesVersion must be MAJOR.MINOR, as "1.32" (got ${JSON.stringify(value)})`,
    );
  return value;
}

/** The `lint:` section of a kubedrift.yaml's text (the rest is the engine's to read). */
export function parseLintConfig(text: string, file: string): LintConfig {
  const lines = new LineCounter();
  const document = parseDocument(text, { lineCounter: lines, prettyErrors: false });
  // The engine reports syntax errors first; an unreadable file has no lint section to speak of.
  if (document.errors.length > 0 || !isMap(document.contents)) return emptyLintConfig;
  const section = field(document.contents, "lint");
  if (section === undefined) return emptyLintConfig;
  const reader = { file, lines };
  if (!isMap(section))
    fail(reader, section, "lint must be a mapping (checks, ignore, disable, kubernetesVersion)");
  return sectionOf(reader, section);
}
