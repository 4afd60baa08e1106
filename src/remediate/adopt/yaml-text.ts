import { isCollection, isMap, isPair, isScalar, isSeq, stringify } from "yaml";
import type { Node, Pair, Scalar } from "yaml";
import type { JsonValue } from "../../kube/value/json.js";

/** One replacement of a range of the file's text; nothing outside it changes. */
export interface Splice {
  readonly start: number;
  readonly end: number;
  readonly text: string;
}

/** How the file indents, so that inserted blocks look as if written by the same hand. */
export interface Layout {
  readonly indent: number;
  /** `key:\n  - item` (true) or `key:\n- item` (false). */
  readonly indentSeq: boolean;
}

export function lineStart(text: string, offset: number): number {
  return text.lastIndexOf("\n", offset - 1) + 1;
}

/** After the newline that ends the line holding `offset`. */
export function lineEnd(text: string, offset: number): number {
  const newline = text.indexOf("\n", offset);
  return newline < 0 ? text.length : newline + 1;
}

export function column(text: string, offset: number): number {
  return offset - lineStart(text, offset);
}

function rangeOf(node: unknown): readonly [number, number, number] | undefined {
  if (isPair(node)) return undefined;
  const range = (node as Node | null)?.range;
  return range ?? undefined;
}

export function startOf(node: unknown): number {
  if (isPair(node)) return startOf(node.key);
  return rangeOf(node)?.[0] ?? 0;
}

/** Where the last character of a node's content is, leaving out comments and blank lines after it. */
export function contentEnd(node: unknown): number {
  if (isPair(node)) return contentEnd(node.value ?? node.key);
  if (isCollection(node) && node.flow !== true && node.items.length > 0)
    return contentEnd(node.items[node.items.length - 1]);
  return rangeOf(node)?.[1] ?? 0;
}

export function isBlank(text: string): boolean {
  return /^[ \t]*$/.test(text);
}

function stringOptions(layout: Layout) {
  return { version: "1.1", lineWidth: 0, indent: layout.indent, indentSeq: layout.indentSeq } as const;
}

/** A value as block YAML, each line indented to `at`. */
export function blockLines(value: JsonValue, at: number, layout: Layout): readonly string[] {
  return stringify(value, stringOptions(layout))
    .replace(/\n$/, "")
    .split("\n")
    .map((line) => `${" ".repeat(at)}${line}`);
}

/** Flow YAML in the file's spacing: `{a: 1}` or `{ a: 1 }`. */
export function flowText(value: JsonValue, padded = false): string {
  const pad = padded ? " " : "";
  if (Array.isArray(value)) {
    const items = (value as readonly JsonValue[]).map((item) => flowText(item, padded));
    return items.length === 0 ? "[]" : `[${pad}${items.join(", ")}${pad}]`;
  }
  if (typeof value === "object" && value !== null) {
    const entries = Object.entries(value).map(
      ([key, item]) => `${scalarText(key, undefined, { text: "", inFlow: true })}: ${flowText(item, padded)}`,
    );
    return entries.length === 0 ? "{}" : `{${pad}${entries.join(", ")}${pad}}`;
  }
  return scalarText(value, undefined, { text: "", inFlow: true });
}

/** Whether a flow collection is written with spaces inside its brackets. */
export function isPadded(text: string, start: number): boolean {
  return text[start + 1] === " ";
}

function blockScalarText(value: string, old: Scalar, text: string): string {
  const [start, end] = old.range ?? [0, 0];
  const body = text.slice(start, end).split("\n").slice(1);
  const indent = /^ */.exec(body.find((line) => line.trim() !== "") ?? "")?.[0] ?? "  ";
  const trailing = /\n*$/.exec(value)?.[0].length ?? 0;
  const chomp = trailing === 0 ? "-" : trailing === 1 ? "" : "+";
  const content = value.replace(/\n$/, "").split("\n");
  // A folded block would join the new lines: a literal block keeps them as they are.
  return `|${chomp}\n${content.map((line) => (line === "" ? "" : indent + line)).join("\n")}\n`;
}

function quotedStyle(old: Scalar | undefined): "QUOTE_SINGLE" | "QUOTE_DOUBLE" | "PLAIN" {
  return old?.type === "QUOTE_SINGLE" || old?.type === "QUOTE_DOUBLE" ? old.type : "PLAIN";
}

/**
 * A scalar in the style of the one it replaces: a quoted string stays quoted the same way, a plain one
 * stays plain unless YAML 1.1 would read it as something else (`yes`, `0644`), a block scalar stays a block.
 */
export function scalarText(
  value: JsonValue,
  old: Scalar | undefined,
  context: { text: string; inFlow: boolean },
): string {
  if (typeof value !== "string") return stringify(value, { version: "1.1" }).replace(/\n$/, "");
  if (isBlockScalar(old) && value.includes("\n")) return blockScalarText(value, old, context.text);
  return quotedText(value, old, context.inFlow);
}

function isBlockScalar(old: Scalar | undefined): old is Scalar {
  return old?.type === "BLOCK_LITERAL" || old?.type === "BLOCK_FOLDED";
}

function quotedText(value: string, old: Scalar | undefined, inFlow: boolean): string {
  const rendered = stringify(value, {
    version: "1.1",
    lineWidth: 0,
    defaultStringType: quotedStyle(old),
    defaultKeyType: "PLAIN",
  }).replace(/\n$/, "");
  const unsafe = rendered.includes("\n") || (inFlow && /[,[\]{}]/.test(rendered) && !/^["']/.test(rendered));
  return unsafe ? JSON.stringify(value) : rendered;
}

/** The file's indentation: from the first nested mapping and the first block list under a key. */
export function detectLayout(root: Node, text: string): Layout {
  let indent: number | undefined;
  let indentSeq: boolean | undefined;
  const visitPair = (pair: Pair): void => {
    const keyColumn = column(text, startOf(pair.key));
    const value = pair.value;
    if (isMap(value) && value.flow !== true && value.items.length > 0 && indent === undefined)
      indent = column(text, startOf(value.items[0])) - keyColumn;
    if (isSeq(value) && value.flow !== true && value.items.length > 0 && indentSeq === undefined)
      indentSeq = dashColumn(text, startOf(value.items[0])) > keyColumn;
    if (isMap(value)) value.items.forEach(visitPair);
  };
  if (isMap(root)) root.items.forEach(visitPair);
  return { indent: indent !== undefined && indent > 0 ? indent : 2, indentSeq: indentSeq ?? true };
}

/** Column of the `-` that introduces a block list item starting at `offset`. */
export function dashColumn(text: string, offset: number): number {
  const prefix = text.slice(lineStart(text, offset), offset);
  const dash = prefix.lastIndexOf("-");
  return dash < 0 ? column(text, offset) : dash;
}

export function applySplice(text: string, splice: Splice): string {
  return text.slice(0, splice.start) + splice.text + text.slice(splice.end);
}

export { isScalar };
