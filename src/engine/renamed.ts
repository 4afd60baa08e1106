import type { JsonValue, KubeObject } from "../kube/value/json.js";
import { isJsonObject } from "../kube/value/json.js";
import { pointerTokens } from "../kube/value/pointer.js";
import type { RenamedItem } from "./diff.js";
import { childOf } from "./json.js";
import { pointerOf } from "./trail.js";

function withKeysOf(item: JsonValue, live: JsonValue, keys: readonly string[]): JsonValue {
  if (!isJsonObject(item) || !isJsonObject(live)) return item;
  const out: Record<string, JsonValue> = { ...item };
  for (const key of keys) {
    const value = childOf(live, key);
    if (value !== undefined) out[key] = value;
  }
  return out;
}

function replaceAt(
  node: JsonValue,
  tokens: readonly string[],
  replace: (value: JsonValue) => JsonValue,
): JsonValue {
  if (tokens.length === 0) return replace(node);
  const [token, ...rest] = tokens;
  if (Array.isArray(node)) {
    const list = [...(node as readonly JsonValue[])];
    const index = Number(token);
    if (index < list.length) list[index] = replaceAt(list[index], rest, replace);
    return list;
  }
  if (!isJsonObject(node) || token === undefined || !Object.hasOwn(node, token)) return node;
  return { ...node, [token]: replaceAt(node[token], rest, replace) };
}

/**
 * The desired object with each renamed item under its live key: what the object's owners own is
 * then matched to the item they wrote (the port `kubectl edit` renamed to 8080 is the desired
 * port 80, its defaulted `protocol` included), not reported again as an added item.
 */
export function withLiveKeys(object: KubeObject, renamed: readonly RenamedItem[]): KubeObject {
  let result: JsonValue = object;
  for (const item of renamed) {
    const tokens = pointerTokens(pointerOf(item.at));
    result = replaceAt(result, tokens, (value) => withKeysOf(value, item.live, item.keys));
  }
  return result as KubeObject;
}
