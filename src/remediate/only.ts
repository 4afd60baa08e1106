import type { ObjectRef } from "../kube/object.js";

/** A parsed `--only` reference: `Deployment.apps/shop/web`, `deployment/shop/web`, `Namespace/shop`. */
export interface OnlyRef {
  readonly kind: string;
  /** Undefined when the reference names no group (any group matches). */
  readonly group?: string;
  /** "" for cluster-scoped objects. */
  readonly namespace: string;
  readonly name: string;
}

function kindAndGroup(text: string): { readonly kind: string; readonly group?: string } {
  const dot = text.indexOf(".");
  return dot < 0 ? { kind: text } : { kind: text.slice(0, dot), group: text.slice(dot + 1) };
}

/** An `--only` reference that names no object: the message names the reference. */
export class OnlyRefError extends Error {
  readonly reference: string;

  constructor(reference: string) {
    super(`--only ${reference}: expected KIND/NAMESPACE/NAME, or KIND/NAME for a cluster-scoped object`);
    this.name = "OnlyRefError";
    this.reference = reference;
  }
}

/** Parses `KIND[.GROUP]/NAMESPACE/NAME` or `KIND[.GROUP]/NAME`; throws an OnlyRefError naming the reference. */
export function parseOnly(text: string): OnlyRef {
  const parts = text.split("/");
  if (parts.length < 2 || parts.length > 3 || parts.some((part) => part === "")) throw new OnlyRefError(text);
  const [kind = "", namespace = "", name = ""] = parts.length === 3 ? parts : [parts[0], "", parts[1]];
  return { ...kindAndGroup(kind), namespace, name };
}

/** Kinds match case-insensitively; `core` or an empty group names the core group. */
export function matchesOnly(ref: ObjectRef, only: OnlyRef): boolean {
  const group = only.group === "core" ? "" : only.group;
  return (
    ref.kind.toLowerCase() === only.kind.toLowerCase() &&
    (group === undefined || ref.group.toLowerCase() === group.toLowerCase()) &&
    ref.namespace === only.namespace &&
    ref.name === only.name
  );
}

/** A predicate for `--only` references; everything is selected when there are none. */
export function onlySelector(references: readonly string[]): (ref: ObjectRef) => boolean {
  const parsed = references.map(parseOnly);
  if (parsed.length === 0) return () => true;
  return (ref) => parsed.some((only) => matchesOnly(ref, only));
}

/** The `--only` references that name none of `refs`: a typo there must not pass for "nothing to do". */
export function unmatchedOnly(references: readonly string[], refs: readonly ObjectRef[]): readonly string[] {
  return references.filter((reference) => {
    const only = parseOnly(reference);
    return !refs.some((ref) => matchesOnly(ref, only));
  });
}
