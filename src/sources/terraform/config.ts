import { readFile } from "node:fs/promises";
import { join } from "node:path";

import type { DesiredObject, SkippedSource } from "../../model/index.js";
import { SourceError } from "../types.js";
import type { LoadedSources } from "../types.js";
import { regularFiles } from "./directory.js";
import { evaluateDeep } from "./evaluate.js";
import type { Evaluation, Scope } from "./evaluate.js";
import { isBlockList, parseHcl } from "./hcl.js";
import type { HclBody } from "./hcl.js";
import { scanResources } from "./lines.js";
import type { ResourceLines } from "./lines.js";
import { instanceObject } from "./objects.js";
import type { ResourceInstance } from "./objects.js";
import type { JsonValue } from "../../kube/value/json.js";
import { isRecord } from "../../kube/value/json.js";

export interface VariableInputs {
  readonly vars: Readonly<Record<string, string>>;
  readonly varFiles: readonly string[];
}

interface ParsedFile {
  /** As shown to the user. */
  readonly file: string;
  readonly body: HclBody;
  readonly resources: ReadonlyMap<string, ResourceLines>;
}

async function readText(path: string, shown: string): Promise<string> {
  try {
    return await readFile(path, "utf8");
  } catch (error: unknown) {
    const reason = error instanceof Error && "code" in error ? String(error.code) : "unreadable";
    throw new SourceError(`${shown}: cannot read file (${reason})`, { cause: error });
  }
}

async function parseFile(path: string, shown: string): Promise<ParsedFile> {
  const text = await readText(path, shown);
  return { file: shown, body: await parseHcl(shown, text), resources: scanResources(text) };
}

async function readVariableFile(path: string, shown: string): Promise<HclBody> {
  const text = await readText(path, shown);
  if (!path.endsWith(".json")) return parseHcl(shown, text);
  try {
    const parsed: unknown = JSON.parse(text);
    return isRecord(parsed) ? parsed : {};
  } catch (error: unknown) {
    throw new SourceError(`${shown}: ${error instanceof Error ? error.message : String(error)}`, {
      cause: error,
    });
  }
}

interface Declared {
  readonly type: string;
  readonly value: unknown;
}

function declaredVariables(files: readonly ParsedFile[]): Map<string, Declared> {
  const declared = new Map<string, Declared>();
  for (const { body } of files) {
    const variables = isRecord(body["variable"]) ? body["variable"] : {};
    for (const [name, blocks] of Object.entries(variables)) {
      const block = isBlockList(blocks) ? blocks[0] : {};
      const type = typeof block["type"] === "string" ? block["type"].replace(/^\$\{(.*)\}$/, "$1") : "";
      declared.set(name, { type, value: block["default"] });
    }
  }
  return declared;
}

/** `-var name=value` is text; Terraform reads it as the variable's type, which for numbers, bools and collections is HCL. */
async function commandLineValue(type: string, text: string): Promise<unknown> {
  if (type === "" || type === "string" || type === "any") return text;
  if (type === "number" && /^-?\d+(\.\d+)?$/.test(text)) return Number(text);
  if (type === "bool" && (text === "true" || text === "false")) return text === "true";
  const parsed = await parseHcl("-var", `value = ${text}\n`);
  return parsed["value"];
}

async function autoVariableFiles(
  directory: string,
  shownDirectory: string,
): Promise<readonly [string, string][]> {
  const names = await regularFiles(directory);
  const auto = names.filter((name) => /\.auto\.tfvars(\.json)?$/.test(name));
  const ordered = ["terraform.tfvars", "terraform.tfvars.json"]
    .filter((name) => names.includes(name))
    .concat(auto);
  return ordered.map((name) => [join(directory, name), join(shownDirectory, name)]);
}

/** Terraform's precedence: defaults, terraform.tfvars, *.auto.tfvars, then -var-file and -var as given. */
async function variableValues(
  files: readonly ParsedFile[],
  directory: { readonly path: string; readonly shown: string },
  inputs: VariableInputs,
  cwd: string,
): Promise<Map<string, unknown>> {
  const declared = declaredVariables(files);
  const values = new Map<string, unknown>();
  for (const [name, variable] of declared) if (variable.value !== undefined) values.set(name, variable.value);
  const variableFiles = [
    ...(await autoVariableFiles(directory.path, directory.shown)),
    ...inputs.varFiles.map((file): [string, string] => [join(cwd, file), file]),
  ];
  for (const [path, shown] of variableFiles)
    for (const [name, value] of Object.entries(await readVariableFile(path, shown))) values.set(name, value);
  for (const [name, text] of Object.entries(inputs.vars))
    values.set(name, await commandLineValue(declared.get(name)?.type ?? "", text));
  return values;
}

function localDefinitions(files: readonly ParsedFile[]): Map<string, unknown> {
  const locals = new Map<string, unknown>();
  for (const { body } of files) {
    const blocks = Array.isArray(body["locals"]) ? (body["locals"] as readonly unknown[]) : [];
    for (const block of blocks)
      if (isRecord(block)) for (const [name, value] of Object.entries(block)) locals.set(name, value);
  }
  return locals;
}

/** var. from the values; local. evaluated on first use (locals refer to each other), a cycle being unevaluable. */
function rootScope(variables: ReadonlyMap<string, unknown>, locals: ReadonlyMap<string, unknown>): Scope {
  const evaluatedLocals = new Map<string, Evaluation>();
  const scope: Scope = {
    variable: (name) => (variables.has(name) ? evaluateDeep(variables.get(name), literalOnly) : undefined),
    local: (name) => {
      if (!locals.has(name)) return undefined;
      const known = evaluatedLocals.get(name);
      if (known !== undefined) return known;
      evaluatedLocals.set(name, { ok: false, expression: `local.${name}` });
      const evaluated = evaluateDeep(locals.get(name), scope);
      evaluatedLocals.set(name, evaluated);
      return evaluated;
    },
  };
  return scope;
}

/** Variable values are values, never expressions. */
const literalOnly: Scope = { variable: () => undefined, local: () => undefined };

interface Expansion {
  readonly address: string;
  readonly scope: Scope;
}

/** `count` and `for_each` instances, addressed as Terraform does (`[0]`, `["key"]`). */
function expand(body: HclBody, address: string, scope: Scope): readonly Expansion[] | string {
  if (body["count"] !== undefined) {
    const count = evaluateDeep(body["count"], scope);
    if (!count.ok || typeof count.value !== "number") return `count cannot be evaluated`;
    return Array.from({ length: count.value }, (_, index) => ({
      address: `${address}[${index}]`,
      scope: { ...scope, countIndex: index },
    }));
  }
  if (body["for_each"] === undefined) return [{ address, scope }];
  const forEach = evaluateDeep(body["for_each"], scope);
  if (!forEach.ok) return `for_each cannot be evaluated`;
  const entries: readonly (readonly [string, JsonValue])[] = Array.isArray(forEach.value)
    ? (forEach.value as readonly JsonValue[]).map(
        (value) => [typeof value === "string" ? value : JSON.stringify(value), value] as const,
      )
    : isRecord(forEach.value)
      ? Object.entries(forEach.value)
      : [];
  return entries.map(([key, value]) => ({
    address: `${address}[${JSON.stringify(key)}]`,
    scope: { ...scope, each: { key, value } },
  }));
}

interface Collected {
  readonly objects: DesiredObject[];
  readonly notes: string[];
  readonly skipped: SkippedSource[];
}

/** A `resource "type" "name"` block of a file. */
interface ResourceBlock {
  readonly type: string;
  readonly name: string;
  readonly body: HclBody;
}

function collectResource(
  file: ParsedFile,
  { type, name, body }: ResourceBlock,
  scope: Scope,
  collected: Collected,
): void {
  const base = `${type}.${name}`;
  const lines = file.resources.get(base);
  const source = { file: file.file, line: lines?.line ?? 1 };
  const expansions = expand(body, base, scope);
  if (typeof expansions === "string") {
    collected.skipped.push({ source, what: base, reason: expansions });
    return;
  }
  for (const expansion of expansions) {
    const instance: ResourceInstance = {
      type,
      address: expansion.address,
      body,
      source,
      evaluate: (raw) => evaluateDeep(raw, expansion.scope),
      fromState: false,
      ...(lines === undefined ? {} : { lines: lines.fields }),
    };
    const result = instanceObject(instance);
    collected.notes.push(...result.notes);
    if (result.kind === "object") collected.objects.push(result.object);
    else collected.skipped.push(result.skipped);
  }
}

function collectFile(file: ParsedFile, scope: Scope, collected: Collected): void {
  const resources = isRecord(file.body["resource"]) ? file.body["resource"] : {};
  for (const [type, byName] of Object.entries(resources)) {
    if (!type.startsWith("kubernetes_") || !isRecord(byName)) continue;
    for (const [name, blocks] of Object.entries(byName)) {
      if (!isBlockList(blocks)) continue;
      collectResource(file, { type, name, body: blocks[0] }, scope, collected);
    }
  }
}

interface Declaration {
  readonly type: string;
  readonly name: string;
  /** `main.tf:8`. */
  readonly at: string;
}

/** Every resource block of a file, repeats included (hcl2json lists them as more bodies of the address). */
function declarations(file: ParsedFile): readonly Declaration[] {
  const resources = isRecord(file.body["resource"]) ? file.body["resource"] : {};
  return Object.entries(resources).flatMap(([type, byName]) =>
    Object.entries(isRecord(byName) ? byName : {}).flatMap(([name, blocks]) => {
      const lines = file.resources.get(`${type}.${name}`);
      const starts = [lines?.line ?? 1, ...(lines?.repeats ?? [])];
      const count = Array.isArray(blocks) ? blocks.length : 1;
      return Array.from({ length: count }, (_, index) => ({
        type,
        name,
        at: `${file.file}:${starts[index] ?? starts[0]}`,
      }));
    }),
  );
}

/**
 * Terraform refuses a module that declares a resource address twice, in one file or in two
 * ("Duplicate resource … configuration"): which block would be desired is anybody's guess.
 */
function assertUniqueAddresses(files: readonly ParsedFile[]): void {
  const declared = new Map<string, string>();
  for (const { type, name, at } of files.flatMap(declarations)) {
    const first = declared.get(`${type}.${name}`);
    if (first !== undefined)
      throw new SourceError(
        `${at}: Duplicate resource "${type}" configuration: a ${type} resource named "${name}" was already declared at ${first}`,
      );
    declared.set(`${type}.${name}`, at);
  }
}

/** The `.tf` files of one directory (Terraform's root module; child modules are not followed). */
export async function loadConfiguration(
  directory: { readonly path: string; readonly shown: string },
  tfFiles: readonly string[],
  inputs: VariableInputs,
  cwd: string,
): Promise<LoadedSources> {
  const files: ParsedFile[] = [];
  for (const name of tfFiles)
    files.push(await parseFile(join(directory.path, name), join(directory.shown, name)));
  assertUniqueAddresses(files);
  const scope = rootScope(await variableValues(files, directory, inputs, cwd), localDefinitions(files));
  const collected: Collected = { objects: [], notes: [], skipped: [] };
  for (const file of files) collectFile(file, scope, collected);
  // hcl2json groups resources by type; the file's own order is what users expect to read.
  collected.objects.sort(
    (a, b) => a.source.file.localeCompare(b.source.file) || a.source.line - b.source.line,
  );
  if (files.some((file) => file.body["module"] !== undefined))
    collected.notes.push(
      `${directory.shown}: module blocks are not followed; point --terraform at the module's directory or at the state`,
    );
  return collected;
}
