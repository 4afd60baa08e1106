import { textOf, type KubeObject } from "../../kube/value/json.js";
import { metadataOf } from "../../kube/object.js";
import { staleAggregations } from "../auth/aggregation.js";
import { bootstrapClusterRoleBindings, bootstrapClusterRoles } from "../auth/bootstrap-policy.js";
import type { ServerContext } from "../server/context.js";
import { aggregationController, apiserverLoopback } from "../auth/user.js";
import type { WatchSubscription } from "../store/types.js";
import { createAsController, updateAsController, type ControllerTarget } from "./system-writer.js";

const rbacGroup = "rbac.authorization.k8s.io";
const clusterRoles: ControllerTarget = {
  group: rbacGroup,
  version: "v1",
  resource: "clusterroles",
  namespace: "",
};
const clusterRoleBindings: ControllerTarget = { ...clusterRoles, resource: "clusterrolebindings" };

function createMissing(
  context: ServerContext,
  target: ControllerTarget,
  objects: readonly KubeObject[],
): void {
  for (const object of objects) {
    const name = textOf(metadataOf(object)["name"]);
    if (context.store.get({ group: rbacGroup, resource: target.resource, namespace: "", name }) === undefined)
      createAsController(context, target, object, apiserverLoopback);
  }
}

/**
 * One pass of the clusterrole-aggregation controller. `admin` aggregates `edit`, which aggregates
 * `view`: an update of one may make another stale, and the next pass (the watch event of that
 * update) catches up, as the controller's queue does.
 */
function aggregate(context: ServerContext): number {
  const stale = staleAggregations(context.store.list({ group: rbacGroup, resource: "clusterroles" }).items);
  for (const role of stale) updateAsController(context, clusterRoles, role, aggregationController);
  return stale.length;
}

/**
 * kube-apiserver's post-start hook creates the bootstrap roles and bindings that are missing (those
 * kept with `--data` stay as they are), then aggregation fills the aggregated roles before the
 * sandbox answers its first request.
 */
export function bootstrapRbac(context: ServerContext): void {
  createMissing(context, clusterRoles, bootstrapClusterRoles);
  createMissing(context, clusterRoleBindings, bootstrapClusterRoleBindings);
  for (let pass = 0; pass < 10 && aggregate(context) > 0; pass += 1);
}

/** The clusterrole-aggregation controller: re-aggregates after every ClusterRole change. */
export function startAggregationController(
  context: ServerContext,
  onError: (error: unknown) => void,
): WatchSubscription {
  let stopped = false;
  let queued = false;
  const subscription = context.store.watch({
    resource: { group: rbacGroup, resource: "clusterroles" },
    sinceResourceVersion: context.store.resourceVersion,
    onEvent: () => {
      if (queued) return;
      queued = true;
      // After the write that changed a role has returned, as the real controller runs asynchronously.
      queueMicrotask(() => {
        queued = false;
        if (stopped) return;
        try {
          aggregate(context);
        } catch (error: unknown) {
          onError(error);
        }
      });
    },
  });
  return {
    close: () => {
      stopped = true;
      subscription.close();
    },
  };
}
