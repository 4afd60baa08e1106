import type { DesiredObject } from "../../model/index.js";
import { SourceError } from "../types.js";
import type { LoadedSources } from "../types.js";
import { HelmReleaseStatuses, decodeHelmRelease, helmReleaseType } from "./codec.js";
import type { HelmReleaseRecord, HelmReleaseStatus } from "./codec.js";
import { parseRenderedManifest, withinChart } from "./manifest.js";
import type { JsonObject, KubeObject } from "../../kube/value/json.js";
import { isJsonObject } from "../../kube/value/json.js";

/** How the CLI lets this module read the cluster without importing the cluster layer. */
export interface ReleaseStore {
  /** Secrets in a namespace, or in all namespaces (undefined). A label selector `owner=helm` is enough. */
  secrets(namespace: string | undefined): Promise<readonly KubeObject[]>;
  /** ConfigMaps, for Helm's ConfigMap storage driver; same contract. */
  configMaps(namespace: string | undefined): Promise<readonly KubeObject[]>;
}

export interface HelmSpec {
  /** --helm-release NAME, repeatable. */
  readonly releases: readonly string[];
  /** --all: every release in the namespace (or in all namespaces). */
  readonly all: boolean;
  /** undefined = all namespaces (-A). */
  readonly namespace: string | undefined;
}

/** One stored revision of a release, known from its labels before its data is decoded. */
interface StoredRevision {
  readonly name: string;
  readonly namespace: string;
  readonly version: number;
  readonly status: HelmReleaseStatus | undefined;
  readonly storage: KubeObject;
}

const storageName = /^sh\.helm\.release\.v1\.(.+)\.v(\d+)$/;

function objectAt(value: unknown): JsonObject {
  return isJsonObject(value) ? value : {};
}

function stringIn(object: JsonObject, key: string): string | undefined {
  const value = object[key];
  return typeof value === "string" ? value : undefined;
}

function statusLabel(value: string | undefined): HelmReleaseStatus | undefined {
  return (Object.values(HelmReleaseStatuses) as readonly (string | undefined)[]).includes(value)
    ? (value as HelmReleaseStatus)
    : undefined;
}

/** Helm's objects are recognised by name and owner label, as Helm's own drivers list them. */
function storedRevision(storage: KubeObject): StoredRevision | undefined {
  const metadata = objectAt(storage["metadata"]);
  const labels = objectAt(metadata["labels"]);
  const key = storageName.exec(stringIn(metadata, "name") ?? "");
  const isHelms =
    key !== null &&
    (labels["owner"] === "helm" || (storage["kind"] === "Secret" && storage["type"] === helmReleaseType));
  if (!isHelms) return undefined;
  const version = Number(stringIn(labels, "version") ?? key[2]);
  return {
    name: stringIn(labels, "name") ?? key[1],
    namespace: stringIn(metadata, "namespace") ?? "",
    version: Number.isInteger(version) ? version : Number(key[2]),
    status: statusLabel(stringIn(labels, "status")),
    storage,
  };
}

/**
 * Whether a live object is one of Helm's stored release revisions: bookkeeping, never declared in
 * any source, so not "extra" when a chart's Secrets or ConfigMaps put their kind in scope.
 */
export function isHelmReleaseStorage(object: KubeObject): boolean {
  return storedRevision(object) !== undefined;
}

function releaseKey(revision: { readonly namespace: string; readonly name: string }): string {
  return `${revision.namespace}/${revision.name}`;
}

function decodeRevision(revision: StoredRevision): HelmReleaseRecord {
  try {
    return decodeHelmRelease(revision.storage);
  } catch (error: unknown) {
    const reason = error instanceof Error ? error.message : String(error);
    throw new SourceError(`helm release ${releaseKey(revision)}: cannot decode release data: ${reason}`, {
      cause: error,
    });
  }
}

/** A revision whose status label is missing is decoded to learn it; the rest are trusted to their labels. */
function statusOf(revision: StoredRevision): HelmReleaseStatus {
  return revision.status ?? decodeRevision(revision).status;
}

type Choice =
  | { readonly kind: "deployed"; readonly revision: StoredRevision }
  | { readonly kind: "none"; readonly reason: string };

function newestDeployed(revisions: readonly StoredRevision[]): Choice {
  const newestFirst = [...revisions].sort((a, b) => b.version - a.version);
  const deployed = newestFirst.find((revision) => statusOf(revision) === HelmReleaseStatuses.deployed);
  if (deployed !== undefined) return { kind: "deployed", revision: deployed };
  const newest = newestFirst[0];
  return {
    kind: "none",
    reason: `has no deployed revision (the newest, ${newest.version}, is ${statusOf(newest)})`,
  };
}

function groupByRelease(storage: readonly KubeObject[]): ReadonlyMap<string, readonly StoredRevision[]> {
  const groups = new Map<string, StoredRevision[]>();
  for (const object of storage) {
    const revision = storedRevision(object);
    if (revision === undefined) continue;
    const key = releaseKey(revision);
    groups.set(key, [...(groups.get(key) ?? []), revision]);
  }
  return groups;
}

function namespaceWords(namespace: string | undefined): string {
  return namespace === undefined ? "in any namespace" : `in namespace "${namespace}"`;
}

interface Selected {
  readonly named: ReadonlySet<string>;
  readonly keys: readonly string[];
}

function selectReleases(spec: HelmSpec, groups: ReadonlyMap<string, readonly StoredRevision[]>): Selected {
  const named = new Set<string>();
  for (const name of spec.releases) {
    const matching = [...groups.keys()].filter((key) => groups.get(key)?.[0].name === name);
    if (matching.length === 0)
      throw new SourceError(`helm release "${name}" not found ${namespaceWords(spec.namespace)}`);
    for (const key of matching) named.add(key);
  }
  const keys = spec.all ? [...groups.keys()] : [...named];
  return { named, keys: [...new Set(keys)].sort() };
}

function releaseObjects(release: HelmReleaseRecord, storageNamespace: string): readonly DesiredObject[] {
  const namespace = release.namespace === "" ? storageNamespace : release.namespace;
  const label = `helm:${namespace}/${release.name}@${release.version}`;
  return parseRenderedManifest({
    text: release.manifest,
    label,
    templateFile: (template) => `${label}:${withinChart(template)}`,
    namespace,
    origin: {
      kind: "helm",
      release: release.name,
      namespace,
      revision: release.version,
      chart: release.chart.name,
      chartVersion: release.chart.version,
    },
  });
}

/**
 * The desired state Helm keeps in the cluster: for each selected release, the manifest of its newest
 * deployed revision (Secrets driver, the default, and ConfigMaps driver). Source files are named
 * `helm:<namespace>/<release>@<revision>:<template path in the chart>`, lines counted within that
 * template's rendered output.
 */
export async function loadHelmReleases(spec: HelmSpec, store: ReleaseStore): Promise<LoadedSources> {
  const [secrets, configMaps] = await Promise.all([
    store.secrets(spec.namespace),
    store.configMaps(spec.namespace),
  ]);
  const groups = groupByRelease([...secrets, ...configMaps]);
  const selected = selectReleases(spec, groups);
  const objects: DesiredObject[] = [];
  const notes: string[] = [];
  for (const key of selected.keys) {
    const choice = newestDeployed(groups.get(key) ?? []);
    if (choice.kind === "none") {
      if (selected.named.has(key)) throw new SourceError(`helm release ${key} ${choice.reason}`);
      notes.push(`helm release ${key} skipped: it ${choice.reason}`);
      continue;
    }
    objects.push(...releaseObjects(decodeRevision(choice.revision), choice.revision.namespace));
  }
  if (selected.keys.length === 0) notes.push(`no Helm releases ${namespaceWords(spec.namespace)}`);
  return { objects, notes };
}
