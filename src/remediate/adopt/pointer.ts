import type { JsonValue } from "../../kube/value/json.js";
import { isJsonObject } from "../../kube/value/json.js";
import { childAt } from "../../kube/value/pointer.js";

/** Fields that identify a list item the way strategic merge keys do (containers by name, ports by number). */
const identityFields = ["name", "containerPort", "port", "mountPath", "devicePath", "ip", "topologyKey"];

function identityOf(item: JsonValue): string | undefined {
  if (!isJsonObject(item)) return typeof item === "object" ? undefined : JSON.stringify(item);
  const field = identityFields.find((name) => {
    const value = item[name];
    return typeof value === "string" || typeof value === "number";
  });
  if (field === undefined) return undefined;
  const protocol = item["protocol"];
  const suffix = field.endsWith("ort") ? `/${typeof protocol === "string" ? protocol : "TCP"}` : "";
  return `${field}=${JSON.stringify(item[field])}${suffix}`;
}

function matchingIndex(from: readonly JsonValue[], to: readonly JsonValue[], index: number): number {
  const identity = identityOf(from[index]);
  if (identity === undefined) return index < to.length ? index : to.length;
  const found = to.findIndex((item) => identityOf(item) === identity);
  return found < 0 ? to.length : found;
}

/**
 * A path written against one object (live, or the built object) re-addressed into another (desired,
 * a patch): list items are found by their identity, not their position; an item the other lacks is
 * addressed one past its end, where it would be appended.
 */
export function mapSegments(
  from: JsonValue | undefined,
  to: JsonValue | undefined,
  segments: readonly string[],
): readonly string[] {
  const mapped: string[] = [];
  let source = from;
  let target = to;
  for (const segment of segments) {
    let step = segment;
    if (Array.isArray(source) && Array.isArray(target) && /^\d+$/.test(segment))
      step = String(
        matchingIndex(source as readonly JsonValue[], target as readonly JsonValue[], Number(segment)),
      );
    mapped.push(step);
    source = childAt(source, segment);
    target = childAt(target, step);
  }
  return mapped;
}

/** The value to write where only the first segments exist: `labels/team` = x under metadata → {labels: {team: x}}. */
export function nest(segments: readonly string[], value: JsonValue): JsonValue {
  if (segments.length === 0) return value;
  const inner = nest(segments.slice(1), value);
  return /^\d+$/.test(segments[0]) ? [inner] : { [segments[0]]: inner };
}
