/**
 * What the cluster layer reads from the wire is untrusted JSON: `isRecord` (src/kube/value/json.ts)
 * turns `unknown` into objects and this module into strings.
 */
/** A string, or "" for anything else. */
export function text(value: unknown): string {
  return typeof value === "string" ? value : "";
}
