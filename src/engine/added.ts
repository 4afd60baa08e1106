import type { Attribution } from "../model/index.js";
import type { FieldSet, Path, PathElement } from "../kube/fieldpath/index.js";
import { serializeElement } from "../kube/fieldpath/index.js";
import { isNeverCompared } from "./normalize.js";

export interface AddedField {
  readonly path: Path;
  readonly attribution: Attribution;
}

function declares(desired: FieldSet, element: PathElement): boolean {
  return desired.hasMember(element) || !desired.withPrefix(element).isEmpty();
}

/**
 * The highest owned paths the desired object does not set: a list item the writer added is one
 * field, not one per field inside it. Structural parents (never members) are walked through, and so
 * are maps and structs the writer created: `kubectl label` on an object without labels owns the
 * `labels` map, yet what it added is the label `team`, not "labels".
 */
function collectAdded(owned: FieldSet, desired: FieldSet, prefix: Path, out: Path[]): void {
  const reported = new Set<string>();
  const containers = new Set(owned.childEntries().map((child) => serializeElement(child.element)));
  for (const element of owned.memberElements()) {
    if (declares(desired, element)) continue;
    if (element.kind === "field" && containers.has(serializeElement(element))) continue;
    out.push([...prefix, element]);
    reported.add(serializeElement(element));
  }
  for (const child of owned.childEntries()) {
    if (reported.has(serializeElement(child.element))) continue;
    collectAdded(child.set, desired.withPrefix(child.element), [...prefix, child.element], out);
  }
}

function later(a: Attribution, b: Attribution): boolean {
  return (b.changedAt ?? "") > (a.changedAt ?? "");
}

/** Rule 4: what untrusted Update writers own that the desired object leaves out. */
export function addedFields(
  writers: readonly { readonly attribution: Attribution; readonly fields: FieldSet }[],
  desired: FieldSet,
): readonly AddedField[] {
  const byPath = new Map<string, AddedField>();
  for (const writer of writers) {
    const paths: Path[] = [];
    collectAdded(writer.fields, desired, [], paths);
    for (const path of paths) {
      if (isNeverCompared(path)) continue;
      const key = path.map(serializeElement).join(".");
      const known = byPath.get(key);
      if (known === undefined || later(known.attribution, writer.attribution)) {
        byPath.set(key, { path, attribution: writer.attribution });
      }
    }
  }
  return [...byPath.values()];
}

/** Rule 4b: the highest fields of the deployer's record that the desired object no longer sets. */
export function undeclaredPaths(record: FieldSet, desired: FieldSet): readonly Path[] {
  const paths: Path[] = [];
  collectAdded(record, desired, [], paths);
  return paths.filter((path) => !isNeverCompared(path));
}
