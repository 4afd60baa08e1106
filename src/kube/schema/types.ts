/**
 * A Kubernetes type as structured-merge-diff sees it: the facts that patching,
 * field ownership, defaulting and drift comparison need, without descriptions.
 * Derived from the OpenAPI v2 document of Kubernetes (built-in kinds) or from a
 * CRD's openAPIV3Schema (custom resources).
 */
export type SchemaType = ScalarType | StructType | MapType | ListType | RefType | UntypedType;

export const ScalarKinds = {
  string: "string",
  integer: "integer",
  number: "number",
  boolean: "boolean",
  /** `x-kubernetes-int-or-string` / `format: int-or-string` (targetPort, maxSurge …). */
  intOrString: "int-or-string",
  /** `io.k8s.apimachinery.pkg.api.resource.Quantity`: compared and canonicalised by value. */
  quantity: "quantity",
  /** `format: byte`: base64 in JSON (Secret.data). */
  bytes: "bytes",
  /** `io.k8s.apimachinery.pkg.apis.meta.v1.Time` / MicroTime: RFC 3339 strings. */
  time: "time",
} as const;
export type ScalarKind = (typeof ScalarKinds)[keyof typeof ScalarKinds];

export interface ScalarType {
  readonly kind: "scalar";
  readonly scalar: ScalarKind;
  /** OpenAPI `default`, when the schema declares one (CRDs mostly). */
  readonly default?: unknown;
  readonly enum?: readonly unknown[];
}

/** An object with named fields. */
export interface StructType {
  readonly kind: "struct";
  readonly fields: Readonly<Record<string, SchemaType>>;
  /** `x-kubernetes-map-type: atomic`: replaced as a whole by SSA and owned as one field. */
  readonly atomic?: boolean;
  /** `x-kubernetes-preserve-unknown-fields: true`: unknown fields are kept and not reported. */
  readonly preserveUnknownFields?: boolean;
  /** `x-kubernetes-embedded-resource` (CRDs). */
  readonly embeddedResource?: boolean;
  readonly required?: readonly string[];
  readonly default?: unknown;
}

/** An object with arbitrary keys (`additionalProperties`). */
export interface MapType {
  readonly kind: "map";
  readonly values: SchemaType;
  /** `x-kubernetes-map-type: atomic`. Default is granular. */
  readonly atomic?: boolean;
  readonly default?: unknown;
}

/**
 * A list. `listType` follows `x-kubernetes-list-type` (SSA); `patchStrategy` and
 * `patchMergeKey` follow `x-kubernetes-patch-strategy` / `-merge-key` (strategic merge patch).
 * Lists without `x-kubernetes-list-type` are atomic for SSA, as in structured-merge-diff.
 */
export interface ListType {
  readonly kind: "list";
  readonly items: SchemaType;
  readonly listType: "atomic" | "set" | "map";
  /** `x-kubernetes-list-map-keys`, when listType is "map". */
  readonly mapKeys?: readonly string[];
  /** e.g. "merge", "retainKeys", "merge,retainKeys", "replace". */
  readonly patchStrategy?: string;
  readonly patchMergeKey?: string;
  readonly default?: unknown;
}

/** A named definition, resolved through `Schema.resolve` (definitions are recursive, e.g. JSONSchemaProps). */
export interface RefType {
  readonly kind: "ref";
  readonly name: string;
}

/** Anything goes (RawExtension, JSON, `x-kubernetes-preserve-unknown-fields` without properties). */
export interface UntypedType {
  readonly kind: "untyped";
}

export interface GroupVersionKind {
  /** "" for the core group. */
  readonly group: string;
  readonly version: string;
  readonly kind: string;
}

export interface Schema {
  /** The root type of a kind, or undefined when the schema does not know it. */
  rootType(gvk: GroupVersionKind): SchemaType | undefined;
  /** Follows `ref` types to their definition; other types are returned as they are. */
  resolve(type: SchemaType): Exclude<SchemaType, RefType>;
}
