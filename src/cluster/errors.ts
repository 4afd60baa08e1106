import type { ApiStatus } from "./transport.js";
import type { ServedResource } from "./types.js";
import { ClusterError } from "./types.js";

/** A ClusterError for a request the server answered with an error status; `status.code` tells which. */
export class ApiStatusError extends ClusterError {
  readonly status: ApiStatus;

  constructor(message: string, status: ApiStatus) {
    super(message);
    this.status = status;
  }
}

/** `deployments.apps`, `configmaps`: how kubectl and RBAC name a resource. */
export function resourceName(resource: Pick<ServedResource, "group" | "resource">): string {
  return resource.group === "" ? resource.resource : `${resource.resource}.${resource.group}`;
}

function scopePhrase(resource: ServedResource, namespace: string | undefined): string {
  if (!resource.namespaced) return "";
  return namespace === undefined ? " in all namespaces" : ` in namespace "${namespace}"`;
}

/** `500 Internal error occurred: …`: the code and what the Status says (its reason when it says nothing else). */
export function statusSummary(status: ApiStatus): string {
  const detail = status.message !== "" ? status.message : status.reason;
  return detail === "" ? `${status.code}` : `${status.code} ${detail}`;
}

export interface RequestTarget {
  readonly contextName: string;
  readonly server: string;
}

function unauthorized(status: ApiStatus, target: RequestTarget): ApiStatusError {
  return new ApiStatusError(
    `unauthorized: the server rejected the credentials of context "${target.contextName}" (${target.server})`,
    status,
  );
}

function serverSaid(status: ApiStatus): string {
  return status.message === "" ? "" : ` (server: ${status.message})`;
}

export interface ListFailure {
  readonly resource: ServedResource;
  readonly namespace: string | undefined;
  readonly path: string;
  /** Pages received before the failure. */
  readonly pages: number;
  /** `-l`: sent as `labelSelector` ("" for none); a malformed one is the user's to fix. */
  readonly labelSelector?: string;
  /** Sent as `fieldSelector` ("" for none). */
  readonly fieldSelector?: string;
}

/** One line for a LIST the server refused or failed. */
export function listError(status: ApiStatus, failure: ListFailure, target: RequestTarget): ApiStatusError {
  const name = resourceName(failure.resource);
  const scope = scopePhrase(failure.resource, failure.namespace);
  switch (status.code) {
    case 401:
      return unauthorized(status, target);
    case 403:
      return new ApiStatusError(
        `forbidden: cannot list ${name}${scope} — the user needs "list" on ${name}${serverSaid(status)}`,
        status,
      );
    case 404:
      return new ApiStatusError(
        `not found: ${name} is not served by ${target.server} any more (GET ${failure.path} answered 404)`,
        status,
      );
    default: {
      const after =
        failure.pages === 0 ? "" : ` after ${failure.pages} page${failure.pages === 1 ? "" : "s"}`;
      return new ApiStatusError(`listing ${name}${scope} failed${after}: ${statusSummary(status)}`, status);
    }
  }
}

/** A network failure in the middle of a LIST: the transport's line, with how far the LIST got. */
export function interruptedListError(error: ClusterError, failure: ListFailure): ClusterError {
  if (failure.pages === 0 || error instanceof ApiStatusError) return error;
  const name = resourceName(failure.resource);
  const scope = scopePhrase(failure.resource, failure.namespace);
  const pages = `${failure.pages} page${failure.pages === 1 ? "" : "s"}`;
  return new ClusterError(`listing ${name}${scope} failed after ${pages}: ${error.message}`, {
    cause: error,
  });
}

/** One line for a discovery request the server refused or failed. */
export function discoveryError(status: ApiStatus, path: string, target: RequestTarget): ApiStatusError {
  switch (status.code) {
    case 401:
      return unauthorized(status, target);
    case 403:
      return new ApiStatusError(
        `forbidden: cannot read API discovery ${path} on ${target.server} — the user needs "get" on the non-resource URL ${path}${serverSaid(status)}`,
        status,
      );
    default:
      return new ApiStatusError(
        `API discovery ${path} on ${target.server} failed: ${statusSummary(status)}`,
        status,
      );
  }
}
