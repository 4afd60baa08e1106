import { TypeResolver } from "../../kube/schema/resolver.js";
import { apiVersionOf } from "../../kube/schema/gvk.js";
import type {
  GroupVersionKind,
  ListType,
  MapType,
  RefType,
  ScalarType,
  Schema,
  SchemaType,
  StructType,
} from "../../kube/schema/types.js";
import { jsonEqual } from "../../kube/value/equal.js";
import type { JsonObject, JsonValue } from "../../kube/value/json.js";
import { isJsonObject } from "../../kube/value/json.js";
import { escapePointerToken } from "../../kube/value/pointer.js";
import { acceptsScalar, expectedScalar, jsonTypeOf, showValue } from "./scalars.js";

export const SchemaCheckIds = {
  unknownKind: "schema-unknown-kind",
  unknownField: "schema-unknown-field",
  type: "schema-type",
  required: "schema-required",
  enum: "schema-enum",
} as const;
export type SchemaCheckId = (typeof SchemaCheckIds)[keyof typeof SchemaCheckIds];

export interface SchemaFinding {
  readonly check: SchemaCheckId;
  /** JSON Pointer (RFC 6901) of the offending field; of the object missing a required field. */
  readonly path: string;
  readonly message: string;
}

const objectMeta: RefType = { kind: "ref", name: "io.k8s.apimachinery.pkg.apis.meta.v1.ObjectMeta" };

/** One object's walk: the path is a stack of tokens, spelled out only when a finding needs it. */
interface Walk {
  readonly types: TypeResolver;
  readonly tokens: (string | number)[];
  readonly findings: SchemaFinding[];
  /** Secret `data` and `stringData` hold credentials: their values never reach a report. */
  readonly withholdsValues: boolean;
}

function pointerOfTokens(tokens: readonly (string | number)[]): string {
  let pointer = "";
  for (const token of tokens) pointer += `/${typeof token === "number" ? token : escapePointerToken(token)}`;
  return pointer;
}

/** `spec.template.spec.containers[0].image`, as kubectl and kube-apiserver name fields. */
function fieldName(tokens: readonly (string | number)[]): string {
  let name = "";
  for (const token of tokens) {
    if (typeof token === "number") name += `[${token}]`;
    else name += name === "" ? token : `.${token}`;
  }
  return name === "" ? "the object" : name;
}

function shown(walk: Walk, value: JsonValue): string {
  const secretValue = walk.withholdsValues && (walk.tokens[0] === "data" || walk.tokens[0] === "stringData");
  return secretValue ? "(value withheld)" : `${showValue(value)} (${jsonTypeOf(value)})`;
}

function report(walk: Walk, check: SchemaCheckId, message: string): void {
  walk.findings.push({ check, path: pointerOfTokens(walk.tokens), message });
}

function reportType(walk: Walk, value: JsonValue, expected: string): void {
  report(
    walk,
    SchemaCheckIds.type,
    `${fieldName(walk.tokens)} is ${shown(walk, value)}; expected ${expected}`,
  );
}

function visit(walk: Walk, type: SchemaType, value: JsonValue): void {
  // Kubernetes decodes null as an absent field, and kubeconform's schemas accept null everywhere.
  if (value === null) return;
  const resolved = walk.types.resolve(type);
  switch (resolved.kind) {
    case "struct":
      if (isJsonObject(value)) visitStruct(walk, resolved, value);
      else reportType(walk, value, "object");
      return;
    case "map":
      if (isJsonObject(value)) visitMap(walk, resolved, value);
      else reportType(walk, value, "object");
      return;
    case "list":
      if (Array.isArray(value)) visitList(walk, resolved, value as readonly JsonValue[]);
      else reportType(walk, value, "array");
      return;
    case "scalar":
      visitScalar(walk, resolved, value);
      return;
    case "untyped":
      return;
  }
}

function visitChild(walk: Walk, token: string | number, type: SchemaType, value: JsonValue): void {
  walk.tokens.push(token);
  visit(walk, type, value);
  walk.tokens.pop();
}

/**
 * apiextensions-apiserver validates the `metadata` of an embedded resource as ObjectMeta
 * whatever the CRD's schema says of it (a schema may only narrow it).
 */
function fieldType(type: StructType, key: string): SchemaType | undefined {
  if (type.embeddedResource === true && key === "metadata") return objectMeta;
  return Object.hasOwn(type.fields, key) ? type.fields[key] : undefined;
}

/**
 * A custom resource's `status` is written by its controller and dropped on apply when the
 * CRD does not declare it; kubeconform lets CRD roots carry fields their schema omits.
 */
function toleratesUnknown(walk: Walk, type: StructType, key: string): boolean {
  return type.preserveUnknownFields === true || (walk.tokens.length === 0 && key === "status");
}

function visitStruct(walk: Walk, type: StructType, value: JsonObject): void {
  for (const key of Object.keys(value)) {
    const field = fieldType(type, key);
    if (field !== undefined) visitChild(walk, key, field, value[key]);
    else if (!toleratesUnknown(walk, type, key)) reportUnknown(walk, key);
  }
  if (type.required !== undefined) checkRequired(walk, type.required, value);
}

function reportUnknown(walk: Walk, key: string): void {
  walk.tokens.push(key);
  report(walk, SchemaCheckIds.unknownField, `unknown field "${fieldName(walk.tokens)}"`);
  walk.tokens.pop();
}

function checkRequired(walk: Walk, required: readonly string[], value: JsonObject): void {
  for (const name of required) {
    // A null field is absent once decoded, so it does not satisfy `required` in Kubernetes.
    if (!Object.hasOwn(value, name) || value[name] === null) {
      report(walk, SchemaCheckIds.required, `${fieldName(walk.tokens)} is missing required field "${name}"`);
    }
  }
}

function visitMap(walk: Walk, type: MapType, value: JsonObject): void {
  for (const key of Object.keys(value)) visitChild(walk, key, type.values, value[key]);
}

function visitList(walk: Walk, type: ListType, value: readonly JsonValue[]): void {
  for (let index = 0; index < value.length; index++) visitChild(walk, index, type.items, value[index]);
}

function visitScalar(walk: Walk, type: ScalarType, value: JsonValue): void {
  if (!acceptsScalar(type.scalar, value)) {
    reportType(walk, value, expectedScalar(type.scalar));
    return;
  }
  const allowed = type.enum;
  if (allowed === undefined || allowed.some((item) => jsonEqual(item as JsonValue, value))) return;
  const listed = allowed.map((item) => JSON.stringify(item)).join(", ");
  report(walk, SchemaCheckIds.enum, `${fieldName(walk.tokens)} is ${shown(walk, value)}; allowed: ${listed}`);
}

function unknownKind(gvk: GroupVersionKind): SchemaFinding {
  const apiVersion = JSON.stringify(apiVersionOf(gvk));
  return {
    check: SchemaCheckIds.unknownKind,
    path: "",
    message:
      `no schema for apiVersion ${apiVersion}, kind ${JSON.stringify(gvk.kind)}: ` +
      "add its CustomResourceDefinition to the sources, or pass --live to read it from the cluster",
  };
}

/**
 * Validates objects against a schema as kubeconform does in strict mode, in one walk per
 * object for all the schema checks.
 */
export class SchemaValidator {
  private readonly types: TypeResolver;

  constructor(schema: Schema) {
    this.types = new TypeResolver(schema);
  }

  validate(gvk: GroupVersionKind, object: JsonObject): readonly SchemaFinding[] {
    const root = this.types.schema.rootType(gvk);
    if (root === undefined) return [unknownKind(gvk)];
    const walk: Walk = {
      types: this.types,
      tokens: [],
      findings: [],
      withholdsValues: gvk.group === "" && gvk.kind === "Secret",
    };
    visit(walk, root, object);
    return walk.findings;
  }
}
