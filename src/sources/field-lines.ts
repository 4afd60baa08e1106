import { isMap, isNode, isScalar, isSeq } from "yaml";
import type { LineCounter, Node, Pair } from "yaml";
import { escapePointerToken } from "../kube/value/pointer.js";

/** Line (1-based) of a node's first character. */
export function lineOfNode(node: unknown, lineCounter: LineCounter): number | undefined {
  const start = isNode(node) ? node.range?.[0] : undefined;
  return start === undefined ? undefined : lineCounter.linePos(start).line;
}

/** Called with a key that is a list or a mapping, which JSON (and kubectl) cannot have. */
export type ComplexKeyHandler = (key: Node) => void;

interface Collector {
  readonly lines: Map<string, number>;
  readonly lineCounter: LineCounter;
  readonly onComplexKey: ComplexKeyHandler;
}

function collectPair(pair: Pair<unknown, unknown>, pointer: string, collector: Collector): void {
  const key = pair.key;
  if (isMap(key) || isSeq(key)) collector.onComplexKey(key);
  // Merge keys (`<<`) and complex keys have no place in a JSON Pointer of the resulting object.
  if (!isScalar(key) || key.value === "<<") return;
  const name = key.value;
  if (typeof name !== "string" && typeof name !== "number" && typeof name !== "boolean") return;
  const fieldPointer = `${pointer}/${escapePointerToken(String(name))}`;
  const line = lineOfNode(key, collector.lineCounter);
  if (line !== undefined) collector.lines.set(fieldPointer, line);
  collectNode(pair.value, fieldPointer, collector);
}

function collectNode(node: unknown, pointer: string, collector: Collector): void {
  if (isMap(node)) {
    for (const pair of node.items) collectPair(pair, pointer, collector);
  } else if (isSeq(node)) {
    node.items.forEach((item, index) => {
      const itemPointer = `${pointer}/${index}`;
      const line = lineOfNode(item, collector.lineCounter);
      if (line !== undefined) collector.lines.set(itemPointer, line);
      collectNode(item, itemPointer, collector);
    });
  }
}

/**
 * The line of every field under `root`, by JSON Pointer relative to it, in one walk of the YAML tree:
 * the key's line for a map entry, the item's first line for a list element. Aliases keep the line of
 * the key that uses them; what they point at is not walked.
 */
export function collectFieldLines(
  root: Node,
  lineCounter: LineCounter,
  onComplexKey: ComplexKeyHandler = () => undefined,
): ReadonlyMap<string, number> {
  const collector: Collector = { lines: new Map(), lineCounter, onComplexKey };
  const rootLine = lineOfNode(root, lineCounter);
  if (rootLine !== undefined) collector.lines.set("", rootLine);
  collectNode(root, "", collector);
  return collector.lines;
}
