/**
 * `watch`'s policies (issue 12, item 4): what is done about each drifted field — `detect`, `warn`
 * or `heal` — from `policies:` in kubedrift.yaml, the last matching rule winning; `--heal` makes
 * `heal` the mode of whatever no rule names.
 */
import { policyFor } from "../engine/index.js";
import type { PolicyMode, PolicyRule } from "../engine/index.js";
import type { ObjectRef } from "../kube/object.js";
import type { Episode, ResourceKey } from "../store/index.js";

export interface Policies {
  readonly rules: readonly PolicyRule[];
  /** The mode where no rule matches: `detect`, or `heal` with `--heal`. */
  readonly fallback: PolicyMode;
}

export const detectOnly: Policies = { rules: [], fallback: "detect" };

const strength: Readonly<Record<PolicyMode, number>> = { detect: 0, warn: 1, heal: 2 };

export function modeOf(policies: Policies, ref: ResourceKey, path: string): PolicyMode {
  return policyFor(policies.rules, { ...ref, version: "" } satisfies ObjectRef, path, policies.fallback);
}

/** The strongest mode among the episode's fields: whether it is notified (`warn`, `heal`). */
export function episodeMode(policies: Policies, episode: Episode): PolicyMode {
  let mode: PolicyMode = "detect";
  for (const change of episode.changes) {
    const field = modeOf(policies, episode.resource, change.path);
    if (strength[field] > strength[mode]) mode = field;
  }
  return mode;
}

/** Whether any rule or the fallback can ever ask for `mode`: a `--webhook` nobody would hear is told at start. */
export function mayUse(policies: Policies, mode: PolicyMode): boolean {
  return policies.fallback === mode || policies.rules.some((rule) => rule.mode === mode);
}

/**
 * The ignore rule that ends a fight over `field` of one object, as one line of kubedrift.yaml's
 * flow style: `{path: /spec/replicas, kinds: [apps/Deployment], namespaces: [shop], names: [web]}`.
 */
export function proposedIgnoreRule(resource: ResourceKey, field: string): string {
  const kind = resource.group === "" ? resource.kind : `${resource.group}/${resource.kind}`;
  const parts = [
    `path: ${field}`,
    `kinds: [${kind}]`,
    ...(resource.namespace === "" ? [] : [`namespaces: [${resource.namespace}]`]),
    `names: [${resource.name}]`,
  ];
  return `{${parts.join(", ")}}`;
}
