import type { KubeObject } from "../api/json.js";
import type { RequestScope, ServerContext } from "../server/context.js";
import type { WriteCall } from "../server/writes.js";
import { createObject } from "../server/writes.js";
import { FieldValidation } from "../server/write-options.js";

/**
 * Writes made by the sandbox's stand-ins for Kubernetes' controllers go through the same path as
 * client writes, so they get defaults and managedFields like any other (manager kube-controller-manager).
 */
export function createAsController(
  context: ServerContext,
  target: { group: string; version: string; resource: string; namespace: string },
  object: KubeObject,
): void {
  const info = context.registry.find(target.group, target.version, target.resource);
  if (info === undefined) throw new Error(`${target.resource}.${target.group} is not served`);
  const scope: RequestScope = {
    warnings: [],
    userAgent: "kube-controller-manager/v1.32.0 (linux/amd64) kubernetes/sandbox",
  };
  const call: WriteCall = {
    context,
    request: { verb: "create", info, namespace: target.namespace },
    options: {
      dryRun: false,
      fieldManager: undefined,
      fieldValidation: FieldValidation.ignore,
      force: false,
      userAgent: scope.userAgent,
    },
    scope,
  };
  createObject(call, object);
}
