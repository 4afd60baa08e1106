import type { DesiredObject, DriftReport, LiveObject } from "../model/index.js";
import type { Schema } from "../kube/schema/types.js";
import type { ObjectRef } from "../kube/object.js";

/** Which objects an ignore or redaction rule applies to; absent fields match everything. */
export interface RuleScope {
  readonly kinds?: readonly string[];
  readonly namespaces?: readonly string[];
  readonly names?: readonly string[];
}

/**
 * Ignore drift on a path (a JSON Pointer where `*` matches any one segment, e.g.
 * `/spec/template/spec/containers/* /image` without the space), or on whatever a field manager owns.
 */
export type IgnoreRule =
  | (RuleScope & { readonly kind: "path"; readonly path: string })
  | (RuleScope & { readonly kind: "manager"; readonly manager: string });

/** Withhold values at these paths (Secret data is always withheld). */
export interface RedactRule extends RuleScope {
  readonly path: string;
}

/**
 * What `watch` does about drift (issue 12): `detect` records and signals it (metrics, Events, logs),
 * `warn` also notifies the webhooks, `heal` also puts the drifted fields back.
 */
export const PolicyModes = ["detect", "warn", "heal"] as const;
export type PolicyMode = (typeof PolicyModes)[number];

/** A policy for the objects in its scope, and only for drifts at or below `path` when it has one. */
export interface PolicyRule extends RuleScope {
  readonly mode: PolicyMode;
  readonly path?: string;
}

/**
 * What `guard` does about a write that would create drift (issue 14): refuse it, allow it with a
 * warning kubectl shows, or allow it and record it. The rollout order is warn, then audit, then deny.
 */
export const GuardActions = ["deny", "warn", "audit"] as const;
export type GuardAction = (typeof GuardActions)[number];

export interface GuardRule extends RuleScope {
  readonly action: GuardAction;
  readonly path?: string;
}

export interface GuardConfig {
  /** Where no rule matches (`warn` unless told). */
  readonly default: GuardAction;
  /** Who may change managed objects: the deployers (`serviceAccounts: [ns/name]` are users). */
  readonly allow: { readonly users: readonly string[]; readonly groups: readonly string[] };
  /** In file order; the last that matches wins. */
  readonly rules: readonly GuardRule[];
}

export interface EngineConfig {
  /** Field managers whose Update writes are deployments, not drift; always added to the built-in defaults. */
  readonly trustedManagers: readonly string[];
  /**
   * Field managers whose server-side apply is the deployment (rule 4b): their Apply entry is the
   * record of what was last applied. Unset: the Apply manager whose fields overlap the desired
   * object most.
   */
  readonly deployers?: readonly string[];
  readonly ignore: readonly IgnoreRule[];
  readonly redact: readonly RedactRule[];
  /** `watch`'s policies, in file order (the last that matches wins); the engine does not read them. */
  readonly policies?: readonly PolicyRule[];
  /** `guard`'s configuration; the engine does not read it. */
  readonly guard?: GuardConfig;
  /**
   * Key of the HMAC-SHA-256 hashes that stand in for withheld values (rule 7). The CLI always sets
   * one (the installation's key file, `redactionKey`, or KUBEDRIFT_REDACTION_KEY); without one,
   * withheld values are shown as "changed" with no hash at all, never with a guessable one.
   */
  readonly redactionKey?: string;
}

/** The namespaces and kinds within which live objects that nobody declares are reported as Extra. */
export interface Scope {
  /** Group/kind pairs ("apps/Deployment", "/ConfigMap"); by default those of the desired set. */
  readonly kinds: readonly string[];
  /** Namespaces; by default those of the desired set. Empty = all. */
  readonly namespaces: readonly string[];
}

export interface CompareInput {
  readonly desired: readonly DesiredObject[];
  /** Everything listed from the cluster within the scope. */
  readonly live: readonly LiveObject[];
  readonly scope: Scope;
  readonly schema: Schema;
  readonly config: EngineConfig;
  readonly cluster: string;
  readonly generatedAt: string;
}

/** The engine's entry point: pure, no I/O, never throws for a drifted or broken resource. */
export type Compare = (input: CompareInput) => DriftReport;

export type { ObjectRef };
