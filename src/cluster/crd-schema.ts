import type { KubeObject } from "../model/index.js";
import { builtinSchema } from "../kube/schema/builtin.js";
import { schemaFromCRDValidation, withCustomKinds } from "../kube/schema/crd.js";
import type { GvkKey } from "../kube/schema/gvk.js";
import { gvkKey } from "../kube/schema/gvk.js";
import type { Schema, SchemaType } from "../kube/schema/types.js";
import { type Json, text } from "./json.js";

function field(value: unknown, name: string): unknown {
  return typeof value === "object" && value !== null && !Array.isArray(value)
    ? (value as Json)[name]
    : undefined;
}

/** Every served version of a CustomResourceDefinition (apiextensions.k8s.io/v1) with its root type. */
function kindsOfCRD(crd: KubeObject): readonly (readonly [GvkKey, SchemaType])[] {
  const spec = crd["spec"];
  const group = text(field(spec, "group"));
  const kind = text(field(field(spec, "names"), "kind"));
  const versions = field(spec, "versions");
  if (group === "" || kind === "" || !Array.isArray(versions)) return [];
  return versions.flatMap((version: unknown): (readonly [GvkKey, SchemaType])[] => {
    const name = text(field(version, "name"));
    if (name === "" || field(version, "served") === false) return [];
    const openAPIV3Schema = field(field(version, "schema"), "openAPIV3Schema");
    return [[gvkKey({ group, version: name, kind }), schemaFromCRDValidation(openAPIV3Schema)]];
  });
}

/** The built-in schema plus the kinds of these CRDs. */
export function schemaWithCRDs(crds: readonly KubeObject[]): Schema {
  if (crds.length === 0) return builtinSchema;
  return withCustomKinds(builtinSchema, new Map(crds.flatMap(kindsOfCRD)));
}
