import type { DesiredObject, LiveObject, ResourceDrift } from "../model/index.js";
import { ResourceStatuses, refKey, summarize } from "../model/index.js";
import { isExtra } from "./extra.js";
import type { ResourceContext } from "./resource.js";
import { compareResource } from "./resource.js";
import { TypeResolver } from "../kube/schema/resolver.js";
import { trustPolicy } from "./trust.js";
import type { Compare, CompareInput } from "./types.js";
import type { ObjectRef } from "../kube/object.js";

/** Plain UTF-16 code-unit order, the same on every machine (no locale collation). */
function byCodeUnits(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

/**
 * Report order: namespace (cluster-scoped objects first, as "" sorts first), then kind, name and
 * group — what `kubectl get` users scan by: one namespace's objects together, grouped by kind.
 */
export function compareRefs(a: ObjectRef, b: ObjectRef): number {
  return (
    byCodeUnits(a.namespace, b.namespace) ||
    byCodeUnits(a.kind, b.kind) ||
    byCodeUnits(a.name, b.name) ||
    byCodeUnits(a.group, b.group)
  );
}

function duplicate(desired: DesiredObject, first: DesiredObject): ResourceDrift {
  return {
    ref: desired.ref,
    status: ResourceStatuses.error,
    source: desired.source,
    drifts: [],
    error: `declared twice: also at ${first.source.file}:${first.source.line}`,
  };
}

function missing(desired: DesiredObject): ResourceDrift {
  return { ref: desired.ref, status: ResourceStatuses.missing, source: desired.source, drifts: [] };
}

/** The report names the tool that declares the object (a Terraform address, a Helm release). */
function withOrigin(result: ResourceDrift, desired: DesiredObject): ResourceDrift {
  return desired.origin === undefined ? result : { ...result, origin: desired.origin };
}

function extra(live: LiveObject): ResourceDrift {
  return { ref: live.ref, status: ResourceStatuses.extra, drifts: [] };
}

function compareDesired(
  context: ResourceContext,
  input: CompareInput,
  matched: Set<string>,
): ResourceDrift[] {
  const live = new Map<string, LiveObject>();
  for (const object of input.live) live.set(refKey(object.ref), object);
  const declared = new Map<string, DesiredObject>();
  const resources: ResourceDrift[] = [];
  for (const desired of input.desired) {
    const key = refKey(desired.ref);
    const first = declared.get(key);
    if (first !== undefined) {
      resources.push(duplicate(desired, first));
      continue;
    }
    declared.set(key, desired);
    const counterpart = live.get(key);
    if (counterpart !== undefined) matched.add(key);
    resources.push(
      withOrigin(
        counterpart === undefined ? missing(desired) : compareResource(context, desired, counterpart),
        desired,
      ),
    );
  }
  return resources;
}

/** The drift engine (DESIGN.md, drift semantics): pure, and every object gets a result, never an exception. */
export const compare: Compare = (input) => {
  const context: ResourceContext = {
    resolver: new TypeResolver(input.schema),
    config: input.config,
    trusted: trustPolicy(input.config.trustedManagers),
  };
  const matched = new Set<string>();
  const resources = compareDesired(context, input, matched);
  for (const live of input.live) {
    if (!matched.has(refKey(live.ref)) && isExtra(input.scope, live)) resources.push(extra(live));
  }
  resources.sort((a, b) => compareRefs(a.ref, b.ref));
  return { generatedAt: input.generatedAt, cluster: input.cluster, summary: summarize(resources), resources };
};
