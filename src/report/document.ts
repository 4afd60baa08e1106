import type {
  Drift,
  DriftReport,
  DriftSummary,
  JsonValue,
  ObjectRef,
  ResourceDrift,
  ResourceStatus,
  SourceLocation,
} from "../model/index.js";
import { relativeLocation } from "./location.js";

/*
 * The JSON report of DESIGN.md ("The JSON report"), as data; `-o json` and `-o yaml` serialize it.
 * Keys are built in the contract's order because JSON.stringify keeps insertion order.
 *
 * Decisions the contract leaves open:
 * - `namespace` is left out for cluster-scoped objects, as Kubernetes leaves out their
 *   `metadata.namespace`.
 * - `source` is left out where there is none (Extra objects); `drifts` is always present, empty for
 *   InSync, Missing, Extra and Error.
 * - `error` follows `status`, on Error resources only.
 * - `desired` / `live` appear when that side has a value (no `live` on Removed, no `desired` on Added).
 * - Attribution (`manager`, `operation`, `subresource`, `changedAt`) only as far as managedFields tells.
 * - A redacted drift carries `"redacted": true` and, in place of each value it has, that value's
 *   short salted hash: `"desiredHash"`, `"liveHash"`. Equal hashes across runs mean an unchanged
 *   value; nothing else about the value is recoverable. Example:
 *   `{ "path": "/data/password", "type": "Changed", "redacted": true, "desiredHash": "3f9a…", "liveHash": "b07c…" }`
 */

export interface DocumentDrift {
  readonly path: string;
  readonly type: Drift["type"];
  readonly desired?: JsonValue;
  readonly live?: JsonValue;
  readonly redacted?: true;
  readonly desiredHash?: string;
  readonly liveHash?: string;
  readonly source?: SourceLocation;
  readonly manager?: string;
  readonly operation?: "Apply" | "Update";
  readonly subresource?: string;
  readonly changedAt?: string;
}

export interface DocumentResource {
  readonly apiVersion: string;
  readonly kind: string;
  readonly namespace?: string;
  readonly name: string;
  readonly status: ResourceStatus;
  readonly error?: string;
  readonly source?: SourceLocation;
  readonly drifts: readonly DocumentDrift[];
}

export interface ReportDocument {
  readonly apiVersion: "kubedrift.dev/v1";
  readonly kind: "DriftReport";
  readonly generatedAt: string;
  readonly cluster: string;
  readonly summary: DriftSummary;
  readonly resources: readonly DocumentResource[];
}

export interface DocumentOptions {
  /** Source files under this directory are given relative to it. */
  readonly cwd?: string;
}

function apiVersionOf(ref: ObjectRef): string {
  return ref.group === "" ? ref.version : `${ref.group}/${ref.version}`;
}

function driftValues(drift: Drift): Partial<DocumentDrift> {
  if (drift.redacted !== undefined) {
    return {
      redacted: true,
      ...(drift.redacted.desired !== undefined && { desiredHash: drift.redacted.desired }),
      ...(drift.redacted.live !== undefined && { liveHash: drift.redacted.live }),
    };
  }
  return {
    ...(drift.desired !== undefined && { desired: drift.desired }),
    ...(drift.live !== undefined && { live: drift.live }),
  };
}

function documentDrift(drift: Drift, options: DocumentOptions): DocumentDrift {
  const attribution = drift.attribution;
  return {
    path: drift.path,
    type: drift.type,
    ...driftValues(drift),
    ...(drift.source !== undefined && { source: relativeLocation(drift.source, options.cwd) }),
    ...(attribution !== undefined && {
      manager: attribution.manager,
      operation: attribution.operation,
      ...(attribution.subresource !== undefined && { subresource: attribution.subresource }),
      ...(attribution.changedAt !== undefined && { changedAt: attribution.changedAt }),
    }),
  };
}

function documentResource(resource: ResourceDrift, options: DocumentOptions): DocumentResource {
  const { ref } = resource;
  return {
    apiVersion: apiVersionOf(ref),
    kind: ref.kind,
    ...(ref.namespace !== "" && { namespace: ref.namespace }),
    name: ref.name,
    status: resource.status,
    ...(resource.error !== undefined && { error: resource.error }),
    ...(resource.source !== undefined && { source: relativeLocation(resource.source, options.cwd) }),
    drifts: resource.drifts.map((drift) => documentDrift(drift, options)),
  };
}

export function reportDocument(report: DriftReport, options: DocumentOptions = {}): ReportDocument {
  const { summary } = report;
  return {
    apiVersion: "kubedrift.dev/v1",
    kind: "DriftReport",
    generatedAt: report.generatedAt,
    cluster: report.cluster,
    summary: {
      total: summary.total,
      inSync: summary.inSync,
      drifted: summary.drifted,
      missing: summary.missing,
      extra: summary.extra,
      errors: summary.errors,
    },
    resources: report.resources.map((resource) => documentResource(resource, options)),
  };
}
