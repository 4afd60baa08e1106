/**
 * `guard`'s decision for one admission request (issue 14): would this write make a managed object
 * drift from what Git declares — a managed field changed away from its desired value, a field added
 * by someone who is not a deployer, the object deleted — and what does the `guard` section of
 * kubedrift.yaml do about it: deny, warn (allowed; kubectl prints the warning) or audit (allowed;
 * recorded). Deployers pass; a break-glass annotation passes and is recorded with its reason. Pure:
 * the engine compares, nothing is read or written here.
 */
import { compare, lastMatchingRule } from "../engine/index.js";
import type { EngineConfig, GuardAction, GuardConfig, Scope } from "../engine/index.js";
import { readablePath } from "../kube/fieldpath/readable.js";
import { jsonEqual } from "../kube/value/equal.js";
import type { JsonValue, KubeObject } from "../kube/value/json.js";
import type { ObjectRef } from "../kube/object.js";
import { metadataOf } from "../kube/object.js";
import type { Schema } from "../kube/schema/types.js";
import type { DesiredObject, Drift } from "../model/index.js";
import { DriftTypes, describeRef, refKey } from "../model/index.js";

/** The parts of an `admission.k8s.io/v1` AdmissionRequest the decision reads. */
export interface GuardRequest {
  readonly operation: "CREATE" | "UPDATE" | "DELETE" | "CONNECT";
  readonly resource: { readonly group: string; readonly version: string; readonly resource: string };
  readonly subResource?: string;
  readonly name: string;
  readonly namespace?: string;
  readonly userInfo: { readonly username: string; readonly groups?: readonly string[] };
  readonly object?: KubeObject | null;
  readonly oldObject?: KubeObject | null;
}

/** What the decision compares with: the declared objects and what the engine needs. */
export interface GuardTarget {
  /** By `refKey`. */
  readonly desired: ReadonlyMap<string, DesiredObject>;
  readonly schema: Schema;
  readonly config: EngineConfig;
  readonly scope: Scope;
  readonly cluster: string;
  /** The kind a group's resource (plural) serves, from discovery. */
  readonly kindOf: (group: string, resource: string) => string | undefined;
}

/** A field the write would make drift, and what the configuration does about it. */
export interface Violation {
  readonly path: string;
  readonly type: Drift["type"];
  readonly desired?: JsonValue;
  readonly live?: JsonValue;
  /** The values are withheld (a Secret's, a redaction rule's): only "changed" may be said. */
  readonly withheld: boolean;
  readonly source?: { readonly file: string; readonly line: number };
  readonly action: GuardAction;
}

export type GuardReason = "unmanaged" | "no drift" | "deployer" | "break-glass" | "warn" | "audit";

export type GuardDecision =
  | {
      readonly allowed: true;
      readonly reason: GuardReason;
      readonly ref?: ObjectRef;
      readonly violations: readonly Violation[];
      /** Shown by kubectl as `Warning: …`. */
      readonly warnings: readonly string[];
      /** To be recorded (audit violations, a break-glass). */
      readonly record: boolean;
      readonly breakGlass?: string;
    }
  | {
      readonly allowed: false;
      readonly ref: ObjectRef;
      readonly violations: readonly Violation[];
      /** kube-apiserver shows it as `admission webhook "…" denied the request: <message>`. */
      readonly message: string;
    };

export const breakGlassAnnotation = "kubedrift.dev/break-glass";

const defaultGuard: GuardConfig = { default: "warn", allow: { users: [], groups: [] }, rules: [] };

function allowed(
  reason: GuardReason,
  more: Partial<Extract<GuardDecision, { allowed: true }>> = {},
): GuardDecision {
  return { allowed: true, reason, violations: [], warnings: [], record: false, ...more };
}

/** The managed object a request is about, or undefined when Git does not declare it. */
function managedRef(target: GuardTarget, request: GuardRequest): ObjectRef | undefined {
  const { group, version, resource } = request.resource;
  const kind = target.kindOf(group, resource);
  if (kind === undefined) return undefined;
  const ref = { group, version, kind, namespace: request.namespace ?? "", name: request.name };
  return target.desired.has(refKey(ref)) ? ref : undefined;
}

function isDeployer(guard: GuardConfig, user: GuardRequest["userInfo"]): boolean {
  return (
    guard.allow.users.includes(user.username) ||
    (user.groups ?? []).some((group) => guard.allow.groups.includes(group))
  );
}

function breakGlassOf(request: GuardRequest): string | undefined {
  const object = request.operation === "DELETE" ? request.oldObject : request.object;
  if (object === undefined || object === null) return undefined;
  const annotations = metadataOf(object)["annotations"];
  const reason =
    typeof annotations === "object" && annotations !== null
      ? (annotations as Record<string, unknown>)[breakGlassAnnotation]
      : undefined;
  return typeof reason === "string" && reason.trim() !== "" ? reason.trim() : undefined;
}

function driftsAgainst(
  target: GuardTarget,
  desired: DesiredObject,
  live: KubeObject | undefined,
): readonly Drift[] {
  const report = compare({
    desired: [desired],
    live: live === undefined ? [] : [{ ref: desired.ref, object: live }],
    scope: target.scope,
    schema: target.schema,
    config: target.config,
    cluster: target.cluster,
    generatedAt: new Date(0).toISOString(),
  });
  const resource = report.resources[0];
  if (resource === undefined) return [];
  if (resource.status === "Missing") return [{ path: "", type: DriftTypes.removed }];
  return resource.drifts;
}

/** The replicas a `/scale` write sets, against the desired object's: the parent is not in the review. */
function scaleDrifts(desired: DesiredObject, scale: KubeObject | undefined): readonly Drift[] {
  const wanted = (desired.object["spec"] as Record<string, JsonValue> | undefined)?.["replicas"];
  const asked = (scale?.["spec"] as Record<string, JsonValue> | undefined)?.["replicas"];
  if (wanted === undefined || asked === undefined || wanted === asked) return [];
  return [{ path: "/spec/replicas", type: DriftTypes.changed, desired: wanted, live: asked }];
}

/** The drifts the write would bring: those of the new state that the old one did not have as they are. */
function introducedDrifts(
  target: GuardTarget,
  desired: DesiredObject,
  request: GuardRequest,
): readonly Drift[] {
  if (request.operation === "DELETE")
    return request.subResource === undefined ? [{ path: "", type: DriftTypes.removed }] : [];
  const after = request.object ?? undefined;
  if (request.subResource === "scale") return scaleDrifts(desired, after);
  // Other subresources (status) write what rule 2 never compares.
  if (request.subResource !== undefined) return [];
  const before =
    request.operation === "CREATE" ? [] : driftsAgainst(target, desired, request.oldObject ?? undefined);
  return driftsAgainst(target, desired, after).filter(
    (drift) => !before.some((old) => old.path === drift.path && jsonEqual(old.live, drift.live)),
  );
}

function violationOf(
  guard: GuardConfig,
  ref: ObjectRef,
  drift: Drift & { readonly source?: Violation["source"] },
): Violation {
  const action = lastMatchingRule(guard.rules, ref, drift.path)?.action ?? guard.default;
  return {
    path: drift.path,
    type: drift.type,
    withheld: drift.redacted !== undefined,
    action,
    ...(drift.redacted !== undefined || drift.desired === undefined ? {} : { desired: drift.desired }),
    ...(drift.redacted !== undefined || drift.live === undefined ? {} : { live: drift.live }),
    ...(drift.source === undefined ? {} : { source: drift.source }),
  };
}

/** `spec.replicas: Git says 2 (deploy/web.yaml:10), this write makes it 5`. */
export function describeViolation(violation: Violation): string {
  if (violation.path === "") return "the object is declared in Git and would be deleted";
  const field = readablePath(violation.path);
  const where = violation.source === undefined ? "" : ` (${violation.source.file}:${violation.source.line})`;
  if (violation.withheld) return `${field}: declared in Git${where}, this write changes it`;
  if (violation.type === DriftTypes.added)
    return `${field}: not declared in Git, this write adds ${JSON.stringify(violation.live ?? null)}`;
  if (violation.type === DriftTypes.removed)
    return `${field}: Git says ${JSON.stringify(violation.desired ?? null)}${where}, this write removes it`;
  return `${field}: Git says ${JSON.stringify(violation.desired ?? null)}${where}, this write makes it ${JSON.stringify(violation.live ?? null)}`;
}

function deniedMessage(ref: ObjectRef, denied: readonly Violation[]): string {
  return `kubedrift: ${describeRef(ref)} is managed from Git: ${denied.map(describeViolation).join("; ")}. Change it in Git, or set the annotation ${breakGlassAnnotation}: "<reason>" to break glass`;
}

/**
 * What the configuration says for the object a request names, where it could not be judged: the
 * action of a rule for the whole object, else the default; undefined for an unmanaged object.
 */
export function fallbackActionOf(target: GuardTarget, request: GuardRequest): GuardAction | undefined {
  const ref = managedRef(target, request);
  if (ref === undefined) return undefined;
  const guard = target.config.guard ?? defaultGuard;
  return lastMatchingRule(guard.rules, ref, "")?.action ?? guard.default;
}

/** The decision for one request: allowed (with warnings, or to be recorded) or denied with why. */
export function decideAdmission(target: GuardTarget, request: GuardRequest): GuardDecision {
  const guard = target.config.guard ?? defaultGuard;
  const ref = managedRef(target, request);
  if (ref === undefined || request.operation === "CONNECT") return allowed("unmanaged");
  const desired = target.desired.get(refKey(ref)) as DesiredObject;
  const violations = introducedDrifts(target, desired, request).map((drift) =>
    violationOf(guard, ref, drift),
  );
  if (violations.length === 0) return allowed("no drift", { ref });
  if (isDeployer(guard, request.userInfo)) return allowed("deployer", { ref, violations });
  const breakGlass = breakGlassOf(request);
  if (breakGlass !== undefined) return allowed("break-glass", { ref, violations, record: true, breakGlass });
  const denied = violations.filter((violation) => violation.action === "deny");
  if (denied.length > 0) return { allowed: false, ref, violations, message: deniedMessage(ref, denied) };
  const warned = violations.filter((violation) => violation.action === "warn");
  const warnings = warned.map(
    (violation) => `kubedrift: ${describeRef(ref)}: ${describeViolation(violation)}`,
  );
  const audited = violations.some((violation) => violation.action === "audit");
  return allowed(audited ? "audit" : "warn", { ref, violations, warnings, record: audited });
}
