import type { JsonValue, KubeObject } from "../../kube/value/json.js";
import { isJsonObject, textOf } from "../../kube/value/json.js";
import { withFields, withMetadata } from "../api/object.js";
import { ApiError, StatusReasons, badRequest, invalid, notFound } from "../api/status.js";
import type { ObjectKey } from "../store/types.js";
import { apiVersionOf } from "../../kube/schema/gvk.js";
import {
  checkName,
  checkNamespace,
  checkNamespaceExists,
  checkUnknownFields,
  decodeObject,
  validateObject,
} from "./admission.js";
import type { RequestScope, ServerContext } from "./context.js";
import type { FieldManagerRequest, KindMachinery, PatchType } from "./machinery.js";
import { PatchTypes } from "./machinery.js";
import type { ResourceRequest } from "./request-info.js";
import { typedDecodeError } from "./typed-decode.js";
import type { WriteOptions } from "./write-options.js";
import { managerFromUserAgent, validateFieldManager } from "../fieldmanager/index.js";
import { jsonEqual } from "../../kube/value/equal.js";
import { metadataOf } from "../../kube/object.js";
import { formatTime } from "../../kube/time.js";

export interface WriteResult {
  readonly code: 200 | 201;
  readonly object: KubeObject;
}

export interface WriteCall {
  readonly context: ServerContext;
  readonly request: ResourceRequest;
  readonly options: WriteOptions;
  readonly scope: RequestScope;
}

export function objectKey(request: ResourceRequest, name: string): ObjectKey {
  return { group: request.info.group, resource: request.info.resource, namespace: request.namespace, name };
}

function fieldManagerRequest(call: WriteCall, operation: "Apply" | "Update"): FieldManagerRequest {
  const subresource = call.request.subresource;
  return {
    manager: call.options.fieldManager ?? (managerFromUserAgent(call.options.userAgent) || "unknown"),
    operation,
    apiVersion: apiVersionOf(call.request.info),
    time: formatTime(call.context.now()),
    force: call.options.force,
    ...(subresource === "status" || subresource === "scale" ? { subresource } : {}),
  };
}

// Server-owned metadata is never taken from a request (k8s.io/apiserver rest.FillObjectMetaSystemFields).
function systemFieldsForCreate(call: WriteCall, kind: KindMachinery, object: KubeObject): KubeObject {
  const metadata = metadataOf(object);
  const name = resolveName(call, metadata["name"], metadata["generateName"]);
  const fresh = withMetadata(object, {
    name,
    uid: call.context.newUid(),
    creationTimestamp: formatTime(call.context.now()),
    resourceVersion: undefined,
    generation: kind.strategy.tracksGeneration ? 1 : undefined,
    deletionTimestamp: undefined,
    deletionGracePeriodSeconds: undefined,
    selfLink: undefined,
  });
  // A new object's status is the controllers' to fill: kube's PrepareForCreate clears it.
  return kind.strategy.hasStatus && !kind.custom
    ? withFields(fresh, { status: {} })
    : withStatusCleared(kind, fresh);
}

function withStatusCleared(kind: KindMachinery, object: KubeObject): KubeObject {
  return kind.strategy.hasStatus ? withFields(object, { status: undefined }) : object;
}

function resolveName(
  call: WriteCall,
  name: JsonValue | undefined,
  generateName: JsonValue | undefined,
): JsonValue | undefined {
  if (typeof name === "string" && name !== "") return name;
  if (typeof generateName === "string" && generateName !== "")
    return `${generateName}${call.context.randomSuffix()}`;
  return undefined;
}

function requireName(kind: KindMachinery, object: KubeObject): string {
  const name = metadataOf(object)["name"];
  if (typeof name === "string" && name !== "") return name;
  throw invalid({ group: kind.info.group, kind: kind.info.kind }, "", [
    {
      reason: "FieldValueRequired",
      message: "Required value: name or generateName is required",
      field: "metadata.name",
    },
  ]);
}

/** Defaulting, as decoding does for every write, then normalisation of what the server stores. */
function defaulted(
  call: WriteCall,
  kind: KindMachinery,
  object: KubeObject,
  old: KubeObject | undefined,
): KubeObject {
  const machinery = call.context.machinery;
  // Normalised before defaulting only: defaults may add nulls the real server keeps (template creationTimestamp).
  return kind.strategy.applyDefaults(machinery.normalize(kind, object), old, machinery.strategyContext);
}

function persistCreate(call: WriteCall, key: ObjectKey, object: KubeObject): KubeObject {
  if (call.options.dryRun) return object;
  return call.context.store.create(key, object);
}

export function createObject(call: WriteCall, body: unknown): WriteResult {
  const { context, request } = call;
  validateFieldManager(call.options.fieldManager, { isApply: false, optionsKind: "CreateOptions" });
  const kind = context.machinery.kind(request.info);
  const decoded = checkNamespace(decodeObject(body, request.info), request.info, request.namespace);
  checkUnknownFields(context, kind, decoded, {
    fieldValidation: call.options.fieldValidation,
    scope: call.scope,
  });
  const prepared = systemFieldsForCreate(call, kind, decoded);
  const name = requireName(kind, prepared);
  const withDefaults = defaulted(call, kind, prepared, undefined);
  checkNamespaceExists(context, request.info, request.namespace);
  const tracked = context.machinery.trackUpdate(
    kind,
    undefined,
    withDefaults,
    fieldManagerRequest(call, "Update"),
  );
  return storeNew(call, kind, { name, object: tracked });
}

/**
 * The registry's PrepareForCreate (allocation, initial status, generated selectors) runs after
 * field management, so nobody owns what it sets; then validation, then storage.
 */
function storeNew(
  call: WriteCall,
  kind: KindMachinery,
  created: { readonly name: string; readonly object: KubeObject },
): WriteResult {
  const { context, request } = call;
  const prepared = kind.strategy.prepare(created.object, undefined, context.machinery.strategyContext);
  validateObject(kind, prepared, undefined);
  admitRbac(call, prepared, undefined);
  return { code: 201, object: persistCreate(call, objectKey(request, created.name), prepared) };
}

/** RBAC's storage refuses privilege escalation, after validation, as kube-apiserver's does. */
function admitRbac(call: WriteCall, object: KubeObject, old: KubeObject | undefined): void {
  const { info, namespace } = call.request;
  if (info.group !== "rbac.authorization.k8s.io") return;
  call.context.auth.admitRbacWrite({
    user: call.scope.user,
    resource: info.resource,
    namespace,
    object,
    old,
  });
}

function requireExisting(call: WriteCall, name: string): KubeObject {
  const live = call.context.store.get(objectKey(call.request, name));
  if (live === undefined) throw notFound(call.request.info, name);
  return live;
}

/** Spec changes bump metadata.generation; metadata and status changes do not. */
function nextGeneration(kind: KindMachinery, updated: KubeObject, old: KubeObject): JsonValue | undefined {
  const previous = metadataOf(old)["generation"];
  if (!kind.strategy.tracksGeneration) return undefined;
  const base = typeof previous === "number" ? previous : 1;
  // Without a status subresource (some custom resources), status is part of what generation tracks.
  const strip = (object: KubeObject): KubeObject =>
    withFields(
      object,
      kind.strategy.hasStatus ? { metadata: undefined, status: undefined } : { metadata: undefined },
    );
  return jsonEqual(strip(updated), strip(old)) ? base : base + 1;
}

function carrySystemFields(call: WriteCall, kind: KindMachinery, replacement: Replacement): KubeObject {
  const { updated, old } = replacement;
  const oldMetadata = metadataOf(old);
  const carried = withMetadata(updated, {
    uid: oldMetadata["uid"],
    creationTimestamp: oldMetadata["creationTimestamp"],
    deletionTimestamp: oldMetadata["deletionTimestamp"],
    deletionGracePeriodSeconds: oldMetadata["deletionGracePeriodSeconds"],
    generateName: oldMetadata["generateName"],
    selfLink: undefined,
  });
  // Writes to the main resource cannot change status, and writes to /status only change status.
  if (call.request.subresource === "status") {
    const managedFields = metadataOf(updated)["managedFields"];
    return withFields(withMetadata(old, { managedFields }), { status: updated["status"] });
  }
  return kind.strategy.hasStatus ? withFields(carried, { status: old["status"] }) : carried;
}

interface Replacement {
  readonly old: KubeObject;
  readonly updated: KubeObject;
  /** The resourceVersion the client based its change on, for optimistic concurrency. */
  readonly precondition: string | undefined;
  readonly operation: "Apply" | "Update";
}

function finishUpdate(call: WriteCall, kind: KindMachinery, replacement: Replacement): WriteResult {
  const { context } = call;
  const { old } = replacement;
  const name = textOf(metadataOf(old)["name"]);
  const carried = carrySystemFields(call, kind, replacement);
  const withDefaults = defaulted(call, kind, carried, old);
  const tracked =
    replacement.operation === "Apply"
      ? withDefaults
      : context.machinery.trackUpdate(kind, old, withDefaults, fieldManagerRequest(call, "Update"));
  // PrepareForUpdate runs after field management; a /status write keeps everything but status as it was.
  const prepared =
    call.request.subresource === "status"
      ? tracked
      : kind.strategy.prepare(tracked, old, context.machinery.strategyContext);
  const updated = withMetadata(prepared, { generation: nextGeneration(kind, prepared, old) });
  validateObject(kind, updated, old);
  admitRbac(call, updated, old);
  const candidate = withMetadata(updated, { resourceVersion: metadataOf(old)["resourceVersion"] });
  // An update that changes nothing is not written (no new resourceVersion, no watch event).
  if (jsonEqual(candidate, old) || call.options.dryRun) return { code: 200, object: candidate };
  const stored = context.store.update(objectKey(call.request, name), candidate, replacement.precondition);
  return { code: 200, object: stored };
}

export function updateObject(call: WriteCall, body: unknown): WriteResult {
  const { context, request } = call;
  validateFieldManager(call.options.fieldManager, { isApply: false, optionsKind: "UpdateOptions" });
  const name = request.name ?? "";
  const kind = context.machinery.kind(request.info);
  const decoded = checkNamespace(decodeObject(body, request.info), request.info, request.namespace);
  checkName(decoded, name);
  checkUnknownFields(context, kind, decoded, {
    fieldValidation: call.options.fieldValidation,
    scope: call.scope,
  });
  const old = requireExisting(call, name);
  const precondition = metadataOf(decoded)["resourceVersion"];
  if (typeof precondition !== "string" || precondition === "") {
    throw invalid({ group: request.info.group, kind: request.info.kind }, name, [
      {
        reason: "FieldValueInvalid",
        message: "Invalid value: 0x0: must be specified for an update",
        field: "metadata.resourceVersion",
      },
    ]);
  }
  const updated = withMetadata(decoded, { name });
  return finishUpdate(call, kind, { old, updated, precondition, operation: "Update" });
}

function parsePatchBody(body: unknown, patchType: PatchType): unknown {
  if (patchType === PatchTypes.json) {
    if (!Array.isArray(body))
      throw badRequest("json: cannot unmarshal object into Go value of type jsonpatch.Patch");
    return body;
  }
  if (!isJsonObject(body)) throw badRequest("error decoding patch: the patch must be a JSON object");
  return body;
}

export function patchObject(call: WriteCall, patchType: PatchType, body: unknown): WriteResult {
  const { context, request } = call;
  const kind = context.machinery.kind(request.info);
  validateFieldManager(call.options.fieldManager, {
    isApply: patchType === PatchTypes.apply,
    optionsKind: "PatchOptions",
  });
  if (patchType === PatchTypes.apply) return applyObject(call, kind, body);
  if (call.options.force) {
    throw invalid({ group: "meta.k8s.io", kind: "PatchOptions" }, "", [
      {
        reason: "FieldValueForbidden",
        message: "Forbidden: may not be specified for non-apply patch",
        field: "force",
      },
    ]);
  }
  if (patchType === PatchTypes.strategic && kind.custom) {
    throw new ApiError(
      415,
      StatusReasons.unsupportedMediaType,
      `the body of the request was in an unknown format - accepted media types include: application/json-patch+json, application/merge-patch+json, application/apply-patch+yaml`,
    );
  }
  const patch = parsePatchBody(body, patchType);
  const old = requireExisting(call, request.name ?? "");
  const patched = context.machinery.applyPatch(kind, patchType, old, patch);
  checkPatchedDecodes(patched, request);
  checkUnknownFields(context, kind, patched, {
    fieldValidation: call.options.fieldValidation,
    scope: call.scope,
  });
  const decoded = checkNamespace(decodeObject(patched, request.info), request.info, request.namespace);
  checkName(decoded, request.name ?? "");
  const precondition = patchPrecondition(patch);
  return finishUpdate(call, kind, { old, updated: decoded, precondition, operation: "Update" });
}

/**
 * kube-apiserver decodes the patched object into its Go type; when that fails (a patch that puts a
 * number into ConfigMap data, say) the answer is a 422 on the field "patch", not the 400 of a body.
 * Its value is the patched object as kube-apiserver encodes it; this is the sandbox's encoding.
 */
function checkPatchedDecodes(patched: KubeObject, request: ResourceRequest): void {
  const failure = typedDecodeError(patched, request.info);
  if (failure === undefined) return;
  const message = `Invalid value: ${JSON.stringify(JSON.stringify(patched))}: ${failure}`;
  throw new ApiError(422, StatusReasons.invalid, ` "" is invalid: patch: ${message}`, {
    causes: [{ reason: "FieldValueInvalid", message, field: "patch" }],
  });
}

// A patch that carries metadata.resourceVersion makes it a precondition, as in kube-apiserver.
function patchPrecondition(patch: unknown): string | undefined {
  if (!isJsonObject(patch)) return undefined;
  const metadata = patch["metadata"];
  if (!isJsonObject(metadata)) return undefined;
  const version = metadata["resourceVersion"];
  return typeof version === "string" ? version : undefined;
}

function applyObject(call: WriteCall, kind: KindMachinery, body: unknown): WriteResult {
  const { context, request } = call;
  const applied = checkNamespace(decodeObject(body, request.info), request.info, request.namespace);
  checkName(applied, request.name ?? "");
  checkUnknownFields(context, kind, applied, {
    fieldValidation: call.options.fieldValidation,
    scope: call.scope,
  });
  const live = context.store.get(objectKey(request, request.name ?? ""));
  const fieldRequest = fieldManagerRequest(call, "Apply");
  if (live === undefined) {
    const created = context.machinery.apply(
      kind,
      undefined,
      withMetadata(applied, { name: request.name ?? "" }),
      fieldRequest,
    );
    return createApplied(call, kind, created);
  }
  const merged = context.machinery.apply(kind, live, applied, fieldRequest);
  return finishUpdate(call, kind, {
    old: live,
    updated: merged,
    precondition: patchPrecondition(applied),
    operation: "Apply",
  });
}

function createApplied(call: WriteCall, kind: KindMachinery, merged: KubeObject): WriteResult {
  const { context, request } = call;
  const managedFields = metadataOf(merged)["managedFields"];
  const prepared = withMetadata(systemFieldsForCreate(call, kind, merged), { managedFields });
  const name = requireName(kind, prepared);
  const withDefaults = defaulted(call, kind, prepared, undefined);
  checkNamespaceExists(context, request.info, request.namespace);
  return storeNew(call, kind, { name, object: withDefaults });
}

/** An Update of an existing object with an already-built new state (scale and controllers use it). */
export function replaceObject(
  call: WriteCall,
  replacement: {
    readonly old: KubeObject;
    readonly updated: KubeObject;
    readonly precondition: string | undefined;
  },
): WriteResult {
  const kind = call.context.machinery.kind(call.request.info);
  return finishUpdate(call, kind, { ...replacement, operation: "Update" });
}
