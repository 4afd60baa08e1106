import { displayPath } from "../kube/fieldpath/index.js";
import type { ManagerEntry } from "../kube/fieldpath/managed.js";
import { decodeManagedFields, managedFieldsOf, managerIdentifier } from "../kube/fieldpath/managed.js";
import { jsonEqual } from "../kube/value/equal.js";
import type { JsonValue, KubeObject } from "../kube/value/json.js";
import { isJsonObject, stringOf } from "../kube/value/json.js";

function entriesOf(object: KubeObject): ReadonlyMap<string, ManagerEntry> {
  return decodeManagedFields([...managedFieldsOf(object)]);
}

/** The raw `fieldsV1` of each entry by its identity: most entries come back untouched and need no decoding. */
function rawFieldsOf(object: KubeObject): ReadonlyMap<string, JsonValue | undefined> {
  const out = new Map<string, JsonValue | undefined>();
  for (const entry of managedFieldsOf(object)) {
    if (!isJsonObject(entry)) continue;
    const identity = managerIdentifier({
      manager: stringOf(entry["manager"]),
      operation: stringOf(entry["operation"]) === "Apply" ? "Apply" : "Update",
      apiVersion: stringOf(entry["apiVersion"]),
      subresource: stringOf(entry["subresource"]),
    });
    out.set(identity, entry["fieldsV1"]);
  }
  return out;
}

/**
 * The fields a forced server-side apply by `self` took from other managers, read from the object
 * before it and the server's answer to it (a dry run): server-side apply with `force` removes
 * exactly the conflicting fields from their owners' sets (structured-merge-diff's Updater), so
 * what any other manager owned before and no longer owns are the conflicts the same apply without
 * `force` would have named, in the server's notation (`.spec.replicas`). Undefined when the
 * entries cannot be read; the caller then asks the server instead.
 */
export function takenOver(
  before: KubeObject,
  after: KubeObject,
  self: string,
): readonly string[] | undefined {
  try {
    const was = rawFieldsOf(before);
    const now = rawFieldsOf(after);
    // Its own Apply entry gains the fields; an Update entry of the same name is another manager.
    const own = managerIdentifier({ manager: self, operation: "Apply", apiVersion: "", subresource: "" });
    const changed = [...was].filter(
      ([identity, fields]) => identity !== own && !jsonEqual(fields, now.get(identity)),
    );
    if (changed.length === 0) return [];
    const previous = entriesOf(before);
    const current = entriesOf(after);
    const taken = new Set<string>();
    for (const [identity] of changed) {
      const entry = previous.get(identity);
      if (entry === undefined) continue;
      const kept = current.get(identity)?.fields;
      const lost = kept === undefined ? entry.fields : entry.fields.difference(kept);
      for (const path of lost) taken.add(displayPath(path));
    }
    return [...taken].sort();
  } catch {
    return undefined;
  }
}
