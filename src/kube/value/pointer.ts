import type { JsonValue } from "./json.js";
import { isJsonObject } from "./json.js";

/** RFC 6901: `~` and `/` inside a key are escaped; most keys have neither, so skip the replace. */
export function escapePointerToken(key: string): string {
  return key.includes("~") || key.includes("/") ? key.replaceAll("~", "~0").replaceAll("/", "~1") : key;
}

/** RFC 6901 unescaping, `~1` first and then `~0` (so `~01` is `~1`, as evanphx/json-patch reads it). */
export function unescapePointerToken(token: string): string {
  return token.replaceAll("~1", "/").replaceAll("~0", "~");
}

/** The reference tokens of a JSON Pointer, unescaped: `/a~1b/0` → ["a/b", "0"]. */
export function pointerTokens(pointer: string): readonly string[] {
  if (pointer === "") return [];
  return pointer.slice(1).split("/").map(unescapePointerToken);
}

/** The JSON Pointer of unescaped tokens: ["a/b", "0"] → `/a~1b/0`. */
export function pointerOf(tokens: readonly string[]): string {
  return tokens.map((token) => `/${escapePointerToken(token)}`).join("");
}

/** One step down: an item of a list by index, an own property of an object, else undefined. */
export function childAt(node: JsonValue | undefined, token: string): JsonValue | undefined {
  if (Array.isArray(node)) return (node as readonly JsonValue[])[Number(token)];
  return isJsonObject(node) && Object.hasOwn(node, token) ? node[token] : undefined;
}

/** The value at unescaped reference tokens, or undefined. */
export function valueAtTokens(root: JsonValue | undefined, tokens: readonly string[]): JsonValue | undefined {
  let node: JsonValue | undefined = root;
  for (const token of tokens) {
    node = childAt(node, token);
    if (node === undefined) return undefined;
  }
  return node;
}

/** The value at a JSON Pointer, or undefined. */
export function valueAtPointer(root: JsonValue | undefined, pointer: string): JsonValue | undefined {
  return valueAtTokens(root, pointerTokens(pointer));
}
