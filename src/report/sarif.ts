import { createHash } from "node:crypto";
import type {
  Drift,
  DriftReport,
  DriftSummary,
  DriftType,
  ResourceDrift,
  SkippedSource,
  SourceRevision,
} from "../model/index.js";
import { AddedReasons, describeRef, refKey, ResourceStatuses, unreachable } from "../model/index.js";
import { originFields, documentSummary } from "./document.js";
import type { DocumentResource } from "./document.js";
import type { ObjectsByRef } from "./drift-lines.js";
import { attributionText, blameText, hiddenValue } from "./drift-lines.js";
import type { SarifPhysicalLocation } from "./sarif-log.js";
import { baseUri, objectLogicalLocation, physicalLocation, sarifSchemaUri, sourceRoot } from "./sarif-log.js";
import { originText } from "./origin.js";
import { readablePath } from "./paths.js";
import type { JsonValue } from "../kube/value/json.js";

/*
 * SARIF 2.1.0 for code-scanning views (GitHub code scanning, GitLab, Azure DevOps, the SARIF viewer of
 * VS Code): one result per drifted field, at the line of the manifest that declares it, so that drift
 * shows where a reviewer would fix it. Decisions:
 * - Rules are the three drift types and the three resource verdicts that are not InSync; the rule's
 *   `help` says what to do about it. Drift is a `warning`; an object that could not be checked is an
 *   `error`, because nothing is known about it.
 * - Files under the working directory are relative URIs against `%SRCROOT%` (code scanning resolves
 *   them against the repository root, so kubedrift should run there); files elsewhere are `file:` URIs.
 * - GitHub rejects a whole upload when a result has no location or only a logical one, and an Extra
 *   object has no source file. Its result is therefore placed at the sources of its namespace (the
 *   Namespace manifest, else an object of the same kind in that namespace, else any object of it,
 *   else the first sourced object) and says so; its own identity is in `logicalLocations`. Objects
 *   with no file in the repository (read from stdin, or from a Helm release in the cluster) have a
 *   logical location only: valid SARIF, but not for GitHub code scanning (docs/ci.md says so), and
 *   an Extra object with no file anywhere in the report is placed nowhere either.
 * - `partialFingerprints["kubedriftField/v1"]` hashes the object's identity and the field's pointer,
 *   never the line, so that an alert survives edits that move the field; upload-sarif adds its own
 *   line hash beside it.
 * - Values are redacted as in the other formats, and long ones shortened: messages are one line.
 * - Sources that could not be evaluated are `toolExecutionNotifications`, not results: they are
 *   facts about the run, not drift.
 */

export { sarifSchemaUri };
/** The project's home page, as code-scanning views link it. */
export const fingerprintKey = "kubedriftField/v1";
const longestValue = 80;

export interface SarifOptions {
  readonly cwd?: string;
  readonly objects?: ObjectsByRef;
  /** `tool.driver.version`; left out when not given. */
  readonly toolVersion?: string;
}

type Level = "warning" | "error";

interface SarifText {
  readonly text: string;
}

export interface SarifRule {
  readonly id: string;
  readonly name: string;
  readonly shortDescription: SarifText;
  readonly fullDescription: SarifText;
  readonly help: SarifText;
  readonly defaultConfiguration: { readonly level: Level };
  readonly properties: { readonly tags: readonly string[] };
}

export type { SarifPhysicalLocation };

export interface SarifLocation {
  readonly physicalLocation?: SarifPhysicalLocation;
  readonly logicalLocations: readonly {
    readonly name: string;
    readonly fullyQualifiedName: string;
    readonly kind: "object";
  }[];
}

export interface SarifResult {
  readonly ruleId: string;
  readonly ruleIndex: number;
  readonly level: Level;
  readonly message: SarifText;
  readonly locations: readonly SarifLocation[];
  readonly partialFingerprints: { readonly [key: string]: string };
  readonly properties?: Pick<DocumentResource, "cluster" | "terraformAddress" | "helm">;
}

export interface SarifNotification {
  readonly level: "warning";
  readonly message: SarifText;
  readonly locations?: readonly { readonly physicalLocation: SarifPhysicalLocation }[];
}

export interface SarifRun {
  readonly tool: {
    readonly driver: {
      readonly name: "kubedrift";
      readonly version?: string;
      readonly rules: readonly SarifRule[];
    };
  };
  readonly originalUriBaseIds?: { readonly [id: string]: { readonly uri: string } };
  readonly invocations: readonly {
    readonly executionSuccessful: true;
    readonly endTimeUtc: string;
    readonly toolExecutionNotifications?: readonly SarifNotification[];
  }[];
  readonly results: readonly SarifResult[];
  readonly properties: {
    readonly cluster: string;
    readonly summary: DriftSummary;
    readonly clusters?: readonly { readonly name: string; readonly summary: DriftSummary }[];
    readonly revision?: SourceRevision;
  };
}

export interface SarifLog {
  readonly $schema: string;
  readonly version: "2.1.0";
  readonly runs: readonly [SarifRun];
}

interface RuleText {
  readonly id: string;
  readonly name: string;
  readonly level: Level;
  readonly short: string;
  readonly full: string;
  readonly help: string;
}

const ruleTexts = [
  {
    id: "drift/changed",
    name: "FieldChanged",
    level: "warning",
    short: "A field has a different value in the cluster than in the sources",
    full: "A field that the sources set has another value in the cluster: it was changed out of band after it was applied.",
    help: "Apply the sources again to restore the desired value, or, if the change was intended, write the live value into the sources so that the next deployment does not undo it. The message names the field manager that made the change, from the object's managedFields.",
  },
  {
    id: "drift/removed",
    name: "FieldRemoved",
    level: "warning",
    short: "A field set in the sources is absent in the cluster",
    full: "A field that the sources set is missing from the live object: it was deleted out of band, for example with kubectl edit or a JSON patch.",
    help: "Apply the sources again to restore the field, or remove it from the sources if it is no longer wanted.",
  },
  {
    id: "drift/added",
    name: "FieldAdded",
    level: "warning",
    short: "A field was added in the cluster by a manager that is not trusted",
    full: "A field that the sources do not set was written in the cluster by a field manager that is not a trusted deployer (kubectl edit, patch, label, scale and the like), according to the object's managedFields.",
    help: "Add the field to the sources if it should stay; otherwise remove it from the live object. The message names the field manager that wrote it.",
  },
  {
    id: "resource/missing",
    name: "ObjectMissing",
    level: "warning",
    short: "An object in the sources does not exist in the cluster",
    full: "An object that the sources declare is not in the cluster: it was deleted, or never applied.",
    help: "Apply the sources to create it, or remove it from the sources if it was retired on purpose.",
  },
  {
    id: "resource/extra",
    name: "ObjectExtra",
    level: "warning",
    short: "An object in the cluster is not in the sources",
    full: "An object in the namespaces and kinds that the sources cover, which no source declares, no owner created and Kubernetes did not create itself. It has no source file: the result is shown at the sources of its namespace, and its identity is its logical location.",
    help: "Add the object to the sources if it should exist; otherwise delete it from the cluster.",
  },
  {
    id: "resource/error",
    name: "ObjectNotChecked",
    level: "error",
    short: "An object could not be compared with the cluster",
    full: "kubedrift could not evaluate this object (for example its kind is not served by the cluster, or reading it was forbidden), so nothing is known about its drift.",
    help: "The message gives the cause. Fix it (install the CRD, grant the account kubedrift uses permission to read the kind) and run again.",
  },
  {
    id: "drift/undeclared",
    name: "FieldUndeclared",
    level: "warning",
    short: "A field deleted from the sources is still set in the cluster",
    full: "A field that the deployer last applied (the last-applied-configuration annotation of kubectl apply, or the fields its server-side apply owns) is no longer in the sources and is still set in the cluster. The next apply removes it.",
    help: "If the field should go, apply the sources (the next deployment removes it anyway). If it should stay, write it back into the sources (kubedrift adopt).",
  },
] as const satisfies readonly RuleText[];

type RuleId = (typeof ruleTexts)[number]["id"];

const driftRules = {
  Changed: "drift/changed",
  Removed: "drift/removed",
  Added: "drift/added",
} as const satisfies {
  readonly [type in DriftType]: RuleId;
};

function sarifRule(rule: RuleText): SarifRule {
  return {
    id: rule.id,
    name: rule.name,
    shortDescription: { text: rule.short },
    fullDescription: { text: rule.full },
    help: { text: rule.help },
    defaultConfiguration: { level: rule.level },
    properties: { tags: ["kubernetes", "drift"] },
  };
}

function ruleFields(id: RuleId): Pick<SarifResult, "ruleId" | "ruleIndex" | "level"> {
  const ruleIndex = ruleTexts.findIndex((rule) => rule.id === id);
  return { ruleId: id, ruleIndex, level: ruleTexts[ruleIndex].level };
}

function fingerprint(resource: ResourceDrift, path: string): { readonly [key: string]: string } {
  // The same drift in two clusters is two alerts; a single cluster's fingerprints stay as they were.
  const where = resource.cluster === undefined ? "" : `${resource.cluster}\n`;
  const hash = createHash("sha256")
    .update(`${where}${refKey(resource.ref)}\n${path}`)
    .digest("hex");
  return { [fingerprintKey]: hash.slice(0, 32) };
}

function subject(resource: ResourceDrift): string {
  const origin = resource.origin === undefined ? "" : ` (${originText(resource.origin, resource.ref)})`;
  const cluster = resource.cluster === undefined ? "" : ` in cluster ${resource.cluster}`;
  return `${describeRef(resource.ref)}${origin}${cluster}`;
}

function valueText(value: JsonValue | undefined, redacted: boolean): string {
  if (redacted) return hiddenValue;
  if (value === undefined) return "(not set)";
  const json = JSON.stringify(value);
  return json.length > longestValue ? `${json.slice(0, longestValue - 1)}…` : json;
}

function changeText(drift: Drift, field: string): string {
  const redacted = drift.redacted !== undefined;
  switch (drift.type) {
    case "Changed":
      return redacted
        ? `${field} differs from the sources ${hiddenValue}.`
        : `${field} is ${valueText(drift.live, false)} in the cluster, ${valueText(drift.desired, false)} in the sources.`;
    case "Removed":
      return `${field} is set in the sources (${valueText(drift.desired, redacted)}) but absent in the cluster.`;
    case "Added":
      return drift.reason === AddedReasons.undeclared
        ? `${field} is set in the cluster (${valueText(drift.live, redacted)}) and no longer in the sources: the next apply removes it.`
        : `${field} is set in the cluster (${valueText(drift.live, redacted)}) but not in the sources.`;
  }
}

function driftMessage(resource: ResourceDrift, drift: Drift, options: SarifOptions): string {
  const objects = options.objects?.get(refKey(resource.ref));
  const field = readablePath(drift.path, drift.type === "Added" ? objects?.live : objects?.desired);
  const sentences = [`${subject(resource)}: ${changeText(drift, field)}`];
  if (drift.attribution !== undefined) {
    const verb =
      drift.reason === AddedReasons.undeclared ? "Set" : drift.type === "Added" ? "Added" : "Changed";
    sentences.push(`${attributionText(drift.attribution, verb, { when: (at) => `at ${at}` })}.`);
  }
  if (drift.blame !== undefined) sentences.push(`Source line ${blameText(drift.blame)}.`);
  return sentences.join(" ");
}

function logicalLocations(resource: ResourceDrift): SarifLocation["logicalLocations"] {
  // describeRef gives `Kind namespace/name` (`Kind name` when cluster-scoped); the path form is the
  // one-token name that code-scanning views show.
  return [objectLogicalLocation(resource.ref)];
}

function location(resource: ResourceDrift, physical: SarifPhysicalLocation | undefined): SarifLocation {
  return {
    ...(physical !== undefined && { physicalLocation: physical }),
    logicalLocations: logicalLocations(resource),
  };
}

function originProperties(resource: ResourceDrift): Pick<SarifResult, "properties"> {
  const properties = {
    ...(resource.cluster !== undefined && { cluster: resource.cluster }),
    ...(resource.origin !== undefined && originFields(resource.origin)),
  };
  return Object.keys(properties).length === 0 ? {} : { properties };
}

function driftResult(resource: ResourceDrift, drift: Drift, options: SarifOptions): SarifResult {
  const source = drift.source ?? resource.source;
  const physical = source === undefined ? undefined : physicalLocation(source, options.cwd);
  return {
    ...ruleFields(drift.reason === AddedReasons.undeclared ? "drift/undeclared" : driftRules[drift.type]),
    message: { text: driftMessage(resource, drift, options) },
    locations: [location(resource, physical)],
    partialFingerprints: fingerprint(resource, drift.path),
    ...originProperties(resource),
  };
}

interface Anchor {
  readonly resource: ResourceDrift;
  readonly physical: SarifPhysicalLocation;
}

function anchors(report: DriftReport, cwd: string | undefined): readonly Anchor[] {
  return report.resources.flatMap((resource) => {
    const physical = resource.source === undefined ? undefined : physicalLocation(resource.source, cwd);
    return physical === undefined ? [] : [{ resource, physical }];
  });
}

/** Where an Extra object's result is shown; see the decisions at the top. */
function extraAnchor(extra: ResourceDrift, candidates: readonly Anchor[]): Anchor | undefined {
  const { namespace, kind, group } = extra.ref;
  const sameNamespace = candidates.filter(({ resource }) => resource.ref.namespace === namespace);
  return (
    candidates.find(
      ({ resource }) =>
        resource.ref.group === "" && resource.ref.kind === "Namespace" && resource.ref.name === namespace,
    ) ??
    sameNamespace.find(({ resource }) => resource.ref.kind === kind && resource.ref.group === group) ??
    sameNamespace[0] ??
    candidates[0]
  );
}

function extraResult(resource: ResourceDrift, candidates: readonly Anchor[]): SarifResult {
  const anchor = extraAnchor(resource, candidates);
  const placed =
    anchor === undefined
      ? ""
      : ` It has no source file; this result is shown at ${describeRef(anchor.resource.ref)}.`;
  return {
    ...ruleFields("resource/extra"),
    message: { text: `${subject(resource)} is in the cluster but not in the sources.${placed}` },
    locations: [location(resource, anchor?.physical)],
    partialFingerprints: fingerprint(resource, ""),
    ...originProperties(resource),
  };
}

function sourcedResult(
  resource: ResourceDrift,
  id: "resource/missing" | "resource/error",
  text: string,
  cwd: string | undefined,
): SarifResult {
  const physical = resource.source === undefined ? undefined : physicalLocation(resource.source, cwd);
  return {
    ...ruleFields(id),
    message: { text },
    locations: [location(resource, physical)],
    partialFingerprints: fingerprint(resource, ""),
    ...originProperties(resource),
  };
}

function resourceResults(
  resource: ResourceDrift,
  candidates: readonly Anchor[],
  options: SarifOptions,
): readonly SarifResult[] {
  switch (resource.status) {
    case ResourceStatuses.inSync:
      return [];
    case ResourceStatuses.drifted:
      return resource.drifts.map((drift) => driftResult(resource, drift, options));
    case ResourceStatuses.missing: {
      const text = `${subject(resource)} is in the sources but not in the cluster.`;
      return [sourcedResult(resource, "resource/missing", text, options.cwd)];
    }
    case ResourceStatuses.extra:
      return [extraResult(resource, candidates)];
    case ResourceStatuses.error: {
      const text = `${subject(resource)} could not be checked: ${resource.error}`;
      return [sourcedResult(resource, "resource/error", text, options.cwd)];
    }
    default:
      return unreachable(resource);
  }
}

function notification(skipped: SkippedSource, cwd: string | undefined): SarifNotification {
  const physical = physicalLocation(skipped.source, cwd);
  return {
    level: "warning",
    message: { text: `${skipped.what} was not evaluated: ${skipped.reason}` },
    ...(physical !== undefined && { locations: [{ physicalLocation: physical }] }),
  };
}

function invocation(report: DriftReport, cwd: string | undefined): SarifRun["invocations"][number] {
  const skipped = report.skipped ?? [];
  return {
    executionSuccessful: true,
    endTimeUtc: report.generatedAt,
    ...(skipped.length > 0 && {
      toolExecutionNotifications: skipped.map((entry) => notification(entry, cwd)),
    }),
  };
}

function runProperties(report: DriftReport): SarifRun["properties"] {
  return {
    cluster: report.cluster,
    summary: documentSummary(report.summary),
    ...(report.clusters !== undefined && {
      clusters: report.clusters.map(({ name, summary }) => ({ name, summary: documentSummary(summary) })),
    }),
    ...(report.revision !== undefined && {
      revision: { ref: report.revision.ref, commit: report.revision.commit },
    }),
  };
}

/** `file:///repo/`: SARIF wants the base of relative URIs to end with a slash. */
export function sarifLog(report: DriftReport, options: SarifOptions = {}): SarifLog {
  const candidates = anchors(report, options.cwd);
  const results = report.resources.flatMap((resource) => resourceResults(resource, candidates, options));
  const run: SarifRun = {
    tool: {
      driver: {
        name: "kubedrift",
        ...(options.toolVersion !== undefined && { version: options.toolVersion }),
        rules: ruleTexts.map(sarifRule),
      },
    },
    ...(options.cwd !== undefined && {
      originalUriBaseIds: { [sourceRoot]: { uri: baseUri(options.cwd) } },
    }),
    invocations: [invocation(report, options.cwd)],
    results,
    properties: runProperties(report),
  };
  return { $schema: sarifSchemaUri, version: "2.1.0", runs: [run] };
}
