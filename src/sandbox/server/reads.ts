import type { JsonObject, KubeObject } from "../../kube/value/json.js";
import { notFound } from "../api/status.js";
import type { ResourceInfo } from "../registry/types.js";
import type { ServerContext } from "./context.js";
import { compileListFilter } from "./filters.js";
import { apiVersionOf } from "../../kube/schema/gvk.js";
import type { ResourceRequest } from "./request-info.js";
import { objectKey } from "./writes.js";
import { includeObjectParam, toTable } from "./table.js";
import { listPage, parseListOptions, storeListSource } from "../query/paging.js";
import { resourceVersionOf } from "../../kube/object.js";

/** Built-in objects are served with their apiVersion and kind (TypeMeta), as a single GET returns them. */
export function withTypeMeta(object: KubeObject, info: ResourceInfo): KubeObject {
  if (object["apiVersion"] === apiVersionOf(info) && object["kind"] === info.kind) return object;
  const { apiVersion: _apiVersion, kind: _kind, ...rest } = object;
  return { apiVersion: apiVersionOf(info), kind: info.kind, ...rest };
}

// List items of built-in kinds carry no TypeMeta on the wire; custom resources keep theirs.
function asListItem(object: KubeObject, info: ResourceInfo, custom: boolean): KubeObject {
  if (custom) return withTypeMeta(object, info);
  const { apiVersion: _apiVersion, kind: _kind, ...rest } = object;
  return rest;
}

export function getObject(context: ServerContext, request: ResourceRequest): KubeObject {
  const name = request.name ?? "";
  const found = context.store.get(objectKey(request, name));
  if (found === undefined) throw notFound(request.info, name);
  return withTypeMeta(found, request.info);
}

/** A single object as a one-row Table, for `kubectl get KIND NAME`. */
export function getTable(
  context: ServerContext,
  request: ResourceRequest,
  query: URLSearchParams,
): JsonObject {
  const object = getObject(context, request);
  const listMetadata: JsonObject = { resourceVersion: resourceVersionOf(object) };
  return toTable([object], request.info, {
    printerColumns: context.machinery.kind(request.info).printerColumns,
    now: context.now(),
    include: includeObjectParam(query),
    listMetadata,
  });
}

export interface ListCall {
  readonly context: ServerContext;
  readonly request: ResourceRequest;
  readonly query: URLSearchParams;
  readonly table: boolean;
}

export function listObjects(call: ListCall): JsonObject {
  const { context, request, query } = call;
  const custom = context.machinery.kind(request.info).custom;
  const filter = compileListFilter(request.info, query, custom);
  const namespace = request.namespace === "" ? undefined : request.namespace;
  const source = storeListSource(
    context.store,
    { group: request.info.group, resource: request.info.resource },
    namespace,
  );
  const page = listPage(source, {
    options: parseListOptions(query),
    namespace,
    ...(filter.selective ? { matches: filter.matches } : {}),
  });
  const listMetadata: JsonObject = {
    resourceVersion: String(page.resourceVersion),
    ...(page.continueToken === undefined ? {} : { continue: page.continueToken }),
    ...(page.remainingItemCount === undefined ? {} : { remainingItemCount: page.remainingItemCount }),
  };
  if (call.table) {
    return toTable(page.items, request.info, {
      printerColumns: context.machinery.kind(request.info).printerColumns,
      now: context.now(),
      include: includeObjectParam(query),
      listMetadata,
    });
  }
  return {
    apiVersion: apiVersionOf(request.info),
    kind: request.info.listKind,
    metadata: listMetadata,
    items: page.items.map((item) => asListItem(item, request.info, custom)),
  };
}
