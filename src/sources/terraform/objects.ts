import type { DesiredObject, SkippedSource, SourceLocation } from "../../model/index.js";
import type { Evaluation } from "./evaluate.js";
import type { HclBody } from "./hcl.js";
import { resourceKind } from "./kinds.js";
import { translateManifest, translateTyped } from "./translate.js";
import type { Translation } from "./translate.js";
import { isRecord } from "../../kube/value/json.js";
import { splitApiVersion } from "../../kube/object.js";

/** One resource instance, ready to translate. */
export interface ResourceInstance {
  readonly type: string;
  /** `kubernetes_deployment.example`, `module.app.kubernetes_secret.s["a"]`. */
  readonly address: string;
  readonly body: HclBody;
  readonly source: SourceLocation;
  readonly evaluate: (raw: unknown) => Evaluation;
  readonly fromState: boolean;
  /** Line of each Terraform attribute path, when the HCL text was scanned. */
  readonly lines?: ReadonlyMap<string, number>;
}

export type InstanceResult =
  | { readonly kind: "object"; readonly object: DesiredObject; readonly notes: readonly string[] }
  | { readonly kind: "skipped"; readonly skipped: SkippedSource; readonly notes: readonly string[] };

export function unsupported(type: string, address: string, source: SourceLocation): SkippedSource {
  return { source, what: address, reason: `resource type ${type} is not supported` };
}

function translate(instance: ResourceInstance): Translation | undefined {
  const options = { address: instance.address, evaluate: instance.evaluate, fromState: instance.fromState };
  if (instance.type === "kubernetes_manifest") return translateManifest(instance.body, options);
  const kind = resourceKind(instance.type);
  return kind === undefined ? undefined : translateTyped(instance.type, kind, instance.body, options);
}

function fieldLines(
  translation: Translation,
  instance: ResourceInstance,
): ReadonlyMap<string, number> | undefined {
  if (instance.lines === undefined) return undefined;
  const lines = new Map<string, number>([["", instance.source.line]]);
  for (const [path, pointer] of translation.pointers) {
    const line = instance.lines.get(path);
    if (line !== undefined && !lines.has(pointer)) lines.set(pointer, line);
  }
  return lines;
}

function skip(instance: ResourceInstance, reason: string, notes: readonly string[]): InstanceResult {
  return { kind: "skipped", skipped: { source: instance.source, what: instance.address, reason }, notes };
}

/** A resource instance as a desired object; what cannot be identified is skipped, with why. */
export function instanceObject(instance: ResourceInstance): InstanceResult {
  const translation = translate(instance);
  if (translation === undefined) {
    if (instance.type === "kubernetes_manifest") return skip(instance, "manifest cannot be evaluated", []);
    return {
      kind: "skipped",
      skipped: unsupported(instance.type, instance.address, instance.source),
      notes: [],
    };
  }
  const { object, notes } = translation;
  const metadata = isRecord(object["metadata"]) ? object["metadata"] : {};
  const name = metadata["name"];
  const apiVersion = object["apiVersion"];
  const kind = object["kind"];
  if (typeof name !== "string" || typeof apiVersion !== "string" || typeof kind !== "string")
    return skip(instance, "apiVersion, kind or metadata.name is missing or cannot be evaluated", notes);
  const namespace = typeof metadata["namespace"] === "string" ? metadata["namespace"] : "";
  const lines = fieldLines(translation, instance);
  const desired: DesiredObject = {
    ref: { ...splitApiVersion(apiVersion), kind, namespace, name },
    object,
    source: instance.source,
    origin: { kind: "terraform", address: instance.address },
    ...(lines === undefined ? {} : { fieldLines: lines }),
    ...(translation.unevaluated.length === 0 ? {} : { unevaluated: translation.unevaluated }),
  };
  return { kind: "object", object: desired, notes };
}
