import type { JsonObject, KubeObject } from "../../kube/value/json.js";
import { isJsonObject, textOf } from "../../kube/value/json.js";
import { withFields, withMetadata } from "../api/object.js";
import { ApiError, StatusReasons, badRequest, notFound } from "../api/status.js";
import type { ObjectKey, ResourceKey } from "../store/types.js";
import type { ServerContext } from "./context.js";
import type { ResourceRequest } from "./request-info.js";
import { objectKey } from "./writes.js";
import { metadataOf } from "../../kube/object.js";
import { formatTime } from "../../kube/time.js";

export const PropagationPolicies = {
  orphan: "Orphan",
  background: "Background",
  foreground: "Foreground",
} as const;
type PropagationPolicy = (typeof PropagationPolicies)[keyof typeof PropagationPolicies];

/** DeleteOptions, from the request body or the query (kubectl sends the body). */
export interface DeleteOptions {
  readonly dryRun: boolean;
  readonly propagationPolicy: PropagationPolicy;
  readonly preconditions: { readonly uid?: string; readonly resourceVersion?: string };
}

function stringOrUndefined(value: unknown): string | undefined {
  return typeof value === "string" && value !== "" ? value : undefined;
}

function parsePolicy(value: unknown): PropagationPolicy {
  if (value === undefined || value === null || value === "") return PropagationPolicies.background;
  const policy = Object.values(PropagationPolicies).find((candidate) => candidate === value);
  if (policy === undefined) {
    throw badRequest(
      `propagationPolicy: Unsupported value: ${JSON.stringify(value)}: supported values: "Foreground", "Background", "Orphan"`,
    );
  }
  return policy;
}

export function parseDeleteOptions(body: unknown, query: URLSearchParams): DeleteOptions {
  const options: JsonObject = isJsonObject(body) ? body : {};
  const preconditions = isJsonObject(options["preconditions"]) ? options["preconditions"] : {};
  const dryRun = Array.isArray(options["dryRun"])
    ? options["dryRun"].includes("All")
    : query.getAll("dryRun").includes("All");
  const orphan = options["orphanDependents"] === true || query.get("orphanDependents") === "true";
  const uid = stringOrUndefined(preconditions["uid"]);
  const resourceVersion = stringOrUndefined(preconditions["resourceVersion"]);
  return {
    dryRun,
    propagationPolicy: orphan
      ? PropagationPolicies.orphan
      : parsePolicy(options["propagationPolicy"] ?? query.get("propagationPolicy")),
    preconditions: {
      ...(uid === undefined ? {} : { uid }),
      ...(resourceVersion === undefined ? {} : { resourceVersion }),
    },
  };
}

function checkPreconditions(live: KubeObject, options: DeleteOptions, describe: () => string): void {
  const metadata = metadataOf(live);
  const { uid, resourceVersion } = options.preconditions;
  if (uid !== undefined && uid !== metadata["uid"]) {
    throw new ApiError(
      409,
      StatusReasons.conflict,
      `Precondition failed: UID in precondition: ${uid}, UID in object meta: ${textOf(metadata["uid"])}`,
      { name: describe() },
    );
  }
  if (resourceVersion !== undefined && resourceVersion !== metadata["resourceVersion"]) {
    throw new ApiError(
      409,
      StatusReasons.conflict,
      `Precondition failed: ResourceVersion in precondition: ${resourceVersion}, ResourceVersion in object meta: ${textOf(metadata["resourceVersion"])}`,
      { name: describe() },
    );
  }
}

function finalizersOf(object: KubeObject): readonly string[] {
  const finalizers = metadataOf(object)["finalizers"];
  return Array.isArray(finalizers)
    ? finalizers.filter((item): item is string => typeof item === "string")
    : [];
}

export interface DeleteResult {
  readonly code: 200 | 202;
  readonly body: KubeObject;
}

function successStatus(request: ResourceRequest, live: KubeObject): KubeObject {
  const metadata = metadataOf(live);
  return {
    kind: "Status",
    apiVersion: "v1",
    metadata: {},
    status: "Success",
    details: {
      name: metadata["name"] ?? "",
      ...(request.info.group === "" ? {} : { group: request.info.group }),
      kind: request.info.resource,
      uid: metadata["uid"] ?? "",
    },
  };
}

/** Objects with finalizers are only marked for deletion; the finalizers' owners remove them later. */
function markForDeletion(
  context: ServerContext,
  key: ObjectKey,
  live: KubeObject,
  options: DeleteOptions,
): KubeObject {
  if (metadataOf(live)["deletionTimestamp"] !== undefined) return live;
  const marked = withMetadata(live, {
    deletionTimestamp: formatTime(context.now()),
    deletionGracePeriodSeconds: 0,
  });
  if (options.dryRun) return marked;
  return context.store.update(key, marked);
}

export function deleteObject(
  context: ServerContext,
  request: ResourceRequest,
  options: DeleteOptions,
): DeleteResult {
  const name = request.name ?? "";
  const key = objectKey(request, name);
  const live = context.store.get(key);
  if (live === undefined) throw notFound(request.info, name);
  checkPreconditions(live, options, () => name);
  if (request.info.resource === "namespaces" && request.info.group === "") {
    return { code: 200, body: deleteNamespace(context, live, options) };
  }
  if (finalizersOf(live).length > 0) return { code: 200, body: markForDeletion(context, key, live, options) };
  if (options.dryRun) return { code: 200, body: successStatus(request, live) };
  const removed = context.store.delete(key);
  collectDependents(context, metadataOf(removed)["uid"], options.propagationPolicy);
  return { code: 200, body: successStatus(request, removed) };
}

// The namespace controller empties a terminating namespace before it goes; the sandbox does it at once.
function deleteNamespace(context: ServerContext, live: KubeObject, options: DeleteOptions): KubeObject {
  const name = textOf(metadataOf(live)["name"]);
  const terminating = withFields(withMetadata(live, { deletionTimestamp: formatTime(context.now()) }), {
    status: { phase: "Terminating" },
  });
  if (options.dryRun) return terminating;
  const key: ObjectKey = { group: "", resource: "namespaces", namespace: "", name };
  const marked = context.store.update(key, terminating);
  for (const info of context.registry.all()) {
    if (!info.namespaced) continue;
    for (const item of context.store.list({ group: info.group, resource: info.resource }, name).items) {
      context.store.delete({
        group: info.group,
        resource: info.resource,
        namespace: name,
        name: textOf(metadataOf(item)["name"]),
      });
    }
  }
  context.store.delete(key);
  return marked;
}

function ownedBy(object: KubeObject, uid: unknown): boolean {
  const references = metadataOf(object)["ownerReferences"];
  return (
    Array.isArray(references) &&
    references.some((reference) => isJsonObject(reference) && reference["uid"] === uid)
  );
}

function withoutOwner(object: KubeObject, uid: unknown): KubeObject {
  const references = metadataOf(object)["ownerReferences"];
  const kept = Array.isArray(references)
    ? references.filter((reference) => !(isJsonObject(reference) && reference["uid"] === uid))
    : [];
  return withMetadata(object, { ownerReferences: kept.length > 0 ? kept : undefined });
}

/** The garbage collector's work: dependents go with their owner, or lose the reference when orphaned. */
function collectDependents(context: ServerContext, uid: unknown, policy: PropagationPolicy): void {
  const seen = new Set<string>();
  for (const info of context.registry.all()) {
    const resource: ResourceKey = { group: info.group, resource: info.resource };
    if (seen.has(`${info.group}/${info.resource}`)) continue;
    seen.add(`${info.group}/${info.resource}`);
    for (const item of context.store.list(resource).items) {
      if (!ownedBy(item, uid)) continue;
      const metadata = metadataOf(item);
      const key: ObjectKey = {
        ...resource,
        namespace: textOf(metadata["namespace"] ?? ""),
        name: textOf(metadata["name"]),
      };
      if (policy === PropagationPolicies.orphan) context.store.update(key, withoutOwner(item, uid));
      else collectDependents(context, context.store.delete(key) && metadata["uid"], policy);
    }
  }
}

export function deleteCollection(
  context: ServerContext,
  request: ResourceRequest,
  matches: (object: KubeObject) => boolean,
  options: DeleteOptions,
): KubeObject {
  const items = context.store
    .list(
      { group: request.info.group, resource: request.info.resource },
      request.namespace === "" ? undefined : request.namespace,
    )
    .items.filter(matches);
  const deleted = items.map((item) =>
    deleteObject(
      context,
      {
        ...request,
        verb: "delete",
        namespace: textOf(metadataOf(item)["namespace"] ?? ""),
        name: textOf(metadataOf(item)["name"]),
      },
      options,
    ),
  );
  return {
    kind: request.info.listKind,
    apiVersion:
      request.info.group === "" ? request.info.version : `${request.info.group}/${request.info.version}`,
    metadata: { resourceVersion: String(context.store.resourceVersion) },
    items: deleted.map((result) => result.body),
  };
}
