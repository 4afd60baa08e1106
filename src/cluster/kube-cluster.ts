import type { LiveObject } from "../model/index.js";
import type { Schema } from "../kube/schema/types.js";
import { withCRDs } from "../kube/schema/crd.js";
import { builtinSchema } from "../kube/schema/builtin.js";
import { collectionPath, groupVersionPath, listableResources, preferredGroupVersions } from "./discovery.js";
import type { ListFailure, RequestTarget } from "./errors.js";
import { ApiStatusError, discoveryError, interruptedListError, listError, statusSummary } from "./errors.js";
import type { KubeconfigOptions, ResolvedKubeconfig } from "./kubeconfig.js";
import { resolveKubeconfig } from "./kubeconfig.js";
import type { ApiAnswer, RetryPolicy } from "./transport.js";
import { ApiTransport, defaultTransportOptions } from "./transport.js";
import type {
  Cluster,
  ClusterWriter,
  ListOptions,
  ListSnapshot,
  ServedResource,
  Trace,
  WatchEnd,
  WatchEvent,
  WatchOptions,
} from "./types.js";
import { watchCollection } from "./watch.js";
import { KubeClusterWriter } from "./writer.js";
import { ClusterError } from "./types.js";
import type { KubeObject } from "../kube/value/json.js";
import type { UnknownRecord } from "../kube/value/json.js";
import { isRecord, stringOf } from "../kube/value/json.js";

export interface ConnectOptions extends KubeconfigOptions {
  /** Per request, body included, and per run of a credential plugin (default 30 s; 0: no limit). */
  readonly requestTimeoutMs?: number;
  readonly retry?: Partial<RetryPolicy>;
  /** Objects per LIST page (default 500, as kubectl's --chunk-size); 0 for one unpaged LIST. */
  readonly pageSize?: number;
  /** `-v`/`--debug`: lines about the requests. */
  readonly trace?: Trace;
}

const customResourceDefinitions: ServedResource = {
  group: "apiextensions.k8s.io",
  version: "v1",
  kind: "CustomResourceDefinition",
  resource: "customresourcedefinitions",
  namespaced: false,
  verbs: ["list"],
};

/** A LIST's items carry no apiVersion/kind (the List has them), but a LiveObject must. */
function toLiveObject(item: UnknownRecord, resource: ServedResource, apiVersion: string): LiveObject {
  const object = (
    typeof item["apiVersion"] === "string" && typeof item["kind"] === "string"
      ? item
      : { apiVersion, kind: resource.kind, ...item }
  ) as KubeObject;
  const metadata = item["metadata"];
  return {
    ref: {
      group: resource.group,
      version: resource.version,
      kind: resource.kind,
      namespace: isRecord(metadata) ? stringOf(metadata["namespace"]) : "",
      name: isRecord(metadata) ? stringOf(metadata["name"]) : "",
    },
    object,
  };
}

interface Page {
  readonly items: readonly LiveObject[];
  /** "" on the last page. */
  readonly continueToken: string;
  /** The List's resourceVersion: every page of a paged LIST carries its snapshot's. */
  readonly resourceVersion: string;
}

function pageOf(body: unknown, resource: ServedResource): Page {
  if (!isRecord(body) || !Array.isArray(body["items"]))
    return { items: [], continueToken: "", resourceVersion: "" };
  const apiVersion = resource.group === "" ? resource.version : `${resource.group}/${resource.version}`;
  const items = (body["items"] as readonly unknown[])
    .filter(isRecord)
    .map((item) => toLiveObject(item, resource, apiVersion));
  const metadata = body["metadata"];
  return {
    items,
    continueToken: isRecord(metadata) ? stringOf(metadata["continue"]) : "",
    resourceVersion: isRecord(metadata) ? stringOf(metadata["resourceVersion"]) : "",
  };
}

/** 410 Expired on a continue token: the snapshot the pages came from is gone (etcd compaction). */
function isExpiredContinuation(answer: ApiAnswer, continueToken: string): boolean {
  return answer.kind === "status" && answer.status.code === 410 && continueToken !== "";
}

class KubeCluster implements Cluster {
  readonly name: string;
  readonly namespace: string;
  readonly #transport: ApiTransport;
  readonly #target: RequestTarget;
  readonly #pageSize: number;
  readonly writer: ClusterWriter;
  readonly #warnings: string[] = [];
  #resources: Promise<readonly ServedResource[]> | undefined;
  #schema: Promise<Schema> | undefined;

  constructor(
    identity: { readonly name: string; readonly namespace: string; readonly server: string },
    transport: ApiTransport,
    pageSize: number,
  ) {
    this.name = identity.name;
    this.namespace = identity.namespace;
    this.#transport = transport;
    this.#target = { contextName: identity.name, server: identity.server };
    this.#pageSize = pageSize;
    this.writer = new KubeClusterWriter(transport);
  }

  warnings(): readonly string[] {
    return [...this.#warnings];
  }

  resources(): Promise<readonly ServedResource[]> {
    this.#resources ??= this.#discover().catch((error: unknown) => {
      this.#resources = undefined;
      throw error;
    });
    return this.#resources;
  }

  async list(
    resource: ServedResource,
    namespace: string | undefined,
    options: ListOptions = {},
  ): Promise<readonly LiveObject[]> {
    return (await this.listSnapshot(resource, namespace, options)).items;
  }

  async listSnapshot(
    resource: ServedResource,
    namespace: string | undefined,
    options: ListOptions = {},
  ): Promise<ListSnapshot> {
    const path = collectionPath(resource, namespace);
    const failure: ListFailure = {
      resource,
      namespace,
      path,
      pages: 0,
      labelSelector: options.labelSelector ?? "",
      fieldSelector: options.fieldSelector ?? "",
    };
    try {
      return await this.#listPages(failure, this.#pageSize > 0);
    } catch (error: unknown) {
      if (!(error instanceof ApiStatusError) || error.status.code !== 410) throw error;
      // As client-go's pager: when the paged snapshot expired, fall back to one full LIST.
      return this.#listPages(failure, false);
    }
  }

  schema(): Promise<Schema> {
    this.#schema ??= this.#loadSchema().catch((error: unknown) => {
      this.#schema = undefined;
      throw error;
    });
    return this.#schema;
  }

  watch(
    resource: ServedResource,
    options: WatchOptions,
    onEvent: (event: WatchEvent) => void,
  ): Promise<WatchEnd> {
    const apiVersion = resource.group === "" ? resource.version : `${resource.group}/${resource.version}`;
    return watchCollection(
      {
        transport: this.#transport,
        path: collectionPath(resource, options.namespace),
        options,
        toLive: (item) => toLiveObject(item, resource, apiVersion),
      },
      onEvent,
    );
  }

  async #listPages(start: ListFailure, paged: boolean): Promise<ListSnapshot> {
    const objects: LiveObject[] = [];
    let failure = start;
    let continueToken = "";
    let resourceVersion: string;
    do {
      const answer = await this.#getPage(failure, paged ? continueToken : undefined);
      if (answer.kind === "status") {
        if (isExpiredContinuation(answer, continueToken)) throw new ApiStatusError("expired", answer.status);
        throw listError(answer.status, failure, this.#target);
      }
      const page = pageOf(answer.body, failure.resource);
      for (const item of page.items) objects.push(item);
      resourceVersion = page.resourceVersion;
      failure = { ...failure, pages: failure.pages + 1 };
      continueToken = paged ? page.continueToken : "";
    } while (continueToken !== "");
    return { items: objects, resourceVersion };
  }

  /** One page; `continueToken` undefined asks for everything at once. */
  async #getPage(failure: ListFailure, continueToken: string | undefined): Promise<ApiAnswer> {
    const query: Record<string, string> =
      continueToken === undefined ? {} : { limit: String(this.#pageSize) };
    const selector = failure.labelSelector ?? "";
    if (selector !== "") query["labelSelector"] = selector;
    const fields = failure.fieldSelector ?? "";
    if (fields !== "") query["fieldSelector"] = fields;
    if (continueToken !== undefined && continueToken !== "") query["continue"] = continueToken;
    try {
      return await this.#transport.get(failure.path, query);
    } catch (error: unknown) {
      throw error instanceof ClusterError ? interruptedListError(error, failure) : error;
    }
  }

  async #getDiscovery(path: string): Promise<unknown> {
    const answer = await this.#transport.get(path);
    if (answer.kind === "status") throw discoveryError(answer.status, path, this.#target);
    return answer.body;
  }

  async #discover(): Promise<readonly ServedResource[]> {
    const [core, groups] = await Promise.all([this.#getDiscovery("/api/v1"), this.#getDiscovery("/apis")]);
    const groupResources = await Promise.all(
      preferredGroupVersions(groups).map((groupVersion) => this.#discoverGroup(groupVersion)),
    );
    return [...listableResources(core), ...groupResources.flat()];
  }

  /**
   * As kubectl: an aggregated API that is down (metrics.k8s.io answering 503) leaves its
   * resources out with a warning instead of failing everything; credentials problems still fail.
   */
  async #discoverGroup(groupVersion: string): Promise<readonly ServedResource[]> {
    const path = groupVersionPath(groupVersion);
    const answer = await this.#transport.get(path);
    if (answer.kind === "ok") return listableResources(answer.body);
    if (answer.status.code === 401 || answer.status.code === 403) {
      throw discoveryError(answer.status, path, this.#target);
    }
    this.#warnings.push(
      `API group ${groupVersion} left out: its discovery failed (${statusSummary(answer.status)})`,
    );
    return [];
  }

  async #loadSchema(): Promise<Schema> {
    try {
      const crds = await this.list(customResourceDefinitions, undefined);
      return withCRDs(
        builtinSchema,
        crds.map((crd) => crd.object),
      );
    } catch (error: unknown) {
      if (!(error instanceof ApiStatusError) || ![403, 404].includes(error.status.code)) throw error;
      this.#warnings.push(
        `cannot read CustomResourceDefinitions (${statusSummary(error.status)}): custom resources are compared without their schemas`,
      );
      return withCRDs(builtinSchema, []);
    }
  }
}

/** The kubeconfig resolved as kubectl would, and a transport to its server (what connectCluster and serverVersion share). */
export function connectTransport(options: ConnectOptions): {
  readonly resolved: ResolvedKubeconfig;
  readonly transport: ApiTransport;
} {
  const resolved = resolveKubeconfig(options);
  if (options.trace !== undefined && options.trace.level >= 2) {
    options.trace.write(
      `kubeconfig ${resolved.origin}: context "${resolved.contextName}", server ${resolved.server}, namespace "${resolved.namespace}"`,
    );
  }
  const transport = new ApiTransport(
    resolved.config,
    { server: resolved.server, contextName: resolved.contextName },
    {
      requestTimeoutMs: options.requestTimeoutMs ?? defaultTransportOptions.requestTimeoutMs,
      retry: { ...defaultTransportOptions.retry, ...options.retry },
      ...(options.env === undefined ? {} : { env: options.env }),
      ...(options.trace === undefined ? {} : { trace: options.trace }),
    },
  );
  return { resolved, transport };
}

/**
 * A real cluster through @kubernetes/client-node, configured as kubectl would be. Nothing is
 * requested until the first call; discovery and the schema are fetched once and cached.
 */
export function connectCluster(options: ConnectOptions = {}): Cluster {
  const { resolved, transport } = connectTransport(options);
  return new KubeCluster(
    { name: resolved.contextName, namespace: resolved.namespace, server: resolved.server },
    transport,
    options.pageSize ?? 500,
  );
}
