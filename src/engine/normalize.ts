import type { Path } from "../kube/fieldpath/index.js";
import { isJsonObject } from "../kube/value/json.js";
import type { JsonObject, KubeObject } from "../kube/value/json.js";

export const lastAppliedAnnotation = "kubectl.kubernetes.io/last-applied-configuration";

/**
 * Rule 2: metadata the server owns. `name` and `namespace` are identity (already matched) and
 * `apiVersion`/`kind` too — a manifest in apps/v1beta2 would otherwise differ from its apps/v1 self.
 */
const ignoredMetadata: ReadonlySet<string> = new Set([
  "uid",
  "resourceVersion",
  "generation",
  "creationTimestamp",
  "managedFields",
  "selfLink",
  "deletionTimestamp",
  "deletionGracePeriodSeconds",
  "name",
  "namespace",
]);

const ignoredRoot: ReadonlySet<string> = new Set(["apiVersion", "kind", "status"]);

/** The object without the keys `drop` names; own keys only. */
export function withoutKeys(object: JsonObject, drop: (key: string) => boolean): JsonObject {
  const out: Record<string, JsonObject[string]> = {};
  for (const key of Object.keys(object)) if (!drop(key)) out[key] = object[key];
  return out;
}

function normalizeMetadata(metadata: JsonObject): JsonObject {
  const kept = withoutKeys(metadata, (key) => ignoredMetadata.has(key));
  const annotations = kept["annotations"];
  if (!isJsonObject(annotations) || !Object.hasOwn(annotations, lastAppliedAnnotation)) return kept;
  return { ...kept, annotations: withoutKeys(annotations, (key) => key === lastAppliedAnnotation) };
}

/** The desired object without what is never compared (rule 2). */
export function normalizeDesired(object: KubeObject): KubeObject {
  const kept = withoutKeys(object, (key) => ignoredRoot.has(key));
  const metadata = kept["metadata"];
  return isJsonObject(metadata) ? { ...kept, metadata: normalizeMetadata(metadata) } : kept;
}

function fieldName(path: Path, index: number): string | undefined {
  const element = path[index];
  return element?.kind === "field" ? element.name : undefined;
}

/** True for a managedFields path that rule 2 leaves out of every comparison. */
export function isNeverCompared(path: Path): boolean {
  const root = fieldName(path, 0);
  if (root === undefined) return false;
  if (ignoredRoot.has(root)) return true;
  if (root !== "metadata") return false;
  const field = fieldName(path, 1);
  if (field !== undefined && ignoredMetadata.has(field)) return true;
  return field === "annotations" && fieldName(path, 2) === lastAppliedAnnotation;
}
