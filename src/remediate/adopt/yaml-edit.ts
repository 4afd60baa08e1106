import {
  LineCounter,
  isAlias,
  isCollection,
  isMap,
  isPair,
  isScalar,
  isSeq,
  parseAllDocuments,
  visit,
} from "yaml";
import type { Document, Node, Pair, Scalar, YAMLMap, YAMLSeq } from "yaml";

import { yamlOptions } from "../../kube/yaml-options.js";
import { nest } from "./pointer.js";
import type { Layout, Splice } from "./yaml-text.js";
import {
  applySplice,
  blockLines,
  column,
  contentEnd,
  dashColumn,
  detectLayout,
  flowText,
  isBlank,
  isPadded,
  lineEnd,
  lineStart,
  scalarText,
  startOf,
} from "./yaml-text.js";
import type { JsonValue } from "../../kube/value/json.js";
import { jsonEqual } from "../../kube/value/equal.js";
import { valueAtTokens } from "../../kube/value/pointer.js";

/** Which object of the file: its kind and the line its mapping starts on (`DesiredObject.source.line`). */
export interface ObjectAnchor {
  readonly kind: string;
  readonly line: number;
}

export type YamlChange =
  | { readonly kind: "set"; readonly segments: readonly string[]; readonly value: JsonValue }
  | { readonly kind: "remove"; readonly segments: readonly string[] }
  | {
      readonly kind: "add";
      readonly segments: readonly string[];
      readonly value: JsonValue;
      /** Keys of the map `depth` segments deep as live has them, so a new key lands after its live predecessor. */
      readonly orderAt: (depth: number) => readonly string[];
    };

export type EditResult =
  { readonly ok: true; readonly text: string } | { readonly ok: false; readonly reason: string };

interface Located {
  readonly document: Document.Parsed;
  readonly node: YAMLMap;
  readonly value: JsonValue;
}

type Collection = YAMLMap | YAMLSeq;

interface Step {
  readonly collection: Collection;
  /** The pair (map) or item (list) that holds the next node. */
  readonly entry: Pair | Node;
}

interface Walked {
  readonly steps: readonly Step[];
  /** The node the last resolved segment reached (the object's mapping when none resolved). */
  readonly node: unknown;
  readonly resolved: number;
  readonly blocked?: string;
}

const refuse = (reason: string): EditResult => ({ ok: false, reason });

function lineOf(lineCounter: LineCounter, node: Node): number {
  return lineCounter.linePos(node.range?.[0] ?? 0).line;
}

function kindOf(node: YAMLMap): unknown {
  const kind = node.get("kind", true);
  return isScalar(kind) ? kind.value : undefined;
}

function candidates(document: Document.Parsed): readonly { node: YAMLMap; index: number | undefined }[] {
  const root = document.contents;
  if (!isMap(root)) return [];
  const items = root.get("items", true);
  const listed = isSeq(items)
    ? items.items.flatMap((item, index) => (isMap(item) ? [{ node: item, index }] : []))
    : [];
  return [{ node: root, index: undefined }, ...listed];
}

function matches(candidate: YAMLMap, anchor: ObjectAnchor, lineCounter: LineCounter): boolean {
  const kind = kindOf(candidate);
  return lineOf(lineCounter, candidate) === anchor.line && (kind === anchor.kind || kind === undefined);
}

/** The object's mapping, found by the line it starts on and its kind, with its value as kubectl reads it. */
export function locateObject(text: string, anchor: ObjectAnchor): Located | undefined {
  const lineCounter = new LineCounter();
  const documents = parseAllDocuments(text, yamlOptions(lineCounter));
  for (const document of documents) {
    if (document.errors.length > 0) return undefined;
    const found = candidates(document).find((candidate) => matches(candidate.node, anchor, lineCounter));
    if (found === undefined) continue;
    const whole = document.toJS() as JsonValue;
    const value = found.index === undefined ? whole : valueAtTokens(whole, ["items", String(found.index)]);
    return { document, node: found.node, value: value ?? null };
  }
  return undefined;
}

function aliasReason(node: unknown): string | undefined {
  return isAlias(node)
    ? `the value comes from the alias *${node.source}: edit its anchor &${node.source} by hand`
    : undefined;
}

function findPair(map: YAMLMap, segment: string): Pair | undefined {
  return map.items.find((pair) => isScalar(pair.key) && String(pair.key.value) === segment);
}

function hasMergeKey(map: YAMLMap): boolean {
  return map.items.some((pair) => isScalar(pair.key) && pair.key.value === "<<");
}

function stepInto(
  node: unknown,
  segment: string,
): { entry: Pair | Node; next: unknown } | string | undefined {
  if (isMap(node)) {
    const pair = findPair(node, segment);
    if (pair !== undefined) return { entry: pair, next: pair.value };
    return hasMergeKey(node)
      ? "the value comes through a merge key (<<): edit the merged anchor by hand"
      : undefined;
  }
  if (isSeq(node) && /^\d+$/.test(segment)) {
    const item = node.items[Number(segment)] as Node | undefined;
    return item === undefined ? undefined : { entry: item, next: item };
  }
  return undefined;
}

function walk(root: YAMLMap, segments: readonly string[]): Walked {
  const steps: Step[] = [];
  let node: unknown = root;
  for (const [index, segment] of segments.entries()) {
    const blocked = aliasReason(node);
    if (blocked !== undefined) return { steps, node, resolved: index, blocked };
    const step = stepInto(node, segment);
    if (typeof step === "string") return { steps, node, resolved: index, blocked: step };
    if (step === undefined) return { steps, node, resolved: index };
    steps.push({ collection: node as Collection, entry: step.entry });
    node = step.next;
  }
  const blocked = aliasReason(node);
  return { steps, node, resolved: segments.length, ...(blocked === undefined ? {} : { blocked }) };
}

function sharedAnchor(document: Document.Parsed, node: unknown): string | undefined {
  const anchor = isScalar(node) || isCollection(node) ? node.anchor : undefined;
  if (anchor === undefined) return undefined;
  let used = false;
  visit(document, {
    Alias(_key, alias) {
      if (alias.source === anchor) used = true;
    },
  });
  return used ? `the value is the anchor &${anchor}, which aliases share: edit it by hand` : undefined;
}

interface Context {
  readonly text: string;
  readonly layout: Layout;
  readonly document: Document.Parsed;
}

function isFlowCollection(collection: Collection): boolean {
  return collection.flow === true;
}

function setScalar(node: Scalar, value: JsonValue, inFlow: boolean, context: Context): Splice {
  const [start, end] = node.range ?? [0, 0];
  return { start, end, text: scalarText(value, node, { text: context.text, inFlow }) };
}

/** A whole collection rewritten in its own style (flow stays flow, block stays block at its column). */
function setCollection(node: Collection, value: JsonValue, context: Context): Splice {
  const { text } = context;
  const [start, end] = node.range ?? [0, 0];
  if (node.flow === true) return { start, end, text: flowText(value, isPadded(text, start)) };
  const at = isSeq(node) ? dashColumn(text, startOf(node.items[0])) : column(text, start);
  const from = isBlank(text.slice(lineStart(text, start), start)) ? lineStart(text, start) : start;
  const lines = blockLines(value, at, context.layout);
  const first = from === start ? lines[0].trimStart() : lines[0];
  return {
    start: from,
    end: lineEnd(text, contentEnd(node)),
    text: `${[first, ...lines.slice(1)].join("\n")}\n`,
  };
}

function insideFlow(walked: Walked): boolean {
  const parent = walked.steps.at(-1)?.collection;
  return parent !== undefined && isFlowCollection(parent);
}

function sameShape(node: unknown, value: JsonValue): boolean {
  if (Array.isArray(value)) return isSeq(node);
  return isMap(node) && typeof value === "object" && value !== null;
}

function setChange(walked: Walked, value: JsonValue, context: Context): Splice | string {
  const node = walked.node;
  const shared = sharedAnchor(context.document, node);
  if (shared !== undefined) return shared;
  if (isScalar(node) && (typeof value !== "object" || value === null))
    return setScalar(node, value, insideFlow(walked), context);
  if (sameShape(node, value)) return setCollection(node as Collection, value, context);
  return "the live value has another shape (a scalar, a map or a list) than the written one: edit it by hand";
}

function removeFromFlow(entry: Pair | Node, text: string): Splice {
  const start = startOf(entry);
  const end = contentEnd(entry);
  const after = /^\s*,\s*/.exec(text.slice(end));
  if (after !== null) return { start, end: end + after[0].length, text: "" };
  const before = /,\s*$/.exec(text.slice(0, start));
  return { start: before === null ? start : before.index, end, text: "" };
}

function removeFromBlock(step: Step, text: string): Splice {
  const start = startOf(step.entry);
  const prefix = text.slice(lineStart(text, start), start);
  const items = step.collection.items as readonly unknown[];
  const next = items[items.indexOf(step.entry) + 1];
  // The first key of a list item shares its line with the dash: the next key moves up to take its place.
  if (isMap(step.collection) && !isBlank(prefix) && next !== undefined)
    return { start, end: startOf(next), text: "" };
  return { start: lineStart(text, start), end: lineEnd(text, contentEnd(step.entry)), text: "" };
}

function removeChange(walked: Walked, context: Context): Splice | string {
  // A collection left empty goes with its last entry, as it would be written by hand.
  let index = walked.steps.length - 1;
  while (index > 0 && walked.steps[index].collection.items.length === 1) index--;
  const step = walked.steps[index];
  if (step === undefined) return "nothing to remove";
  return isFlowCollection(step.collection)
    ? removeFromFlow(step.entry, context.text)
    : removeFromBlock(step, context.text);
}

function keyText(key: string): string {
  return scalarText(key, undefined, { text: "", inFlow: true });
}

function afterPredecessor(map: YAMLMap, key: string, order: readonly string[]): Pair | undefined {
  const before = order.slice(0, Math.max(0, order.indexOf(key)));
  const present = map.items.filter((pair) => isScalar(pair.key) && before.includes(String(pair.key.value)));
  return present.at(-1) ?? map.items.at(-1);
}

function insertAt(text: string, offset: number, lines: readonly string[]): Splice {
  const needsNewline = offset === text.length && !text.endsWith("\n") && text !== "";
  return { start: offset, end: offset, text: `${needsNewline ? "\n" : ""}${lines.join("\n")}\n` };
}

interface Entry {
  readonly key: string;
  readonly value: JsonValue;
  /** The live object's key order at this map. */
  readonly order: readonly string[];
}

function addToMap(map: YAMLMap, { key, value, order }: Entry, context: Context): Splice {
  const { text } = context;
  if (map.flow === true) {
    const last = map.items.at(-1);
    const padded = isPadded(text, map.range?.[0] ?? 0);
    const entry = `${keyText(key)}: ${flowText(value, padded)}`;
    if (last === undefined)
      return { start: (map.range?.[0] ?? 0) + 1, end: (map.range?.[0] ?? 0) + 1, text: entry };
    const end = contentEnd(last);
    return { start: end, end, text: `, ${entry}` };
  }
  const predecessor = afterPredecessor(map, key, order);
  const at = column(text, startOf(map.items[0]));
  const offset =
    predecessor === undefined ? lineEnd(text, startOf(map)) : lineEnd(text, contentEnd(predecessor));
  return insertAt(text, offset, blockLines({ [key]: value }, at, context.layout));
}

function addToSeq(seq: YAMLSeq, value: JsonValue, context: Context): Splice | string {
  const { text } = context;
  const last = seq.items.at(-1);
  if (seq.flow === true) {
    const end = last === undefined ? (seq.range?.[0] ?? 0) + 1 : contentEnd(last);
    const padded = isPadded(text, seq.range?.[0] ?? 0);
    return { start: end, end, text: `${last === undefined ? "" : ", "}${flowText(value, padded)}` };
  }
  if (last === undefined) return "the list has no items to align a new one with";
  const dash = dashColumn(text, startOf(seq.items[0]));
  const lines = blockLines([value], dash, context.layout);
  return insertAt(text, lineEnd(text, contentEnd(last)), lines);
}

function addChange(
  walked: Walked,
  change: Extract<YamlChange, { kind: "add" }>,
  context: Context,
): Splice | string {
  if (walked.resolved === change.segments.length) return setChange(walked, change.value, context);
  const rest = change.segments.slice(walked.resolved);
  const node = walked.node;
  const value = nest(rest.slice(1), change.value);
  if (isMap(node))
    return addToMap(node, { key: rest[0], value, order: change.orderAt(walked.resolved) }, context);
  if (isSeq(node)) return addToSeq(node, value, context);
  return "the place to insert it holds a value that is not a map or a list: edit it by hand";
}

function spliceFor(change: YamlChange, located: Located, context: Context): Splice | string {
  const walked = walk(located.node, change.segments);
  if (walked.blocked !== undefined) return walked.blocked;
  switch (change.kind) {
    case "set":
      if (walked.resolved < change.segments.length) return "the field is not written in this file";
      return setChange(walked, change.value, context);
    case "remove":
      if (walked.resolved < change.segments.length) return "the field is not written in this file";
      return removeChange(walked, context);
    case "add":
      return addChange(walked, change, context);
  }
}

function expected(change: YamlChange): JsonValue | undefined {
  return change.kind === "remove" ? undefined : change.value;
}

/** Re-reads the edited text as kubectl would: the field must now hold the live value, and nothing else may move. */
function verify(before: Located, text: string, anchor: ObjectAnchor, change: YamlChange): boolean {
  const after = locateObject(text, anchor);
  if (after === undefined) return false;
  const written = valueAtTokens(after.value, change.segments);
  const wanted = expected(change);
  if (wanted === undefined ? written !== undefined && written !== null : !jsonEqual(written, wanted))
    return false;
  return jsonEqual(withChange(before.value, change), after.value);
}

function withChange(root: JsonValue, change: YamlChange): JsonValue {
  return replaceAt(root, change.segments, expected(change)) ?? null;
}

function isEmptyCollection(value: JsonValue | undefined): boolean {
  if (Array.isArray(value)) return value.length === 0;
  return typeof value === "object" && value !== null && Object.keys(value).length === 0;
}

/** The object with one field replaced or removed; a map or list the removal empties goes too. */
function replaceAt(
  value: JsonValue,
  segments: readonly string[],
  replacement: JsonValue | undefined,
): JsonValue | undefined {
  if (segments.length === 0) return replacement;
  const [head, ...rest] = segments;
  const container = Array.isArray(value)
    ? [...(value as readonly JsonValue[])]
    : { ...(value as Record<string, JsonValue>) };
  const inner = replaceAt(childOrFresh(container, head, rest[0]), rest, replacement);
  const kept =
    inner === undefined || (replacement === undefined && isEmptyCollection(inner)) ? undefined : inner;
  return Array.isArray(container)
    ? withItem(container, Number(head), kept)
    : withEntry(container, head, kept);
}

function childOrFresh(
  container: JsonValue[] | Record<string, JsonValue>,
  head: string,
  next: string | undefined,
): JsonValue {
  const current = (container as Record<string, JsonValue>)[head] as JsonValue | undefined;
  if (current !== undefined) return current;
  return /^\d+$/.test(next ?? "") ? [] : {};
}

function withItem(list: JsonValue[], index: number, value: JsonValue | undefined): JsonValue {
  if (value === undefined) list.splice(index, 1);
  else list[index] = value;
  return list;
}

function withEntry(object: Record<string, JsonValue>, key: string, value: JsonValue | undefined): JsonValue {
  if (value === undefined) delete object[key];
  else object[key] = value;
  return object;
}

/**
 * Changes one field of one object of a YAML file by splicing the text of that field only, so that
 * comments, quoting, key order, anchors and flow or block style of everything else stay as written.
 */
export function editYamlObject(text: string, anchor: ObjectAnchor, change: YamlChange): EditResult {
  const located = locateObject(text, anchor);
  if (located === undefined) return refuse(`no ${anchor.kind} starts on line ${anchor.line} any more`);
  const context: Context = { text, layout: detectLayout(located.node, text), document: located.document };
  const splice = spliceFor(change, located, context);
  if (typeof splice === "string") return refuse(splice);
  const edited = applySplice(text, splice);
  if (!verify(located, edited, anchor, change))
    return refuse("the edited file would not read back as the live value: edit it by hand");
  return { ok: true, text: edited };
}

export { isPair };
