import type { JsonObject, KubeObject } from "../../kube/value/json.js";
import { isJsonObject, textOf } from "../../kube/value/json.js";
import { setValueAt, valueAt, withFields } from "../api/object.js";
import { badRequest, invalid } from "../api/status.js";
import type { ScaleSubresource } from "../kinds/types.js";
import { decodeObject } from "./admission.js";
import type { PatchType } from "./machinery.js";
import { PatchTypes } from "./machinery.js";
import type { WriteCall, WriteResult } from "./writes.js";
import { objectKey, patchObject, replaceObject } from "./writes.js";
import { notFound } from "../api/status.js";
import { metadataOf } from "../../kube/object.js";

const scaleInfo = {
  group: "autoscaling",
  version: "v1",
  kind: "Scale",
  listKind: "ScaleList",
  resource: "scale",
  singular: "scale",
  namespaced: true,
  shortNames: [],
  categories: [],
  verbs: [],
  subresources: [],
} as const;

function pathOf(jsonPath: string): readonly string[] {
  return jsonPath.replace(/^\./, "").split(".");
}

/** A LabelSelector as the `key=value,key in (…)` string kubectl and the scale subresource show. */
export function selectorString(selector: unknown): string {
  if (typeof selector === "string") return selector;
  if (!isJsonObject(selector)) return "";
  const matchLabels = selector["matchLabels"];
  const parts = isJsonObject(matchLabels)
    ? Object.keys(matchLabels)
        .sort()
        .map((key) => `${key}=${textOf(matchLabels[key])}`)
    : [];
  const expressions = selector["matchExpressions"];
  if (Array.isArray(expressions)) {
    for (const expression of expressions) parts.push(expressionString(expression));
  }
  return parts.join(",");
}

function expressionString(expression: unknown): string {
  if (!isJsonObject(expression)) return "";
  const key = textOf(expression["key"]);
  const values = Array.isArray(expression["values"]) ? expression["values"].map(String).sort() : [];
  switch (expression["operator"]) {
    case "In":
      return `${key} in (${values.join(",")})`;
    case "NotIn":
      return `${key} notin (${values.join(",")})`;
    case "Exists":
      return key;
    default:
      return `!${key}`;
  }
}

/** The autoscaling/v1 Scale view of an object (what GET …/scale returns). */
export function scaleOf(object: KubeObject, scale: ScaleSubresource): KubeObject {
  const metadata = metadataOf(object);
  const replicas = valueAt(object, pathOf(scale.specReplicasPath));
  const statusReplicas = valueAt(object, pathOf(scale.statusReplicasPath));
  const selector =
    scale.labelSelectorPath === undefined ? undefined : valueAt(object, pathOf(scale.labelSelectorPath));
  const status: JsonObject = {
    replicas: typeof statusReplicas === "number" ? statusReplicas : 0,
    ...(selector === undefined ? {} : { selector: selectorString(selector) }),
  };
  return {
    kind: "Scale",
    apiVersion: "autoscaling/v1",
    metadata: {
      name: metadata["name"] ?? "",
      namespace: metadata["namespace"] ?? "",
      uid: metadata["uid"] ?? "",
      resourceVersion: metadata["resourceVersion"] ?? "",
      creationTimestamp: metadata["creationTimestamp"] ?? null,
    },
    spec: { replicas: typeof replicas === "number" ? replicas : 1 },
    status,
  };
}

function requireScale(call: WriteCall): ScaleSubresource {
  const scale = call.context.machinery.kind(call.request.info).strategy.scale;
  if (scale === undefined) throw badRequest(`${call.request.info.resource} have no scale subresource`);
  return scale;
}

function liveObject(call: WriteCall): KubeObject {
  const name = call.request.name ?? "";
  const live = call.context.store.get(objectKey(call.request, name));
  if (live === undefined) throw notFound(call.request.info, name);
  return live;
}

export function getScale(call: WriteCall): KubeObject {
  return scaleOf(liveObject(call), requireScale(call));
}

function replicasFrom(call: WriteCall, scaleObject: KubeObject): number {
  const replicas = valueAt(scaleObject, ["spec", "replicas"]);
  if (typeof replicas === "number" && Number.isInteger(replicas) && replicas >= 0) return replicas;
  throw invalid({ group: "autoscaling", kind: "Scale" }, call.request.name ?? "", [
    {
      reason: "FieldValueInvalid",
      message: `Invalid value: ${JSON.stringify(replicas ?? null)}: must be greater than or equal to 0`,
      field: "spec.replicas",
    },
  ]);
}

// A write to /scale is an update of the parent's replicas, recorded with `subresource: scale`.
function writeReplicas(call: WriteCall, scale: ScaleSubresource, scaleObject: KubeObject): WriteResult {
  const live = liveObject(call);
  const replicas = replicasFrom(call, scaleObject);
  const updated = setValueAt(live, pathOf(scale.specReplicasPath), replicas);
  const precondition = metadataOf(scaleObject)["resourceVersion"];
  const result = replaceObject(call, {
    old: live,
    updated,
    precondition: typeof precondition === "string" && precondition !== "" ? precondition : undefined,
  });
  return { code: 200, object: scaleOf(result.object, scale) };
}

export function updateScale(call: WriteCall, body: unknown): WriteResult {
  const scale = requireScale(call);
  return writeReplicas(call, scale, decodeObject(body, scaleInfo));
}

export function patchScale(call: WriteCall, patchType: PatchType, body: unknown): WriteResult {
  const scale = requireScale(call);
  const current = scaleOf(liveObject(call), scale);
  const scaleKind = {
    ...call.context.machinery.kind(call.request.info),
    info: scaleInfo,
    type: undefined,
    custom: true,
  };
  if (patchType === PatchTypes.apply)
    throw badRequest("server-side apply to the scale subresource is not supported by the sandbox");
  const patched = call.context.machinery.applyPatch(
    scaleKind,
    patchType === PatchTypes.strategic ? PatchTypes.merge : patchType,
    current,
    body,
  );
  return writeReplicas(
    call,
    scale,
    withFields(patched, { metadata: { ...metadataOf(patched), resourceVersion: "" } }),
  );
}

export function patchStatus(call: WriteCall, patchType: PatchType, body: unknown): WriteResult {
  return patchObject(call, patchType, body);
}
