import { readFileSync } from "node:fs";
import type { OpenAPISchema } from "./convert.js";
import { convertSchema } from "./convert.js";
import { withBuiltinEnums } from "./enums.js";
import type { GvkKey } from "./gvk.js";
import { gvkKey } from "./gvk.js";
import type { GroupVersionKind, RefType, Schema, SchemaType } from "./types.js";
import { ScalarKinds } from "./types.js";
import { isRecord } from "../value/json.js";

/** A resource of the built-in API as data/kubernetes-openapi-v1.32.json lists it. */
export interface BuiltinResource {
  readonly kind: string;
  readonly namespaced: boolean;
  readonly verbs: readonly string[];
  /** Subresource name → the kind its operations read and write ("scale" → autoscaling/v1 Scale). */
  readonly subresources: Readonly<Record<string, GroupVersionKind>>;
}

export interface BuiltinOpenAPIData {
  /** OpenAPI v2 definitions without descriptions, keyed by name ("io.k8s.api.apps.v1.Deployment"). */
  readonly definitions: Readonly<Record<string, OpenAPISchema>>;
  /** "api/v1" / "apis/apps/v1" → plural resource → facts. */
  readonly resources: Readonly<Record<string, Readonly<Record<string, BuiltinResource>>>>;
}

const dataFile = new URL("../../../data/kubernetes-openapi-v1.32.json", import.meta.url);

let loaded: BuiltinOpenAPIData | undefined;

/** The derived data file, read on first use (3 MB of spec become ~270 kB; most commands never need it). */
export function builtinOpenAPIData(): BuiltinOpenAPIData {
  if (loaded === undefined) {
    const parsed: unknown = JSON.parse(readFileSync(dataFile, "utf8"));
    if (!isRecord(parsed) || !isRecord(parsed["definitions"]) || !isRecord(parsed["resources"])) {
      throw new Error(`${dataFile.pathname}: not a derived OpenAPI data file (run npm run derive-schema)`);
    }
    loaded = parsed as unknown as BuiltinOpenAPIData;
  }
  return loaded;
}

/**
 * Definitions whose JSON shape says less than their Go type: apimachinery marshals them
 * through custom codecs, so their meaning comes from the name.
 */
const specialDefinitions: Readonly<Record<string, SchemaType>> = {
  "io.k8s.apimachinery.pkg.api.resource.Quantity": { kind: "scalar", scalar: ScalarKinds.quantity },
  "io.k8s.apimachinery.pkg.apis.meta.v1.Time": { kind: "scalar", scalar: ScalarKinds.time },
  "io.k8s.apimachinery.pkg.apis.meta.v1.MicroTime": { kind: "scalar", scalar: ScalarKinds.time },
  "io.k8s.apimachinery.pkg.util.intstr.IntOrString": { kind: "scalar", scalar: ScalarKinds.intOrString },
  "io.k8s.apimachinery.pkg.runtime.RawExtension": { kind: "untyped" },
  "io.k8s.apimachinery.pkg.apis.meta.v1.FieldsV1": { kind: "untyped" },
  "io.k8s.apimachinery.pkg.apis.meta.v1.Patch": { kind: "untyped" },
  "io.k8s.apiextensions-apiserver.pkg.apis.apiextensions.v1.JSON": { kind: "untyped" },
  "io.k8s.apiextensions-apiserver.pkg.apis.apiextensions.v1.JSONSchemaPropsOrArray": { kind: "untyped" },
  "io.k8s.apiextensions-apiserver.pkg.apis.apiextensions.v1.JSONSchemaPropsOrBool": { kind: "untyped" },
  "io.k8s.apiextensions-apiserver.pkg.apis.apiextensions.v1.JSONSchemaPropsOrStringArray": {
    kind: "untyped",
  },
};

const untyped = { kind: "untyped" } as const;

function text(value: unknown): string {
  return typeof value === "string" ? value : "";
}

function gvksOf(definition: OpenAPISchema): readonly GroupVersionKind[] {
  const declared = definition["x-kubernetes-group-version-kind"];
  if (!Array.isArray(declared)) return [];
  return declared.filter(isRecord).map((gvk) => ({
    group: text(gvk["group"]),
    version: text(gvk["version"]),
    kind: text(gvk["kind"]),
  }));
}

class BuiltinSchema implements Schema {
  private readonly converted = new Map<string, SchemaType>();
  private names: ReadonlyMap<GvkKey, string> | undefined;

  definitionName(gvk: GroupVersionKind): string | undefined {
    this.names ??= this.indexKinds();
    return this.names.get(gvkKey(gvk));
  }

  rootType(gvk: GroupVersionKind): SchemaType | undefined {
    const name = this.definitionName(gvk);
    return name === undefined ? undefined : { kind: "ref", name };
  }

  resolve(type: SchemaType): Exclude<SchemaType, RefType> {
    let current = type;
    // Definitions never alias one another today; the bound guards against a cycle of aliases.
    for (let depth = 0; current.kind === "ref" && depth < 8; depth++) current = this.definition(current.name);
    return current.kind === "ref" ? untyped : current;
  }

  /** The converted definition, or untyped when the name is unknown. */
  definition(name: string): SchemaType {
    const cached = this.converted.get(name);
    if (cached !== undefined) return cached;
    const raw = builtinOpenAPIData().definitions[name];
    const type =
      specialDefinitions[name] ??
      (raw === undefined ? untyped : withBuiltinEnums(name, convertSchema(raw, "builtin")));
    this.converted.set(name, type);
    return type;
  }

  hasDefinition(name: string): boolean {
    return name in specialDefinitions || builtinOpenAPIData().definitions[name] !== undefined;
  }

  private indexKinds(): ReadonlyMap<GvkKey, string> {
    const names = new Map<GvkKey, string>();
    for (const [name, definition] of Object.entries(builtinOpenAPIData().definitions)) {
      // DeleteOptions, WatchEvent … declare one GVK per group; no GVK is declared twice in 1.32.
      for (const gvk of gvksOf(definition)) names.set(gvkKey(gvk), name);
    }
    return names;
  }
}

const instance = new BuiltinSchema();

/** The schema of Kubernetes 1.32's built-in kinds, from data/kubernetes-openapi-v1.32.json. */
export const builtinSchema: Schema = instance;

/** The OpenAPI definition name of a built-in kind: apps/v1 Deployment → "io.k8s.api.apps.v1.Deployment". */
export function definitionName(gvk: GroupVersionKind): string | undefined {
  return instance.definitionName(gvk);
}

/** The GVKs a definition declares in `x-kubernetes-group-version-kind`. */
export function definitionGVKs(definition: OpenAPISchema): readonly GroupVersionKind[] {
  return gvksOf(definition);
}
