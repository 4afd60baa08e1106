import type { JsonObject, KubeObject } from "../../kube/value/json.js";
import type { StatusCause } from "../api/status.js";
import type { GroupVersionKind } from "../../kube/schema/types.js";
import type { KindStrategy, ScaleSubresource, StrategyContext } from "./types.js";
import { defaultObject } from "../../kube/defaulting/index.js";
import { validateObjectMeta } from "./validation/metadata.js";
import type { NameValidator } from "./validation/names.js";
import { isDNS1123Subdomain } from "./validation/names.js";

/** What differs between kinds; `defineStrategy` assembles a KindStrategy from it. */
export interface StrategyParts {
  readonly gvk: GroupVersionKind;
  readonly tracksGeneration: boolean;
  readonly hasStatus: boolean;
  readonly scale?: ScaleSubresource;
  /** Most kinds take DNS-1123 subdomain names (NameIsDNSSubdomain). */
  readonly nameValidator?: NameValidator;
  /** PrepareForCreate/PrepareForUpdate, allocation and admission (see KindStrategy.prepare). */
  readonly prepare?: (
    object: KubeObject,
    old: KubeObject | undefined,
    context: StrategyContext,
  ) => KubeObject;
  /**
   * The status the registry's PrepareForCreate starts a new object with (user-supplied
   * status is dropped on create), computed from the prepared object.
   */
  readonly initialStatus?: (object: KubeObject) => JsonObject;
  readonly validateSpec?: (object: KubeObject) => readonly StatusCause[];
  readonly validateUpdate?: (object: KubeObject, old: KubeObject) => readonly StatusCause[];
}

export function defineStrategy(parts: StrategyParts): KindStrategy {
  const nameValidator = parts.nameValidator ?? isDNS1123Subdomain;
  return {
    gvk: parts.gvk,
    tracksGeneration: parts.tracksGeneration,
    hasStatus: parts.hasStatus,
    ...(parts.scale === undefined ? {} : { scale: parts.scale }),
    applyDefaults(object) {
      return defaultObject(parts.gvk, object);
    },
    prepare(object, old, context) {
      const prepared = parts.prepare === undefined ? object : parts.prepare(object, old, context);
      if (old !== undefined || parts.initialStatus === undefined) return prepared;
      return { ...prepared, status: parts.initialStatus(prepared) };
    },
    validate(object, old) {
      return [
        ...validateObjectMeta(object, nameValidator),
        ...(parts.validateSpec?.(object) ?? []),
        ...(old === undefined ? [] : (parts.validateUpdate?.(object, old) ?? [])),
      ];
    },
  };
}

export const replicasScale: ScaleSubresource = {
  specReplicasPath: ".spec.replicas",
  statusReplicasPath: ".status.replicas",
  labelSelectorPath: ".spec.selector",
};
