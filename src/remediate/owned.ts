import { ManagedFields } from "../engine/managed.js";
import type { Path } from "../kube/fieldpath/index.js";
import { displayPath, pathToJsonPointer } from "../kube/fieldpath/index.js";
import type { KubeObject } from "../kube/value/json.js";
import { valueAtPointer } from "../kube/value/pointer.js";

export interface Ownership {
  /** Pointers into the desired object of the fields the manager's last apply set (and desired still sets). */
  readonly kept: readonly string[];
  /** Fields the manager's last apply set that the desired object no longer sets, as the server names them. */
  readonly released: readonly string[];
}

const none: Ownership = { kept: [], released: [] };

/** The leaves of `manager`'s `Apply` entry on the object itself (not a subresource's). */
function appliedLeaves(live: KubeObject, manager: string): readonly Path[] {
  const owners = ManagedFields.of(live).owners(
    (attribution) =>
      attribution.manager === manager &&
      attribution.operation === "Apply" &&
      attribution.subresource === undefined,
  );
  return owners.flatMap((owner) => owner.fields.leaves().paths());
}

/**
 * What `manager` applied before. Server-side apply takes an applied configuration as the manager's
 * whole intent: a field it owns and leaves out of its next apply is removed (when nobody else owns
 * it). So every later apply must send these fields again, at their desired values, or they are lost.
 */
export function ownedByManager(desired: KubeObject, live: KubeObject, manager: string): Ownership {
  const leaves = appliedLeaves(live, manager);
  if (leaves.length === 0) return none;
  const kept = new Set<string>();
  const released: string[] = [];
  for (const path of leaves) {
    const pointer = pathToJsonPointer(path, desired, { defaultedKeys: true });
    const value = pointer === undefined ? undefined : valueAtPointer(desired, pointer);
    if (pointer !== undefined && value !== undefined && value !== null) kept.add(pointer);
    else released.push(displayPath(path));
  }
  return { kept: [...kept], released };
}
