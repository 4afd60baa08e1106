import type { Evaluation } from "./evaluate.js";
import { isBlockList } from "./hcl.js";
import type { HclBody } from "./hcl.js";
import { isLegacyIngress } from "./kinds.js";
import type { ResourceKind } from "./kinds.js";
import { blockRule, camelCase, convertScalar, providerOnlyKeys, serverOwnedMetadata } from "./rules.js";
import type { JsonObject, JsonValue } from "../../kube/value/json.js";
import { isRecord } from "../../kube/value/json.js";
import { escapePointerToken } from "../../kube/value/pointer.js";

/** A resource's body turned into a Kubernetes object, with what could not be evaluated. */
export interface Translation {
  readonly object: JsonObject;
  /** Terraform attribute path (`spec.0.replicas`, `manifest.spec.replicas`) → JSON Pointer of the field. */
  readonly pointers: ReadonlyMap<string, string>;
  /** Pointers of fields left out because their expression could not be evaluated. */
  readonly unevaluated: readonly string[];
  readonly notes: readonly string[];
}

export interface TranslateOptions {
  /** `kubernetes_deployment.example`, for notes. */
  readonly address: string;
  readonly evaluate: (raw: unknown) => Evaluation;
  /** State holds Go zero values for every unset field: false and 0 then mean "not set". */
  readonly fromState: boolean;
}

interface Walk {
  readonly options: TranslateOptions;
  readonly pointers: Map<string, string>;
  readonly unevaluated: string[];
  readonly notes: string[];
}

interface Place {
  /** Terraform path of the value. */
  readonly path: string;
  readonly pointer: string;
}

const joinPath = (path: string, key: string | number): string =>
  path === "" ? String(key) : `${path}.${key}`;
const joinPointer = (pointer: string, key: string | number): string =>
  `${pointer}/${escapePointerToken(String(key))}`;

function isEmpty(value: JsonValue, fromState: boolean): boolean {
  if (value === null || value === "") return true;
  if (Array.isArray(value)) return value.length === 0;
  if (isRecord(value)) return Object.keys(value).length === 0;
  return fromState && (value === false || value === 0);
}

function leaveOut(raw: unknown, failure: string, place: Place, walk: Walk): undefined {
  const written = typeof raw === "string" ? raw : `\${${failure}}`;
  walk.unevaluated.push(place.pointer);
  walk.notes.push(`${walk.options.address}: ${place.path}: cannot evaluate ${JSON.stringify(written)}`);
  return undefined;
}

/** A value kept as written (a map attribute, a manifest): keys verbatim, each leaf evaluated on its own. */
function translateValue(raw: unknown, place: Place, walk: Walk): JsonValue | undefined {
  walk.pointers.set(place.path, place.pointer);
  if (isRecord(raw)) {
    const entries: [string, JsonValue][] = [];
    for (const [key, value] of Object.entries(raw)) {
      const translated = translateValue(
        value,
        { path: joinPath(place.path, key), pointer: joinPointer(place.pointer, key) },
        walk,
      );
      if (translated !== undefined) entries.push([key, translated]);
    }
    return Object.fromEntries(entries);
  }
  if (Array.isArray(raw) && raw.some((item) => typeof item === "object" && item !== null)) {
    return raw.map(
      (item, index) =>
        translateValue(
          item,
          { path: joinPath(place.path, index), pointer: joinPointer(place.pointer, index) },
          walk,
        ) ?? null,
    );
  }
  const evaluated = walk.options.evaluate(raw);
  return evaluated.ok ? evaluated.value : leaveOut(raw, evaluated.expression, place, walk);
}

function translateAttribute(key: string, raw: unknown, place: Place, walk: Walk): JsonValue | undefined {
  const value = translateValue(raw, place, walk);
  if (value === undefined) return undefined;
  const converted = convertScalar(key, value) as JsonValue;
  return isEmpty(converted, walk.options.fromState) ? undefined : converted;
}

function noteDynamic(raw: unknown, parent: string, place: Place, walk: Walk): void {
  if (!isRecord(raw)) return;
  for (const name of Object.keys(raw)) {
    walk.unevaluated.push(joinPointer(place.pointer, blockRule(parent, name).name));
    walk.notes.push(
      `${walk.options.address}: ${joinPath(place.path, name)}: dynamic blocks are not evaluated`,
    );
  }
}

/** A block's name and the name of the block it sits in (`$root` at the top), which decide its rule. */
interface Nesting {
  readonly parent: string;
  readonly key: string;
}

function translateBlocks(
  { parent, key }: Nesting,
  blocks: readonly HclBody[],
  place: Place,
  walk: Walk,
): JsonValue | undefined {
  const rule = blockRule(parent, key);
  const at = { path: joinPath(place.path, key), pointer: joinPointer(place.pointer, rule.name) };
  walk.pointers.set(at.path, at.pointer);
  if (!rule.list) {
    const inner = { path: joinPath(at.path, 0), pointer: at.pointer };
    walk.pointers.set(inner.path, inner.pointer);
    return translateBody(blocks[0], { parent: key }, inner, walk);
  }
  return blocks.map((block, index) => {
    const inner = { path: joinPath(at.path, index), pointer: joinPointer(at.pointer, index) };
    walk.pointers.set(inner.path, inner.pointer);
    return translateBody(block, { parent: key }, inner, walk);
  });
}

function skipped(parent: string, key: string): boolean {
  return providerOnlyKeys.has(key) || (parent === "metadata" && serverOwnedMetadata.has(key));
}

/** Where a body sits: its block's name, and the top level's own field names (a Secret's `data`). */
interface BodyContext {
  readonly parent: string;
  readonly rootNames?: Readonly<Record<string, string>>;
}

function translateEntry(
  context: BodyContext,
  [key, raw]: readonly [string, unknown],
  place: Place,
  walk: Walk,
): readonly [string, JsonValue | undefined] {
  const { parent } = context;
  if (isBlockList(raw))
    return [blockRule(parent, key).name, translateBlocks({ parent, key }, raw, place, walk)];
  const name = context.rootNames?.[key] ?? camelCase(key);
  const at = { path: joinPath(place.path, key), pointer: joinPointer(place.pointer, name) };
  return [name, translateAttribute(key, raw, at, walk)];
}

/** One block's body: blocks become objects or lists, attributes camelCase fields. */
function translateBody(body: HclBody, context: BodyContext, place: Place, walk: Walk): JsonObject {
  const { parent } = context;
  const entries: [string, JsonValue][] = [];
  for (const entry of Object.entries(body)) {
    if (skipped(parent, entry[0])) continue;
    if (entry[0] === "dynamic") {
      noteDynamic(entry[1], parent, place, walk);
      continue;
    }
    const [name, value] = translateEntry(context, entry, place, walk);
    if (value !== undefined && !isEmpty(value, walk.options.fromState)) entries.push([name, value]);
  }
  return Object.fromEntries(entries);
}

function newWalk(options: TranslateOptions): Walk {
  return { options, pointers: new Map(), unevaluated: [], notes: [] };
}

function finish(object: JsonObject, walk: Walk): Translation {
  return { object, pointers: walk.pointers, unevaluated: walk.unevaluated, notes: walk.notes };
}

/** `kubernetes_manifest`: its `manifest` attribute is the object as written. */
export function translateManifest(body: HclBody, options: TranslateOptions): Translation | undefined {
  const walk = newWalk(options);
  const manifest = translateValue(body["manifest"], { path: "manifest", pointer: "" }, walk);
  return isRecord(manifest) ? finish(manifest, walk) : undefined;
}

/** The provider's pod-spec default that the API server does not apply (schema_pod_spec.go). */
function withPodDefaults(spec: JsonValue | undefined): JsonValue | undefined {
  if (!isRecord(spec)) return spec;
  const template = spec["template"];
  if (!isRecord(template) || !isRecord(template["spec"])) return spec;
  const podSpec = template["spec"];
  if ("automountServiceAccountToken" in podSpec) return spec;
  return { ...spec, template: { ...template, spec: { automountServiceAccountToken: true, ...podSpec } } };
}

function withProviderDefaults(kind: ResourceKind, object: JsonObject): JsonObject {
  if (kind.kind === "ServiceAccount" && !("automountServiceAccountToken" in object))
    return { ...object, automountServiceAccountToken: true };
  if (["Deployment", "StatefulSet", "DaemonSet", "Job"].includes(kind.kind))
    return { ...object, spec: withPodDefaults(object["spec"]) ?? null };
  if (kind.kind === "CronJob" && isRecord(object["spec"]) && isRecord(object["spec"]["jobTemplate"])) {
    const jobTemplate = object["spec"]["jobTemplate"];
    return {
      ...object,
      spec: {
        ...object["spec"],
        jobTemplate: { ...jobTemplate, spec: withPodDefaults(jobTemplate["spec"]) ?? null },
      },
    };
  }
  return object;
}

function hpaApiVersion(kind: ResourceKind, object: JsonObject): string {
  const spec = object["spec"];
  const usesV2 = isRecord(spec) && ("metrics" in spec || "behavior" in spec);
  return kind.kind === "HorizontalPodAutoscaler" && usesV2 ? "autoscaling/v2" : kind.apiVersion;
}

/** v1beta1 `backend { service_name service_port }` → v1 `backend.service.{name, port}`. */
function legacyBackend(backend: JsonValue): JsonValue {
  if (!isRecord(backend)) return backend;
  const { serviceName, servicePort, ...rest } = backend;
  if (serviceName === undefined) return backend;
  const port = typeof servicePort === "number" ? { number: servicePort } : { name: servicePort ?? null };
  return { ...rest, service: { name: serviceName, port } };
}

function legacyRule(rule: JsonValue): JsonValue {
  if (!isRecord(rule) || !isRecord(rule["http"])) return rule;
  const paths = rule["http"]["paths"];
  if (!Array.isArray(paths)) return rule;
  const converted = (paths as readonly JsonValue[]).map((path) =>
    isRecord(path) && path["backend"] !== undefined
      ? { ...path, backend: legacyBackend(path["backend"]) }
      : path,
  );
  return { ...rule, http: { ...rule["http"], paths: converted } };
}

function fromLegacyIngress(object: JsonObject, walk: Walk): JsonObject {
  const spec = object["spec"];
  if (!isRecord(spec)) return object;
  const { backend, rules, ...rest } = spec;
  const converted: Record<string, JsonValue> = { ...rest };
  if (backend !== undefined) converted["defaultBackend"] = legacyBackend(backend);
  if (Array.isArray(rules)) converted["rules"] = (rules as readonly JsonValue[]).map(legacyRule);
  for (const [path, pointer] of walk.pointers) {
    const renamed = pointer
      .replace(/^\/spec\/backend/, "/spec/defaultBackend")
      .replace(/\/backend\/serviceName$/, "/backend/service/name")
      .replace(/\/backend\/servicePort$/, "/backend/service/port")
      .replace(/^\/spec\/defaultBackend\/serviceName$/, "/spec/defaultBackend/service/name")
      .replace(/^\/spec\/defaultBackend\/servicePort$/, "/spec/defaultBackend/service/port");
    walk.pointers.set(path, renamed);
  }
  return { ...object, spec: converted };
}

/** A typed resource (`kubernetes_deployment` …): block by block into the object of `kind`. */
export function translateTyped(
  type: string,
  kind: ResourceKind,
  body: HclBody,
  options: TranslateOptions,
): Translation {
  const walk = newWalk(options);
  const translated = translateBody(
    body,
    { parent: "$root", rootNames: kind.rootNames ?? {} },
    { path: "", pointer: "" },
    walk,
  );
  const withDefaults = options.fromState ? translated : withProviderDefaults(kind, translated);
  const shaped = isLegacyIngress(type) ? fromLegacyIngress(withDefaults, walk) : withDefaults;
  return finish({ apiVersion: hpaApiVersion(kind, shaped), kind: kind.kind, ...shaped }, walk);
}
