import path from "node:path";

import { LineCounter, parseAllDocuments } from "yaml";

import { yamlOptions } from "../../kube/yaml-options.js";
import type { JsonValue } from "../../kube/value/json.js";
import { isJsonObject } from "../../kube/value/json.js";

/** One object of a strategic-merge patch file that a kustomization lists. */
export interface PatchDocument {
  readonly absolute: string;
  /** The line its mapping starts on. */
  readonly line: number;
  readonly kind: string;
  readonly name: string;
  readonly value: JsonValue;
}

export type ReadText = (file: string) => string;

const kustomizationNames = ["kustomization.yaml", "kustomization.yml", "Kustomization"];

function readKustomization(directory: string, read: ReadText): JsonValue | undefined {
  for (const name of kustomizationNames) {
    try {
      return parseAllDocuments(
        read(path.join(directory, name)),
        yamlOptions(new LineCounter()),
      )[0]?.toJS() as JsonValue;
    } catch {
      // try the next spelling
    }
  }
  return undefined;
}

function strings(value: JsonValue | undefined): readonly string[] {
  return Array.isArray(value) ? value.filter((item): item is string => typeof item === "string") : [];
}

interface Listed {
  readonly file: string;
  readonly target?: { readonly kind?: string; readonly name?: string };
}

function targetOf(value: JsonValue | undefined): Listed["target"] {
  if (!isJsonObject(value)) return undefined;
  const kind = typeof value["kind"] === "string" ? value["kind"] : undefined;
  const name = typeof value["name"] === "string" ? value["name"] : undefined;
  return { ...(kind === undefined ? {} : { kind }), ...(name === undefined ? {} : { name }) };
}

/** `patches:` entries with a path (inline patches have no file to write to) and `patchesStrategicMerge:` files. */
function listedPatches(kustomization: JsonValue): readonly Listed[] {
  if (!isJsonObject(kustomization)) return [];
  const listed = kustomization["patches"];
  const patches: readonly JsonValue[] = Array.isArray(listed) ? (listed as readonly JsonValue[]) : [];
  const withPath = patches.flatMap((entry): Listed[] => {
    if (!isJsonObject(entry) || typeof entry["path"] !== "string") return [];
    const target = targetOf(entry["target"]);
    return [{ file: entry["path"], ...(target === undefined ? {} : { target }) }];
  });
  const strategic = strings(kustomization["patchesStrategicMerge"])
    .filter((entry) => !entry.includes("\n"))
    .map((file) => ({ file }));
  return [...strategic, ...withPath];
}

function stringField(value: JsonValue | undefined, key: string): string {
  const field = isJsonObject(value) ? value[key] : undefined;
  return typeof field === "string" ? field : "";
}

/** A patch's `target` names the object it applies to; without one, the patch's own kind and name do. */
function identityOf(value: JsonValue, listed: Listed): { readonly kind: string; readonly name: string } {
  return {
    kind: listed.target?.kind ?? stringField(value, "kind"),
    name: listed.target?.name ?? stringField(isJsonObject(value) ? value["metadata"] : undefined, "name"),
  };
}

function documentsOf(listed: Listed, absolute: string, read: ReadText): readonly PatchDocument[] {
  let text: string;
  try {
    text = read(absolute);
  } catch {
    return [];
  }
  const lineCounter = new LineCounter();
  return parseAllDocuments(text, yamlOptions(lineCounter)).flatMap((document): PatchDocument[] => {
    const value = document.toJS() as JsonValue;
    // JSON 6902 patches are lists of operations: they are not written at a field's place.
    if (!isJsonObject(value) || document.errors.length > 0) return [];
    const line = lineCounter.linePos(document.contents?.range?.[0] ?? 0).line;
    return [{ absolute, line, ...identityOf(value, listed), value }];
  });
}

function collect(directory: string, read: ReadText, seen: Set<string>, out: PatchDocument[]): void {
  if (seen.has(directory)) return;
  seen.add(directory);
  const kustomization = readKustomization(directory, read);
  if (kustomization === undefined || !isJsonObject(kustomization)) return;
  // Bases first: a patch of an overlay is applied after those of its bases, so it wins.
  for (const entry of [...strings(kustomization["resources"]), ...strings(kustomization["components"])])
    collect(path.resolve(directory, entry), read, seen, out);
  for (const listed of listedPatches(kustomization))
    out.push(...documentsOf(listed, path.resolve(directory, listed.file), read));
}

/** Every strategic-merge patch object of these kustomizations and their local bases, in the order kustomize applies them. */
export function kustomizePatches(
  directories: readonly string[],
  cwd: string,
  read: ReadText,
): readonly PatchDocument[] {
  const out: PatchDocument[] = [];
  const seen = new Set<string>();
  for (const directory of directories) collect(path.resolve(cwd, directory), read, seen, out);
  return out;
}
