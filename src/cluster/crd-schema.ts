import { builtinSchema } from "../kube/schema/builtin.js";
import { schemaFromCRDValidation, withCustomKinds } from "../kube/schema/crd.js";
import type { GvkKey } from "../kube/schema/gvk.js";
import { gvkKey } from "../kube/schema/gvk.js";
import type { Schema, SchemaType } from "../kube/schema/types.js";
import { text } from "./json.js";
import type { KubeObject } from "../kube/value/json.js";
import { isRecord } from "../kube/value/json.js";

function field(value: unknown, name: string): unknown {
  return isRecord(value) ? value[name] : undefined;
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
