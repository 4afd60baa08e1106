import type { JsonValue, KubeObject } from "../kube/value/json.js";
import { isJsonObject } from "../kube/value/json.js";
import { applyJsonPatch } from "../kube/patch/index.js";
import { valueAtPointer } from "../kube/value/pointer.js";
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

/**
 * The desired object with each renamed item under its live key: what the object's owners own is
 * then matched to the item they wrote (the port `kubectl edit` renamed to 8080 is the desired
 * port 80, its defaulted `protocol` included), not reported again as an added item.
 */
export function withLiveKeys(object: KubeObject, renamed: readonly RenamedItem[]): KubeObject {
  const patch = renamed.map((item) => {
    const path = pointerOf(item.at);
    return {
      op: "replace",
      path,
      value: withKeysOf(valueAtPointer(object, path) ?? null, item.live, item.keys),
    };
  });
  return applyJsonPatch(object, patch) as KubeObject;
}
