import type { DesiredOrigin, SourceRevision } from "../model/index.js";
import type { ObjectRef } from "../kube/object.js";

/**
 * `terraform kubernetes_deployment.example`, `helm release web, chart web-1.2.3, revision 4`: the tool
 * that declares an object, in the words its users know it by (`helm list` shows a chart as
 * name-version). The release's namespace is said only where it is not the object's own, as for a
 * cluster-scoped object or one a chart puts elsewhere.
 */
export function originText(origin: DesiredOrigin, ref: ObjectRef): string {
  switch (origin.kind) {
    case "terraform":
      return `terraform ${origin.address}`;
    case "helm": {
      const release =
        origin.namespace === ref.namespace ? origin.release : `${origin.namespace}/${origin.release}`;
      return `helm release ${release}, chart ${origin.chart}-${origin.chartVersion}, revision ${origin.revision}`;
    }
  }
}

/** `1a2b3c4`: as git shows a commit; the JSON report keeps it whole. */
export function shortCommit(commit: string): string {
  return commit.slice(0, 7);
}

/** `origin/main (1a2b3c4)`. */
export function revisionText(revision: SourceRevision): string {
  return `${revision.ref} (${shortCommit(revision.commit)})`;
}
