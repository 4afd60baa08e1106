import type { JsonValue } from "../value/json.js";
import { isJsonObject } from "../value/json.js";
import { childAt, escapePointerToken, pointerTokens } from "../value/pointer.js";
import { goJson } from "./element.js";

/*
 * The one notation kubedrift shows people for a field: `spec.template.spec.containers[name=web].image`,
 * `metadata.labels["app.kubernetes.io/name"]`. The diff names fields from JSON Pointers, plan and
 * apply from the server's field names (structured-merge-diff's `.spec…[name="web"]`, as conflicts
 * and managedFields give them); both end up here so that one field reads the same everywhere.
 * Machine-readable outputs keep their JSON Pointers.
 *
 * List items are named by the first of the keys that Kubernetes' keyed lists commonly use (the
 * schema is not at hand in every caller); any such key names the item for a reader even where it is
 * not the list's formal merge key.
 */
const itemKeys = ["name", "containerPort", "port", "mountPath", "devicePath", "ip", "key"] as const;

const plainField = /^[A-Za-z_][A-Za-z0-9_-]*$/;
const plainKeyValue = /^[A-Za-z0-9_.:/-]+$/;

function fieldSegment(token: string, first: boolean): string {
  if (plainField.test(token)) return first ? token : `.${token}`;
  return `[${JSON.stringify(token)}]`;
}

function keyValueText(value: JsonValue): string {
  if (typeof value === "number") return String(value);
  if (typeof value === "string") return plainKeyValue.test(value) ? value : JSON.stringify(value);
  return goJson(value);
}

function itemSegment(index: string, item: JsonValue | undefined): string {
  if (isJsonObject(item)) {
    for (const key of itemKeys) {
      const value = item[key];
      if (typeof value === "string" || typeof value === "number") return `[${key}=${keyValueText(value)}]`;
    }
  }
  return `[${index}]`;
}

function isIndex(token: string, node: JsonValue | undefined): boolean {
  if (!/^(0|[1-9][0-9]*)$/.test(token)) return false;
  return node === undefined || Array.isArray(node);
}

/**
 * A JSON Pointer as people read field paths. With `object` (the document the pointer points into)
 * list items are named by a key of theirs; without it, or where an item has none, by index. Without
 * `object`, a numeric token is taken for an index, which misreads only a map whose key is a number.
 */
export function readablePath(pointer: string, object?: JsonValue): string {
  let node: JsonValue | undefined = object;
  let text = "";
  for (const token of pointerTokens(pointer)) {
    const next = childAt(node, token);
    text += isIndex(token, node) ? itemSegment(token, next) : fieldSegment(token, text === "");
    node = next;
  }
  return text === "" ? "(whole object)" : text;
}

/** A step of a server field name: `.name` (dots inside a map key are not escaped), or `[…]`. */
type Step =
  | { readonly kind: "field"; readonly name: string }
  | { readonly kind: "key"; readonly fields: readonly (readonly [string, JsonValue])[] }
  | { readonly kind: "value"; readonly value: JsonValue }
  | { readonly kind: "index"; readonly index: number };

function parseJson(text: string): JsonValue {
  try {
    return JSON.parse(text) as JsonValue;
  } catch {
    return text;
  }
}

/** `name="web",protocol="TCP"` → pairs; commas inside quoted strings do not split. */
function keyPairs(inside: string): readonly (readonly [string, JsonValue])[] {
  return (inside.match(/(?:[^,"]|"(?:[^"\\]|\\.)*")+/g) ?? []).map((part) => {
    const equals = part.indexOf("=");
    return [part.slice(0, Math.max(0, equals)), parseJson(part.slice(equals + 1))] as const;
  });
}

function bracketStep(inside: string): Step {
  if (inside.startsWith("=")) return { kind: "value", value: parseJson(inside.slice(1)) };
  if (/^\d+$/.test(inside)) return { kind: "index", index: Number(inside) };
  return { kind: "key", fields: keyPairs(inside) };
}

/** `.spec.ports[port=80,protocol="TCP"].name` as steps (SMD's `PathElement.String`, joined). */
function parseServerPath(path: string): readonly Step[] {
  const steps: Step[] = [];
  for (const match of path.matchAll(/\[((?:[^\]"]|"(?:[^"\\]|\\.)*")*)\]|\.([^.[]*)/g)) {
    const inside = match[1];
    steps.push(inside === undefined ? { kind: "field", name: match[2] ?? "" } : bracketStep(inside));
  }
  return steps;
}

function matchesKey(item: JsonValue, fields: readonly (readonly [string, JsonValue])[]): boolean {
  if (!isJsonObject(item)) return false;
  // The server's key has fields the manifest may leave to defaulting (a port's protocol).
  const present = fields.filter(([name]) => item[name] !== undefined);
  return present.length > 0 && present.every(([name, value]) => goJson(item[name] ?? null) === goJson(value));
}

function itemIndex(step: Step, node: readonly JsonValue[]): number {
  switch (step.kind) {
    case "index":
      return step.index < node.length ? step.index : -1;
    case "key":
      return node.findIndex((item) => matchesKey(item, step.fields));
    case "value":
      return node.findIndex((item) => goJson(item) === goJson(step.value));
    case "field":
      return -1;
  }
}

/**
 * The longest run of field steps from `start` that is one key of `node`: a label key
 * `app.kubernetes.io/name` arrives as the steps `.app`, `.kubernetes`, `.io/name`.
 */
function mapKeyRun(steps: readonly Step[], start: number, node: JsonValue): number {
  if (!isJsonObject(node)) return 0;
  let end = start;
  while (end < steps.length && steps[end]?.kind === "field") end += 1;
  for (let length = end - start; length > 0; length -= 1) {
    const key = steps
      .slice(start, start + length)
      .map((step) => (step.kind === "field" ? step.name : ""))
      .join(".");
    if (Object.hasOwn(node, key)) return length;
  }
  return 0;
}

/** The pointer of a server field name into `object`, or undefined where the object lacks it. */
function pointerIn(steps: readonly Step[], object: JsonValue): string | undefined {
  let node: JsonValue | undefined = object;
  let pointer = "";
  let at = 0;
  while (at < steps.length) {
    const step = steps[at];
    let token: string;
    if (Array.isArray(node)) {
      const index = itemIndex(step, node as readonly JsonValue[]);
      if (index < 0) return undefined;
      token = String(index);
      at += 1;
    } else {
      const length = node === undefined ? 0 : mapKeyRun(steps, at, node);
      if (length === 0) return undefined;
      token = steps
        .slice(at, at + length)
        .map((part) => (part.kind === "field" ? part.name : ""))
        .join(".");
      at += length;
    }
    pointer += `/${escapePointerToken(token)}`;
    node = childAt(node, token);
  }
  return pointer;
}

/** Maps whose keys are free text (and may hold dots): the rest of a field name is one key of theirs. */
const freeKeyMaps = new Set([
  "labels",
  "annotations",
  "data",
  "stringData",
  "binaryData",
  "nodeSelector",
  "matchLabels",
]);

function keyStepText(fields: readonly (readonly [string, JsonValue])[]): string {
  const named = itemKeys.find((key) => fields.some(([name]) => name === key));
  const shown = named === undefined ? fields : fields.filter(([name]) => name === named);
  return `[${shown.map(([name, value]) => `${name}=${keyValueText(value)}`).join(",")}]`;
}

function stepText(step: Step, first: boolean): string {
  switch (step.kind) {
    case "field":
      return fieldSegment(step.name, first);
    case "key":
      return keyStepText(step.fields);
    case "value":
      return `[=${keyValueText(step.value)}]`;
    case "index":
      return `[${step.index}]`;
  }
}

/** Without the object: the same notation, from the name alone. */
function syntacticText(steps: readonly Step[]): string {
  let text = "";
  for (let at = 0; at < steps.length; at += 1) {
    const step = steps[at];
    const rest = steps.slice(at + 1);
    text += stepText(step, text === "");
    if (step.kind === "field" && freeKeyMaps.has(step.name) && rest.length > 1) {
      if (rest.every((next) => next.kind === "field")) {
        text += fieldSegment(rest.map((next) => (next.kind === "field" ? next.name : "")).join("."), false);
        break;
      }
    }
  }
  return text === "" ? "(whole object)" : text;
}

/**
 * A field as the server names it (`.spec.template.spec.containers[name="web"].image`, in conflicts,
 * dry-run verdicts and what kubedrift gives up) in the diff's notation. With `object`, the field is
 * looked up in it and named exactly as the diff names it there; where the object lacks it (a field
 * given up, a field of the live object only), the name alone is rewritten, a map key with dots
 * taken whole under labels, annotations and the other free-text maps.
 */
export function readableFieldPath(serverPath: string, object?: JsonValue): string {
  const steps = parseServerPath(serverPath);
  const pointer = object === undefined ? undefined : pointerIn(steps, object);
  return pointer === undefined ? syntacticText(steps) : readablePath(pointer, object);
}
