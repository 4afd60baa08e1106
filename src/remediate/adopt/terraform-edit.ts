import type { JsonValue } from "../../kube/value/json.js";

export type TerraformEdit =
  { readonly ok: true; readonly text: string } | { readonly ok: false; readonly reason: string };

/** `containerPort` → `container_port`: typed resources spell attributes in snake case, manifests as written. */
function snakeCase(name: string): string {
  return name.replace(/[A-Z]/g, (letter) => `_${letter.toLowerCase()}`);
}

function escapeRegExp(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");
}

const literalPattern = String.raw`("(?:[^"\\$%]|\\.|\$(?!\{)|%(?!\{))*"|-?\d+(?:\.\d+)?(?:[eE][+-]?\d+)?|true|false)`;

interface Attribute {
  /** Offset of the value within the line. */
  readonly start: number;
  readonly raw: string;
  readonly literal: boolean;
}

function findAttribute(line: string, key: string): Attribute | undefined {
  for (const name of new Set([key, snakeCase(key)])) {
    const pattern = new RegExp(String.raw`(^|[\s{,])("?)${escapeRegExp(name)}\2\s*[=:]\s*`, "g");
    const match = pattern.exec(line);
    if (match === null) continue;
    const start = match.index + match[0].length;
    const literal = new RegExp(`^${literalPattern}(?=\\s*(?:[,}\\]#]|//|$))`).exec(line.slice(start));
    if (literal !== null) return { start, raw: literal[1], literal: true };
    const expression = /^[^,}#]*/.exec(line.slice(start))?.[0].trim() ?? "";
    return { start, raw: expression, literal: false };
  }
  return undefined;
}

/** `"2"` in HCL is the 2 the provider sends: compare as text. */
function sameScalar(written: JsonValue, desired: JsonValue | undefined): boolean {
  const text = (value: JsonValue | undefined): string | undefined =>
    typeof value === "object" || value === undefined ? undefined : String(value);
  return text(written) !== undefined && text(written) === text(desired);
}

function literalValue(raw: string): JsonValue {
  return JSON.parse(raw) as JsonValue;
}

/** `"${var.replicas}"` → `var.replicas`: the expression as the user would recognise it. */
export function expressionText(raw: string): string {
  const interpolation = /^"\$\{(.*)\}"$/.exec(raw);
  return interpolation === null ? raw : interpolation[1];
}

function hclString(value: string): string {
  return JSON.stringify(value).replaceAll("${", "$${").replaceAll("%{", "%%{");
}

function newLiteral(old: string, live: JsonValue): string | undefined {
  if (typeof live === "string") return hclString(live);
  if (typeof live !== "number" && typeof live !== "boolean") return undefined;
  // A number written as a string ("2") stays a string: the provider converts it.
  return old.startsWith('"') ? hclString(String(live)) : String(live);
}

/**
 * Replaces the literal of one attribute on its line of a `.tf` file, leaving alignment, comments and
 * every other character as they are. Expressions are not literals and are refused with their text.
 */
export function editTerraformLiteral(
  text: string,
  line: number,
  key: string,
  values: { readonly desired: JsonValue | undefined; readonly live: JsonValue | undefined },
): TerraformEdit {
  const lines = text.split("\n");
  const attribute = findAttribute(lines[line - 1] ?? "", key);
  if (attribute === undefined) return { ok: false, reason: `no attribute ${key} on line ${line}` };
  if (!attribute.literal)
    return { ok: false, reason: `set by an expression: ${expressionText(attribute.raw)}` };
  if (!sameScalar(literalValue(attribute.raw), values.desired))
    return { ok: false, reason: `the literal on line ${line} is not the desired value: edit it by hand` };
  const replacement = values.live === undefined ? undefined : newLiteral(attribute.raw, values.live);
  if (replacement === undefined)
    return { ok: false, reason: "only numbers, strings and booleans are written into .tf files" };
  const old = lines[line - 1];
  lines[line - 1] =
    old.slice(0, attribute.start) + replacement + old.slice(attribute.start + attribute.raw.length);
  return { ok: true, text: lines.join("\n") };
}

/** The expression an unevaluated field is set by, as written on its line. */
export function expressionOn(text: string, line: number, key: string): string | undefined {
  const attribute = findAttribute(text.split("\n")[line - 1] ?? "", key);
  return attribute === undefined ? undefined : expressionText(attribute.raw);
}
