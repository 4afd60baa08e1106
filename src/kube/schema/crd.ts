import { convertSchema } from "./convert.js";
import type { GvkKey } from "./gvk.js";
import { gvkKey } from "./gvk.js";
import type { GroupVersionKind, RefType, Schema, SchemaType, StructType } from "./types.js";
import { ScalarKinds } from "./types.js";
import type { KubeObject } from "../value/json.js";
import { isJsonObject, isRecord, stringOf } from "../value/json.js";

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

function field(value: unknown, name: string): unknown {
  return isRecord(value) ? value[name] : undefined;
}

/**
 * The raw `schema.openAPIV3Schema` of each served version of a CustomResourceDefinition
 * (apiextensions.k8s.io/v1), by GVK. A version with `served: false` has none: kube-apiserver
 * neither serves it nor publishes it in OpenAPI, so no object of it is ever typed. A CRD without
 * group, kind or versions, and a version without a name, contribute nothing.
 */
export function crdVersionSchemas(crd: KubeObject): readonly (readonly [GvkKey, unknown])[] {
  const spec = crd["spec"];
  const group = stringOf(field(spec, "group"));
  const kind = stringOf(field(field(spec, "names"), "kind"));
  const versions = field(spec, "versions");
  if (group === "" || kind === "" || !Array.isArray(versions)) return [];
  return versions.filter(isJsonObject).flatMap((version): (readonly [GvkKey, unknown])[] => {
    const name = stringOf(version["name"]);
    if (name === "" || version["served"] === false) return [];
    return [[gvkKey({ group, version: name, kind }), field(version["schema"], "openAPIV3Schema")]];
  });
}

/** `base` plus the custom kinds of these CRDs' served versions (a later CRD wins a GVK). */
export function withCRDs(base: Schema, crds: readonly KubeObject[]): Schema {
  if (crds.length === 0) return base;
  const kinds = new Map<GvkKey, SchemaType>();
  for (const crd of crds)
    for (const [key, raw] of crdVersionSchemas(crd)) kinds.set(key, schemaFromCRDValidation(raw));
  return withCustomKinds(base, kinds);
}
