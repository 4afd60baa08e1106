import type { JsonObject, KubeObject } from "../../kube/value/json.js";
import type { KindStrategy, StrategyContext } from "../kinds/types.js";
import type { ResourceInfo } from "../registry/types.js";
import type { Schema, SchemaType } from "../../kube/schema/types.js";

export const PatchTypes = {
  json: "application/json-patch+json",
  merge: "application/merge-patch+json",
  strategic: "application/strategic-merge-patch+json",
  apply: "application/apply-patch+yaml",
} as const;
export type PatchType = (typeof PatchTypes)[keyof typeof PatchTypes];

/** One served kind with what the server needs to process its writes. */
export interface KindMachinery {
  readonly info: ResourceInfo;
  readonly strategy: KindStrategy;
  /** The root schema type; undefined for a CRD version without a schema. */
  readonly type: SchemaType | undefined;
  readonly custom: boolean;
  /** The CRD version's additionalPrinterColumns (custom kinds only). */
  readonly printerColumns?: readonly JsonObject[];
}

export interface FieldManagerRequest {
  readonly manager: string;
  readonly operation: "Apply" | "Update";
  readonly subresource?: "status" | "scale";
  readonly apiVersion: string;
  readonly time: string;
  readonly force?: boolean;
}

/**
 * The algorithms a write goes through, behind one seam so that the request
 * handlers read as kube-apiserver's handler chain: decode, patch, default,
 * track field ownership, validate, store.
 */
export interface Machinery {
  readonly schema: () => Schema;
  readonly strategyContext: StrategyContext;
  kind(info: ResourceInfo): KindMachinery;
  /** Field paths the schema does not know (`spec.foo`), for fieldValidation. */
  unknownFields(kind: KindMachinery, object: KubeObject): readonly string[];
  /** Drops unknown fields (as decoding into Go types / CRD pruning does) and canonicalises quantities. */
  normalize(kind: KindMachinery, object: KubeObject): KubeObject;
  applyPatch(
    kind: KindMachinery,
    patchType: Exclude<PatchType, "application/apply-patch+yaml">,
    live: KubeObject,
    patch: unknown,
  ): KubeObject;
  /** Records an Update operation in metadata.managedFields of `updated`. */
  trackUpdate(
    kind: KindMachinery,
    live: KubeObject | undefined,
    updated: KubeObject,
    request: FieldManagerRequest,
  ): KubeObject;
  /** Server-side apply: merges `applied` into `live` and records ownership; throws 409 on conflicts. */
  apply(
    kind: KindMachinery,
    live: KubeObject | undefined,
    applied: KubeObject,
    request: FieldManagerRequest,
  ): KubeObject;
}
