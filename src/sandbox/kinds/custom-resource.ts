import type { JsonObject, JsonValue, KubeObject } from "../../kube/value/json.js";
import { isJsonObject } from "../../kube/value/json.js";
import { jsonEqual } from "../../kube/value/equal.js";
import { defaultObject } from "../../kube/defaulting/index.js";
import { schemaFor } from "../../kube/defaulting/structural.js";
import type { StatusCause } from "../api/status.js";
import type { KindStrategy, ScaleSubresource } from "./types.js";
import {
  listField,
  objectAt,
  objectField,
  objectItems,
  stringOr,
  withoutField,
} from "../../kube/defaulting/edit.js";
import { child, index, invalid, notSupported, required, typeInvalid } from "./validation/field.js";
import { validateObjectMeta } from "./validation/metadata.js";
import { validationRuleErrors } from "./validation/cel-rules.js";
import { isDNS1123Subdomain } from "./validation/names.js";

/**
 * Custom resources as apiextensions-apiserver serves them: defaults from the
 * version's structural schema, a useful subset of OpenAPI validation with the
 * messages of k8s.io/kube-openapi's validator, and subresources from the CRD.
 */

type JsonSchema = JsonObject;

// Validation ---------------------------------------------------------------------------------

function jsonTypeOf(value: JsonValue): string {
  if (value === null) return "null";
  if (Array.isArray(value)) return "array";
  if (typeof value === "number") return Number.isInteger(value) ? "integer" : "number";
  return typeof value === "object" ? "object" : typeof value;
}

function typeMatches(value: JsonValue, schema: JsonSchema): boolean {
  const actual = jsonTypeOf(value);
  if (schema["x-kubernetes-int-or-string"] === true) return actual === "integer" || actual === "string";
  const expected = schema["type"];
  if (typeof expected !== "string") return true;
  if (value === null) return schema["nullable"] === true;
  return actual === expected || (expected === "number" && actual === "integer");
}

function numberBounds(value: number, schema: JsonSchema, path: string): readonly StatusCause[] {
  const minimum = schema["minimum"];
  const maximum = schema["maximum"];
  if (typeof minimum === "number" && value < minimum) {
    return [invalid(path, value, `${path} in body should be greater than or equal to ${minimum}`)];
  }
  if (typeof maximum === "number" && value > maximum) {
    return [invalid(path, value, `${path} in body should be less than or equal to ${maximum}`)];
  }
  return [];
}

function stringBounds(value: string, schema: JsonSchema, path: string): readonly StatusCause[] {
  const { minLength, maxLength, pattern } = schema;
  if (typeof maxLength === "number" && [...value].length > maxLength) {
    return [
      { reason: "FieldValueTooLong", message: `Too long: may not be longer than ${maxLength}`, field: path },
    ];
  }
  if (typeof minLength === "number" && [...value].length < minLength) {
    return [invalid(path, value, `${path} in body should be at least ${minLength} chars long`)];
  }
  if (typeof pattern === "string" && !new RegExp(pattern, "u").test(value)) {
    return [invalid(path, value, `${path} in body should match '${pattern}'`)];
  }
  return [];
}

function listBounds(value: readonly JsonValue[], schema: JsonSchema, path: string): readonly StatusCause[] {
  const { minItems, maxItems } = schema;
  if (typeof maxItems === "number" && value.length > maxItems) {
    return [
      {
        reason: "FieldValueTooMany",
        message: `Too many: ${value.length}: must have at most ${maxItems} items`,
        field: path,
      },
    ];
  }
  if (typeof minItems === "number" && value.length < minItems) {
    return [invalid(path, value.length, `${path} in body should have at least ${minItems} items`)];
  }
  return [];
}

function enumErrors(value: JsonValue, schema: JsonSchema, path: string): readonly StatusCause[] {
  const allowed = schema["enum"];
  if (
    !Array.isArray(allowed) ||
    (allowed as readonly JsonValue[]).some((candidate) => jsonEqual(candidate, value))
  )
    return [];
  return [
    notSupported(
      path,
      value,
      (allowed as readonly JsonValue[]).map((item) =>
        typeof item === "string" ? item : JSON.stringify(item),
      ),
    ),
  ];
}

function objectErrors(value: JsonObject, schema: JsonSchema, path: string): readonly StatusCause[] {
  const requiredFields = Array.isArray(schema["required"])
    ? (schema["required"] as readonly JsonValue[])
    : [];
  const missing = requiredFields
    .filter((field): field is string => typeof field === "string" && value[field] === undefined)
    .map((field) => required(child(path, field)));
  const nested = Object.entries(value).flatMap(([property, propertyValue]) => {
    const propertySchema = schemaFor(schema, property);
    return propertySchema === undefined
      ? []
      : validateValue(propertyValue, propertySchema, child(path, property));
  });
  return [...missing, ...nested];
}

function valueErrors(value: JsonValue, schema: JsonSchema, path: string): readonly StatusCause[] {
  if (typeof value === "number") return numberBounds(value, schema, path);
  if (typeof value === "string") return stringBounds(value, schema, path);
  if (Array.isArray(value)) {
    const list = value as readonly JsonValue[];
    const items = objectField(schema, "items");
    const itemErrors =
      items === undefined
        ? []
        : list.flatMap((item, position) => validateValue(item, items, index(path, position)));
    return [...listBounds(list, schema, path), ...itemErrors];
  }
  return isJsonObject(value) ? objectErrors(value, schema, path) : [];
}

/** Validates a value against a CRD's openAPIV3Schema node; paths like `spec.items[0].name`. */
export function validateValue(value: JsonValue, schema: JsonSchema, path: string): readonly StatusCause[] {
  if (!typeMatches(value, schema)) {
    const actual = jsonTypeOf(value);
    return [
      typeInvalid(
        path,
        actual,
        `${path} in body must be of type ${stringOr(schema["type"])}: ${JSON.stringify(actual)}`,
      ),
    ];
  }
  if (value === null) return [];
  return [...enumErrors(value, schema, path), ...valueErrors(value, schema, path)];
}

// Strategy -----------------------------------------------------------------------------------

function crdVersion(crd: KubeObject, version: string): JsonObject | undefined {
  return objectItems(objectField(crd, "spec") ?? {}, "versions").find(
    (candidate) => candidate["name"] === version,
  );
}

function scaleOf(subresources: JsonObject | undefined): ScaleSubresource | undefined {
  const scale = subresources === undefined ? undefined : objectField(subresources, "scale");
  if (scale === undefined) return undefined;
  const selector = scale["labelSelectorPath"];
  return {
    specReplicasPath: stringOr(scale["specReplicasPath"], ".spec.replicas"),
    statusReplicasPath: stringOr(scale["statusReplicasPath"], ".status.replicas"),
    ...(typeof selector === "string" ? { labelSelectorPath: selector } : {}),
  };
}

/** Validates the object's fields other than apiVersion, kind and metadata, which the server owns. */
function validateBody(object: KubeObject, schema: JsonSchema | undefined): readonly StatusCause[] {
  if (schema === undefined) return [];
  const body = Object.fromEntries(
    Object.entries(object).filter(([field]) => !["apiVersion", "kind", "metadata"].includes(field)),
  );
  const serverOwned = ["apiVersion", "kind", "metadata"];
  const requiredFields = (listField(schema, "required") ?? []).filter(
    (field) => !serverOwned.includes(stringOr(field)),
  );
  const rootSchema = { ...schema, required: requiredFields };
  return objectErrors(body, rootSchema, "");
}

/** The strategy for one served version of a custom resource; schema and subresources come from the CRD. */
export function customResourceStrategy(crd: KubeObject, version: string): KindStrategy {
  const spec = objectField(crd, "spec") ?? {};
  const served = crdVersion(crd, version);
  const schema = objectAt(served ?? {}, ["schema", "openAPIV3Schema"]);
  const subresources = objectField(served ?? {}, "subresources");
  const hasStatus = subresources !== undefined && objectField(subresources, "status") !== undefined;
  const scale = scaleOf(subresources);
  const gvk = {
    group: stringOr(spec["group"]),
    version,
    kind: stringOr(objectAt(spec, ["names"])?.["kind"]),
  };
  return {
    gvk,
    tracksGeneration: true,
    hasStatus,
    ...(scale === undefined ? {} : { scale }),
    applyDefaults(object) {
      return defaultObject(gvk, object, schema);
    },
    prepare(object, old) {
      // With a status subresource, PrepareForCreate drops the status a client sends.
      return old === undefined && hasStatus ? withoutField(object, "status") : object;
    },
    validate(object, old) {
      return [
        ...validateObjectMeta(object, isDNS1123Subdomain),
        ...validateBody(object, schema),
        ...(schema === undefined ? [] : validationRuleErrors(schema, object, old)),
      ];
    },
  };
}
