import { LineCounter, isMap, isSeq, parseAllDocuments } from "yaml";
import type { Document, Node, YAMLError } from "yaml";

import { splitApiVersion } from "../model/index.js";
import type { DesiredObject, JsonObject, KubeObject } from "../model/index.js";
import { collectFieldLines, lineOfNode } from "./field-lines.js";
import { SourceError } from "./types.js";
import { yamlOptions } from "./yaml-options.js";

/** A file the user named is read as a manifest whatever it holds; one found in a directory may be something else. */
export const ReadModes = { named: "named", discovered: "discovered" } as const;
export type ReadMode = (typeof ReadModes)[keyof typeof ReadModes];

export interface ParsedManifests {
  readonly objects: readonly DesiredObject[];
  readonly notes: readonly string[];
}

/** The YAML, parsed, of one document, with its node (for positions) and its place in the file. */
interface ParsedDocument {
  readonly number: number;
  readonly node: Node;
  readonly value: unknown;
}

/** Where an object sits, for messages: "document 2", "item 3 of the List in document 1". */
interface Placement {
  readonly file: string;
  readonly what: string;
  readonly line: number;
}

const clientSideConfigGroups = new Set(["kustomize.config.k8s.io", "kubedrift.dev"]);

function isPlainObject(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

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

/** yaml's message without its position suffix, on one line; the position goes in front as `file:line:col`. */
function parseErrorMessage(file: string, error: YAMLError, lineCounter: LineCounter): SourceError {
  const { line, col } = lineCounter.linePos(error.pos[0]);
  const message = withoutQuotedInput(error.message.split("\n")[0].replace(/ at line \d+, column \d+:?$/, ""));
  return new SourceError(`${file}:${line}:${col}: ${message}`, { cause: error });
}

function parseDocuments(text: string, file: string, lineCounter: LineCounter): readonly ParsedDocument[] {
  const documents: readonly Document.Parsed[] = parseAllDocuments(text, yamlOptions(lineCounter));
  const parsed: ParsedDocument[] = [];
  documents.forEach((document, index) => {
    const firstError = document.errors[0];
    if (firstError !== undefined) throw parseErrorMessage(file, firstError, lineCounter);
    // An empty document (a lone `---`, only comments) is how YAML files are often padded: skip it silently.
    if (document.contents === null) return;
    const value: unknown = document.toJS();
    if (value === null || value === undefined) return;
    parsed.push({ number: index + 1, node: document.contents, value });
  });
  return parsed;
}

function looksLikeObject(
  value: unknown,
): value is Record<string, unknown> & { kind: string; apiVersion: string } {
  return isPlainObject(value) && nonEmptyString(value["kind"]) && nonEmptyString(value["apiVersion"]);
}

function isClientSideConfig(value: unknown): boolean {
  return looksLikeObject(value) && clientSideConfigGroups.has(splitApiVersion(value.apiVersion).group);
}

function toDesired(
  value: Record<string, unknown>,
  node: Node,
  placement: Placement,
  lineCounter: LineCounter,
): DesiredObject {
  const at = `${placement.file}:${placement.line}: ${placement.what}`;
  if (!nonEmptyString(value["kind"])) throw new SourceError(`${at} has no "kind"`);
  if (!nonEmptyString(value["apiVersion"])) throw new SourceError(`${at} has no "apiVersion"`);
  const kind = value["kind"];
  const metadata = isPlainObject(value["metadata"]) ? value["metadata"] : {};
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
    fieldLines: collectFieldLines(node, lineCounter),
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
  lineCounter: LineCounter,
): DesiredObject[] {
  const items = list["items"] as readonly unknown[];
  const nodes = itemsNode(document.node);
  const itemKind = list.kind === "List" ? undefined : list.kind.slice(0, -"List".length);
  return items.map((item, index) => {
    const node = nodes[index] ?? document.node;
    const placement = {
      file,
      what: `item ${index + 1} of the ${list.kind} in document ${document.number}`,
      line: lineOfNode(node, lineCounter) ?? 1,
    };
    if (!isPlainObject(item))
      throw new SourceError(
        `${file}:${placement.line}: ${placement.what} is not an object but ${describeValue(item)}`,
      );
    const typed =
      itemKind !== undefined && item["kind"] === undefined
        ? { apiVersion: list.apiVersion, kind: itemKind, ...item }
        : item;
    return toDesired(typed, node, placement, lineCounter);
  });
}

function isList(value: unknown): value is Record<string, unknown> & { kind: string; apiVersion: string } {
  return looksLikeObject(value) && value.kind.endsWith("List") && Array.isArray(value["items"]);
}

function documentObjects(
  document: ParsedDocument,
  file: string,
  lineCounter: LineCounter,
): readonly DesiredObject[] {
  const line = lineOfNode(document.node, lineCounter) ?? 1;
  const what = `document ${document.number}`;
  if (!isPlainObject(document.value))
    throw new SourceError(`${file}:${line}: ${what} is not an object but ${describeValue(document.value)}`);
  if (isList(document.value)) return expandList(document.value, document, file, lineCounter);
  return [toDesired(document.value, document.node, { file, what, line }, lineCounter)];
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

function rejectClientSideConfig(
  documents: readonly ParsedDocument[],
  file: string,
  lineCounter: LineCounter,
): void {
  const config = documents.find((document) => isClientSideConfig(document.value));
  if (config === undefined) return;
  const line = lineOfNode(config.node, lineCounter) ?? 1;
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
  rejectClientSideConfig(documents, file, lineCounter);
  return {
    objects: documents.flatMap((document) => documentObjects(document, file, lineCounter)),
    notes: [],
  };
}
