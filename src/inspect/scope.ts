import type { Cluster, ServedResource } from "../cluster/types.js";
import type { Scope } from "../engine/types.js";
import type { LabelSelector } from "../kube/labels/selector.js";
import { SelectorParseError, parseLabelSelector } from "../kube/labels/selector.js";
import { labelsOf } from "../kube/object.js";
import type { DesiredObject, LiveObject } from "../model/index.js";
import { describeRef, refKey } from "../model/index.js";
import { InspectError } from "./errors.js";
import type { Progress } from "./progress.js";
import { mapLimit } from "./concurrency.js";

/** How served resources are looked up: `group/kind` (`/ConfigMap`, `apps/Deployment`). */
export function resourceKey(group: string, kind: string): string {
  return `${group}/${kind}`;
}

/** Rule 1: a namespaced object without a namespace takes --namespace, else the context's, else default. */
export function withNamespaces(
  desired: readonly DesiredObject[],
  served: ReadonlyMap<string, ServedResource>,
  namespace: string,
): readonly DesiredObject[] {
  return desired.map((object) => {
    const resource = served.get(resourceKey(object.ref.group, object.ref.kind));
    if (resource === undefined) {
      const apiVersion =
        object.ref.group === "" ? object.ref.version : `${object.ref.group}/${object.ref.version}`;
      throw new InspectError(
        `${object.source.file}:${object.source.line}: ${describeRef(object.ref)}: kind "${object.ref.kind}" (${apiVersion}) is not served by the cluster`,
      );
    }
    if (!resource.namespaced)
      return object.ref.namespace === "" ? object : { ...object, ref: { ...object.ref, namespace: "" } };
    return object.ref.namespace !== "" ? object : { ...object, ref: { ...object.ref, namespace } };
  });
}

/**
 * As kubectl: `-n b` with a manifest that says `namespace: a` is an error, not a silent choice of
 * one of them. Only for what the files and kustomizations say (a Helm release or Terraform names
 * namespaces of its own) and only for namespaced kinds.
 */
export function assertNamespaceMatches(
  desired: readonly DesiredObject[],
  served: ReadonlyMap<string, ServedResource>,
  namespace: string,
): void {
  for (const object of desired) {
    const declared = object.ref.namespace;
    if (object.origin !== undefined || declared === "" || declared === namespace) continue;
    if (served.get(resourceKey(object.ref.group, object.ref.kind))?.namespaced !== true) continue;
    throw new InspectError(
      `${object.source.file}:${object.source.line}: ${describeRef(object.ref)}: the namespace from the provided object "${declared}" does not match the namespace "${namespace}". You must pass '--namespace=${declared}' to perform this operation.`,
    );
  }
}

/** `-l/--selector`: parsed as kubectl and kube-apiserver parse it; a malformed one is the user's error. */
export function parseSelector(text: string): LabelSelector {
  try {
    return parseLabelSelector(text);
  } catch (error: unknown) {
    if (error instanceof SelectorParseError)
      throw new InspectError(`--selector "${text}": ${error.message}`, { cause: error });
    throw error;
  }
}

/** `-l` for listing: its text for the server and its matcher; undefined without one. */
export function selectorOf(text: string | undefined): ListPlan["selector"] {
  return text === undefined ? undefined : { text, matcher: parseSelector(text) };
}

/** The objects whose labels the selector matches (all of them without one). */
export function selected<T extends DesiredObject | LiveObject>(
  objects: readonly T[],
  selector: LabelSelector | undefined,
): readonly T[] {
  if (selector === undefined || selector.requirements.length === 0) return objects;
  return objects.filter((object) => selector.matches(labelsOf(object.object)));
}

/**
 * The kinds and namespaces of the desired set (rule 6's default scope); with `-A` every namespace
 * (an empty list), so that an undeclared object anywhere is Extra.
 */
export function scopeOf(desired: readonly DesiredObject[], allNamespaces = false): Scope {
  const kinds = [...new Set(desired.map((object) => resourceKey(object.ref.group, object.ref.kind)))].sort();
  const namespaces = allNamespaces
    ? []
    : [
        ...new Set(desired.map((object) => object.ref.namespace).filter((namespace) => namespace !== "")),
      ].sort();
  return { kinds, namespaces };
}

/** What to list: the scope, the objects declared in it, and `-l`. */
export interface ListPlan {
  readonly scope: Scope;
  readonly desired: readonly DesiredObject[];
  /** The selector's text for the server, and its matcher for a live file (which cannot filter). */
  readonly selector?: { readonly text: string; readonly matcher: LabelSelector };
}

/** One LIST (or LIST+WATCH) per resource and namespace in scope, cluster-scoped resources once. */
export function listJobs(
  scope: Scope,
  served: ReadonlyMap<string, ServedResource>,
): readonly { readonly resource: ServedResource; readonly namespace: string | undefined }[] {
  // No namespaces in a scope that has namespaced kinds: -A, one LIST across all namespaces.
  const namespaces = scope.namespaces.length === 0 ? [undefined] : scope.namespaces;
  return scope.kinds.flatMap((key) => {
    const resource = served.get(key);
    if (resource === undefined) return [];
    return resource.namespaced
      ? namespaces.map((namespace) => ({ resource, namespace }))
      : [{ resource, namespace: undefined }];
  });
}

/** LISTs in flight at once: kubectl's default client QPS is 5 with bursts of 10; a LIST is paged anyway. */
export const listConcurrency = 8;

/**
 * One LIST per resource and namespace in scope (cluster-scoped resources once), a few at a time
 * (their round trips overlap; the order of the result is the jobs' order whatever the order of the
 * answers). Of cluster-scoped kinds only the declared objects are kept: every namespace or
 * ClusterRole of a shared cluster is not "extra" to one team's manifests.
 */
export async function listScope(
  cluster: Cluster,
  served: ReadonlyMap<string, ServedResource>,
  plan: ListPlan,
  progress: Progress,
): Promise<readonly LiveObject[]> {
  const declared = new Set(plan.desired.map((object) => refKey(object.ref)));
  const jobs = listJobs(plan.scope, served);
  const options = plan.selector === undefined ? {} : { labelSelector: plan.selector.text };
  let done = 0;
  const lists = await mapLimit(jobs, listConcurrency, async (job) => {
    try {
      const listed = selected(
        await cluster.list(job.resource, job.namespace, options),
        plan.selector?.matcher,
      );
      done += 1;
      const where = job.resource.namespaced ? ` in ${job.namespace ?? "all namespaces"}` : "";
      progress.update(`listed ${job.resource.resource}${where} (${done}/${jobs.length})`);
      return job.resource.namespaced ? listed : listed.filter((object) => declared.has(refKey(object.ref)));
    } catch (error: unknown) {
      return { failed: error };
    }
  });
  // The error of the first LIST in scope order, as when they ran one after another: the same run fails the same way.
  const failure = lists.find((list) => "failed" in list);
  if (failure !== undefined) throw failure.failed;
  return (lists as readonly (readonly LiveObject[])[]).flat();
}
