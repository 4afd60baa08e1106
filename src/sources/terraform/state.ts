import type { DesiredObject, SkippedSource } from "../../model/index.js";
import { SourceError } from "../types.js";
import type { LoadedSources } from "../types.js";
import type { Evaluation } from "./evaluate.js";
import type { HclBody } from "./hcl.js";
import { instanceObject } from "./objects.js";
import { isRecord } from "../../kube/value/json.js";

/** One managed resource instance as state records it. */
interface StateResource {
  readonly address: string;
  readonly type: string;
  readonly name: string;
  readonly attributes: HclBody;
}

const asValue = (raw: unknown): Evaluation => ({ ok: true, value: (raw ?? null) as never });

function lineOf(text: string, index: number): number {
  return index < 0 ? 1 : text.slice(0, index).split("\n").length;
}

function indexSuffix(key: unknown): string {
  if (typeof key === "number") return `[${key}]`;
  return typeof key === "string" ? `[${JSON.stringify(key)}]` : "";
}

/** `terraform.tfstate` format version 4: resources[].instances[].attributes. */
function stateResources(state: Record<string, unknown>): readonly StateResource[] {
  const resources = Array.isArray(state["resources"]) ? (state["resources"] as readonly unknown[]) : [];
  return resources.filter(isRecord).flatMap((resource) => {
    if (resource["mode"] !== "managed") return [];
    const type = String(resource["type"]);
    const name = String(resource["name"]);
    const module = typeof resource["module"] === "string" ? `${resource["module"]}.` : "";
    const instances = Array.isArray(resource["instances"])
      ? (resource["instances"] as readonly unknown[])
      : [];
    return instances.filter(isRecord).map((instance) => ({
      address: `${module}${type}.${name}${indexSuffix(instance["index_key"])}`,
      type,
      name,
      attributes: isRecord(instance["attributes"]) ? instance["attributes"] : {},
    }));
  });
}

/** `terraform show -json`: values.root_module.resources and child_modules, recursively. */
function moduleResources(module: unknown): readonly StateResource[] {
  if (!isRecord(module)) return [];
  const own = (Array.isArray(module["resources"]) ? (module["resources"] as readonly unknown[]) : [])
    .filter(isRecord)
    .filter((resource) => resource["mode"] === "managed")
    .map((resource) => ({
      address: String(resource["address"]),
      type: String(resource["type"]),
      name: String(resource["name"]),
      attributes: isRecord(resource["values"]) ? resource["values"] : {},
    }));
  const children = Array.isArray(module["child_modules"])
    ? (module["child_modules"] as readonly unknown[])
    : [];
  return [...own, ...children.flatMap(moduleResources)];
}

/** Dynamic attributes (kubernetes_manifest's `manifest`) are stored in state as { value, type }. */
function unwrapDynamic(attributes: HclBody): HclBody {
  const manifest = attributes["manifest"];
  if (isRecord(manifest) && "value" in manifest && "type" in manifest)
    return { ...attributes, manifest: manifest["value"] };
  return attributes;
}

function resourceLine(text: string, resource: StateResource): number {
  const escaped = (value: string): string => value.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");
  const pattern = new RegExp(
    `"type":\\s*"${escaped(resource.type)}",\\s*"name":\\s*"${escaped(resource.name)}"`,
  );
  const address = text.indexOf(`"address": "${resource.address.replaceAll('"', '\\"')}"`);
  const match = pattern.exec(text);
  return lineOf(text, address >= 0 ? address : (match?.index ?? -1));
}

function resourcesOf(state: Record<string, unknown>, file: string, text: string): readonly StateResource[] {
  if ("format_version" in state) {
    const values = state["values"];
    return isRecord(values) ? moduleResources(values["root_module"]) : [];
  }
  if (state["version"] !== 4) {
    const line = lineOf(text, text.search(/"version"\s*:/));
    throw new SourceError(
      `${file}:${line}: state format version ${JSON.stringify(state["version"])} is not supported (only version 4, Terraform 0.12 and later)`,
    );
  }
  return stateResources(state);
}

/** Reads a state file or `terraform show -json` output (told apart by content). */
export function loadState(text: string, file: string): LoadedSources {
  let state: unknown;
  try {
    state = JSON.parse(text);
  } catch (error: unknown) {
    throw new SourceError(
      `${file}: not a Terraform state (${error instanceof Error ? error.message : String(error)})`,
      { cause: error },
    );
  }
  if (!isRecord(state) || !("version" in state || "format_version" in state))
    throw new SourceError(`${file}:1: neither a terraform.tfstate nor \`terraform show -json\` output`);
  const objects: DesiredObject[] = [];
  const notes: string[] = [];
  const skipped: SkippedSource[] = [];
  for (const resource of resourcesOf(state, file, text)) {
    if (!resource.type.startsWith("kubernetes_")) continue;
    const result = instanceObject({
      type: resource.type,
      address: resource.address,
      body: unwrapDynamic(resource.attributes),
      source: { file, line: resourceLine(text, resource) },
      evaluate: asValue,
      fromState: true,
    });
    notes.push(...result.notes);
    if (result.kind === "object") objects.push(result.object);
    else skipped.push(result.skipped);
  }
  return { objects, notes, skipped };
}
