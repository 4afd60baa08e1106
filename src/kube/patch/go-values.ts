import { isMutableObject, type MutableJson } from "./mutable-json.js";

/**
 * The dynamic Go type a JSON value has once k8s.io/apimachinery has decoded it
 * (integers become int64, other numbers float64). The strategic merge patch
 * compares these types, not just JSON kinds.
 */
export type GoKind = "map" | "slice" | "string" | "int64" | "float64" | "bool" | "nil";

const int64Limit = 2 ** 63;

export function goKind(value: MutableJson): GoKind {
  if (value === null) return "nil";
  if (Array.isArray(value)) return "slice";
  switch (typeof value) {
    case "string":
      return "string";
    case "boolean":
      return "bool";
    case "number":
      return Number.isInteger(value) && Math.abs(value) < int64Limit ? "int64" : "float64";
    default:
      return "map";
  }
}

/** Go's `==` on two interface{} values holding decoded JSON scalars. */
export function goScalarEqual(left: MutableJson | undefined, right: MutableJson | undefined): boolean {
  const leftValue = left ?? null;
  const rightValue = right ?? null;
  return goKind(leftValue) === goKind(rightValue) && leftValue === rightValue;
}

/** `fmt.Sprintf("%v", value)` for decoded JSON, so error messages read like kube-apiserver's. */
export function goFormat(value: MutableJson | undefined): string {
  if (value === undefined || value === null) return "<nil>";
  if (Array.isArray(value)) return `[${value.map(goFormat).join(" ")}]`;
  if (isMutableObject(value)) {
    const entries = Object.keys(value)
      .sort()
      .map((key) => `${key}:${goFormat(value[key])}`);
    return `map[${entries.join(" ")}]`;
  }
  return String(value);
}

/** `reflect.TypeOf(value)` printed with %s, as mergepatch.ErrBadArgType does. */
export function goTypeName(value: MutableJson | undefined): string {
  const kind = goKind(value ?? null);
  switch (kind) {
    case "map":
      return "map[string]interface {}";
    case "slice":
      return "[]interface {}";
    case "nil":
      return "%!s(<nil>)";
    default:
      return kind;
  }
}
