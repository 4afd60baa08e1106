import {
  EVENT_ID,
  FAILSAFE_SCHEMA,
  NOT_RESOLVED,
  SCALAR_STYLE,
  constructFromEvents,
  defineScalarTag,
  getScalarValue,
  parseEvents,
} from "js-yaml";
import type { Event } from "js-yaml";
import { Schema, isScalar } from "yaml";
import { escapePointerToken } from "./value/pointer.js";
import { kubectlCompatibleTags } from "./yaml-options.js";

/**
 * The documents of a YAML text as values, read by js-yaml's event parser, about five times faster
 * than `yaml`'s document trees (14 MB of manifests: 0.9 s against 4.9 s). `yaml` stays the
 * reference: plain scalars resolve through its YAML 1.1 tags as kubectl's go-yaml reads them
 * (yaml-options.ts), and anything beyond plain block and flow collections of untagged scalars
 * (anchors, aliases, tags, merge keys, keys that are not strings) is left to it, as is every error:
 * the caller reads the text with `yaml` when this gives `undefined`. ADR 0025.
 */
export interface PlainDocuments {
  /** One per document, empty ones included (as null), in order. */
  readonly values: readonly unknown[];
  /** The 1-based line of each document's first node (of the document marker when it has none). */
  readonly lines: readonly number[];
}

interface ScalarTag {
  readonly default?: boolean | "key";
  readonly test?: RegExp;
  readonly resolve: (value: string, onError: (message: string) => void, options: object) => unknown;
}

/** `yaml`'s own schemas: YAML 1.1 as kubectl reads manifests, YAML 1.2's core as `yaml` reads by default. */
export type YamlVersion = "1.1" | "1.2";

function scalarTagsOf(version: YamlVersion): readonly ScalarTag[] {
  const schema =
    version === "1.1"
      ? new Schema({ schema: "yaml-1.1", customTags: kubectlCompatibleTags, merge: true })
      : new Schema({ schema: "core" });
  return (schema as unknown as { readonly tags: readonly ScalarTag[] }).tags.filter(
    (tag) => tag.default === true && tag.test !== undefined,
  );
}

/** One test for all of the tags' (most plain scalars are strings, and fail it at their first character). */
const anyTagTests = new WeakMap<readonly ScalarTag[], RegExp>();

function anyTag(tags: readonly ScalarTag[]): RegExp {
  let test = anyTagTests.get(tags);
  if (test === undefined) {
    test = new RegExp(tags.map((tag) => `(?:${tag.test?.source ?? "(?!)"})`).join("|"));
    anyTagTests.set(tags, test);
  }
  return test;
}

/** A plain scalar as `yaml` resolves it with these tags; NOT_RESOLVED for a string. */
function resolvePlain(source: string, tags: readonly ScalarTag[]): unknown {
  if (!anyTag(tags).test(source)) return NOT_RESOLVED;
  const tag = tags.find((candidate) => candidate.test?.test(source) === true);
  if (tag === undefined) return NOT_RESOLVED;
  let failed = false;
  const resolved = tag.resolve(source, () => (failed = true), {});
  if (failed) return NOT_RESOLVED;
  // Some of yaml's tags answer with a Scalar node (null, the booleans), others with the value.
  return isScalar(resolved) ? resolved.value : resolved;
}

interface Reader {
  readonly tags: readonly ScalarTag[];
  readonly schema: ReturnType<typeof FAILSAFE_SCHEMA.withTags>;
}

function readerOf(version: YamlVersion): Reader {
  const tags = scalarTagsOf(version);
  const scalars = defineScalarTag(`tag:kubedrift.dev,2026:yaml-${version}-scalar`, {
    implicit: true,
    implicitFirstChars: null,
    resolve: (source) => resolvePlain(source, tags),
    identify: () => false,
  });
  return { tags, schema: FAILSAFE_SCHEMA.withTags(scalars) };
}

const readers = new Map<YamlVersion, Reader>();

function reader(version: YamlVersion): Reader {
  let known = readers.get(version);
  if (known === undefined) {
    known = readerOf(version);
    readers.set(version, known);
  }
  return known;
}

interface Frame {
  readonly mapping: boolean;
  count: number;
}

function startOf(event: Event): number {
  if (event.type === EVENT_ID.MAPPING || event.type === EVENT_ID.SEQUENCE) return event.start;
  return event.type === EVENT_ID.SCALAR ? event.valueStart : -1;
}

/** Whether a node event is beyond the fast reader: an alias, an anchor, a tag. */
function beyond(event: Event): boolean {
  if (event.type === EVENT_ID.ALIAS) return true;
  if (event.type === EVENT_ID.DOCUMENT || event.type === EVENT_ID.POP) return false;
  return event.anchorStart !== -1 || event.tagStart !== -1;
}

/** A key `yaml` reads differently from a string: a collection, `<<`, or a plain scalar that resolves to a non-string. */
function unusualKey(event: Event, text: string, tags: readonly ScalarTag[]): boolean {
  if (event.type !== EVENT_ID.SCALAR) return true;
  if (event.style !== SCALAR_STYLE.PLAIN || event.valueStart < 0) return false;
  const merge = event.valueEnd - event.valueStart === 2 && text.startsWith("<<", event.valueStart);
  return merge || resolvePlain(getScalarValue(text, event), tags) !== NOT_RESOLVED;
}

class LineIndex {
  #line = 1;
  #offset = 0;
  constructor(private readonly text: string) {}
  /** Offsets must come in increasing order, as a document's events give them. */
  lineAt(offset: number): number {
    for (let next = this.text.indexOf("\n", this.#offset); next !== -1 && next < offset;) {
      this.#line += 1;
      this.#offset = next + 1;
      next = this.text.indexOf("\n", this.#offset);
    }
    return this.#line;
  }
}

/** A walk over the events: the stack of open collections, and the documents' first lines. */
class EventWalk {
  readonly lines: number[] = [];
  readonly #frames: Frame[] = [];
  readonly #index: LineIndex;
  #documentStart = false;

  constructor(
    private readonly text: string,
    private readonly tags: readonly ScalarTag[],
  ) {
    this.#index = new LineIndex(text);
  }

  /** False when the event is beyond the fast reader. */
  step(event: Event): boolean {
    if (beyond(event)) return false;
    if (event.type === EVENT_ID.POP) this.#frames.pop();
    else if (event.type === EVENT_ID.DOCUMENT) this.#openDocument();
    else return this.#node(event);
    return true;
  }

  #openDocument(): void {
    this.#frames.push({ mapping: false, count: 0 });
    this.#documentStart = true;
  }

  #node(event: Event): boolean {
    const parent = this.#frames.at(-1);
    if (parent?.mapping === true && parent.count++ % 2 === 0 && unusualKey(event, this.text, this.tags))
      return false;
    if (this.#documentStart) {
      const start = startOf(event);
      this.lines.push(start < 0 ? (this.lines.at(-1) ?? 1) : this.#index.lineAt(start));
      this.#documentStart = false;
    }
    if (event.type !== EVENT_ID.SCALAR)
      this.#frames.push({ mapping: event.type === EVENT_ID.MAPPING, count: 0 });
    return true;
  }
}

/** The documents' first lines, or undefined when an event is beyond the fast reader. */
function checkedLines(
  events: readonly Event[],
  text: string,
  tags: readonly ScalarTag[],
): readonly number[] | undefined {
  const walk = new EventWalk(text, tags);
  return events.every((event) => walk.step(event)) ? walk.lines : undefined;
}

export function readPlainDocuments(text: string, version: YamlVersion = "1.1"): PlainDocuments | undefined {
  const { tags, schema } = reader(version);
  try {
    const events = parseEvents(text, {});
    const lines = checkedLines(events, text, tags);
    if (lines === undefined) return undefined;
    const values = constructFromEvents(events, { source: text, schema, maxAliases: 0 });
    return values.length === lines.length ? { values, lines } : undefined;
  } catch {
    // Malformed, or read otherwise by js-yaml: `yaml` says what is wrong, and where.
    return undefined;
  }
}

interface LineFrame {
  readonly kind: "document" | "mapping" | "sequence";
  readonly pointer: string;
  count: number;
  /** In a mapping, the pointer of the entry whose value comes next. */
  entry: string;
}

/** Where a node starts, for its line: a block scalar's header rather than its first line of text. */
function nodeStart(event: Event, text: string): number {
  if (event.type !== EVENT_ID.SCALAR) return startOf(event);
  if (event.style !== SCALAR_STYLE.LITERAL_BLOCK && event.style !== SCALAR_STYLE.FOLDED_BLOCK)
    return event.valueStart;
  let offset = event.valueStart - 1;
  while (offset > 0 && /\s/.test(text[offset] ?? "")) offset -= 1;
  return offset;
}

/** One document's field lines, from the events between its DOCUMENT and its POP. */
class FieldLineWalk {
  readonly lines = new Map<string, number>();
  readonly #frames: LineFrame[] = [{ kind: "document", pointer: "", count: 0, entry: "" }];

  constructor(
    private readonly text: string,
    private readonly lineAt: (offset: number) => number,
  ) {}

  /** False once the document's POP closes it. */
  step(event: Event): boolean {
    if (event.type === EVENT_ID.POP) {
      this.#frames.pop();
      return this.#frames.length > 0;
    }
    const parent = this.#frames.at(-1);
    if (parent === undefined || event.type === EVENT_ID.DOCUMENT || event.type === EVENT_ID.ALIAS)
      return true;
    const pointer = this.#place(parent, event);
    if (event.type !== EVENT_ID.SCALAR)
      this.#frames.push({
        kind: event.type === EVENT_ID.MAPPING ? "mapping" : "sequence",
        pointer,
        count: 0,
        entry: "",
      });
    return true;
  }

  /** The node's pointer, its line recorded as collectFieldLines records it: a key's line, an item's. */
  #place(parent: LineFrame, event: Event): string {
    const index = parent.count++;
    if (parent.kind === "mapping" && index % 2 === 0 && event.type === EVENT_ID.SCALAR) {
      parent.entry = `${parent.pointer}/${escapePointerToken(getScalarValue(this.text, event))}`;
      this.#record(parent.entry, event);
      return parent.entry;
    }
    if (parent.kind === "mapping") return parent.entry;
    const pointer = parent.kind === "document" ? "" : `${parent.pointer}/${index}`;
    this.#record(pointer, event);
    return pointer;
  }

  #record(pointer: string, event: Event): void {
    const start = nodeStart(event, this.text);
    if (start >= 0) this.lines.set(pointer, this.lineAt(start));
  }
}

/**
 * The line of every field of each document, by JSON Pointer, as `collectFieldLines` finds them in
 * `yaml`'s trees (a key's line for a map entry, an item's first line for a list element), from
 * js-yaml's events: what manifests need for the drifted fields they show. Undefined for what
 * `readPlainDocuments` leaves to `yaml`.
 */
export function plainFieldLines(text: string): readonly ReadonlyMap<string, number>[] | undefined {
  try {
    const events = parseEvents(text, {});
    if (events.some(beyond)) return undefined;
    const index = new LineIndex(text);
    const documents: ReadonlyMap<string, number>[] = [];
    let walk: FieldLineWalk | undefined;
    for (const event of events) {
      if (event.type === EVENT_ID.DOCUMENT) walk = new FieldLineWalk(text, (offset) => index.lineAt(offset));
      else if (walk !== undefined && !walk.step(event)) {
        documents.push(walk.lines);
        walk = undefined;
      }
    }
    return documents;
  } catch {
    return undefined;
  }
}
