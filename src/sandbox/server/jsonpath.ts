import type { JsonValue } from "../../kube/value/json.js";
import { isJsonObject, textOf } from "../../kube/value/json.js";

/**
 * The JSONPath subset CRD additionalPrinterColumns use: `.a.b`, `.a[0]`, `.a[*]`, and equality
 * filters such as `.status.conditions[?(@.type=="Ready")].status`. Returns every match.
 */
export function evaluateJsonPath(path: string, root: JsonValue): readonly JsonValue[] {
  let current: readonly JsonValue[] = [root];
  for (const step of steps(path)) current = current.flatMap((value) => apply(step, value));
  return current;
}

type Step =
  | { readonly kind: "field"; readonly name: string }
  | { readonly kind: "index"; readonly index: number }
  | { readonly kind: "all" }
  | { readonly kind: "filter"; readonly field: string; readonly value: string };

const stepPattern = /\.([^.[\]]+)|\[(\d+)\]|\[\*\]|\[\?\(@\.([^=]+)==["']([^"']*)["']\)\]/g;

function steps(path: string): readonly Step[] {
  const result: Step[] = [];
  for (const match of path
    .trim()
    .replace(/^\{|\}$/g, "")
    .matchAll(stepPattern)) {
    if (match[1] !== undefined) result.push({ kind: "field", name: match[1] });
    else if (match[2] !== undefined) result.push({ kind: "index", index: Number(match[2]) });
    else if (match[3] !== undefined) result.push({ kind: "filter", field: match[3], value: match[4] ?? "" });
    else result.push({ kind: "all" });
  }
  return result;
}

function listOf(value: JsonValue): readonly JsonValue[] {
  return Array.isArray(value) ? (value as readonly JsonValue[]) : [];
}

function apply(step: Step, value: JsonValue): readonly JsonValue[] {
  switch (step.kind) {
    case "field": {
      const child = isJsonObject(value) ? value[step.name] : undefined;
      return child === undefined ? [] : [child];
    }
    case "index": {
      const item = listOf(value)[step.index];
      return item === undefined ? [] : [item];
    }
    case "all":
      return isJsonObject(value) ? Object.values(value) : listOf(value);
    case "filter":
      return listOf(value).filter((item) => isJsonObject(item) && textOf(item[step.field]) === step.value);
  }
}
