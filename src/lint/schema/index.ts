/**
 * Schema validation for `kubedrift lint` (issue 15): each desired object against the
 * Kubernetes 1.32 schema of its kind, built-in or from a CRD, as kubeconform checks it
 * in strict mode. One walk per object serves all five checks.
 */
import type { Schema } from "../../kube/schema/types.js";
import type { DesiredObject } from "../../model/index.js";
import type { Check, CheckResult } from "../types.js";
import type { SchemaCheckId } from "./validate.js";
import { SchemaCheckIds, SchemaValidator } from "./validate.js";

export { SchemaCheckIds } from "./validate.js";
export type { SchemaCheckId } from "./validate.js";

/** A check as the runner lists it; its `run` needs a schema, which `schemaChecks` supplies. */
export type SchemaCheckInfo = Omit<Check, "run"> & { readonly id: SchemaCheckId };

export const schemaUnknownKind: SchemaCheckInfo = {
  id: SchemaCheckIds.unknownKind,
  severity: "error",
  category: "schema",
  summary: "The object's apiVersion and kind have no schema: nothing about it can be validated",
  hint: "Add the kind's CustomResourceDefinition to the sources, pass --live to read it from the cluster, or fix the apiVersion",
};

export const schemaUnknownField: SchemaCheckInfo = {
  id: SchemaCheckIds.unknownField,
  severity: "error",
  category: "schema",
  summary: "A field the schema does not declare: kube-apiserver rejects it (strict) or drops it silently",
  hint: "Fix the field's spelling or indentation, or remove it",
};

export const schemaType: SchemaCheckInfo = {
  id: SchemaCheckIds.type,
  severity: "error",
  category: "schema",
  summary: "A value of the wrong type (a string where an integer is wanted, a malformed quantity or time)",
  hint: "Write the value as the type the message names (quote or unquote it in YAML)",
};

export const schemaRequired: SchemaCheckInfo = {
  id: SchemaCheckIds.required,
  severity: "error",
  category: "schema",
  summary: "A field the schema requires is missing: kube-apiserver rejects the object",
  hint: "Add the field the message names",
};

export const schemaEnum: SchemaCheckInfo = {
  id: SchemaCheckIds.enum,
  severity: "error",
  category: "schema",
  summary: "A value outside the schema's enum",
  hint: "Use one of the values the message lists",
};

const infos: readonly SchemaCheckInfo[] = [
  schemaUnknownKind,
  schemaUnknownField,
  schemaType,
  schemaRequired,
  schemaEnum,
];

type ResultsByCheck = ReadonlyMap<SchemaCheckId, readonly CheckResult[]>;

/** The findings of one walk, shared by the five checks that the runner calls one after another. */
class ValidationCache {
  private readonly validator: SchemaValidator;
  private readonly results = new WeakMap<DesiredObject, ResultsByCheck>();

  constructor(schema: Schema) {
    this.validator = new SchemaValidator(schema);
  }

  resultsOf(desired: DesiredObject, check: SchemaCheckId): readonly CheckResult[] {
    let byCheck = this.results.get(desired);
    if (byCheck === undefined) {
      byCheck = this.validate(desired);
      this.results.set(desired, byCheck);
    }
    return byCheck.get(check) ?? [];
  }

  private validate(desired: DesiredObject): ResultsByCheck {
    const byCheck = new Map<SchemaCheckId, CheckResult[]>();
    for (const { check, path, message } of this.validator.validate(desired.ref, desired.object)) {
      const results = byCheck.get(check);
      if (results === undefined) byCheck.set(check, [{ path, message }]);
      else results.push({ path, message });
    }
    return byCheck;
  }
}

/** The schema checks against `schema`: the built-in kinds plus the CRDs the caller found (`withCRDs`). */
export function schemaChecks(schema: Schema): readonly Check[] {
  const cache = new ValidationCache(schema);
  return infos.map((info) => ({ ...info, run: (object: DesiredObject) => cache.resultsOf(object, info.id) }));
}
