import { Composer, LineCounter, Parser, isAlias, isMap, isSeq, visit } from "yaml";
import type { Document, Node, YAMLError } from "yaml";

import type { DesiredObject } from "../model/index.js";
import { collectFieldLines, lineOfNode } from "./field-lines.js";
import { SourceError } from "./types.js";
import { yamlOptions } from "../kube/yaml-options.js";
import { flattenStrings, withPlainEnvironment } from "../kube/yaml-speed.js";
import { plainFieldLines, readPlainDocuments } from "../kube/yaml-values.js";
import type { JsonObject, KubeObject } from "../kube/value/json.js";
import { isRecord } from "../kube/value/json.js";
import { splitApiVersion } from "../kube/object.js";

/** A file the user named is read as a manifest whatever it holds; one found in a directory may be something else. */
export const ReadModes = { named: "named", discovered: "discovered" } as const;
export type ReadMode = (typeof ReadModes)[keyof typeof ReadModes];

export interface ParsedManifests {
  readonly objects: readonly DesiredObject[];
  readonly notes: readonly string[];
}

/**
 * One document, parsed, with what its YAML nodes said about positions: the nodes themselves are not kept,
 * so that a file of 20,000 documents does not hold 20,000 syntax trees at once.
 */
interface ParsedDocument {
  readonly number: number;
  readonly value: unknown;
  /** The line of the document's first node. */
  readonly line: number;
  /** The field lines of the document, for an object; of each item, for a List (`items`). */
  readonly fieldLines: ReadonlyMap<string, number>;
  readonly items: readonly PlacedNode[];
}

interface PlacedNode {
  readonly line: number | undefined;
  readonly fieldLines: ReadonlyMap<string, number>;
}

/** Where an object sits, for messages: "document 2", "item 3 of the List in document 1". */
interface Placement {
  readonly file: string;
  readonly what: string;
  readonly line: number;
}

const clientSideConfigGroups = new Set(["kustomize.config.k8s.io", "kubedrift.dev"]);

function nonEmptyString(value: unknown): value is string {
  return typeof value === "string" && value !== "";
}

function describeValue(value: unknown): string {
  if (Array.isArray(value)) return "a list";
  return `a ${typeof value}`;
}

/** Messages of yaml that quote the text they choke on, which may be a Secret's value: keep only their first words. */
const quotingMessages = [
  /^(Invalid escape sequence)\b.*$/,
  /^(Plain value cannot start with)\b.*$/,
  /^(Unresolved plain scalar)\b.*$/,
  /^(Block scalar header includes extra characters)\b.*$/,
  /^Unexpected \S{2,} in (.*)$/,
];

function withoutQuotedInput(message: string): string {
  const quoting = quotingMessages.find((pattern) => pattern.test(message));
  if (quoting === undefined) return message;
  return message.startsWith("Unexpected ")
    ? message.replace(quoting, "Unexpected token in $1")
    : message.replace(quoting, "$1");
}

/**
 * yaml's message without its position suffix or code frame (both quote the source, maybe a Secret's
 * value), on one line; the position goes in front as `file:line:col`.
 */
function parseErrorMessage(file: string, error: YAMLError, lineCounter: LineCounter): SourceError {
  const { line, col } = lineCounter.linePos(error.pos[0]);
  const message = withoutQuotedInput(error.message.split("\n")[0].replace(/ at line \d+, column \d+:?$/, ""));
  return new SourceError(`${file}:${line}:${col}: ${message}`, { cause: error });
}

function positionOf(node: Node | null | undefined, lineCounter: LineCounter): string {
  const start = node?.range?.[0];
  if (start === undefined) return "1";
  const { line, col } = lineCounter.linePos(start);
  return `${line}:${col}`;
}

/** The first alias whose anchor no earlier node of the document defines. */
function unresolvedAlias(document: Document.Parsed): Node | undefined {
  const anchors = new Set<string>();
  let found: Node | undefined;
  visit(document, {
    Node: (_key, node) => {
      if (isAlias(node) && !anchors.has(node.source)) {
        found = node;
        return visit.BREAK;
      }
      if (!isAlias(node) && node.anchor !== undefined) anchors.add(node.anchor);
      return undefined;
    },
  });
  return found;
}

/** toJS throws for aliases (unresolved, or too many); its messages quote the alias, which is the text of a value. */
function toValue(document: Document.Parsed, file: string, lineCounter: LineCounter): unknown {
  try {
    return flattenStrings(document.toJS());
  } catch (error: unknown) {
    const message = error instanceof Error ? error.message : "";
    const alias = message.startsWith("Unresolved alias") ? unresolvedAlias(document) : undefined;
    const at = positionOf(alias ?? document.contents, lineCounter);
    const reason = message.startsWith("Unresolved alias")
      ? "unresolved alias (no anchor of that name is defined before it)"
      : message.startsWith("Excessive alias count")
        ? "too many alias expansions"
        : "cannot be converted to JSON";
    throw new SourceError(`${file}:${at}: ${reason}`, { cause: error });
  }
}

/**
 * kubectl (sigs.k8s.io/yaml) refuses a mapping key that is a list or a mapping; yaml would turn it
 * into a string, and warn on stderr. Found while collecting field lines, which visit every key.
 */
function complexKeyError(file: string, key: Node, lineCounter: LineCounter): SourceError {
  const what = isSeq(key) ? "a list" : "a mapping";
  return new SourceError(
    `${file}:${positionOf(key, lineCounter)}: a mapping key must be a string, not ${what}`,
  );
}

function placed(node: Node | null | undefined, file: string, lineCounter: LineCounter): PlacedNode {
  if (node === null || node === undefined) return { line: undefined, fieldLines: new Map() };
  const fieldLines = collectFieldLines(node, lineCounter, (key) => {
    throw complexKeyError(file, key, lineCounter);
  });
  return { line: lineOfNode(node, lineCounter), fieldLines };
}

/** The positions kept of a document: the field lines of an object, or of each item of a List. */
function placeDocument(
  value: unknown,
  node: Node,
  file: string,
  lineCounter: LineCounter,
): Pick<ParsedDocument, "fieldLines" | "items"> {
  if (isList(value))
    return { fieldLines: new Map(), items: itemsNode(node).map((item) => placed(item, file, lineCounter)) };
  // What is not an object is a note or an error that needs no field lines.
  if (!looksLikeObject(value)) return { fieldLines: new Map(), items: [] };
  return { fieldLines: placed(node, file, lineCounter).fieldLines, items: [] };
}

/**
 * The line of each field, found when first asked for: only a drifted field's line is ever shown, so
 * most documents never need them. The file's events are then read once more, for all its documents.
 */
class FieldLinesOnDemand implements ReadonlyMap<string, number> {
  readonly #lines: () => ReadonlyMap<string, number>;

  constructor(lines: () => ReadonlyMap<string, number>) {
    this.#lines = lines;
  }

  get size(): number {
    return this.#lines().size;
  }

  get(key: string): number | undefined {
    return this.#lines().get(key);
  }

  has(key: string): boolean {
    return this.#lines().has(key);
  }

  forEach(callback: (value: number, key: string, map: ReadonlyMap<string, number>) => void): void {
    this.#lines().forEach((value, key) => callback(value, key, this));
  }

  entries(): MapIterator<[string, number]> {
    return this.#lines().entries();
  }

  keys(): MapIterator<string> {
    return this.#lines().keys();
  }

  values(): MapIterator<number> {
    return this.#lines().values();
  }

  [Symbol.iterator](): MapIterator<[string, number]> {
    return this.entries();
  }
}

function once<T>(compute: () => T): () => T {
  let computed: { readonly value: T } | undefined;
  return () => (computed ??= { value: compute() }).value;
}

/**
 * Documents of plain YAML (the common case) are read fast, their field lines on demand; anything else
 * (a List, anchors, tags, an error) by `yaml` with every position.
 */
function parseDocuments(text: string, file: string, lineCounter: LineCounter): readonly ParsedDocument[] {
  const plain = readPlainDocuments(text);
  if (plain === undefined || plain.values.some(isList)) return parseAllPositions(text, file, lineCounter);
  const all = once(() => plainFieldLines(text) ?? []);
  const parsed: ParsedDocument[] = [];
  plain.values.forEach((value, index) => {
    if (value === null || value === undefined) return;
    const number = index + 1;
    const fieldLines = new FieldLinesOnDemand(() => all()[index] ?? new Map());
    parsed.push({ number, value, line: plain.lines[index] ?? 1, fieldLines, items: [] });
  });
  return parsed;
}

/**
 * Documents one at a time (Parser and Composer rather than parseAllDocuments): each syntax tree is
 * garbage once its value and positions are taken, which keeps the heap of a 50 MB file, and the time
 * the garbage collector spends on it, small.
 */
function parseAllPositions(text: string, file: string, lineCounter: LineCounter): readonly ParsedDocument[] {
  return withPlainEnvironment(() => composeDocuments(text, file, lineCounter));
}

function composeDocuments(text: string, file: string, lineCounter: LineCounter): readonly ParsedDocument[] {
  const composer = new Composer(yamlOptions(lineCounter));
  const parser = new Parser(lineCounter.addNewLine);
  const parsed: ParsedDocument[] = [];
  let number = 0;
  for (const document of composer.compose(parser.parse(text), true, text.length)) {
    number += 1;
    const firstError = document.errors[0];
    if (firstError !== undefined) throw parseErrorMessage(file, firstError, lineCounter);
    // An empty document (a lone `---`, only comments) is how YAML files are often padded: skip it silently.
    const node = document.contents;
    if (node === null) continue;
    const value = toValue(document, file, lineCounter);
    if (value === null || value === undefined) continue;
    const line = lineOfNode(node, lineCounter) ?? 1;
    parsed.push({ number, value, line, ...placeDocument(value, node, file, lineCounter) });
  }
  return parsed;
}

function looksLikeObject(
  value: unknown,
): value is Record<string, unknown> & { kind: string; apiVersion: string } {
  return isRecord(value) && nonEmptyString(value["kind"]) && nonEmptyString(value["apiVersion"]);
}

function isClientSideConfig(value: unknown): boolean {
  return looksLikeObject(value) && clientSideConfigGroups.has(splitApiVersion(value.apiVersion).group);
}

function toDesired(
  value: Record<string, unknown>,
  fieldLines: ReadonlyMap<string, number>,
  placement: Placement,
): DesiredObject {
  const at = `${placement.file}:${placement.line}: ${placement.what}`;
  if (!nonEmptyString(value["kind"])) throw new SourceError(`${at} has no "kind"`);
  if (!nonEmptyString(value["apiVersion"])) throw new SourceError(`${at} has no "apiVersion"`);
  const kind = value["kind"];
  const metadata = isRecord(value["metadata"]) ? value["metadata"] : {};
  if (!nonEmptyString(metadata["name"])) {
    if (nonEmptyString(metadata["generateName"])) {
      throw new SourceError(
        `${at} (${kind}) has metadata.generateName but no name: an object without a fixed name cannot be compared`,
      );
    }
    throw new SourceError(`${at} (${kind}) has no metadata.name`);
  }
  const { group, version } = splitApiVersion(value["apiVersion"]);
  const namespace = nonEmptyString(metadata["namespace"]) ? metadata["namespace"] : "";
  return {
    ref: { group, version, kind, namespace, name: metadata["name"] },
    // toJS yields plain JSON for everything kubectl itself accepts.
    object: value as unknown as KubeObject,
    source: { file: placement.file, line: placement.line },
    fieldLines,
  };
}

function itemsNode(listNode: Node): readonly (Node | null)[] {
  if (!isMap(listNode)) return [];
  const items = listNode.get("items", true);
  return isSeq(items) ? (items.items as readonly (Node | null)[]) : [];
}

/**
 * `kind: List` and typed lists (`DeploymentList`) hold objects in `items`. Items of a typed list, as the
 * API returns them, carry no kind or apiVersion of their own: they take the list's.
 */
function expandList(
  list: Record<string, unknown> & { kind: string; apiVersion: string },
  document: ParsedDocument,
  file: string,
): DesiredObject[] {
  const items = list["items"] as readonly unknown[];
  const itemKind = list.kind === "List" ? undefined : list.kind.slice(0, -"List".length);
  return items.map((item, index) => {
    const position = document.items[index];
    const placement = {
      file,
      what: `item ${index + 1} of the ${list.kind} in document ${document.number}`,
      line: position?.line ?? document.line,
    };
    if (!isRecord(item))
      throw new SourceError(
        `${file}:${placement.line}: ${placement.what} is not an object but ${describeValue(item)}`,
      );
    const typed =
      itemKind !== undefined && item["kind"] === undefined
        ? { apiVersion: list.apiVersion, kind: itemKind, ...item }
        : item;
    return toDesired(typed, position?.fieldLines ?? new Map(), placement);
  });
}

function isList(value: unknown): value is Record<string, unknown> & { kind: string; apiVersion: string } {
  return looksLikeObject(value) && value.kind.endsWith("List") && Array.isArray(value["items"]);
}

function documentObjects(document: ParsedDocument, file: string): readonly DesiredObject[] {
  const { line } = document;
  const what = `document ${document.number}`;
  if (!isRecord(document.value))
    throw new SourceError(`${file}:${line}: ${what} is not an object but ${describeValue(document.value)}`);
  if (isList(document.value)) return expandList(document.value, document, file);
  return [toDesired(document.value, document.fieldLines, { file, what, line })];
}

function kustomizationDirectory(file: string): string {
  const slash = file.lastIndexOf("/");
  return slash < 0 ? "." : file.slice(0, slash);
}

/** Files found in a directory that hold no Kubernetes object (Helm values, Kustomizations, CI config) are noted, not errors. */
function notAManifest(documents: readonly ParsedDocument[], file: string): string | undefined {
  if (documents.length === 0) return undefined;
  const objects = documents.filter((document) => looksLikeObject(document.value));
  if (objects.length === 0) return `not a Kubernetes object: ${file}`;
  if (objects.every((document) => isClientSideConfig(document.value)))
    return `not a Kubernetes object (a tool's configuration): ${file}`;
  return undefined;
}

function rejectClientSideConfig(documents: readonly ParsedDocument[], file: string): void {
  const config = documents.find((document) => isClientSideConfig(document.value));
  if (config === undefined) return;
  const { line } = config;
  const kind = (config.value as JsonObject)["kind"] as string;
  const hint =
    kind === "Kustomization" || kind === "Component"
      ? `: build it with -k ${kustomizationDirectory(file)}`
      : "";
  throw new SourceError(
    `${file}:${line}: document ${config.number} is a ${kind}, not a Kubernetes object${hint}`,
  );
}

/** Parses the YAML or JSON text of one file into desired objects, with the line of each field. */
export function parseManifests(text: string, file: string, mode: ReadMode): ParsedManifests {
  const lineCounter = new LineCounter();
  const documents = parseDocuments(text, file, lineCounter);
  if (mode === ReadModes.discovered) {
    const note = notAManifest(documents, file);
    if (note !== undefined) return { objects: [], notes: [note] };
  }
  rejectClientSideConfig(documents, file);
  return {
    objects: documents.flatMap((document) => documentObjects(document, file)),
    notes: [],
  };
}
