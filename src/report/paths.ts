import type { JsonValue } from "../kube/value/json.js";
import { isJsonObject } from "../kube/value/json.js";
import { pointerTokens } from "../kube/value/pointer.js";

/*
 * Without the schema (the report layer sees the model only) the merge key of a list is not known, so
 * list items are named by the first of the keys that Kubernetes' keyed lists commonly use; any such
 * key names the item for a reader even where it is not the list's formal merge key.
 */
const itemKeys = ["name", "containerPort", "port", "mountPath", "devicePath", "ip", "key"] as const;

const plainField = /^[A-Za-z_][A-Za-z0-9_-]*$/;
const plainKeyValue = /^[A-Za-z0-9_.:/-]+$/;

function fieldSegment(token: string, first: boolean): string {
  if (plainField.test(token)) return first ? token : `.${token}`;
  return `[${JSON.stringify(token)}]`;
}

function keyValueText(value: string | number): string {
  return typeof value === "number" || plainKeyValue.test(value) ? String(value) : JSON.stringify(value);
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

function child(node: JsonValue | undefined, token: string): JsonValue | undefined {
  if (node === null || typeof node !== "object") return undefined;
  if (Array.isArray(node)) return (node as readonly JsonValue[])[Number(token)];
  return (node as { readonly [key: string]: JsonValue })[token];
}

function isIndex(token: string, node: JsonValue | undefined): boolean {
  if (!/^(0|[1-9][0-9]*)$/.test(token)) return false;
  return node === undefined || Array.isArray(node);
}

/**
 * A JSON Pointer as people read field paths: `spec.template.spec.containers[name=web].image`,
 * `metadata.labels["app.kubernetes.io/name"]`. With `object` (the document the pointer points into)
 * list items are named by a key of theirs; without it, or where an item has none, by index. Without
 * `object`, a numeric token is taken for an index, which misreads only a map whose key is a number.
 */
export function readablePath(pointer: string, object?: JsonValue): string {
  let node: JsonValue | undefined = object;
  let text = "";
  for (const token of pointerTokens(pointer)) {
    const next = child(node, token);
    text += isIndex(token, node) ? itemSegment(token, next) : fieldSegment(token, text === "");
    node = next;
  }
  return text === "" ? "(whole object)" : text;
}
