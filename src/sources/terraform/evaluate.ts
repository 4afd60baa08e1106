import type { JsonValue } from "../../kube/value/json.js";
import { isRecord } from "../../kube/value/json.js";

/** The result of evaluating one HCL value: a JSON value, or the expression that could not be evaluated. */
export type Evaluation =
  { readonly ok: true; readonly value: JsonValue } | { readonly ok: false; readonly expression: string };

/** What `var.`, `local.`, `each.` and `count.` resolve to. */
export interface Scope {
  readonly variable: (name: string) => Evaluation | undefined;
  readonly local: (name: string) => Evaluation | undefined;
  readonly each?: { readonly key: JsonValue; readonly value: JsonValue };
  readonly countIndex?: number;
}

const failed = (expression: string): Evaluation => ({ ok: false, expression });
const succeeded = (value: JsonValue): Evaluation => ({ ok: true, value });

const referencePattern =
  /^(var|local|each|count)\.([A-Za-z_][\w-]*)((?:\.[A-Za-z_][\w-]*|\[(?:"[^"]*"|\d+)\])*)$/;

function traversalSteps(traversal: string): readonly (string | number)[] {
  const steps: (string | number)[] = [];
  for (const match of traversal.matchAll(/\.([A-Za-z_][\w-]*)|\["([^"]*)"\]|\[(\d+)\]/g)) {
    if (match[3] !== undefined) steps.push(Number(match[3]));
    else steps.push(match[1] ?? match[2]);
  }
  return steps;
}

function traverse(value: JsonValue, steps: readonly (string | number)[]): JsonValue | undefined {
  let current: JsonValue | undefined = value;
  for (const step of steps) {
    if (Array.isArray(current) && typeof step === "number") current = (current as readonly JsonValue[])[step];
    else if (isRecord(current)) current = current[String(step)];
    else return undefined;
    if (current === undefined) return undefined;
  }
  return current;
}

function rootValue(namespace: string, name: string, scope: Scope): Evaluation | undefined {
  switch (namespace) {
    case "var":
      return scope.variable(name);
    case "local":
      return scope.local(name);
    case "each":
      if (scope.each === undefined) return undefined;
      if (name === "key") return succeeded(scope.each.key);
      return name === "value" ? succeeded(scope.each.value) : undefined;
    default:
      return scope.countIndex !== undefined && name === "index" ? succeeded(scope.countIndex) : undefined;
  }
}

function evaluateLiteral(expression: string): Evaluation | undefined {
  if (/^-?\d+(\.\d+)?$/.test(expression)) return succeeded(Number(expression));
  if (expression === "true" || expression === "false") return succeeded(expression === "true");
  if (expression === "null") return succeeded(null);
  if (/^"(?:[^"\\$%]|\\.)*"$/.test(expression)) return succeeded(JSON.parse(expression) as string);
  return undefined;
}

/** Only references and literals: anything else (functions, arithmetic, `for`) is left to Terraform. */
export function evaluateExpression(expression: string, scope: Scope): Evaluation {
  const trimmed = expression.trim();
  const literal = evaluateLiteral(trimmed);
  if (literal !== undefined) return literal;
  const match = referencePattern.exec(trimmed);
  if (match === null) return failed(trimmed);
  const root = rootValue(match[1], match[2], scope);
  if (root === undefined || !root.ok) return failed(trimmed);
  const value = traverse(root.value, traversalSteps(match[3]));
  return value === undefined ? failed(trimmed) : succeeded(value);
}

/** Index just past the `}` that closes an interpolation opened before `start`, skipping quoted strings. */
function interpolationEnd(text: string, start: number): number {
  let depth = 1;
  let quoted = false;
  for (let index = start; index < text.length; index++) {
    const character = text[index];
    if (quoted) {
      if (character === "\\") index++;
      else if (character === '"') quoted = false;
    } else if (character === '"') quoted = true;
    else if (character === "{") depth++;
    else if (character === "}" && --depth === 0) return index + 1;
  }
  return -1;
}

type Segment = { readonly literal: string } | { readonly expression: string };

function templateSegments(text: string): readonly Segment[] | undefined {
  const segments: Segment[] = [];
  let literal = "";
  for (let index = 0; index < text.length; index++) {
    const pair = text.slice(index, index + 2);
    const escaped = text.slice(index, index + 3);
    if (escaped === "$${" || escaped === "%%{") {
      literal += escaped.slice(1);
      index += 2;
    } else if (pair === "%{") return undefined;
    else if (pair === "${") {
      const end = interpolationEnd(text, index + 2);
      if (end < 0) return undefined;
      if (literal !== "") segments.push({ literal });
      literal = "";
      segments.push({ expression: text.slice(index + 2, end - 1) });
      index = end - 1;
    } else literal += text[index];
  }
  if (literal !== "" || segments.length === 0) segments.push({ literal });
  return segments;
}

function interpolated(value: JsonValue): string | undefined {
  if (typeof value === "string") return value;
  if (typeof value === "number" || typeof value === "boolean") return String(value);
  return undefined;
}

/** A string as hcl2json gives it: a literal, a whole `${expr}`, or a template mixing both. */
export function evaluateTemplate(text: string, scope: Scope): Evaluation {
  const segments = templateSegments(text);
  if (segments === undefined) return failed(text);
  const only = segments[0];
  if (segments.length === 1 && "expression" in only) return evaluateExpression(only.expression, scope);
  let result = "";
  for (const segment of segments) {
    if ("literal" in segment) {
      result += segment.literal;
      continue;
    }
    const evaluated = evaluateExpression(segment.expression, scope);
    const text = evaluated.ok ? interpolated(evaluated.value) : undefined;
    if (text === undefined) return failed(`\${${segment.expression}}`);
    result += text;
  }
  return succeeded(result);
}

/** A whole value (lists and maps too); the first part that cannot be evaluated fails it all. */
export function evaluateDeep(raw: unknown, scope: Scope): Evaluation {
  if (typeof raw === "string") return evaluateTemplate(raw, scope);
  if (Array.isArray(raw)) {
    const items: JsonValue[] = [];
    for (const item of raw) {
      const evaluated = evaluateDeep(item, scope);
      if (!evaluated.ok) return evaluated;
      items.push(evaluated.value);
    }
    return succeeded(items);
  }
  if (isRecord(raw)) {
    const entries: [string, JsonValue][] = [];
    for (const [key, value] of Object.entries(raw)) {
      const evaluated = evaluateDeep(value, scope);
      if (!evaluated.ok) return evaluated;
      entries.push([key, evaluated.value]);
    }
    return succeeded(Object.fromEntries(entries));
  }
  return succeeded((raw ?? null) as JsonValue);
}

/** State holds values, never expressions: `${` in a state string is text. */
export const literalScope: Scope = { variable: () => undefined, local: () => undefined };
