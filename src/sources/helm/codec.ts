import { gunzipSync, gzipSync } from "node:zlib";
import type { JsonObject, JsonValue, KubeObject } from "../../kube/value/json.js";
import { isJsonObject } from "../../kube/value/json.js";

/*
 * Helm 3's storage format (helm.sh/helm/v3 pkg/storage/driver): the release as JSON, gzipped, then
 * base64 (encodeRelease). The Secrets driver puts that string in `data.release`, which the API then
 * carries base64-encoded once more, as all Secret data; the ConfigMaps driver puts it in
 * `data.release` as it is. Objects are named `sh.helm.release.v1.<name>.v<version>`.
 */

export const HelmReleaseStatuses = {
  unknown: "unknown",
  deployed: "deployed",
  uninstalled: "uninstalled",
  superseded: "superseded",
  failed: "failed",
  uninstalling: "uninstalling",
  pendingInstall: "pending-install",
  pendingUpgrade: "pending-upgrade",
  pendingRollback: "pending-rollback",
} as const;
export type HelmReleaseStatus = (typeof HelmReleaseStatuses)[keyof typeof HelmReleaseStatuses];

export const HelmStorageKinds = { secret: "Secret", configMap: "ConfigMap" } as const;
export type HelmStorageKind = (typeof HelmStorageKinds)[keyof typeof HelmStorageKinds];

/** A hook as Helm keeps it, apart from the manifest (hooks never appear in `manifest`). */
export interface HelmHook {
  readonly name: string;
  readonly kind: string;
  readonly path: string;
  readonly manifest: string;
  readonly events: readonly string[];
}

/** The part of Helm's release record kubedrift reads, and writes for tests and the demo. */
export interface HelmReleaseRecord {
  readonly name: string;
  readonly namespace: string;
  /** The release revision (`helm history`'s REVISION). */
  readonly version: number;
  readonly status: HelmReleaseStatus;
  readonly chart: { readonly name: string; readonly version: string; readonly appVersion?: string };
  /** The rendered templates, `---\n# Source: chart/templates/x.yaml\n…` per document. */
  readonly manifest: string;
  readonly hooks?: readonly HelmHook[];
  /** The user-supplied values (`config` in Helm's record). */
  readonly values?: JsonObject;
  /** RFC 3339; Helm's zero time when absent. Time is an input: nothing here reads the clock. */
  readonly deployedAt?: string;
}

export const helmReleaseType = "helm.sh/release.v1";
const keyPrefix = "sh.helm.release.v1.";
/** How Go marshals time.Time's zero value. */
const goZeroTime = "0001-01-01T00:00:00Z";

export function helmStorageName(name: string, version: number): string {
  return `${keyPrefix}${name}.v${version}`;
}

function releaseJson(release: HelmReleaseRecord): JsonObject {
  const deployedAt = release.deployedAt ?? goZeroTime;
  return {
    name: release.name,
    info: {
      first_deployed: deployedAt,
      last_deployed: deployedAt,
      deleted: "",
      description: release.version === 1 ? "Install complete" : "Upgrade complete",
      status: release.status,
    },
    chart: {
      metadata: {
        name: release.chart.name,
        version: release.chart.version,
        ...(release.chart.appVersion === undefined ? {} : { appVersion: release.chart.appVersion }),
        apiVersion: "v2",
      },
      lock: null,
      templates: [],
      values: {},
      schema: null,
      files: [],
    },
    config: release.values ?? {},
    manifest: release.manifest,
    hooks: (release.hooks ?? []).map((hook) => ({ ...hook, events: [...hook.events] })),
    version: release.version,
    namespace: release.namespace,
  };
}

/** Go's gzip writes "unknown" (255) as the operating system; zlib writes the host's. */
function goGzip(bytes: Buffer): Buffer {
  const compressed = gzipSync(bytes, { level: 9 });
  compressed[9] = 255;
  return compressed;
}

function unixSeconds(rfc3339: string): string {
  const milliseconds = Date.parse(rfc3339);
  return Number.isNaN(milliseconds) || rfc3339 === goZeroTime ? "0" : String(Math.floor(milliseconds / 1000));
}

/**
 * The Secret (or, for the ConfigMaps driver, the ConfigMap) that Helm 3 stores a release in, with the
 * labels Helm's storage drivers set.
 */
export function encodeHelmRelease(
  release: HelmReleaseRecord,
  storage: HelmStorageKind = HelmStorageKinds.secret,
): KubeObject {
  const encoded = goGzip(Buffer.from(JSON.stringify(releaseJson(release)), "utf8")).toString("base64");
  const metadata = {
    name: helmStorageName(release.name, release.version),
    namespace: release.namespace,
    labels: {
      createdAt: unixSeconds(release.deployedAt ?? goZeroTime),
      name: release.name,
      owner: "helm",
      status: release.status,
      version: String(release.version),
    },
  };
  if (storage === HelmStorageKinds.configMap)
    return { apiVersion: "v1", kind: "ConfigMap", metadata, data: { release: encoded } };
  return {
    apiVersion: "v1",
    kind: "Secret",
    metadata,
    type: helmReleaseType,
    data: { release: Buffer.from(encoded, "utf8").toString("base64") },
  };
}

const base64Pattern = /^(?:[A-Za-z0-9+/]{4})*(?:[A-Za-z0-9+/]{2}==|[A-Za-z0-9+/]{3}=)?$/;
const gzipMagic = [0x1f, 0x8b, 0x08] as const;

/** Node's decoder skips what is not base64 instead of failing; a corrupt release must fail. */
function strictBase64(text: string, what: string): Buffer {
  const compact = text.replace(/\s+/g, "");
  if (!base64Pattern.test(compact)) throw new Error(`${what} is not base64`);
  return Buffer.from(compact, "base64");
}

function gunzipped(bytes: Buffer): Buffer {
  // Releases stored before Helm compressed them are plain JSON: Helm checks the magic number too.
  if (!gzipMagic.every((byte, index) => bytes[index] === byte)) return bytes;
  try {
    return gunzipSync(bytes);
  } catch (error: unknown) {
    throw new Error(`not gzip: ${error instanceof Error ? error.message : String(error)}`, { cause: error });
  }
}

function parseJson(bytes: Buffer): JsonObject {
  let parsed: unknown;
  try {
    parsed = JSON.parse(bytes.toString("utf8"));
  } catch (error: unknown) {
    throw new Error(`not JSON: ${error instanceof Error ? error.message : String(error)}`, { cause: error });
  }
  if (!isJsonObject(parsed)) throw new Error("not a JSON object");
  return parsed;
}

function stringAt(object: JsonObject, ...path: readonly string[]): string | undefined {
  let current: JsonValue | undefined = object;
  for (const key of path) current = isJsonObject(current) ? current[key] : undefined;
  return typeof current === "string" ? current : undefined;
}

function required(value: string | undefined, field: string): string {
  if (value === undefined) throw new Error(`the release has no ${field}`);
  return value;
}

function statusOf(value: string): HelmReleaseStatus {
  const known = Object.values(HelmReleaseStatuses) as readonly string[];
  return known.includes(value) ? (value as HelmReleaseStatus) : HelmReleaseStatuses.unknown;
}

function recordOf(json: JsonObject): HelmReleaseRecord {
  const version = json["version"];
  if (typeof version !== "number" || !Number.isInteger(version))
    throw new Error("the release has no version");
  const appVersion = stringAt(json, "chart", "metadata", "appVersion");
  const deployedAt = stringAt(json, "info", "last_deployed");
  const config = json["config"];
  return {
    name: required(stringAt(json, "name"), "name"),
    namespace: stringAt(json, "namespace") ?? "",
    version,
    status: statusOf(required(stringAt(json, "info", "status"), "info.status")),
    chart: {
      name: required(stringAt(json, "chart", "metadata", "name"), "chart.metadata.name"),
      version: required(stringAt(json, "chart", "metadata", "version"), "chart.metadata.version"),
      ...(appVersion === undefined ? {} : { appVersion }),
    },
    manifest: stringAt(json, "manifest") ?? "",
    ...(isJsonObject(config) ? { values: config } : {}),
    ...(deployedAt === undefined ? {} : { deployedAt }),
  };
}

/**
 * The release a Secret or ConfigMap of Helm's holds. Throws a plain Error saying what is wrong with
 * the data (not base64, not gzip, not JSON, a field missing); the caller names the release.
 */
export function decodeHelmRelease(storage: KubeObject): HelmReleaseRecord {
  const data = storage["data"];
  const stored = isJsonObject(data) ? data["release"] : undefined;
  if (typeof stored !== "string") throw new Error("no data.release");
  const helmEncoded =
    storage["kind"] === "Secret" ? strictBase64(stored, "the Secret's data").toString("utf8") : stored;
  return recordOf(parseJson(gunzipped(strictBase64(helmEncoded, "the release"))));
}
