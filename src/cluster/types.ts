import type { LiveObject } from "../model/index.js";
import type { Schema } from "../schema/types.js";

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
  /** Every object of a resource, in one namespace or (undefined) all: paged LISTs, never a GET per object. */
  list(resource: ServedResource, namespace: string | undefined): Promise<readonly LiveObject[]>;
  /** The built-in schema plus the schemas of the cluster's CRDs. */
  schema(): Promise<Schema>;
  /**
   * What was degraded rather than failed so far (CRDs not readable, so custom kinds go without
   * schemas; an API group whose discovery failed): one line each, for the CLI to print on stderr.
   */
  warnings?(): readonly string[];
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
