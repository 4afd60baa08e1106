import type { KubeObject } from "../../kube/value/json.js";
import type { StatusCause } from "../api/status.js";
import type { GroupVersionKind, Schema } from "../../kube/schema/types.js";

/** Where a write arrives: the main resource, or one of its subresources. */
export type WriteTarget = "main" | "status" | "scale";

/**
 * What an allocator answers: the value, a full range, or a requested value it refuses, with
 * kube's reason (`provided IP is already allocated`, `the provided IP (…) is not in the valid range…`).
 */
export type Allocation<T> =
  | { readonly status: "allocated"; readonly value: T }
  | { readonly status: "full" }
  | { readonly status: "refused"; readonly reason: string };

/** Cluster-wide facts a strategy may need (allocators live in the server; strategies stay pure). */
export interface StrategyContext {
  readonly schema: Schema;
  /**
   * A free address of the service range (`--service-cluster-ip-range`, 10.96.0.0/12 by default),
   * or the `requested` one when it is in the range and free. It stays taken once the write stores it.
   */
  readonly allocateClusterIP: (requested?: string) => Allocation<string>;
  /** A free node port (`--service-node-port-range`, 30000-32767 by default), or the `requested` one. */
  readonly allocateNodePort: (requested?: number) => Allocation<number>;
  /** The first address of the service range, which the `kubernetes` Service takes. */
  readonly kubernetesServiceIP: string;
  /**
   * The stored ServiceAccount `namespace/name`, for the ServiceAccount admission plugin
   * (automountServiceAccountToken, imagePullSecrets). Without it, accounts count as defaults.
   */
  readonly serviceAccount?: (namespace: string, name: string) => KubeObject | undefined;
}

/**
 * What kube-apiserver does for one kind around the field manager. A write to the main
 * resource runs: decode with `applyDefaults` → field manager → `prepare` → `validate` → store.
 * Only decoding's defaulting precedes the field manager, so the fields that `applyDefaults`
 * sets are owned by the writer in managedFields, and those that `prepare` sets by nobody.
 * All functions are pure: they return new objects.
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
   * The defaulting that decoding applies (SetDefaults_* of pkg/apis/…/v1/defaults.go, the v1
   * conversion's field syncing, CRD structural defaults): `defaultObject` of src/kube/defaulting,
   * which needs neither `old` nor `context` (kube-apiserver 1.32 defaulting is stateless).
   */
  applyDefaults(object: KubeObject, old: KubeObject | undefined, context: StrategyContext): KubeObject;
  /**
   * The registry's PrepareForCreate/PrepareForUpdate, allocation and admission defaults: run after
   * field management, so nobody owns what it sets. For writes to the main resource only; a
   * create gets its initial status here. It leaves carrying the old status over on update to the caller.
   */
  prepare(object: KubeObject, old: KubeObject | undefined, context: StrategyContext): KubeObject;
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
