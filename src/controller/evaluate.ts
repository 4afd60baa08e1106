/**
 * One object evaluated on its own, as `watch` does on each event: the engine's `compare` with one
 * desired object and its live counterpart (either may be absent), and what the history store is told.
 */
import { compare } from "../engine/index.js";
import type { EngineConfig, Scope } from "../engine/index.js";
import type { Schema } from "../kube/schema/types.js";
import type { DesiredObject, LiveObject, ResourceDrift } from "../model/index.js";
import { DriftTypes, ResourceStatuses } from "../model/index.js";
import type { ObservedDrift } from "../store/index.js";

/** What the engine needs besides the two objects: the same as `diff` gives it. */
export interface EvaluationContext {
  readonly scope: Scope;
  readonly schema: Schema;
  readonly config: EngineConfig;
  readonly cluster: string;
}

/**
 * The verdict for one identity: InSync, Drifted or Error with a desired object and a live one,
 * Missing without the live one, Extra (or nothing, outside the scope's rules) without the desired
 * one. Cluster-scoped objects nobody declares are never Extra (as `diff` lists only declared ones).
 */
export function evaluateObject(
  context: EvaluationContext,
  desired: DesiredObject | undefined,
  live: LiveObject | undefined,
): ResourceDrift | undefined {
  if (desired === undefined && (live === undefined || live.ref.namespace === "")) return undefined;
  const report = compare({
    desired: desired === undefined ? [] : [desired],
    live: live === undefined ? [] : [live],
    scope: context.scope,
    schema: context.schema,
    config: context.config,
    cluster: context.cluster,
    generatedAt: new Date(0).toISOString(),
  });
  return report.resources[0];
}

/** The path of the drift that stands for a whole Missing object: the JSON Pointer of the root. */
export const missingObjectPath = "";

/**
 * What one evaluation tells the store: the drifted fields; for a Missing object one `Removed` drift
 * of the whole object (path ""), so that a deletion is an episode (or a change of the open one)
 * until the object is back in sync; nothing for InSync. Undefined: nothing to record (Extra, Error).
 */
export function observedDrifts(result: ResourceDrift): readonly ObservedDrift[] | undefined {
  switch (result.status) {
    case ResourceStatuses.inSync:
      return [];
    case ResourceStatuses.drifted:
      return result.drifts;
    case ResourceStatuses.missing:
      return [
        {
          path: missingObjectPath,
          type: DriftTypes.removed,
          ...(result.source === undefined ? {} : { source: result.source }),
        },
      ];
    default:
      return undefined;
  }
}

/** Out of sync, for `kubedrift_resource_drifted`: drifted fields or the whole object missing. */
export function isOutOfSync(status: ResourceDrift["status"] | undefined): boolean {
  return status === ResourceStatuses.drifted || status === ResourceStatuses.missing;
}
