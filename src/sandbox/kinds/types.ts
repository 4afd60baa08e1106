import type { KubeObject } from "../api/json.js";
import type { StatusCause } from "../api/status.js";
import type { GroupVersionKind, Schema } from "../../schema/types.js";

/** Where a write arrives: the main resource, or one of its subresources. */
export type WriteTarget = "main" | "status" | "scale";

/** Cluster-wide facts a strategy may need (allocators live in the server; strategies stay pure). */
export interface StrategyContext {
  readonly schema: Schema;
  /** Allocates a free ClusterIP from the service range (10.0.0.0/24), "" when exhausted. */
  readonly allocateClusterIP: () => string;
  /** Allocates a free NodePort in 30000-32767. */
  readonly allocateNodePort: () => number;
}

/**
 * What kube-apiserver's registry strategy does for one kind (k8s.io/kubernetes/pkg/registry/…):
 * defaulting, preparing a write (what the main resource may not change, and status may
 * not change), generation, validation. All functions are pure: they return new objects.
 */
export interface KindStrategy {
  readonly gvk: GroupVersionKind;
  /** Whether metadata.generation is kept (bumped when the spec changes). */
  readonly tracksGeneration: boolean;
  /** Whether the kind has a status subresource: then writes to the main resource keep the old status. */
  readonly hasStatus: boolean;
  /** The scale subresource's paths, when the kind has one. */
  readonly scale?: ScaleSubresource;
  /**
   * Applies the defaulting of kube-apiserver 1.32 (SetDefaults_* and the API server's
   * create-time allocation) to an object about to be stored. `old` is the stored object on update.
   */
  applyDefaults(object: KubeObject, old: KubeObject | undefined, context: StrategyContext): KubeObject;
  /** Validation errors with field paths such as `spec.template.spec.containers[0].image`. */
  validate(object: KubeObject, old: KubeObject | undefined): readonly StatusCause[];
}

export interface ScaleSubresource {
  /** e.g. ".spec.replicas" */
  readonly specReplicasPath: string;
  readonly statusReplicasPath: string;
  /** Label selector path; for Deployments `.status.selector` is a string built from spec.selector. */
  readonly labelSelectorPath?: string;
}
