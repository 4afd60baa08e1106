import type {
  AddedReason,
  Blame,
  DesiredOrigin,
  Drift,
  DriftReport,
  DriftSummary,
  ResourceDrift,
  ResourceStatus,
  SkippedSource,
  SourceLocation,
  SourceRevision,
} from "../model/index.js";
import { ResourceStatuses } from "../model/index.js";
import { relativeLocation } from "./location.js";
import type { JsonValue } from "../kube/value/json.js";
import { apiVersionOf } from "../kube/schema/gvk.js";

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
 *   keyed hash (HMAC-SHA-256 under the installation's secret key, 16 hex digits): `"desiredHash"`,
 *   `"liveHash"`. Equal hashes across runs with the same key mean an unchanged value; without the
 *   key nothing about the value can be tried against them. Example:
 *   `{ "path": "/data/password", "type": "Changed", "redacted": true, "desiredHash": "3f9a…", "liveHash": "b07c…" }`
 * - Fields added by later issues follow the contract's, so that readers of the original shape see it
 *   unchanged at the top of each object: a resource's origin (`"terraformAddress"`, or `"helm"` with
 *   release, namespace, chart, chartVersion and revision), an Added drift's `"reason"` (`outOfBand`,
 *   rule 4, or `undeclared`, rule 4b), a drift's `"blame"`, and at the end of the
 *   report `"revision"` (`ref`, full `commit`) and `"skipped"` (`file`, `line`, `what`, `reason`).
 *   Each appears only when the run produced it; `skipped` only when something was skipped.
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
  readonly reason?: AddedReason;
  readonly blame?: Blame;
}

export interface DocumentHelmOrigin {
  readonly release: string;
  readonly namespace: string;
  readonly chart: string;
  readonly chartVersion: string;
  readonly revision: number;
}

export interface DocumentResource {
  /** In a report of several clusters: the one the object was compared in. */
  readonly cluster?: string;
  readonly apiVersion: string;
  readonly kind: string;
  readonly namespace?: string;
  readonly name: string;
  readonly status: ResourceStatus;
  readonly error?: string;
  readonly source?: SourceLocation;
  readonly drifts: readonly DocumentDrift[];
  readonly terraformAddress?: string;
  readonly helm?: DocumentHelmOrigin;
}

export interface DocumentSkipped {
  readonly file: string;
  readonly line: number;
  readonly what: string;
  readonly reason: string;
}

export interface ReportDocument {
  readonly apiVersion: "kubedrift.dev/v1";
  readonly kind: "DriftReport";
  readonly generatedAt: string;
  readonly cluster: string;
  readonly summary: DriftSummary;
  readonly resources: readonly DocumentResource[];
  readonly revision?: SourceRevision;
  readonly skipped?: readonly DocumentSkipped[];
  /** In a report of several clusters: each one's summary, in the order they were given. */
  readonly clusters?: readonly { readonly name: string; readonly summary: DriftSummary }[];
}

export interface DocumentOptions {
  /** Source files under this directory are given relative to it. */
  readonly cwd?: string;
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
    ...(drift.reason !== undefined && { reason: drift.reason }),
    ...(drift.blame !== undefined && { blame: documentBlame(drift.blame) }),
  };
}

function documentBlame(blame: Blame): Blame {
  return { commit: blame.commit, author: blame.author, date: blame.date, summary: blame.summary };
}

/** The origin's fields, built key by key so that their order does not depend on how the source built it. */
export function originFields(origin: DesiredOrigin): Pick<DocumentResource, "terraformAddress" | "helm"> {
  switch (origin.kind) {
    case "terraform":
      return { terraformAddress: origin.address };
    case "helm":
      return {
        helm: {
          release: origin.release,
          namespace: origin.namespace,
          chart: origin.chart,
          chartVersion: origin.chartVersion,
          revision: origin.revision,
        },
      };
  }
}

function documentSkipped(skipped: SkippedSource, options: DocumentOptions): DocumentSkipped {
  const { file, line } = relativeLocation(skipped.source, options.cwd);
  return { file, line, what: skipped.what, reason: skipped.reason };
}

function documentResource(resource: ResourceDrift, options: DocumentOptions): DocumentResource {
  const { ref } = resource;
  return {
    ...(resource.cluster !== undefined && { cluster: resource.cluster }),
    apiVersion: apiVersionOf(ref),
    kind: ref.kind,
    ...(ref.namespace !== "" && { namespace: ref.namespace }),
    name: ref.name,
    status: resource.status,
    ...(resource.status === ResourceStatuses.error && { error: resource.error }),
    ...(resource.source !== undefined && { source: relativeLocation(resource.source, options.cwd) }),
    drifts: resource.drifts.map((drift) => documentDrift(drift, options)),
    ...(resource.origin !== undefined && originFields(resource.origin)),
  };
}

/** The summary in the contract's key order, whatever order the report object has. */
export function documentSummary(summary: DriftReport["summary"]): DriftReport["summary"] {
  return {
    total: summary.total,
    inSync: summary.inSync,
    drifted: summary.drifted,
    missing: summary.missing,
    extra: summary.extra,
    errors: summary.errors,
  };
}

export function reportDocument(report: DriftReport, options: DocumentOptions = {}): ReportDocument {
  return {
    apiVersion: "kubedrift.dev/v1",
    kind: "DriftReport",
    generatedAt: report.generatedAt,
    cluster: report.cluster,
    summary: documentSummary(report.summary),
    ...(report.clusters !== undefined && {
      clusters: report.clusters.map(({ name, summary }) => ({ name, summary: documentSummary(summary) })),
    }),
    resources: report.resources.map((resource) => documentResource(resource, options)),
    ...(report.revision !== undefined && {
      revision: { ref: report.revision.ref, commit: report.revision.commit },
    }),
    ...(report.skipped !== undefined &&
      report.skipped.length > 0 && {
        skipped: report.skipped.map((skipped) => documentSkipped(skipped, options)),
      }),
  };
}
