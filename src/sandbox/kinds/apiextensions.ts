import type { JsonObject, KubeObject } from "../../kube/value/json.js";
import type { StatusCause } from "../api/status.js";
import type { KindStrategy } from "./types.js";
import { defineStrategy } from "./define.js";
import { isUnset, stringOr, objectAt, objectField, objectItems } from "../../kube/defaulting/edit.js";
import { immutable, index, invalid, notSupported, required } from "./validation/field.js";
import { ruleCompilationErrors } from "./validation/cel-rules.js";
import { metadataOf } from "../../kube/object.js";
import { formatTime } from "../../kube/time.js";

/**
 * CustomResourceDefinitions: apiextensions v1 defaults, and the status that the
 * naming and establishing controllers write — at once in the sandbox, which has
 * no informer lag to wait for.
 */

function storageVersion(object: KubeObject): string | undefined {
  const versions = objectItems(objectField(object, "spec") ?? {}, "versions");
  const storage = versions.find((version) => version["storage"] === true);
  return typeof storage?.["name"] === "string" ? storage["name"] : undefined;
}

function acceptedNames(names: JsonObject): JsonObject {
  const fields = ["plural", "singular", "shortNames", "kind", "listKind", "categories"];
  return Object.fromEntries(
    fields.filter((field) => names[field] !== undefined).map((field) => [field, names[field] ?? null]),
  );
}

/** The status the naming controller (NamesAccepted) and establishing controller (Established) write. */
export function establishedStatus(object: KubeObject, now: Date = new Date()): JsonObject {
  const names = objectAt(object, ["spec", "names"]) ?? {};
  const time = formatTime(now);
  const version = storageVersion(object);
  return {
    acceptedNames: acceptedNames(names),
    conditions: [
      {
        lastTransitionTime: time,
        message: "no conflicts found",
        reason: "NoConflicts",
        status: "True",
        type: "NamesAccepted",
      },
      {
        lastTransitionTime: time,
        message: "the initial names have been accepted",
        reason: "InitialNamesAccepted",
        status: "True",
        type: "Established",
      },
    ],
    storedVersions: version === undefined ? [] : [version],
  };
}

function validateCrdNames(object: KubeObject, spec: JsonObject): readonly StatusCause[] {
  const names = objectField(spec, "names") ?? {};
  const errors: StatusCause[] = [];
  if (isUnset(names["plural"])) errors.push(required("spec.names.plural"));
  if (isUnset(names["kind"])) errors.push(required("spec.names.kind"));
  const name = metadataOf(object)["name"];
  const expected = `${stringOr(names["plural"])}.${stringOr(spec["group"])}`;
  if (typeof name === "string" && name !== "" && name !== expected) {
    errors.push(invalid("metadata.name", name, 'must be spec.names.plural+"."+spec.group'));
  }
  return errors;
}

/** CEL rules that do not compile make the CRD invalid, so no custom resource meets them at runtime. */
function versionRuleErrors(versions: readonly JsonObject[]): readonly StatusCause[] {
  return versions.flatMap((version, position) => {
    const schema = objectAt(version, ["schema", "openAPIV3Schema"]);
    const path = `${index("spec.versions", position)}.schema.openAPIV3Schema`;
    return schema === undefined ? [] : ruleCompilationErrors(schema, path);
  });
}

function validateCrd(object: KubeObject): readonly StatusCause[] {
  const spec = objectField(object, "spec") ?? {};
  const group = spec["group"];
  const errors: StatusCause[] = [];
  if (isUnset(group)) errors.push(required("spec.group"));
  else if (typeof group === "string" && !group.includes(".")) {
    errors.push(invalid("spec.group", group, "should be a domain with at least one dot"));
  }
  const scope = spec["scope"];
  if (scope !== "Cluster" && scope !== "Namespaced")
    errors.push(notSupported("spec.scope", scope ?? "", ["Cluster", "Namespaced"]));
  const versions = objectItems(spec, "versions");
  if (versions.length === 0)
    errors.push(required("spec.versions", "must have exactly one version marked as storage version"));
  else if (versions.filter((version) => version["storage"] === true).length !== 1) {
    errors.push(
      invalid(
        "spec.versions",
        { goLiteral: "[]apiextensions.CustomResourceDefinitionVersion{…}" },
        "must have exactly one version marked as storage version",
      ),
    );
  }
  return [...errors, ...validateCrdNames(object, spec), ...versionRuleErrors(versions)];
}

function validateCrdUpdate(object: KubeObject, old: KubeObject): readonly StatusCause[] {
  const scope = objectField(object, "spec")?.["scope"];
  const oldScope = objectField(old, "spec")?.["scope"];
  return scope === oldScope ? [] : [immutable("spec.scope", scope ?? "")];
}

export const customResourceDefinitionStrategy: KindStrategy = defineStrategy({
  gvk: { group: "apiextensions.k8s.io", version: "v1", kind: "CustomResourceDefinition" },
  tracksGeneration: true,
  hasStatus: true,
  // CRD names are `<plural>.<group>`; validateCrd checks the exact form.
  initialStatus: (object) => establishedStatus(object),
  validateSpec: validateCrd,
  validateUpdate: validateCrdUpdate,
});
