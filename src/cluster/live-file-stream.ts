import { createReadStream } from "node:fs";
import { readPlainDocuments } from "../kube/yaml-values.js";

/**
 * `kubectl get -A -o json|yaml` of a large cluster is one List of tens of thousands of items:
 * 480 MB of JSON for 50,000 objects with their managedFields. Held whole, its text and its parse
 * tree doubled the memory of a run (and a YAML parser's events for it, ten times more). The file is
 * read here in pieces, and each item parsed as soon as it is whole: the text of one item at a time.
 */
export interface StreamedList {
  /** The List without its items (apiVersion, kind, metadata), or the one object the file holds. */
  readonly header: unknown;
  readonly items: readonly unknown[];
  /** The 1-based line where each item starts. */
  readonly itemLines: readonly number[];
}

const QUOTE = 0x22;
const BACKSLASH = 0x5c;
const NEWLINE = 0x0a;
const COLON = 0x3a;
const OPEN = new Set([0x7b, 0x5b]);
const CLOSE = new Set([0x7d, 0x5d]);
/** What matters outside strings: quotes, newlines (for lines), colons (for keys) and brackets. */
const structural = /["\n:{}[\]]/g;

/** Whether the run of backslashes that ends at `end` (not before `floor`) is odd: the next character is escaped. */
function oddBackslashesBefore(text: string, end: number, floor: number): boolean {
  let index = end - 1;
  while (index >= floor && text.charCodeAt(index) === BACKSLASH) index -= 1;
  return (end - 1 - index) % 2 === 1;
}

/**
 * A scan of JSON text for the items of the top-level object's `items` array: strings and nesting
 * are tracked, nothing else; each item's text goes to JSON.parse, which checks everything else.
 */
class JsonItemScanner {
  readonly items: unknown[] = [];
  readonly itemLines: number[] = [];
  #header: string[] = [];
  #item: string[] = [];
  #depth = 0;
  #inString = false;
  #escaped = false;
  #line = 1;
  #itemLine = 0;
  #itemsDepth = -1;
  #stringStart = -1;
  #stringParts: string[] = [];
  #lastString = "";
  #lastKey = "";

  feed(chunk: string): void {
    let from = 0;
    // A key that began in the last chunk goes on from this one's start.
    if (this.#inString && this.#stringStart >= 0) this.#stringStart = 0;
    let index = this.#inString ? this.#skipString(chunk, 0) : 0;
    while (index < chunk.length) {
      // Strings are most of the text: jumped over with indexOf rather than read character by character.
      structural.lastIndex = index;
      const found = structural.exec(chunk);
      if (found === null) break;
      index = found.index;
      const code = chunk.charCodeAt(index);
      if (code === QUOTE) {
        this.#startString(index);
        index = this.#skipString(chunk, index + 1);
        continue;
      }
      from = this.#structural(chunk, index, from, code);
      index += 1;
    }
    this.#keep(chunk.slice(from));
    if (this.#inString && this.#stringStart >= 0) this.#keyPart(chunk.slice(this.#stringStart));
  }

  /** A newline, colon or bracket outside strings; the start of what is not yet kept, moved when an item starts or ends. */
  #structural(chunk: string, index: number, from: number, code: number): number {
    if (code === NEWLINE) this.#line += 1;
    else if (code === COLON && this.#depth === 1) this.#lastKey = this.#lastString;
    else if (OPEN.has(code)) return this.#open(chunk, index, from);
    else if (CLOSE.has(code)) return this.#close(chunk, index, from);
    return from;
  }

  /** Past the end of the string being read (JSON strings hold no raw newline), or the chunk's end. */
  #skipString(chunk: string, start: number): number {
    let index = start;
    if (this.#escaped) {
      this.#escaped = false;
      index += 1;
    }
    for (;;) {
      const quote = chunk.indexOf('"', index);
      if (quote === -1) {
        this.#escaped = oddBackslashesBefore(chunk, chunk.length, index);
        return chunk.length;
      }
      if (!oddBackslashesBefore(chunk, quote, index)) {
        this.#endString(chunk, quote);
        return quote + 1;
      }
      index = quote + 1;
    }
  }

  #endString(chunk: string, quote: number): void {
    this.#inString = false;
    if (this.#stringStart >= 0)
      this.#lastString = this.#stringParts.join("") + chunk.slice(this.#stringStart, quote);
    this.#stringParts = [];
  }

  #startString(index: number): void {
    this.#inString = true;
    this.#stringStart = this.#depth === 1 ? index + 1 : -1;
    this.#lastString = "";
  }

  /** Keys of the List's own object are short: a longer string there is a value, and is not kept. */
  #keyPart(part: string): void {
    this.#stringParts.push(part);
    if (this.#stringParts.reduce((length, kept) => length + kept.length, 0) > 64) {
      this.#stringParts = [];
      this.#stringStart = -1;
    }
  }

  #open(chunk: string, index: number, from: number): number {
    this.#depth += 1;
    if (this.#depth === 2 && chunk.charCodeAt(index) === 0x5b && this.#lastKey === "items") {
      this.#itemsDepth = 2;
      return from;
    }
    if (this.#itemsDepth === 2 && this.#depth === 3 && this.#item.length === 0) {
      // An item starts: what came before it belongs to the header (`"items": [`, commas).
      this.#header.push(chunk.slice(from, index));
      this.#itemLine = this.#line;
      this.#item.push("");
      return index;
    }
    return from;
  }

  #close(chunk: string, index: number, from: number): number {
    this.#depth -= 1;
    if (this.#itemsDepth === 2 && this.#depth === 2 && this.#item.length > 0) {
      this.#item.push(chunk.slice(from, index + 1));
      this.#finishItem();
      return index + 1;
    }
    if (this.#itemsDepth === 2 && this.#depth === 1) this.#itemsDepth = -1;
    return from;
  }

  #keep(rest: string): void {
    if (this.#item.length > 0) this.#item.push(rest);
    else this.#header.push(rest);
  }

  #finishItem(): void {
    const text = this.#item.join("");
    this.#item = [];
    try {
      this.items.push(JSON.parse(text) as unknown);
    } catch (error: unknown) {
      throw new Error(`the item at line ${this.#itemLine} is not JSON`, { cause: error });
    }
    this.itemLines.push(this.#itemLine);
  }

  finish(): StreamedList {
    if (this.#inString || this.#depth !== 0) throw new Error("the JSON text ends early");
    // The commas between items are left in the header: `[, ,]` is not JSON, so they go.
    const header = this.#header.join("").replace(/("items"\s*:\s*\[)[\s,]*\]/, "$1]");
    try {
      return { header: JSON.parse(header) as unknown, items: this.items, itemLines: this.itemLines };
    } catch (error: unknown) {
      throw new Error("the List around the items is not JSON", { cause: error });
    }
  }
}

/** Inside an item: its indented lines, blank lines and comments. */
function continuesItem(line: string): boolean {
  return line.startsWith(" ") || line === "" || line.startsWith("#");
}

/**
 * The items of kubectl's YAML List (`items:` at the left margin, each item a `- ` line there), each
 * read by the fast reader as it ends. Undefined when the file is laid out otherwise (several
 * documents, flow style) or an item is beyond the fast reader: the caller reads it whole.
 */
class YamlItemScanner {
  readonly items: unknown[] = [];
  readonly itemLines: number[] = [];
  #header: string[] = [];
  #item: string[] = [];
  #inItems = false;
  #line = 0;
  #itemLine = 0;
  #partial = "";
  #unusual = false;

  feed(chunk: string): void {
    if (this.#unusual) return;
    const lines = (this.#partial + chunk).split("\n");
    this.#partial = lines.pop() ?? "";
    for (const line of lines) this.#take(line);
  }

  #take(line: string): void {
    this.#line += 1;
    if (line === "---" || line.startsWith("--- ") || line === "...") this.#unusual = true;
    else if (this.#inItems && continuesItem(line)) this.#item.push(line);
    else if (this.#inItems && (line === "-" || line.startsWith("- "))) this.#startItem(line);
    else this.#headerLine(line);
  }

  #headerLine(line: string): void {
    this.#finishItem();
    this.#inItems = line === "items:";
    this.#header.push(this.#inItems ? "items: []" : line);
  }

  #startItem(line: string): void {
    this.#finishItem();
    this.#itemLine = this.#line;
    this.#item.push(line);
  }

  #finishItem(): void {
    if (this.#item.length === 0) return;
    const read = readPlainDocuments(`${this.#item.join("\n")}\n`, "1.2");
    this.#item = [];
    const [value] = read?.values ?? [];
    if (!Array.isArray(value) || value.length !== 1) {
      this.#unusual = true;
      return;
    }
    // js-yaml's strings are slices of the item's text and would keep all of it alive: JSON's are
    // strings of their own (kubectl's YAML holds nothing JSON cannot: it is JSON turned into YAML).
    this.items.push(JSON.parse(JSON.stringify(value[0])) as unknown);
    this.itemLines.push(this.#itemLine);
  }

  finish(): StreamedList | undefined {
    if (this.#partial !== "") this.#take(this.#partial);
    this.#finishItem();
    if (this.#unusual || this.items.length === 0) return undefined;
    const header = readPlainDocuments(`${this.#header.join("\n")}\n`, "1.2");
    if (header === undefined || header.values.length !== 1) return undefined;
    return { header: header.values[0], items: this.items, itemLines: this.itemLines };
  }
}

/** kubectl's `-o json` of a List: four spaces a level, so every item ends at a line of eight spaces and `}`. */
const kubectlJsonHead = /^\{\n {4}"apiVersion": "[^"\n]*",\n {4}"items": \[(?=\n {8}\{)/;
/** An item's closing line; a regular expression finds it about twice as fast as indexOf here. */
const itemEnd = /\n {8}\}/g;
const itemEndLength = 10;

/**
 * The items of a List as kubectl prints it (json.MarshalIndent with four spaces): found by their
 * closing lines alone, no character scan, since a line of eight spaces and `}` can only close an
 * item (deeper objects are indented further, and JSON strings hold no raw newline). JSON.parse of
 * each item checks the rest; anything else goes to the caller's reading of the whole file.
 */
class KubectlJsonItems {
  readonly items: unknown[] = [];
  readonly itemLines: number[] = [];
  readonly #head: string;
  #pending: string;
  #tail: string[] = [];

  constructor(head: string, rest: string) {
    this.#head = head;
    this.#pending = rest;
    this.#take();
  }

  feed(chunk: string): void {
    if (this.#tail.length > 0) {
      this.#tail.push(chunk);
      return;
    }
    this.#pending += chunk;
    this.#take();
  }

  #take(): void {
    let from = 0;
    for (;;) {
      // The comma between two items may come in the next chunk.
      if (this.#pending.startsWith(",", from)) from += 1;
      if (this.#pending.startsWith("\n    ]", from)) {
        this.#tail.push(this.#pending.slice(from));
        this.#pending = "";
        return;
      }
      itemEnd.lastIndex = from;
      const end = itemEnd.exec(this.#pending)?.index ?? -1;
      if (end === -1) break;
      this.items.push(JSON.parse(this.#pending.slice(from, end + itemEndLength)) as unknown);
      from = end + itemEndLength;
    }
    this.#pending = this.#pending.slice(from);
  }

  finish(): StreamedList {
    if (this.#tail.length === 0) throw new Error("the List ends before its items do");
    return {
      header: JSON.parse(this.#head + this.#tail.join("")) as unknown,
      items: this.items,
      itemLines: [],
    };
  }
}

type Scanner = JsonItemScanner | KubectlJsonItems | YamlItemScanner;

/** The scanner for a file that starts with `start` (at least its first 256 characters, or all of it), fed with it. */
function scannerFor(start: string): Scanner {
  const head = kubectlJsonHead.exec(start)?.[0];
  if (head !== undefined) return new KubectlJsonItems(head, start.slice(head.length));
  const scanner = start.trimStart().startsWith("{") ? new JsonItemScanner() : new YamlItemScanner();
  scanner.feed(start);
  return scanner;
}

/**
 * The file's List, read in pieces: JSON (text starting with `{`) always; YAML when it is laid out as
 * kubectl prints a List, else undefined (the caller reads the whole text).
 */
export async function streamList(path: string, chunkBytes = 1 << 20): Promise<StreamedList | undefined> {
  const stream = createReadStream(path, { encoding: "utf8", highWaterMark: chunkBytes });
  let scanner: Scanner | undefined;
  let start = "";
  for await (const chunk of stream as AsyncIterable<string>) {
    if (scanner !== undefined) scanner.feed(chunk);
    else if ((start += chunk).length >= 256) scanner = scannerFor(start);
  }
  if (scanner === undefined && start !== "") scanner = scannerFor(start);
  return scanner?.finish();
}
