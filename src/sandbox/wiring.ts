import type { JsonObject, JsonValue, KubeObject } from "../kube/value/json.js";
import { isJsonObject } from "../kube/value/json.js";
import { ApiError, StatusReasons } from "./api/status.js";
import { createServiceAllocators, type ServiceAllocatorOptions } from "./allocation/service-allocators.js";
import { applyConfiguration, updateManagedFields, type FieldManagerContext } from "./fieldmanager/index.js";
import { customResourceStrategy, strategyFor } from "./kinds/index.js";
import { withEmptyBytesForNulls } from "./kinds/empty-bytes.js";
import type { StrategyContext } from "./kinds/types.js";
import { createOpenAPIServer, type OpenAPIServer } from "./openapi/index.js";
import type { ResourceRegistry } from "./registry/registry.js";
import type { ResourceInfo } from "./registry/types.js";
import type { KindMachinery, Machinery, PatchType } from "./server/machinery.js";
import { PatchTypes } from "./server/machinery.js";
import type { OpenAPIDocuments } from "./server/openapi-port.js";
import type { MemoryObjectStore } from "./store/memory-store.js";
import { builtinSchema } from "../kube/schema/builtin.js";
import { crdVersionSchemas, withCRDs } from "../kube/schema/crd.js";
import type { GvkKey } from "../kube/schema/gvk.js";
import {
  PatchError,
  PatchErrorKinds,
  applyJsonPatch,
  applyMergePatch,
  applyStrategicMergePatch,
  maxJsonPatchOperations,
} from "../kube/patch/index.js";
import type { Schema, SchemaType } from "../kube/schema/types.js";
import { canonicalizeQuantities, pruneUnknownFields, unknownFields } from "../kube/schema/walk.js";
import { withoutOmittedZeros } from "../kube/defaulting/index.js";

const crdResource = { group: "apiextensions.k8s.io", resource: "customresourcedefinitions" } as const;

function crdsOf(store: MemoryObjectStore): readonly KubeObject[] {
  return store.list(crdResource).items;
}

function crdVersions(crd: KubeObject): readonly JsonObject[] {
  const spec = crd["spec"];
  const versions = isJsonObject(spec) ? spec["versions"] : undefined;
  return Array.isArray(versions) ? versions.filter(isJsonObject) : [];
}

/** Raw openAPIV3Schema of every served custom kind, by GVK. */
function customSchemas(store: MemoryObjectStore): ReadonlyMap<GvkKey, unknown> {
  return new Map(crdsOf(store).flatMap(crdVersionSchemas));
}

/** Caches a value until the registry changes (every CRD write changes it). */
function perGeneration<T>(registry: ResourceRegistry, build: () => T): () => T {
  let cached: { generation: number; value: T } | undefined;
  return () => {
    if (cached?.generation !== registry.generation)
      cached = { generation: registry.generation, value: build() };
    return cached.value;
  };
}

function builtinKind(info: ResourceInfo): KindMachinery {
  const gvk = { group: info.group, version: info.version, kind: info.kind };
  return {
    info,
    strategy: strategyFor(info.group, info.kind),
    type: builtinSchema.rootType(gvk),
    custom: false,
  };
}

function customKind(store: MemoryObjectStore, info: ResourceInfo, schema: Schema): KindMachinery {
  const crd = store.get({ ...crdResource, namespace: "", name: `${info.resource}.${info.group}` });
  if (crd === undefined)
    throw new ApiError(404, StatusReasons.notFound, "the server could not find the requested resource");
  const type = schema.rootType({ group: info.group, version: info.version, kind: info.kind });
  const version = crdVersions(crd).find((candidate) => candidate["name"] === info.version);
  const columns = version?.["additionalPrinterColumns"];
  return {
    info,
    strategy: customResourceStrategy(crd, info.version),
    type,
    custom: true,
    ...(Array.isArray(columns) ? { printerColumns: columns.filter(isJsonObject) } : {}),
  };
}

function patchFailure(error: PatchError): ApiError {
  switch (error.kind) {
    case PatchErrorKinds.badRequest:
      return new ApiError(400, StatusReasons.badRequest, error.message);
    case PatchErrorKinds.unprocessable:
      // kube-apiserver hides the reason behind a generic 422 (NewGenericServerResponse).
      return new ApiError(
        422,
        StatusReasons.invalid,
        "the server rejected our request due to an error in our request",
      );
    case PatchErrorKinds.internal:
      return new ApiError(500, StatusReasons.unknown, error.message);
  }
}

function runPatch(patch: () => JsonValue): KubeObject {
  let result: JsonValue;
  try {
    result = patch();
  } catch (error: unknown) {
    if (error instanceof PatchError) throw patchFailure(error);
    throw error;
  }
  if (!isJsonObject(result))
    throw new ApiError(400, StatusReasons.badRequest, "the patch produced something other than an object");
  return result;
}

function withoutNulls(value: JsonValue): JsonValue {
  if (Array.isArray(value)) return value.map(withoutNulls);
  if (!isJsonObject(value)) return value;
  const result: Record<string, JsonValue> = {};
  for (const [key, item] of Object.entries(value)) if (item !== null) result[key] = withoutNulls(item);
  return result;
}

function fieldManagerContext(schema: Schema, kind: KindMachinery): FieldManagerContext {
  const type: SchemaType = kind.type ?? { kind: "untyped" };
  return {
    schema,
    type,
    gvk: { group: kind.info.group, version: kind.info.version, kind: kind.info.kind },
    hasStatus: kind.strategy.hasStatus,
  };
}

function applyPatchOf(schema: () => Schema) {
  return (
    kind: KindMachinery,
    patchType: Exclude<PatchType, "application/apply-patch+yaml">,
    live: KubeObject,
    patch: unknown,
  ): KubeObject => {
    const body = patch as JsonValue;
    switch (patchType) {
      case PatchTypes.json:
        if (Array.isArray(body) && body.length > maxJsonPatchOperations) {
          throw new ApiError(
            413,
            StatusReasons.requestEntityTooLarge,
            `The allowed maximum operations in a JSON patch is ${maxJsonPatchOperations}, got ${body.length}`,
          );
        }
        return runPatch(() => applyJsonPatch(live, body));
      case PatchTypes.merge:
        return runPatch(() => applyMergePatch(live, body));
      case PatchTypes.strategic:
        return runPatch(() =>
          applyStrategicMergePatch(live, body, schema(), kind.type ?? { kind: "untyped" }),
        );
    }
  };
}

/** Connects the server's handler chain to the schema, patch, field-manager and kind-strategy packages. */
export function createMachinery(
  store: MemoryObjectStore,
  registry: ResourceRegistry,
  allocatorOptions: ServiceAllocatorOptions = {},
): Machinery {
  const schema = perGeneration(registry, () => withCRDs(builtinSchema, crdsOf(store)));
  const allocators = createServiceAllocators(store, allocatorOptions);
  const strategyContext: StrategyContext = {
    get schema() {
      return schema();
    },
    allocateClusterIP: allocators.allocateClusterIP,
    allocateNodePort: allocators.allocateNodePort,
    kubernetesServiceIP: allocators.firstIP,
    serviceAccount: (namespace, name) =>
      store.get({ group: "", resource: "serviceaccounts", namespace, name }),
  };
  return {
    schema,
    strategyContext,
    kind: (info) =>
      registry.isCustom(info.group, info.resource) ? customKind(store, info, schema()) : builtinKind(info),
    unknownFields: (kind, object) =>
      kind.type === undefined ? [] : unknownFields(schema(), kind.type, object),
    normalize: (kind, object) => {
      if (kind.type === undefined) return object;
      const decoded = kind.custom
        ? object
        : (withoutNulls(withEmptyBytesForNulls(kind.info.group, kind.info.kind, object)) as KubeObject);
      const pruned = pruneUnknownFields(schema(), kind.type, decoded);
      // kube-apiserver decodes a write into its Go struct and encodes that struct: a non-pointer
      // `omitempty` scalar holding its zero value (`readOnly: false`, `minReadySeconds: 0`,
      // `subPath: ""`) is never stored nor returned, and an Update's managedFields, computed on
      // the decoded object, never claim it. Done before defaulting, which sees "" as unset too.
      return withoutOmittedZeros(schema(), kind.type, canonicalizeQuantities(schema(), kind.type, pruned));
    },
    applyPatch: applyPatchOf(schema),
    trackUpdate: (kind, live, updated, request) =>
      updateManagedFields(fieldManagerContext(schema(), kind), live, updated, request),
    apply: (kind, live, applied, request) =>
      applyConfiguration(fieldManagerContext(schema(), kind), live, applied, request).object,
  };
}

/** The OpenAPI documents, rebuilt when the served resources change. */
export function createOpenAPI(registry: ResourceRegistry, store: MemoryObjectStore): OpenAPIDocuments {
  const server = perGeneration<OpenAPIServer>(registry, () =>
    createOpenAPIServer(registry.all(), customSchemas(store)),
  );
  return {
    v2: () => server().v2(),
    index: () => server().index(),
    document: (path) => server().document(path),
  };
}
