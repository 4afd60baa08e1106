/**
 * Lines of resource blocks and of their attributes, by scanning the HCL text (hcl2json gives no
 * positions). Paths are Terraform's: `spec.0.template.0.spec.0.container.1.image`, map keys
 * `metadata.0.labels.app`, manifest fields `manifest.spec.replicas`.
 */

type TokenKind = "word" | "string" | "punct" | "newline";

interface Token {
  readonly kind: TokenKind;
  readonly text: string;
  readonly line: number;
}

/** Where a resource block starts and where its fields are written. */
export interface ResourceLines {
  readonly line: number;
  readonly fields: ReadonlyMap<string, number>;
  /** Where further blocks of the same address start (Terraform refuses them; so does kubedrift). */
  readonly repeats: readonly number[];
}

interface Cursor {
  readonly text: string;
  index: number;
  line: number;
}

function opensInterpolation(cursor: Cursor): boolean {
  const character = cursor.text[cursor.index];
  return (character === "$" || character === "%") && cursor.text[cursor.index + 1] === "{";
}

/** Depth of `${…}` after one character inside an interpolation: braces of object literals nest too. */
function interpolationDepth(character: string, depth: number): number {
  if (character === "{") return depth + 1;
  return character === "}" ? depth - 1 : depth;
}

/** One character of a quoted string; returns the new interpolation depth, or -1 at the closing quote. */
function quotedStep(cursor: Cursor, depth: number): number {
  const character = cursor.text[cursor.index];
  if (character === "\n") cursor.line++;
  if (opensInterpolation(cursor)) {
    cursor.index++;
    return depth + 1;
  }
  if (character === "\\") {
    cursor.index++;
    return depth;
  }
  if (depth > 0) return interpolationDepth(character, depth);
  return character === '"' ? -1 : depth;
}

function skipQuoted(cursor: Cursor): string {
  const start = cursor.index;
  cursor.index++;
  let depth = 0;
  while (cursor.index < cursor.text.length) {
    depth = quotedStep(cursor, depth);
    if (depth < 0) break;
    cursor.index++;
  }
  cursor.index++;
  return cursor.text.slice(start, cursor.index);
}

function skipHeredoc(cursor: Cursor): void {
  const header = /^<<-?([A-Za-z_]\w*)[^\n]*\n/.exec(cursor.text.slice(cursor.index));
  if (header === null) {
    cursor.index += 2;
    return;
  }
  const end = new RegExp(`\\n\\s*${header[1]}\\s*(\\n|$)`).exec(cursor.text.slice(cursor.index));
  const length = end === null ? cursor.text.length - cursor.index : end.index + end[0].length - 1;
  const body = cursor.text.slice(cursor.index, cursor.index + length);
  cursor.line += body.split("\n").length - 1;
  cursor.index += length;
}

function skipComment(cursor: Cursor): void {
  if (cursor.text.startsWith("/*", cursor.index)) {
    const end = cursor.text.indexOf("*/", cursor.index + 2);
    const stop = end < 0 ? cursor.text.length : end + 2;
    cursor.line += cursor.text.slice(cursor.index, stop).split("\n").length - 1;
    cursor.index = stop;
    return;
  }
  const end = cursor.text.indexOf("\n", cursor.index);
  cursor.index = end < 0 ? cursor.text.length : end;
}

function nextToken(cursor: Cursor): Token | undefined {
  const { text } = cursor;
  const character = text[cursor.index];
  const line = cursor.line;
  if (character === "\n") {
    cursor.index++;
    cursor.line++;
    return { kind: "newline", text: "\n", line };
  }
  if (character === "#" || text.startsWith("//", cursor.index) || text.startsWith("/*", cursor.index)) {
    skipComment(cursor);
    return undefined;
  }
  if (character === '"') return { kind: "string", text: skipQuoted(cursor), line };
  if (text.startsWith("<<", cursor.index)) {
    skipHeredoc(cursor);
    return { kind: "string", text: "<<heredoc", line };
  }
  const word = /^[A-Za-z_][\w-]*/.exec(text.slice(cursor.index, cursor.index + 200));
  if (word !== null) {
    cursor.index += word[0].length;
    return { kind: "word", text: word[0], line };
  }
  cursor.index++;
  return /[{}[\]()=:,]/.test(character) ? { kind: "punct", text: character, line } : undefined;
}

export function tokenize(text: string): readonly Token[] {
  const cursor: Cursor = { text, index: 0, line: 1 };
  const tokens: Token[] = [];
  while (cursor.index < text.length) {
    const token = nextToken(cursor);
    if (token !== undefined) tokens.push(token);
  }
  return tokens;
}

interface Parser {
  readonly tokens: readonly Token[];
  position: number;
  readonly fields: Map<string, number>;
}

const join = (path: string, key: string | number): string => (path === "" ? String(key) : `${path}.${key}`);
const keyText = (token: Token): string => (token.kind === "string" ? token.text.slice(1, -1) : token.text);
const peek = (parser: Parser, offset = 0): Token | undefined => parser.tokens[parser.position + offset];

function skipNewlines(parser: Parser): void {
  while (peek(parser)?.kind === "newline" || peek(parser)?.text === ",") parser.position++;
}

const closers: Readonly<Record<string, string>> = { "{": "}", "[": "]", "(": ")" };

const isCloser = (text: string): boolean => text === "}" || text === "]" || text === ")";
const endsExpression = (token: Token): boolean =>
  token.kind === "newline" || token.text === "," || isCloser(token.text);

/** Skips an expression up to the end of its line (or the enclosing closer), recording object keys and list items. */
function parseExpression(parser: Parser, path: string): void {
  const first = peek(parser);
  if (first?.text === "{") return parseObject(parser, path);
  if (first?.text === "[") return parseList(parser, path);
  let depth = 0;
  for (let token = peek(parser); token !== undefined; token = peek(parser)) {
    if (depth === 0 && endsExpression(token)) return;
    if (token.text in closers) depth++;
    else if (isCloser(token.text)) depth--;
    parser.position++;
  }
}

function parseObject(parser: Parser, path: string): void {
  parser.position++;
  for (;;) {
    skipNewlines(parser);
    const key = peek(parser);
    if (key === undefined) return;
    if (key.text === "}") {
      parser.position++;
      return;
    }
    const separator = peek(parser, 1);
    if (separator?.text !== "=" && separator?.text !== ":") {
      parseExpression(parser, path);
      parser.position += peek(parser)?.text === "}" ? 0 : 1;
      continue;
    }
    const keyPath = join(path, keyText(key));
    parser.fields.set(keyPath, key.line);
    parser.position += 2;
    parseExpression(parser, keyPath);
  }
}

function parseList(parser: Parser, path: string): void {
  parser.position++;
  for (let index = 0; ; index++) {
    skipNewlines(parser);
    const token = peek(parser);
    if (token === undefined) return;
    if (token.text === "]") {
      parser.position++;
      return;
    }
    const itemPath = join(path, index);
    parser.fields.set(itemPath, token.line);
    parseExpression(parser, itemPath);
    if (peek(parser)?.text === ")" || peek(parser)?.text === "}") parser.position++;
  }
}

function parseAttribute(parser: Parser, name: Token, path: string): void {
  parser.position++;
  parser.fields.set(join(path, name.text), name.line);
  parseExpression(parser, join(path, name.text));
}

/** `name "label"… {`; words that open no block are skipped. */
function parseBlock(parser: Parser, name: Token, path: string, counts: Map<string, number>): void {
  while (peek(parser)?.kind === "string" || peek(parser)?.kind === "word") parser.position++;
  if (peek(parser)?.text !== "{") return;
  parser.position++;
  const index = counts.get(name.text) ?? 0;
  counts.set(name.text, index + 1);
  const blockPath = join(join(path, name.text), index);
  parser.fields.set(blockPath, name.line);
  if (index === 0) parser.fields.set(join(path, name.text), name.line);
  parseBody(parser, blockPath);
}

/** A block body up to its `}`: attributes and nested blocks (whose repeats are counted for their index). */
function parseBody(parser: Parser, path: string): void {
  const counts = new Map<string, number>();
  for (;;) {
    skipNewlines(parser);
    const token = peek(parser);
    if (token === undefined) return;
    parser.position++;
    if (token.text === "}") return;
    if (token.kind !== "word") continue;
    if (peek(parser)?.text === "=") parseAttribute(parser, token, path);
    else parseBlock(parser, token, path, counts);
  }
}

function isResourceStart(tokens: readonly Token[], position: number): boolean {
  const [keyword, type, name, open] = tokens.slice(position, position + 4);
  const atLineStart = position === 0 || tokens[position - 1].kind === "newline";
  return (
    atLineStart &&
    keyword.text === "resource" &&
    type?.kind === "string" &&
    name?.kind === "string" &&
    open?.text === "{"
  );
}

/** Every `resource "type" "name" { … }` of a file, by `type.name`: the first block of each address, as hcl2json's. */
export function scanResources(text: string): ReadonlyMap<string, ResourceLines> {
  const tokens = tokenize(text);
  const resources = new Map<string, ResourceLines>();
  for (let position = 0; position < tokens.length; position++) {
    if (!isResourceStart(tokens, position)) continue;
    const [keyword, type, name] = tokens.slice(position, position + 3);
    const parser: Parser = { tokens, position: position + 4, fields: new Map() };
    parseBody(parser, "");
    const address = `${keyText(type)}.${keyText(name)}`;
    const first = resources.get(address);
    resources.set(
      address,
      first === undefined
        ? { line: keyword.line, fields: parser.fields, repeats: [] }
        : { ...first, repeats: [...first.repeats, keyword.line] },
    );
    position = parser.position - 1;
  }
  return resources;
}
