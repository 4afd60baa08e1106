import { compareQuantities, isQuantity } from "../kube/quantity.js";
import type { ScalarKind } from "../kube/schema/types.js";
import { ScalarKinds } from "../kube/schema/types.js";
import type { JsonValue } from "../kube/value/json.js";
import { jsonEqual } from "../kube/value/equal.js";

function quantityText(value: JsonValue | undefined): string | undefined {
  // Quantity.UnmarshalJSON accepts JSON numbers and surrounding space.
  if (typeof value === "number") return String(value);
  return typeof value === "string" ? value.trim() : undefined;
}

function quantitiesEqual(desired: JsonValue, live: JsonValue): boolean {
  const left = quantityText(desired);
  const right = quantityText(live);
  if (left === undefined || right === undefined || !isQuantity(left) || !isQuantity(right)) {
    return jsonEqual(desired, live);
  }
  return compareQuantities(left, right) === 0;
}

/** Base64 spellings differ (padding, line breaks); the bytes are what the Secret holds. */
function bytesEqual(desired: JsonValue, live: JsonValue): boolean {
  if (typeof desired !== "string" || typeof live !== "string") return jsonEqual(desired, live);
  return desired === live || Buffer.from(desired, "base64").equals(Buffer.from(live, "base64"));
}

function timesEqual(desired: JsonValue, live: JsonValue): boolean {
  if (typeof desired !== "string" || typeof live !== "string") return jsonEqual(desired, live);
  const left = Date.parse(desired);
  return desired === live || (!Number.isNaN(left) && left === Date.parse(live));
}

/**
 * Rule 5 for leaves. Int-or-string is compared with its type: `8080` and `"8080"` are different
 * IntOrString values (Type Int vs String) to kube-apiserver, structured-merge-diff and kubectl
 * diff alike, and a numeric string is not even a valid targetPort, so equating them would hide
 * a real difference.
 */
export function scalarsEqual(kind: ScalarKind, desired: JsonValue, live: JsonValue): boolean {
  if (desired === live) return true;
  switch (kind) {
    case ScalarKinds.quantity:
      return quantitiesEqual(desired, live);
    case ScalarKinds.bytes:
      return bytesEqual(desired, live);
    case ScalarKinds.time:
      return timesEqual(desired, live);
    case ScalarKinds.string:
    case ScalarKinds.integer:
    case ScalarKinds.number:
    case ScalarKinds.boolean:
    case ScalarKinds.intOrString:
      return jsonEqual(desired, live);
  }
}
