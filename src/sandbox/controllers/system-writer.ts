import type { KubeObject } from "../../kube/value/json.js";
import { textOf } from "../../kube/value/json.js";
import type { RequestScope, ServerContext } from "../server/context.js";
import type { WriteCall } from "../server/writes.js";
import { createObject, updateObject } from "../server/writes.js";
import { FieldValidation } from "../server/write-options.js";
import { metadataOf } from "../../kube/object.js";
import { controllerManager, type UserInfo } from "../auth/user.js";

/**
 * Writes made by the sandbox's stand-ins for Kubernetes' controllers go through the same path as
 * client writes, so they get defaults and managedFields like any other (manager kube-controller-manager).
 */
export interface ControllerTarget {
  readonly group: string;
  readonly version: string;
  readonly resource: string;
  readonly namespace: string;
}

function controllerCall(
  context: ServerContext,
  target: ControllerTarget,
  write: { verb: "create" | "update"; name?: string },
  user: UserInfo,
): WriteCall {
  const info = context.registry.find(target.group, target.version, target.resource);
  if (info === undefined) throw new Error(`${target.resource}.${target.group} is not served`);
  const scope: RequestScope = {
    warnings: [],
    userAgent: "kube-controller-manager/v1.32.0 (linux/amd64) kubernetes/sandbox",
    user,
  };
  return {
    context,
    request: {
      verb: write.verb,
      info,
      namespace: target.namespace,
      ...(write.name === undefined ? {} : { name: write.name }),
    },
    options: {
      dryRun: false,
      fieldManager: undefined,
      fieldValidation: FieldValidation.ignore,
      force: false,
      userAgent: scope.userAgent,
    },
    scope,
  };
}

export function createAsController(
  context: ServerContext,
  target: ControllerTarget,
  object: KubeObject,
  user: UserInfo = controllerManager,
): void {
  createObject(controllerCall(context, target, { verb: "create" }, user), object);
}

/** A PUT of the whole object, with its resourceVersion as the precondition. */
export function updateAsController(
  context: ServerContext,
  target: ControllerTarget,
  object: KubeObject,
  user: UserInfo = controllerManager,
): void {
  updateObject(
    controllerCall(context, target, { verb: "update", name: textOf(metadataOf(object)["name"]) }, user),
    object,
  );
}
