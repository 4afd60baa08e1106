/**
 * A scheduled `kubedrift diff --store URL` records its findings as `watch` does (issue 13, item 5):
 * each drifted or missing object opens or extends its episode, each object found in sync closes
 * its open one as `reverted`. A CI schedule gets the same history as a running `watch`.
 */
import type { DriftReport, ResourceDrift } from "../model/index.js";
import { refKey } from "../model/index.js";
import type { Episode, HistoryStore } from "../store/index.js";
import { observedDrifts } from "./evaluate.js";

export interface RecordedRun {
  readonly opened: readonly Episode[];
  /** Episodes that were open and still are (their fields updated). */
  readonly extended: readonly Episode[];
  readonly closed: readonly Episode[];
}

function keyOf(resource: Episode["resource"]): string {
  return refKey({ ...resource, version: "" });
}

/** A report of several clusters names each resource's; one cluster's report names it once. */
function byCluster(report: DriftReport): ReadonlyMap<string, ResourceDrift[]> {
  const clusters = new Map<string, ResourceDrift[]>();
  for (const resource of report.resources) {
    const cluster = (resource as { readonly cluster?: string }).cluster ?? report.cluster;
    const list = clusters.get(cluster) ?? [];
    list.push(resource);
    clusters.set(cluster, list);
  }
  return clusters;
}

/**
 * Records one report at `at` (RFC 3339), each resource as an episode of its cluster. Objects in
 * sync without an open episode need no write: a run over 10,000 objects in sync costs one query
 * per cluster, not 10,000 transactions.
 */
export async function recordReport(
  store: HistoryStore,
  report: DriftReport,
  at: string,
): Promise<RecordedRun> {
  const run = { opened: [] as Episode[], extended: [] as Episode[], closed: [] as Episode[] };
  for (const [cluster, resources] of byCluster(report)) {
    const recorded = await recordCluster(store.forCluster(cluster), resources, at);
    run.opened.push(...recorded.opened);
    run.extended.push(...recorded.extended);
    run.closed.push(...recorded.closed);
  }
  return run;
}

async function recordCluster(
  store: HistoryStore,
  resources: readonly ResourceDrift[],
  at: string,
): Promise<RecordedRun> {
  const open = new Map(
    (await store.query({ openOnly: true })).map((episode) => [keyOf(episode.resource), episode]),
  );
  const opened: Episode[] = [];
  const extended: Episode[] = [];
  const closed: Episode[] = [];
  for (const resource of resources) {
    const drifts = observedDrifts(resource);
    const before = open.get(refKey(resource.ref));
    if (drifts === undefined || (drifts.length === 0 && before === undefined)) continue;
    const episode = await store.recordObservation(resource.ref, drifts, at);
    if (episode === null) continue;
    if (drifts.length === 0) closed.push(episode);
    else if (before?.id === episode.id) extended.push(episode);
    else opened.push(episode);
  }
  return { opened, extended, closed };
}
