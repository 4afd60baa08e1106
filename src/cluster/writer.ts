import { HttpMethod } from "./client-node.js";
import { collectionPath } from "./discovery.js";
import { ApiStatusError, statusSummary } from "./errors.js";
import type { ApiTransport, RawAnswer, RawRequest, WriteMethod } from "./transport.js";
import type { ClusterWriter, ServedResource, WriteOptions, WriteOutcome } from "./types.js";
import { ClusterError } from "./types.js";
import type { JsonObject, KubeObject } from "../kube/value/json.js";
import { isRecord, stringOf } from "../kube/value/json.js";

interface Target {
  readonly namespace: string | undefined;
  readonly name: string;
}

function objectPath(resource: ServedResource, target: Target): string {
  return `${collectionPath(resource, resource.namespaced ? target.namespace : undefined)}/${encodeURIComponent(target.name)}`;
}

function causesOf(details: unknown): Extract<WriteOutcome, { ok: false }>["causes"] {
  if (!isRecord(details) || !Array.isArray(details["causes"])) return [];
  return (details["causes"] as readonly unknown[]).filter(isRecord).map((cause) => {
    const field = stringOf(cause["field"]);
    const reason = stringOf(cause["reason"]);
    return {
      message: stringOf(cause["message"]),
      ...(field === "" ? {} : { field }),
      ...(reason === "" ? {} : { reason }),
    };
  });
}

/** A non-2xx answer as the refusal it is: the Status's reason, message and causes. */
function refusal(answer: RawAnswer): WriteOutcome {
  const status = isRecord(answer.body) ? answer.body : {};
  const message = stringOf(status["message"]) || answer.text.trim().split("\n")[0]?.slice(0, 200) || "";
  const details = status["details"];
  const retryAfter = isRecord(details) ? details["retryAfterSeconds"] : undefined;
  return {
    ok: false,
    code: answer.code,
    reason: stringOf(status["reason"]),
    message: message === "" ? `HTTP ${answer.code}` : message,
    causes: causesOf(details),
    ...(typeof retryAfter === "number" && retryAfter > 0 ? { retryAfterSeconds: retryAfter } : {}),
  };
}

function outcomeOf(answer: RawAnswer): WriteOutcome {
  if (answer.code < 200 || answer.code >= 300) return refusal(answer);
  return { ok: true, object: (isRecord(answer.body) ? answer.body : {}) as KubeObject };
}

function writeQuery(options: {
  readonly fieldManager?: string;
  readonly force?: boolean;
  readonly dryRun?: boolean;
}): Record<string, string> {
  return {
    ...(options.fieldManager === undefined ? {} : { fieldManager: options.fieldManager }),
    ...(options.force === true ? { force: "true" } : {}),
    ...(options.dryRun === true ? { dryRun: "All" } : {}),
  };
}

/**
 * The write side of a real cluster, on the same authenticated transport as the reads. HTTP
 * refusals come back as values; a server that cannot be reached is code 0, so that one object's
 * failure never aborts the others.
 */
export class KubeClusterWriter implements ClusterWriter {
  readonly #transport: ApiTransport;

  constructor(transport: ApiTransport) {
    this.#transport = transport;
  }

  async get(
    resource: ServedResource,
    namespace: string | undefined,
    name: string,
  ): Promise<KubeObject | undefined> {
    const path = objectPath(resource, { namespace, name });
    const answer = await this.#transport.get(path, {}, { whole: true });
    if (answer.kind === "ok") return (isRecord(answer.body) ? answer.body : {}) as KubeObject;
    if (answer.status.code === 404) return undefined;
    throw new ApiStatusError(`GET ${path}: ${statusSummary(answer.status)}`, answer.status);
  }

  apply(resource: ServedResource, object: KubeObject, options: WriteOptions): Promise<WriteOutcome> {
    const metadata = isRecord(object["metadata"]) ? object["metadata"] : {};
    const target = {
      namespace: stringOf(metadata["namespace"]) || undefined,
      name: stringOf(metadata["name"]),
    };
    return this.#write(HttpMethod.PATCH, objectPath(resource, target), {
      query: writeQuery(options),
      body: JSON.stringify(object),
      contentType: "application/apply-patch+yaml",
    });
  }

  create(resource: ServedResource, object: KubeObject, options: WriteOptions): Promise<WriteOutcome> {
    const metadata = isRecord(object["metadata"]) ? object["metadata"] : {};
    const namespace = stringOf(metadata["namespace"]) || undefined;
    return this.#write(
      HttpMethod.POST,
      collectionPath(resource, resource.namespaced ? namespace : undefined),
      {
        query: writeQuery(options),
        body: JSON.stringify(object),
        contentType: "application/json",
      },
    );
  }

  update(resource: ServedResource, object: KubeObject, options: WriteOptions): Promise<WriteOutcome> {
    const metadata = isRecord(object["metadata"]) ? object["metadata"] : {};
    const target = {
      namespace: stringOf(metadata["namespace"]) || undefined,
      name: stringOf(metadata["name"]),
    };
    return this.#write(HttpMethod.PUT, objectPath(resource, target), {
      query: writeQuery({
        fieldManager: options.fieldManager,
        ...(options.dryRun === true ? { dryRun: true } : {}),
      }),
      body: JSON.stringify(object),
      contentType: "application/json",
    });
  }

  jsonPatch(
    resource: ServedResource,
    target: Target,
    patch: readonly JsonObject[],
    options: WriteOptions,
  ): Promise<WriteOutcome> {
    return this.#write(HttpMethod.PATCH, objectPath(resource, target), {
      query: writeQuery({
        fieldManager: options.fieldManager,
        ...(options.dryRun === true ? { dryRun: true } : {}),
      }),
      body: JSON.stringify(patch),
      contentType: "application/json-patch+json",
    });
  }

  delete(
    resource: ServedResource,
    target: Target & { readonly resourceVersion?: string },
    options: { readonly dryRun?: boolean },
  ): Promise<WriteOutcome> {
    const deleteOptions = {
      apiVersion: "v1",
      kind: "DeleteOptions",
      propagationPolicy: "Background",
      ...(target.resourceVersion === undefined
        ? {}
        : { preconditions: { resourceVersion: target.resourceVersion } }),
      ...(options.dryRun === true ? { dryRun: ["All"] } : {}),
    };
    return this.#write(HttpMethod.DELETE, objectPath(resource, target), {
      query: writeQuery(options),
      body: JSON.stringify(deleteOptions),
      contentType: "application/json",
    });
  }

  async #write(method: WriteMethod, path: string, request: RawRequest): Promise<WriteOutcome> {
    try {
      return outcomeOf(await this.#transport.request(method, path, request));
    } catch (error: unknown) {
      if (!(error instanceof ClusterError)) throw error;
      return { ok: false, code: 0, reason: "Unreachable", message: error.message, causes: [] };
    }
  }
}
