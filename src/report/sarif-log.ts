/**
 * SARIF 2.1.0 for checks that are not drift (`lint`, `rbac`): rules with help, results at the line
 * of the manifest and the object's identity, suppressed results kept with their justification (code
 * scanning shows them as dismissed). The locations follow `sarif.ts`'s decisions: files under the
 * working directory are relative to `%SRCROOT%`, others `file:` URIs, sources that are not files a
 * logical location only; fingerprints hash identity and field, never the line.
 */
import { createHash } from "node:crypto";
import { isAbsolute } from "node:path";
import { pathToFileURL } from "node:url";
import type { ObjectRef } from "../kube/object.js";
import type { SourceLocation } from "../model/index.js";
import { describeRef, refKey } from "../model/index.js";
import { relativeFile } from "./location.js";

export type SarifLevel = "error" | "warning" | "note";

export interface CheckRule {
  readonly id: string;
  readonly level: SarifLevel;
  /** One line: what the rule checks. */
  readonly summary: string;
  /** How to fix what it finds. */
  readonly help: string;
  readonly tags: readonly string[];
}

export interface CheckResultEntry {
  readonly ruleId: string;
  readonly level: SarifLevel;
  readonly message: string;
  readonly ref: ObjectRef;
  readonly source?: SourceLocation;
  /** What identifies the result across runs besides the object (a field's pointer, a subject). */
  readonly detail: string;
  /** Why it is accepted, where it is (an annotation in the manifest, the project's configuration). */
  readonly suppressed?: { readonly justification: string; readonly inSource: boolean };
}

export interface CheckSarifOptions {
  readonly cwd?: string;
  readonly toolVersion?: string;
  /** The fingerprint's key: `kubedriftLint/v1`. */
  readonly fingerprintKey: string;
}

export const sarifSchemaUri = "https://json.schemastore.org/sarif-2.1.0.json";
export const sourceRoot = "%SRCROOT%";

/** The working directory as the `%SRCROOT%` base: a directory URI ends with a slash. */
export function baseUri(cwd: string): string {
  const href = pathToFileURL(cwd).href;
  return href.endsWith("/") ? href : `${href}/`;
}

/** A relative path as a URI reference: each segment percent-encoded, `./` dropped. */
export function relativeUri(file: string): string {
  return file
    .replace(/^(\.\/)+/, "")
    .split("/")
    .map((segment) => encodeURIComponent(segment))
    .join("/");
}

/*
 * Sources that are not files in the repository: stdin (`<stdin>`) and names with a scheme, as a Helm
 * release's templates are named (`helm:shop/web@3:templates/service.yaml`). Two letters at least
 * before the colon, so that a Windows drive (`C:`) still reads as a path.
 */
const notAFile = /^(<|[A-Za-z][A-Za-z0-9+.-]+:)/;

export interface SarifPhysicalLocation {
  readonly artifactLocation: { readonly uri: string; readonly uriBaseId?: string };
  readonly region: { readonly startLine: number };
}

export function physicalLocation(
  source: SourceLocation,
  cwd: string | undefined,
): SarifPhysicalLocation | undefined {
  const file = relativeFile(source.file, cwd);
  if (file === "" || notAFile.test(file)) return undefined;
  const artifactLocation = isAbsolute(file)
    ? { uri: pathToFileURL(file).href }
    : { uri: relativeUri(file), uriBaseId: sourceRoot };
  return { artifactLocation, region: { startLine: Math.max(1, source.line) } };
}

/** describeRef's `Kind namespace/name` as the one-token path that code-scanning views show. */
export function objectLogicalLocation(ref: ObjectRef): {
  readonly name: string;
  readonly fullyQualifiedName: string;
  readonly kind: "object";
} {
  return { name: ref.name, fullyQualifiedName: describeRef(ref).replace(" ", "/"), kind: "object" };
}

function fingerprint(entry: CheckResultEntry): string {
  return createHash("sha256")
    .update(`${entry.ruleId}\n${refKey(entry.ref)}\n${entry.detail}`)
    .digest("hex")
    .slice(0, 32);
}

function sarifResult(
  entry: CheckResultEntry,
  ruleIndex: number,
  options: CheckSarifOptions,
): Record<string, unknown> {
  const physical = entry.source === undefined ? undefined : physicalLocation(entry.source, options.cwd);
  return {
    ruleId: entry.ruleId,
    ruleIndex,
    level: entry.level,
    message: { text: entry.message },
    locations: [
      {
        ...(physical === undefined ? {} : { physicalLocation: physical }),
        logicalLocations: [objectLogicalLocation(entry.ref)],
      },
    ],
    partialFingerprints: { [options.fingerprintKey]: fingerprint(entry) },
    ...(entry.suppressed === undefined
      ? {}
      : {
          suppressions: [
            {
              kind: entry.suppressed.inSource ? "inSource" : "external",
              justification: entry.suppressed.justification,
            },
          ],
        }),
  };
}

/** One run of `tool` (`kubedrift lint`): its rules, and a result per entry. */
export function checkSarif(
  rules: readonly CheckRule[],
  entries: readonly CheckResultEntry[],
  options: CheckSarifOptions,
): Record<string, unknown> {
  const indexOf = new Map(rules.map((rule, index) => [rule.id, index]));
  const cwd = options.cwd;
  return {
    $schema: sarifSchemaUri,
    version: "2.1.0",
    runs: [
      {
        tool: {
          driver: {
            name: "kubedrift",
            ...(options.toolVersion === undefined ? {} : { version: options.toolVersion }),
            rules: rules.map((rule) => ({
              id: rule.id,
              shortDescription: { text: rule.summary },
              help: { text: rule.help },
              defaultConfiguration: { level: rule.level },
              properties: { tags: [...rule.tags] },
            })),
          },
        },
        ...(cwd === undefined ? {} : { originalUriBaseIds: { [sourceRoot]: { uri: baseUri(cwd) } } }),
        invocations: [{ executionSuccessful: true, endTimeUtc: new Date().toISOString() }],
        results: entries.map((entry) => sarifResult(entry, indexOf.get(entry.ruleId) ?? -1, options)),
      },
    ],
  };
}
