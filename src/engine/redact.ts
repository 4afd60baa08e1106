import { createHmac } from "node:crypto";
import { isRedacted } from "./rules.js";
import type { EngineConfig } from "./types.js";
import type { JsonValue } from "../kube/value/json.js";
import { asList, isJsonObject } from "../kube/value/json.js";
import { escapePointerToken } from "../kube/value/pointer.js";
import type { ObjectRef } from "../kube/object.js";
import { withheldMarker } from "../model/index.js";

/*
 * Rule 7, in one place: which values are withheld (a Secret's `data`/`stringData`, and whatever a
 * `redact:` rule covers), what stands in for them, and how they are hashed. Every command's output
 * goes through these functions: the engine's drifts (diff), plan and apply bodies and patches, and
 * adopt's file diffs.
 */

/** What withholding values needs from the engine config: the rules and the hash key. */
export type RedactionConfig = Pick<EngineConfig, "redact" | "redactionKey">;

/** Secret values only, and no hashes: what a caller that passes no config gets. */
export const secretsOnly: RedactionConfig = { redact: [] };

/** Hex digits of a redaction hash: 64 bits, so that telling values apart by their hash is reliable. */
export const redactionHashDigits = 16;

/** A shorter key could be guessed along with the value it hides. */
export const minimumRedactionKeyLength = 32;

/** Why a redaction key is unusable, or undefined when it is fine. */
export function redactionKeyProblem(key: string): string | undefined {
  return key.length >= minimumRedactionKeyLength
    ? undefined
    : `must be at least ${minimumRedactionKeyLength} characters (for example the output of \`openssl rand -hex 32\`)`;
}

/** A Secret's values never leave the engine, under `data` or `stringData`. */
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

/** The pointer-level predicate: whether the value at `path` of the object `ref` is withheld (or inside one that is). */
export function isWithheld(config: RedactionConfig, ref: ObjectRef, path: string): boolean {
  return isSecretValuePath(ref, path) || isRedacted(config.redact, ref, path);
}

/** Secret `data` is base64: hashed decoded, so that a stringData value and the same data value hash alike. */
function isBase64(ref: ObjectRef, path: string): boolean {
  return isSecretValuePath(ref, path) && (path === "/data" || path.startsWith("/data/"));
}

/**
 * HMAC-SHA-256 under the installation's secret key, first 16 hex digits: equal hashes across runs
 * mean an unchanged value, and without the key no value can be tried against a hash (an unkeyed or
 * fixed-salt hash of a 6-digit PIN is reversed in a second).
 */
export function redactionHash(key: string, value: JsonValue, base64: boolean): string {
  const hmac = createHmac("sha256", Buffer.from(key, "utf8"));
  if (typeof value === "string")
    hmac.update(base64 ? Buffer.from(value, "base64") : Buffer.from(value, "utf8"));
  // A NUL first keeps the number 5 and the string "5" apart, so a type change shows as a changed hash.
  else hmac.update(`\u0000${JSON.stringify(value)}`, "utf8");
  return hmac.digest("hex").slice(0, redactionHashDigits);
}

/** The hash that stands in for a withheld value, or undefined without a key (then only "changed" is shown). */
export function withheldHash(
  config: RedactionConfig,
  ref: ObjectRef,
  path: string,
  value: JsonValue,
): string | undefined {
  const key = config.redactionKey;
  return key === undefined ? undefined : redactionHash(key, value, isBase64(ref, path));
}

function mapChildren(
  value: JsonValue,
  path: string,
  visit: (child: JsonValue, path: string) => JsonValue,
): JsonValue | undefined {
  const list = asList(value);
  if (list !== undefined) return list.map((item, index) => visit(item, `${path}/${index}`));
  if (!isJsonObject(value)) return undefined;
  const out: Record<string, JsonValue> = {};
  for (const [key, child] of Object.entries(value))
    out[key] = visit(child, `${path}/${escapePointerToken(key)}`);
  return out;
}

/**
 * `value`, found at `path` of the object `ref` (the whole object when `path` is ""), with every
 * withheld scalar replaced by its marker. Maps and lists are walked rather than replaced whole, so
 * keys stay readable (which Secret keys change) while no value is.
 */
export function redactValue(config: RedactionConfig, ref: ObjectRef, value: JsonValue, path = ""): JsonValue {
  const walked = mapChildren(value, path, (child, at) => redactValue(config, ref, child, at));
  if (walked !== undefined) return walked;
  return isWithheld(config, ref, path) ? withheldMarker(withheldHash(config, ref, path, value)) : value;
}

/** Whether `value` at `path` is withheld or holds a withheld value (a drift on a whole map that a rule covers a key of). */
export function holdsWithheld(
  config: RedactionConfig,
  ref: ObjectRef,
  value: JsonValue,
  path: string,
): boolean {
  if (isWithheld(config, ref, path)) return true;
  let found = false;
  mapChildren(value, path, (child, at) => {
    found ||= holdsWithheld(config, ref, child, at);
    return child;
  });
  return found;
}

function isText(decoded: string): boolean {
  for (const char of decoded) {
    const code = char.charCodeAt(0);
    if (char === "\uFFFD" || (code < 0x20 && !"\t\n\r".includes(char))) return false;
  }
  return true;
}

function scalarsOf(value: JsonValue, base64: boolean): readonly string[] {
  if (value === null || typeof value === "object") return [];
  if (typeof value !== "string") return [String(value)];
  const decoded = base64 ? Buffer.from(value, "base64").toString("utf8") : undefined;
  // Binary data is never quoted as text; its decoded noise would only blank out unrelated words.
  const text = decoded !== undefined && isText(decoded);
  return [value, ...(text ? [decoded] : [])];
}

/** A value as it may be quoted in free text: whole, JSON-escaped (as servers quote it), and line by line. */
function spellings(text: string): readonly string[] {
  const escaped = JSON.stringify(text).slice(1, -1);
  const lines = text.split("\n").map((line) => line.trim());
  // A line of punctuation (`}`) would blank out every brace of a message; it reveals nothing.
  return [text, escaped, ...lines].filter((spelling) => /\w/.test(spelling));
}

/**
 * The withheld values of `value` at `path` as text, for scrubbing free text that may quote them:
 * server error messages, the source files that adopt shows a diff of.
 */
export function withheldTexts(
  config: RedactionConfig,
  ref: ObjectRef,
  value: JsonValue,
  path = "",
): readonly string[] {
  const found: string[] = [];
  const visit = (node: JsonValue, at: string): JsonValue => {
    if (mapChildren(node, at, visit) !== undefined) return node;
    if (isWithheld(config, ref, at))
      for (const scalar of scalarsOf(node, isBase64(ref, at))) found.push(...spellings(scalar));
    return node;
  };
  visit(value, path);
  return [...new Set(found)];
}

function escapeRegExp(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");
}

/**
 * `text` with every occurrence of the given values replaced by the marker. Only whole occurrences
 * (not next to a letter, digit or `_`) are replaced, longest first, so that a withheld `on` leaves
 * `container` alone while `password=hunter2;` loses its value.
 */
export function scrubText(text: string, withheld: readonly string[]): string {
  if (withheld.length === 0) return text;
  const sorted = [...withheld].sort((a, b) => b.length - a.length);
  const pattern = new RegExp(`(?<!\\w)(?:${sorted.map(escapeRegExp).join("|")})(?!\\w)`, "g");
  return text.replace(pattern, withheldMarker(undefined));
}
