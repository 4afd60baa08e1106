import { convertSchema } from "./convert.js";
import type { GvkKey } from "./gvk.js";
import { gvkKey } from "./gvk.js";
import type { GroupVersionKind, RefType, Schema, SchemaType, StructType } from "./types.js";
import { ScalarKinds } from "./types.js";
import { isRecord } from "../value/json.js";

const objectMetaRef: RefType = { kind: "ref", name: "io.k8s.apimachinery.pkg.apis.meta.v1.ObjectMeta" };

/**
 * kube-apiserver serves every custom resource with apiVersion, kind and a full ObjectMeta,
 * whatever its schema says about them (a CRD schema may only narrow metadata.name).
 */
const impliedRootFields: Readonly<Record<string, SchemaType>> = {
  apiVersion: { kind: "scalar", scalar: ScalarKinds.string },
  kind: { kind: "scalar", scalar: ScalarKinds.string },
  metadata: objectMetaRef,
};

/**
 * Converts a CRD version's `schema.openAPIV3Schema` (a structural schema) to the root type of
 * the custom kind. Without a schema, every field is kept, as for a CRD with
 * `x-kubernetes-preserve-unknown-fields: true` at the root.
 */
export function schemaFromCRDValidation(openAPIV3Schema: unknown): StructType {
  if (!isRecord(openAPIV3Schema)) {
    return { kind: "struct", fields: impliedRootFields, preserveUnknownFields: true };
  }
  const converted = convertSchema({ type: "object", ...openAPIV3Schema }, "crd");
  if (converted.kind !== "struct") {
    return { kind: "struct", fields: impliedRootFields, preserveUnknownFields: true };
  }
  return { ...converted, fields: { ...converted.fields, ...impliedRootFields } };
}

/**
 * The built-in schema plus custom kinds: `rootType` answers for both, and references inside
 * custom kinds (ObjectMeta) resolve through the base.
 */
export function withCustomKinds(base: Schema, kinds: ReadonlyMap<GvkKey, SchemaType>): Schema {
  return {
    rootType: (gvk: GroupVersionKind) => kinds.get(gvkKey(gvk)) ?? base.rootType(gvk),
    resolve: (type: SchemaType) => base.resolve(type),
  };
}
