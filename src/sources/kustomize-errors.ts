import { readFile } from "node:fs/promises";
import path from "node:path";

import { LineCounter, parseDocument } from "yaml";

import { collectFieldLines } from "./field-lines.js";
import { yamlOptions } from "../kube/yaml-options.js";

/** What a build error may quote of a generator's input, and where it is written. */
export interface GeneratorEntry {
  /** The entry as written: `password=hunter2`, or a malformed `hunter2`. */
  readonly text: string;
  /** What follows the first `=`, when it is a Secret's; "" otherwise. */
  readonly secret: string;
  /** `kz/kustomization.yaml:5`, `kz/db.env:2`. */
  readonly position: string;
}

const longest = 1000;

/**
 * klog writes `err="…"` on one line, or a multi-line error as `err=<` followed by tab-indented lines
 * and ` >`; kustomize itself writes `Error: …`. The message, without klog's quoting.
 */
function loggedError(stderr: string): string | undefined {
  const quoted = /err="((?:[^"\\]|\\.)*)"/.exec(stderr);
  if (quoted !== null) return quoted[1].replaceAll('\\"', '"').replaceAll("\\\\", "\\");
  const block = /err=<\n((?:\t.*\n?)*)/.exec(stderr);
  if (block !== null) return block[1].replaceAll(/^\t/gm, "");
  const lines = stderr
    .split("\n")
    .filter((line) => line.trim() !== "" && !line.startsWith("# Warning") && line.trim() !== ">");
  const error = lines.findIndex((line) => /^(error|Error):\s*/.test(line));
  if (error >= 0)
    return lines
      .slice(error)
      .join("\n")
      .replace(/^(error|Error):\s*/, "");
  return lines.at(-1);
}

/**
 * The first meaningful line: a line that only introduces what follows (`yaml: unmarshal errors:`)
 * takes the next one along; Go's dump of the value being decoded (`map[string]interface {}(nil): `)
 * says nothing to a user.
 */
export function firstMeaningfulLine(message: string): string {
  const lines = message
    .split("\n")
    .map((line) => line.trim())
    .filter((line) => line !== "");
  let first = lines[0] ?? "";
  if (first.endsWith(":") && lines.length > 1) first = `${first} ${lines[1]}`;
  const line = first.replace(/^map\[[^\]]*\][^(]*\(nil\): /, "");
  return line.length > longest ? `${line.slice(0, longest)}…` : line;
}

/** One line for a failed `kubectl kustomize`/`kustomize build`. */
export function buildFailureMessage(stderr: string, error: Error): string {
  const logged = loggedError(stderr);
  if (logged !== undefined && logged.trim() !== "") return firstMeaningfulLine(logged);
  return "code" in error && error.code === "ENOENT"
    ? "the command was not found"
    : firstMeaningfulLine(error.message);
}

interface Kustomization {
  readonly file: string;
  readonly shown: string;
  readonly directory: string;
  readonly value: unknown;
  readonly lines: ReadonlyMap<string, number>;
}

const kustomizationNames = ["kustomization.yaml", "kustomization.yml", "Kustomization"];

async function readKustomization(
  directory: string,
  shownDirectory: string,
): Promise<Kustomization | undefined> {
  for (const name of kustomizationNames) {
    const file = path.join(directory, name);
    let text: string;
    try {
      text = await readFile(file, "utf8");
    } catch {
      continue;
    }
    try {
      const lineCounter = new LineCounter();
      const document = parseDocument(text, yamlOptions(lineCounter));
      const lines =
        document.contents === null
          ? new Map<string, number>()
          : collectFieldLines(document.contents, lineCounter);
      return { file, shown: path.join(shownDirectory, name), directory, value: document.toJS(), lines };
    } catch {
      // Broken beyond reading: the build's own error says so, and quotes no literal of it.
      return undefined;
    }
  }
  return undefined;
}

function listAt(value: unknown, key: string): readonly unknown[] {
  if (typeof value !== "object" || value === null) return [];
  const list = (value as Record<string, unknown>)[key];
  return Array.isArray(list) ? list : [];
}

function literalEntries(kustomization: Kustomization, key: string): readonly GeneratorEntry[] {
  return listAt(kustomization.value, key).flatMap((generator, index) =>
    listAt(generator, "literals").flatMap((literal, item): readonly GeneratorEntry[] => {
      if (typeof literal !== "string") return [];
      const line = kustomization.lines.get(`/${key}/${index}/literals/${item}`) ?? 1;
      const equals = literal.indexOf("=");
      const secret = key !== "secretGenerator" ? "" : literal.slice(equals + 1);
      return [{ text: literal, secret, position: `${kustomization.shown}:${line}` }];
    }),
  );
}

/** `envs:` files of a secretGenerator hold KEY=VALUE lines, values being secrets. */
async function envEntries(kustomization: Kustomization): Promise<readonly GeneratorEntry[]> {
  const files = listAt(kustomization.value, "secretGenerator").flatMap((generator) => [
    ...listAt(generator, "envs"),
    ...(typeof generator === "object" && generator !== null && "env" in generator ? [generator.env] : []),
  ]);
  const entries: GeneratorEntry[] = [];
  for (const file of files.filter((entry): entry is string => typeof entry === "string")) {
    let text: string;
    try {
      text = await readFile(path.resolve(kustomization.directory, file), "utf8");
    } catch {
      continue;
    }
    const shown = path.join(path.dirname(kustomization.shown), file);
    text.split("\n").forEach((line, index) => {
      const equals = line.indexOf("=");
      if (line.trim() === "" || line.trimStart().startsWith("#")) return;
      entries.push({
        text: line,
        secret: equals >= 0 ? line.slice(equals + 1) : line,
        position: `${shown}:${index + 1}`,
      });
    });
  }
  return entries;
}

/** Local directories a kustomization builds on: where more generators may be. */
function localBases(kustomization: Kustomization): readonly string[] {
  return ["resources", "bases", "components"]
    .flatMap((key) => listAt(kustomization.value, key))
    .filter(
      (entry): entry is string =>
        typeof entry === "string" && !entry.includes("://") && !/\.(ya?ml|json)$/.test(entry),
    );
}

/**
 * The generator literals and env-file lines of the kustomization in `directory` and of the local
 * directories it builds on: what a build error might quote.
 */
export async function generatorEntries(
  directory: string,
  shownDirectory: string,
): Promise<readonly GeneratorEntry[]> {
  const entries: GeneratorEntry[] = [];
  const visited = new Set<string>();
  const pending: [string, string][] = [[directory, shownDirectory]];
  for (let next = pending.shift(); next !== undefined && visited.size < 100; next = pending.shift()) {
    const [absolute, shown] = next;
    if (visited.has(absolute)) continue;
    visited.add(absolute);
    const kustomization = await readKustomization(absolute, shown);
    if (kustomization === undefined) continue;
    entries.push(
      ...literalEntries(kustomization, "secretGenerator"),
      ...literalEntries(kustomization, "configMapGenerator"),
    );
    entries.push(...(await envEntries(kustomization)));
    for (const base of localBases(kustomization))
      pending.push([path.resolve(absolute, base), path.join(shown, base)]);
  }
  return entries;
}

function escapeRegExp(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");
}

/**
 * kustomize quotes generator input in its errors (`invalid literal source hunter2`): each entry is
 * replaced by where it is written, and a Secret's value anywhere else by a placeholder, in one pass
 * (longest first) so that no replacement is rewritten. Errors quote positions and keys, never values.
 */
export function withoutGeneratorValues(message: string, entries: readonly GeneratorEntry[]): string {
  const replacements = new Map<string, string>();
  // Short values (`1`, `on`) would rewrite ordinary words of the message and are no secret worth the name.
  for (const entry of entries)
    if (entry.secret.length >= 3) replacements.set(entry.secret, `<value at ${entry.position}>`);
  for (const entry of entries) if (entry.text !== "") replacements.set(entry.text, entry.position);
  if (replacements.size === 0) return message;
  const pattern = [...replacements.keys()]
    .sort((a, b) => b.length - a.length)
    .map(escapeRegExp)
    .join("|");
  return message.replace(new RegExp(pattern, "g"), (found) => replacements.get(found) ?? found);
}
