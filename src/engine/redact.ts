import { createHash } from "node:crypto";
import type { JsonValue, ObjectRef } from "../model/index.js";

/** Rule 7: a Secret's values never leave the engine, under `data` or `stringData`. */
export function isSecretValuePath(ref: ObjectRef, path: string): boolean {
  return (
    ref.group === "" &&
    ref.kind === "Secret" &&
    (path.startsWith("/data/") ||
      path.startsWith("/stringData/") ||
      path === "/data" ||
      path === "/stringData")
  );
}

/**
 * First 8 hex digits of sha256(salt + value): enough to tell "changed back" from "changed
 * again" over time, too short and salted to look a value up. Secret `data` is hashed decoded,
 * so a desired stringData value and the same live data value hash alike.
 */
export function redactionHash(salt: string, value: JsonValue, base64: boolean): string {
  const bytes =
    base64 && typeof value === "string"
      ? Buffer.from(value, "base64")
      : Buffer.from(typeof value === "string" ? value : JSON.stringify(value), "utf8");
  return createHash("sha256").update(salt, "utf8").update(bytes).digest("hex").slice(0, 8);
}
