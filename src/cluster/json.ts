/**
 * What the cluster layer reads from the wire is untrusted JSON: these guards are the one place
 * that turns `unknown` into objects and strings.
 */
export type Json = Readonly<Record<string, unknown>>;

export function isObject(value: unknown): value is Json {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

/** A string, or "" for anything else. */
export function text(value: unknown): string {
  return typeof value === "string" ? value : "";
}
