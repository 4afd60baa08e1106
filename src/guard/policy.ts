/**
 * `guard --emit-policy` (issue 14): the guard's decisions as ValidatingAdmissionPolicies
 * (admissionregistration.k8s.io/v1, Kubernetes ≥ 1.30) in CEL, for clusters where no webhook
 * should run. One policy and binding per kind and action (`validationActions` `[Deny]`, `[Warn]` or
 * `[Audit]`), chunked to stay far below kube-apiserver's limits; `matchConditions` select the
 * managed objects, leave the deployers and break-glass writes out; each managed field is pinned to
 * Git's value with a message naming it; one Audit policy per kind notes break-glass writes in the
 * audit log. What CEL cannot say as the engine means it is refused,
 * with the reason, rather than approximated.
 */
import { lastMatchingRule } from "../engine/index.js";
import type { GuardAction, GuardConfig } from "../engine/index.js";
import { readablePath } from "../kube/fieldpath/readable.js";
import { canonicalizeQuantities } from "../kube/schema/walk.js";
import type { Schema } from "../kube/schema/types.js";
import type { JsonValue } from "../kube/value/json.js";
import type { DesiredObject } from "../model/index.js";
import { describeRef } from "../model/index.js";
import { breakGlassAnnotation } from "./decide.js";
import type { ServedResource } from "./webhook-config.js";

type Json = Record<string, unknown>;

export interface GeneratedPolicies {
  /** ValidatingAdmissionPolicy and ValidatingAdmissionPolicyBinding objects, in pairs. */
  readonly objects: readonly Json[];
  /** What was left out, and why (`Deployment shop/web: spec.template.spec.volumes: a list without a key`). */
  readonly refused: readonly string[];
}

/** Validations per policy: kube-apiserver estimates each expression's cost; small policies stay within it. */
export const maxValidationsPerPolicy = 50;

const actionNames: Readonly<Record<GuardAction, string>> = { deny: "Deny", warn: "Warn", audit: "Audit" };

export function celString(value: string): string {
  return `'${value.replaceAll("\\", "\\\\").replaceAll("'", "\\'")}'`;
}

function celLiteral(value: JsonValue): string | undefined {
  if (typeof value === "string") return celString(value);
  if (typeof value === "boolean") return String(value);
  if (typeof value === "number") return Number.isInteger(value) ? String(value) : undefined;
  if (!isList(value)) return undefined;
  const items = value.map((item: JsonValue) =>
    item === null || typeof item === "object" ? undefined : celLiteral(item),
  );
  return items.every((item) => item !== undefined) ? `[${items.join(", ")}]` : undefined;
}

function isList(value: JsonValue): value is readonly JsonValue[] {
  return Array.isArray(value);
}

function isMap(value: JsonValue): value is { readonly [key: string]: JsonValue } {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

const identifier = /^[A-Za-z_][A-Za-z0-9_]*$/;

/** `x.key`, or `x['key']` for map keys (labels, annotations) that are not identifiers. */
function step(base: string, key: string): { readonly access: string; readonly present: string } {
  return identifier.test(key)
    ? { access: `${base}.${key}`, present: `has(${base}.${key})` }
    : { access: `${base}[${celString(key)}]`, present: `${celString(key)} in ${base}` };
}

interface Check {
  readonly path: string;
  readonly expression: string;
  readonly shown: JsonValue;
}

interface Walk {
  readonly base: string;
  readonly pointer: string;
  readonly guards: readonly string[];
}

function joinChecks(guards: readonly string[], last: string): string {
  return [...guards, last].join(" && ");
}

/** A field the generated policies leave to the webhook: its JSON Pointer, and why CEL cannot pin it. */
export interface PolicyRefusal {
  readonly path: string;
  readonly why: string;
}

/** The checks that pin each field of `value` under `at`, and what CEL cannot say. */
function checksOf(value: JsonValue, at: Walk, refused: PolicyRefusal[]): Check[] {
  if (Array.isArray(value)) return listChecks(value, at, refused);
  if (typeof value === "object" && value !== null) {
    return Object.entries(value).flatMap(([key, child]) => {
      const next = step(at.base, key);
      return checksOf(
        child,
        { base: next.access, pointer: `${at.pointer}/${key}`, guards: [...at.guards, next.present] },
        refused,
      );
    });
  }
  const literal = value === null ? undefined : celLiteral(value);
  if (literal === undefined) {
    refused.push({ path: at.pointer, why: `${JSON.stringify(value)} has no exact CEL literal` });
    return [];
  }
  return [{ path: at.pointer, expression: joinChecks(at.guards, `${at.base} == ${literal}`), shown: value }];
}

/**
 * The merge keys of the built-in keyed lists (containers and env by name, ports by containerPort or
 * port, volumeMounts by mountPath, …): how an item is found again in the live list.
 */
const itemKeys = ["name", "containerPort", "port", "mountPath", "devicePath", "ip", "key"] as const;

function itemKeyOf(item: JsonValue): { readonly key: string; readonly literal: string } | undefined {
  if (!isMap(item)) return undefined;
  for (const key of itemKeys) {
    const value = item[key];
    const literal =
      value === undefined || value === null || typeof value === "object" ? undefined : celLiteral(value);
    if (literal !== undefined) return { key, literal };
  }
  return undefined;
}

/** A list of scalars is compared whole; a list of objects item by item, found by its merge key. */
function listChecks(value: readonly JsonValue[], at: Walk, refused: PolicyRefusal[]): Check[] {
  const literal = celLiteral(value);
  if (literal !== undefined)
    return [
      {
        path: at.pointer,
        expression: joinChecks(at.guards, `${at.base} == ${literal}`),
        shown: value,
      },
    ];
  return value.flatMap((item, index) => {
    const found = itemKeyOf(item);
    if (found === undefined) {
      refused.push({ path: `${at.pointer}/${index}`, why: "an item of a list without a key to find it by" });
      return [];
    }
    const inner = checksOf(item, { base: "i", pointer: `${at.pointer}/${index}`, guards: [] }, refused);
    return inner.map((check) => ({
      ...check,
      expression: joinChecks(
        at.guards,
        `${at.base}.exists(i, i.${found.key} == ${found.literal} && ${check.expression})`,
      ),
    }));
  });
}

/** The fields Git sets that a write could change: spec and the rest, labels and annotations; not identity or status. */
function managedFields(desired: DesiredObject, refused: PolicyRefusal[]): Check[] {
  const {
    apiVersion: _v,
    kind: _k,
    metadata,
    status: _s,
    ...rest
  } = desired.object as Record<string, JsonValue>;
  const meta = (metadata ?? {}) as Record<string, JsonValue>;
  const kept: Record<string, JsonValue> = { ...rest };
  const labelled = Object.fromEntries(
    ["labels", "annotations"].flatMap((key) => (meta[key] === undefined ? [] : [[key, meta[key]]])),
  );
  const start = { base: "object", pointer: "", guards: [] };
  return [
    ...checksOf(kept, start, refused),
    ...checksOf(
      labelled,
      { base: "object.metadata", pointer: "/metadata", guards: ["has(object.metadata)"] },
      refused,
    ),
  ];
}

function keyOf(desired: DesiredObject): string {
  return `${desired.ref.namespace}/${desired.ref.name}`;
}

function validationsFor(desired: DesiredObject, checks: readonly Check[]): Json[] {
  const key = celString(keyOf(desired));
  const what = describeRef(desired.ref);
  return checks.map((check) => ({
    // A DELETE has no object, and a /scale write's object is the Scale: other validations judge those.
    expression: `variables.key != ${key} || request.operation == 'DELETE' || request.subResource == 'scale' || (${check.expression})`,
    messageExpression: celString(
      `kubedrift: ${what} is managed from Git: ${readablePath(check.path)} must be ${JSON.stringify(check.shown)}`,
    ),
    reason: "Forbidden",
  }));
}

function scaleValidation(desired: DesiredObject): Json[] {
  const replicas = (desired.object["spec"] as Record<string, JsonValue> | undefined)?.["replicas"];
  if (typeof replicas !== "number") return [];
  const key = celString(keyOf(desired));
  return [
    {
      expression: `variables.key != ${key} || request.subResource != 'scale' || request.operation == 'DELETE' || object.spec.replicas == ${replicas}`,
      messageExpression: celString(
        `kubedrift: ${describeRef(desired.ref)} is managed from Git: spec.replicas must be ${replicas}`,
      ),
      reason: "Forbidden",
    },
  ];
}

function deletion(objects: readonly DesiredObject[]): Json {
  const keys = objects.map((object) => celString(keyOf(object))).join(", ");
  return {
    expression: `request.operation != 'DELETE' || request.subResource == 'scale' || !(variables.key in [${keys}])`,
    messageExpression: "'kubedrift: ' + variables.key + ' is declared in Git and may not be deleted'",
    reason: "Forbidden",
  };
}

function matchConditions(objects: readonly DesiredObject[], guard: GuardConfig): Json[] {
  const keys = objects.map((object) => celString(keyOf(object))).join(", ");
  const users = guard.allow.users.map(celString).join(", ");
  const groups = guard.allow.groups.map(celString).join(", ");
  return [
    { name: "managed-by-git", expression: `(request.namespace + '/' + request.name) in [${keys}]` },
    ...(users === ""
      ? []
      : [{ name: "not-a-deploying-user", expression: `!(request.userInfo.username in [${users}])` }]),
    ...(groups === ""
      ? []
      : [
          {
            name: "not-a-deploying-group",
            expression: `!request.userInfo.groups.exists(g, g in [${groups}])`,
          },
        ]),
    {
      name: "no-break-glass",
      expression: `request.operation == 'DELETE' || request.subResource == 'scale' || !has(object.metadata.annotations) || !(${celString(breakGlassAnnotation)} in object.metadata.annotations)`,
    },
  ];
}

function policyPair(
  name: string,
  resource: ServedResource,
  parts: {
    readonly objects: readonly DesiredObject[];
    readonly validations: readonly Json[];
    readonly action: GuardAction;
    readonly guard: GuardConfig;
  },
): Json[] {
  const resources = [
    resource.resource,
    ...(["Deployment", "StatefulSet", "ReplicaSet"].includes(resource.kind)
      ? [`${resource.resource}/scale`]
      : []),
  ];
  return [
    {
      apiVersion: "admissionregistration.k8s.io/v1",
      kind: "ValidatingAdmissionPolicy",
      metadata: { name, labels: { "app.kubernetes.io/name": "kubedrift" } },
      spec: {
        failurePolicy: parts.action === "deny" ? "Fail" : "Ignore",
        matchConstraints: {
          resourceRules: [
            {
              apiGroups: [resource.group],
              apiVersions: [resource.version],
              resources,
              operations: ["CREATE", "UPDATE", "DELETE"],
            },
          ],
        },
        matchConditions: matchConditions(parts.objects, parts.guard),
        variables: [{ name: "key", expression: "request.namespace + '/' + request.name" }],
        validations: parts.validations,
      },
    },
    {
      apiVersion: "admissionregistration.k8s.io/v1",
      kind: "ValidatingAdmissionPolicyBinding",
      metadata: { name, labels: { "app.kubernetes.io/name": "kubedrift" } },
      spec: { policyName: name, validationActions: [actionNames[parts.action]] },
    },
  ];
}

function resourceName(resource: ServedResource): string {
  return `${resource.resource}${resource.group === "" ? "" : `.${resource.group}`}`;
}

/**
 * A break-glass write skips the policies above (their matchConditions), so nothing of theirs
 * would note it. This Audit policy does: its auditAnnotation `<policy>/break-glass` carries the
 * reason into the API server's audit log, where `kubedrift watch` (its audit webhook) reads it
 * and records it with the user, as `guard` records what it lets through.
 */
function breakGlassRecorder(resource: ServedResource, objects: readonly DesiredObject[]): Json[] {
  const name = `kubedrift-${resourceName(resource)}-break-glass`;
  const keys = objects.map((object) => celString(keyOf(object))).join(", ");
  const annotation = celString(breakGlassAnnotation);
  return [
    {
      apiVersion: "admissionregistration.k8s.io/v1",
      kind: "ValidatingAdmissionPolicy",
      metadata: { name, labels: { "app.kubernetes.io/name": "kubedrift" } },
      spec: {
        failurePolicy: "Ignore",
        matchConstraints: {
          resourceRules: [
            {
              apiGroups: [resource.group],
              apiVersions: [resource.version],
              resources: [resource.resource],
              operations: ["CREATE", "UPDATE"],
            },
          ],
        },
        matchConditions: [
          { name: "managed-by-git", expression: `(request.namespace + '/' + request.name) in [${keys}]` },
          {
            name: "breaks-glass",
            expression: `has(object.metadata.annotations) && ${annotation} in object.metadata.annotations`,
          },
        ],
        auditAnnotations: [
          { key: "break-glass", valueExpression: `object.metadata.annotations[${annotation}]` },
        ],
      },
    },
    {
      apiVersion: "admissionregistration.k8s.io/v1",
      kind: "ValidatingAdmissionPolicyBinding",
      metadata: { name, labels: { "app.kubernetes.io/name": "kubedrift" } },
      spec: { policyName: name, validationActions: ["Audit"] },
    },
  ];
}

interface Group {
  readonly resource: ServedResource;
  readonly action: GuardAction;
  /** Each object's validations under this action, in the order the objects came. */
  readonly validations: Map<DesiredObject, Json[]>;
  /** The objects whose deletion (the whole object's action) this group judges. */
  readonly whole: Set<DesiredObject>;
}

function groupsOf(
  desired: readonly DesiredObject[],
  served: ReadonlyMap<string, ServedResource>,
  guard: GuardConfig,
  refused: string[],
): Group[] {
  const groups = new Map<string, Group>();
  const groupFor = (resource: ServedResource, action: GuardAction): Group => {
    const key = `${resource.group}/${resource.kind}/${action}`;
    const group = groups.get(key) ?? { resource, action, validations: new Map(), whole: new Set() };
    groups.set(key, group);
    return group;
  };
  const validationsOf = (group: Group, object: DesiredObject): Json[] => {
    const validations = group.validations.get(object) ?? [];
    group.validations.set(object, validations);
    return validations;
  };
  for (const object of desired) {
    const resource = served.get(`${object.ref.group}/${object.ref.kind}`);
    if (resource === undefined) continue;
    const own: PolicyRefusal[] = [];
    const checks = managedFields(object, own);
    refused.push(
      ...own.map((refusal) => `${describeRef(object.ref)}: ${readablePath(refusal.path)}: ${refusal.why}`),
    );
    const actionOf = (path: string): GuardAction =>
      lastMatchingRule(guard.rules, object.ref, path)?.action ?? guard.default;
    for (const check of checks)
      validationsOf(groupFor(resource, actionOf(check.path)), object).push(
        ...validationsFor(object, [check]),
      );
    const whole = groupFor(resource, actionOf(""));
    validationsOf(whole, object).push(...scaleValidation(object));
    whole.whole.add(object);
  }
  return [...groups.values()];
}

/** One policy's share of a group: its objects (named in its matchConditions) and their validations. */
interface Part {
  readonly objects: DesiredObject[];
  readonly validations: Json[];
}

/**
 * A group's objects in parts of about `maxValidationsPerPolicy` validations, each policy naming
 * only its own objects: a write passes one policy's matchConditions, not every part's list.
 */
function partsOf(group: Group): Part[] {
  const parts: Part[] = [];
  let current: Part = { objects: [], validations: [] };
  const close = (): void => {
    if (current.objects.length === 0) return;
    const whole = current.objects.filter((object) => group.whole.has(object));
    if (whole.length > 0) current.validations.push(deletion(whole));
    parts.push(current);
    current = { objects: [], validations: [] };
  };
  for (const [object, validations] of group.validations) {
    if (current.validations.length + validations.length > maxValidationsPerPolicy) close();
    current.objects.push(object);
    current.validations.push(...validations);
  }
  close();
  return parts;
}

/** Quantities as kube-apiserver hands them to admission: decoded and encoded again ("0.25" → "250m"). */
function asAdmitted(object: DesiredObject, schema: Schema | undefined): DesiredObject {
  const type = schema?.rootType(object.ref);
  if (schema === undefined || type === undefined) return object;
  return { ...object, object: canonicalizeQuantities(schema, type, object.object) };
}

/** What the generated policies cannot pin of one object (left to the webhook). */
export function policyRefusals(desired: DesiredObject): readonly PolicyRefusal[] {
  const refused: PolicyRefusal[] = [];
  managedFields(desired, refused);
  return refused;
}

/** The policies and bindings for `desired`, and what they cannot express. */
export function guardPolicies(
  desired: readonly DesiredObject[],
  served: ReadonlyMap<string, ServedResource>,
  guard: GuardConfig,
  schema?: Schema,
): GeneratedPolicies {
  const refused: string[] = [];
  const admitted = desired.map((object) => asAdmitted(object, schema));
  const groups = groupsOf(admitted, served, guard, refused);
  const objects = groups.flatMap((group) =>
    partsOf(group).flatMap((part, index) =>
      policyPair(`kubedrift-${resourceName(group.resource)}-${group.action}-${index + 1}`, group.resource, {
        objects: part.objects,
        validations: part.validations,
        action: group.action,
        guard,
      }),
    ),
  );
  const byResource = new Map<string, { resource: ServedResource; objects: Set<DesiredObject> }>();
  for (const group of groups) {
    const entry = byResource.get(resourceName(group.resource)) ?? {
      resource: group.resource,
      objects: new Set<DesiredObject>(),
    };
    for (const object of group.validations.keys()) entry.objects.add(object);
    byResource.set(resourceName(group.resource), entry);
  }
  const recorders = [...byResource.values()].flatMap((entry) =>
    breakGlassRecorder(entry.resource, [...entry.objects]),
  );
  return { objects: [...objects, ...recorders], refused };
}
