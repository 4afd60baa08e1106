import type { JsonObject, JsonValue, KubeObject } from "../../kube/value/json.js";
import { isJsonObject } from "../../kube/value/json.js";
import { SelectorParseError } from "../../kube/labels/selector.js";
import { metadataOf } from "../../kube/object.js";

/**
 * Field selectors as kube-apiserver parses them (k8s.io/apimachinery/pkg/fields/selector.go):
 * comma-joined `field=value`, `field==value`, `field!=value`, with `\,` `\=` `\\` escapes in values.
 * Which fields a kind supports is each API group's field label conversion
 * (k8s.io/kubernetes/pkg/apis/<group>/v1/conversion.go).
 */

export interface FieldRequirement {
  readonly field: string;
  readonly operator: "=" | "!=";
  readonly value: string;
}

/** Selectable fields of one object, absent fields reading as "" (fields.Set.Get). */
export type FieldValues = Readonly<Record<string, string>>;

export interface FieldSelector {
  readonly requirements: readonly FieldRequirement[];
  matches(object: KubeObject): boolean;
}

/** The kind a selector applies to. `custom` marks custom resources, whose error wording differs. */
export interface FieldSelectorTarget {
  readonly group: string;
  readonly kind: string;
  readonly namespaced: boolean;
  readonly custom?: boolean;
}

/** Splits on commas that are not escaped. */
function splitTerms(selector: string): string[] {
  if (selector === "") return [];
  const terms: string[] = [];
  let start = 0;
  let escaped = false;
  for (let index = 0; index < selector.length; index += 1) {
    const char = selector[index];
    if (escaped) escaped = false;
    else if (char === "\\") escaped = true;
    else if (char === ",") {
      terms.push(selector.slice(start, index));
      start = index + 1;
    }
  }
  terms.push(selector.slice(start));
  return terms;
}

const TERM_OPERATORS = ["!=", "==", "="] as const;

function splitTerm(term: string): FieldRequirement | undefined {
  for (let index = 0; index < term.length; index += 1) {
    const operator = TERM_OPERATORS.find((candidate) => term.startsWith(candidate, index));
    if (operator !== undefined) {
      return {
        field: term.slice(0, index),
        operator: operator === "!=" ? "!=" : "=",
        value: term.slice(index + operator.length),
      };
    }
  }
  return undefined;
}

/** fields.UnescapeValue. Go prints the offending rune as its number ("%v" of a rune). */
function unescapeValue(value: string): string {
  let result = "";
  let escaped = false;
  for (const char of value) {
    if (escaped) {
      if (char !== "\\" && char !== "," && char !== "=") {
        throw new SelectorParseError(`invalid field selector: invalid escape sequence: \\${char}`);
      }
      result += char;
      escaped = false;
    } else if (char === "\\") escaped = true;
    else if (char === "," || char === "=") {
      throw new SelectorParseError(
        `invalid field selector: unescaped character in value: ${char.codePointAt(0)}`,
      );
    } else result += char;
  }
  if (escaped) throw new SelectorParseError("invalid field selector: unescaped character in value: 92");
  return result;
}

/** Syntax only (fields.ParseSelector): the terms, sorted as the server sorts them. */
export function parseFieldRequirements(selector: string): readonly FieldRequirement[] {
  const requirements: FieldRequirement[] = [];
  for (const term of splitTerms(selector).sort()) {
    if (term === "") continue;
    const requirement = splitTerm(term);
    if (requirement === undefined) {
      throw new SelectorParseError(`invalid selector: '${selector}'; can't understand '${term}'`);
    }
    requirements.push({ ...requirement, value: unescapeValue(requirement.value) });
  }
  return requirements;
}

function path(object: JsonObject, dotted: string): JsonValue | undefined {
  let current: JsonValue | undefined = object;
  for (const segment of dotted.split(".")) {
    if (!isJsonObject(current)) return undefined;
    current = current[segment];
  }
  return current;
}

/** A field's value as the strategies' ToSelectableFields format it: strings as they are, numbers and booleans printed. */
function text(object: JsonObject, dotted: string): string {
  const value = path(object, dotted);
  if (typeof value === "string") return value;
  if (typeof value === "number" || typeof value === "boolean") return String(value);
  return "";
}

interface KindFields {
  /** Labels accepted, including the metadata ones where the conversion function lists them. */
  readonly labels: readonly string[];
  /** Old label → stored label (pods' `spec.host` is `spec.nodeName`). */
  readonly aliases?: Readonly<Record<string, string>>;
  /** Object path of each label, where it is not the label itself. */
  readonly paths?: Readonly<Record<string, string>>;
  readonly values?: (object: KubeObject) => FieldValues;
}

const METADATA = ["metadata.name", "metadata.namespace"] as const;

function podIP(object: KubeObject): string {
  const ips = path(object, "status.podIPs");
  const first = Array.isArray(ips) ? (ips as readonly JsonValue[])[0] : undefined;
  if (isJsonObject(first) && typeof first["ip"] === "string") return first["ip"];
  return text(object, "status.podIP");
}

const INVOLVED_OBJECT = [
  "kind",
  "namespace",
  "name",
  "uid",
  "apiVersion",
  "resourceVersion",
  "fieldPath",
] as const;

const KIND_FIELDS: Readonly<Record<string, KindFields>> = {
  "/Pod": {
    labels: [
      ...METADATA,
      "spec.nodeName",
      "spec.restartPolicy",
      "spec.schedulerName",
      "spec.serviceAccountName",
      "spec.hostNetwork",
      "status.phase",
      "status.podIP",
      "status.nominatedNodeName",
    ],
    aliases: { "spec.host": "spec.nodeName" },
    values: (object) => ({
      "status.podIP": podIP(object),
      "spec.hostNetwork": path(object, "spec.hostNetwork") === true ? "true" : "false",
    }),
  },
  "/Node": {
    labels: ["metadata.name", "spec.unschedulable"],
    values: (object) => ({
      "spec.unschedulable": path(object, "spec.unschedulable") === true ? "true" : "false",
    }),
  },
  "/ReplicationController": { labels: [...METADATA, "status.replicas"] },
  "/Event": {
    labels: [
      ...METADATA,
      ...INVOLVED_OBJECT.map((field) => `involvedObject.${field}`),
      "reason",
      "reportingComponent",
      "source",
      "type",
    ],
    paths: { source: "source.component" },
  },
  "/Namespace": { labels: ["metadata.name", "status.phase"] },
  "/Secret": { labels: [...METADATA, "type"] },
  "apps/ReplicaSet": { labels: [...METADATA, "status.replicas"] },
  "batch/Job": { labels: [...METADATA, "status.successful"] },
  "certificates.k8s.io/CertificateSigningRequest": { labels: ["metadata.name", "spec.signerName"] },
  "events.k8s.io/Event": {
    labels: [
      ...METADATA,
      ...INVOLVED_OBJECT.map((field) => `regarding.${field}`),
      "reason",
      "reportingController",
      "type",
    ],
  },
};

function unsupported(target: FieldSelectorTarget, label: string): SelectorParseError {
  if (target.custom === true || KIND_FIELDS[`${target.group}/${target.kind}`] !== undefined) {
    return new SelectorParseError(`field label not supported: ${label}`);
  }
  // runtime.DefaultMetaV1FieldSelectorConversion, for kinds without their own conversion.
  return new SelectorParseError(
    `"${label}" is not a known field selector: only "metadata.name", "metadata.namespace"`,
  );
}

function supportedLabels(target: FieldSelectorTarget): readonly string[] {
  const fields = KIND_FIELDS[`${target.group}/${target.kind}`];
  if (fields !== undefined && target.custom !== true) return fields.labels;
  // Custom resources take metadata.namespace only when namespaced (apiextensions crConverter).
  return target.custom === true && !target.namespaced ? ["metadata.name"] : METADATA;
}

function convertLabel(target: FieldSelectorTarget, label: string): string {
  const fields = target.custom === true ? undefined : KIND_FIELDS[`${target.group}/${target.kind}`];
  const alias = fields?.aliases?.[label];
  if (alias !== undefined) return alias;
  if (!supportedLabels(target).includes(label)) throw unsupported(target, label);
  return label;
}

/** The values of the selectable fields of an object of the target kind. */
export function selectableFields(target: FieldSelectorTarget, object: KubeObject): FieldValues {
  const fields = target.custom === true ? undefined : KIND_FIELDS[`${target.group}/${target.kind}`];
  const values: Record<string, string> = { ...metadataFields(target, object) };
  if (fields === undefined) return values;
  for (const label of fields.labels) {
    if (!label.startsWith("metadata.")) values[label] = text(object, fields.paths?.[label] ?? label);
  }
  return { ...values, ...(fields.values?.(object) ?? {}) };
}

/** generic.ObjectMetaFieldsSet: metadata.namespace only for namespaced kinds. */
function metadataFields(target: FieldSelectorTarget, object: KubeObject): FieldValues {
  const metadata = metadataOf(object);
  const name = typeof metadata["name"] === "string" ? metadata["name"] : "";
  if (!target.namespaced) return { "metadata.name": name };
  const namespace = typeof metadata["namespace"] === "string" ? metadata["namespace"] : "";
  return { "metadata.name": name, "metadata.namespace": namespace };
}

/**
 * Parses a field selector for a kind; throws SelectorParseError with kube-apiserver's 400
 * message for bad syntax or an unsupported field.
 */
export function parseFieldSelector(selector: string, target: FieldSelectorTarget): FieldSelector {
  const requirements = parseFieldRequirements(selector).map((requirement) => ({
    ...requirement,
    field: convertLabel(target, requirement.field),
  }));
  return {
    requirements,
    matches: (object) => {
      if (requirements.length === 0) return true;
      const values = selectableFields(target, object);
      return requirements.every(
        (requirement) =>
          ((values[requirement.field] ?? "") === requirement.value) === (requirement.operator === "="),
      );
    },
  };
}
