import type { Cluster, ServedResource } from "../cluster/types.js";
import type { Scope } from "../engine/types.js";
import type { DesiredObject, LiveObject } from "../model/index.js";
import { describeRef, refKey } from "../model/index.js";
import { InspectError } from "./errors.js";
import type { Progress } from "./progress.js";

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

/** The kinds and namespaces of the desired set (rule 6's default scope). */
export function scopeOf(desired: readonly DesiredObject[]): Scope {
  const kinds = [...new Set(desired.map((object) => resourceKey(object.ref.group, object.ref.kind)))].sort();
  const namespaces = [
    ...new Set(desired.map((object) => object.ref.namespace).filter((namespace) => namespace !== "")),
  ].sort();
  return { kinds, namespaces };
}

/**
 * One LIST per resource and namespace in scope (cluster-scoped resources once). Of cluster-scoped
 * kinds only the declared objects are kept: every namespace or ClusterRole of a shared cluster is
 * not "extra" to one team's manifests.
 */
export async function listScope(
  cluster: Cluster,
  served: ReadonlyMap<string, ServedResource>,
  desired: readonly DesiredObject[],
  progress: Progress,
): Promise<readonly LiveObject[]> {
  const scope = scopeOf(desired);
  const declared = new Set(desired.map((object) => refKey(object.ref)));
  const jobs = scope.kinds.flatMap(
    (key): readonly { resource: ServedResource; namespace: string | undefined }[] => {
      const resource = served.get(key);
      if (resource === undefined) return [];
      return resource.namespaced
        ? scope.namespaces.map((namespace) => ({ resource, namespace }))
        : [{ resource, namespace: undefined }];
    },
  );
  const live: LiveObject[] = [];
  for (const [index, job] of jobs.entries()) {
    const where = job.namespace === undefined ? "" : ` in ${job.namespace}`;
    progress.update(`listing ${job.resource.resource}${where} (${index + 1}/${jobs.length})`);
    const listed = await cluster.list(job.resource, job.namespace);
    live.push(
      ...(job.resource.namespaced ? listed : listed.filter((object) => declared.has(refKey(object.ref)))),
    );
  }
  return live;
}
