import type { LiveObject } from "../model/index.js";
import type { Schema } from "../kube/schema/types.js";
import type { JsonObject, KubeObject } from "../kube/value/json.js";

/** A resource the cluster serves, from discovery. */
export interface ServedResource {
  readonly group: string;
  /** The preferred version of the group. */
  readonly version: string;
  readonly kind: string;
  /** Plural: "deployments". */
  readonly resource: string;
  readonly namespaced: boolean;
  readonly verbs: readonly string[];
}

/** What a LIST may narrow by, as kubectl's `-l`. */
export interface ListOptions {
  /** A label selector in kubectl's syntax (`app=web,tier!=db`), sent as `labelSelector`. */
  readonly labelSelector?: string;
}

/**
 * `-v` and `--debug`: where the lines about requests go. Level 1: one line per request (method,
 * URL, status, duration) and the cause of a request that got no answer; level 2 also the
 * kubeconfig used, request headers (credentials masked) and retries. Never a body, token or secret.
 */
export interface Trace {
  readonly level: number;
  readonly write: (line: string) => void;
}

/**
 * Live state behind one small interface (kubedrift's "Dialect"): a real cluster through
 * @kubernetes/client-node, or a file of live objects for offline comparison.
 */
export interface Cluster {
  /** The kubeconfig context, or the live file's path: what the report's `cluster` says. */
  readonly name: string;
  /** The default namespace for namespaced objects that name none (the context's, else "default"). */
  readonly namespace: string;
  /** Discovery: every listable resource. */
  resources(): Promise<readonly ServedResource[]>;
  /**
   * Every object of a resource, in one namespace or (undefined) all: paged LISTs, never a GET per
   * object. A label selector is the server's to apply where there is a server; a caller that needs
   * it applied everywhere (a live file ignores it) filters the answer too.
   */
  list(
    resource: ServedResource,
    namespace: string | undefined,
    options?: ListOptions,
  ): Promise<readonly LiveObject[]>;
  /** The built-in schema plus the schemas of the cluster's CRDs. */
  schema(): Promise<Schema>;
  /** Writes, where the cluster can take them (a live file cannot). */
  readonly writer?: ClusterWriter;
  /**
   * What was degraded rather than failed so far (CRDs not readable, so custom kinds go without
   * schemas; an API group whose discovery failed): one line each, for the CLI to print on stderr.
   */
  warnings?(): readonly string[];
}

/** How a write went: the object as stored, or the server's refusal (a Status), never an exception for a 4xx/5xx. */
export type WriteOutcome =
  | { readonly ok: true; readonly object: KubeObject }
  | {
      readonly ok: false;
      /** HTTP status: 409 conflict, 422 invalid, 404 … (0 when the server could not be reached). */
      readonly code: number;
      readonly reason: string;
      readonly message: string;
      /** `details.causes` of a Status: for a 409 apply conflict, one per conflicting field (`.spec.replicas`). */
      readonly causes: readonly {
        readonly field?: string;
        readonly message: string;
        readonly reason?: string;
      }[];
    };

export interface WriteOptions {
  readonly fieldManager: string;
  /** Server-side apply: take over fields other managers own. */
  readonly force?: boolean;
  /** `dryRun=All`: validated and admitted, not stored. */
  readonly dryRun?: boolean;
}

/** Writes, for remediation (apply). A live file cannot write. */
export interface ClusterWriter {
  /** One object as it is now (GET), or undefined when it does not exist. */
  get(resource: ServedResource, namespace: string | undefined, name: string): Promise<KubeObject | undefined>;
  /** Server-side apply (`application/apply-patch+yaml`); creates the object when it does not exist. */
  apply(resource: ServedResource, object: KubeObject, options: WriteOptions): Promise<WriteOutcome>;
  /** A JSON patch (RFC 6902) as an Update of `fieldManager` (used to remove fields another manager added). */
  jsonPatch(
    resource: ServedResource,
    target: { readonly namespace: string | undefined; readonly name: string },
    patch: readonly JsonObject[],
    options: WriteOptions,
  ): Promise<WriteOutcome>;
  /** Delete with a resourceVersion precondition, so a changed object is not deleted blindly. */
  delete(
    resource: ServedResource,
    target: {
      readonly namespace: string | undefined;
      readonly name: string;
      readonly resourceVersion?: string;
    },
    options: { readonly dryRun?: boolean },
  ): Promise<WriteOutcome>;
}

/**
 * The one error class at the cluster edge: one line that names the endpoint or object at fault
 * (unreachable server, 401/403 with the missing permission, a failing LIST, a missing kubeconfig).
 */
export class ClusterError extends Error {
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = "ClusterError";
  }
}
