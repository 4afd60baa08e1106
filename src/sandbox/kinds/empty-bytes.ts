import type { JsonObject, JsonValue, KubeObject } from "../../kube/value/json.js";
import { isJsonObject } from "../../kube/value/json.js";

/**
 * The `map[string][]byte` fields of the built-in kinds, by `group/kind`: the only
 * `additionalProperties: {type: string, format: byte}` of the v1.32.0 OpenAPI document.
 */
const byteMapFields: ReadonlyMap<string, readonly string[]> = new Map([
  ["/Secret", ["data"]],
  ["/ConfigMap", ["binaryData"]],
]);

/** The fields of a built-in kind whose values are byte strings keyed by name (Secret `data`, ConfigMap `binaryData`). */
export function byteMapFieldsOf(group: string, kind: string): readonly string[] {
  return byteMapFields.get(`${group}/${kind}`) ?? [];
}

function withNullValuesEmptied(map: JsonObject): JsonObject {
  if (!Object.values(map).includes(null)) return map;
  return Object.fromEntries(Object.entries(map).map(([name, value]) => [name, value ?? ""]));
}

/**
 * Empty bytes as kube-apiserver 1.32 stores them. Decoding JSON into the Go type keeps a key whose
 * value is `null` (a nil `[]byte`) and turns `""` into an empty `[]byte`; the generated protobuf
 * decoder of k8s.io/api (Secret.Unmarshal, ConfigMap.Unmarshal) starts every map entry's value at
 * `[]byte{}` whether or not the stored entry carries bytes, so both read back as `""` from every
 * response that comes from storage (writes, GET, LIST, WATCH). The sandbox drops other nulls as unset
 * fields of Go structs; a byte map keeps its key, which is also what the managedFields of the write
 * own (`f:key`). A `""` stays `""`: only kube-apiserver before 1.16 printed it as `null` (a
 * json-iterator bug, kubernetes/kubernetes#81096). A dry run does not reach storage, so kube-apiserver
 * would answer one that sends `null` with `null`; the sandbox answers it as it would store it.
 */
export function withEmptyBytesForNulls(group: string, kind: string, object: KubeObject): KubeObject {
  let result = object;
  for (const field of byteMapFieldsOf(group, kind)) {
    const map: JsonValue | undefined = object[field];
    if (!isJsonObject(map)) continue;
    const emptied = withNullValuesEmptied(map);
    if (emptied !== map) result = { ...result, [field]: emptied };
  }
  return result;
}
