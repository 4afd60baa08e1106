/**
 * A scheduled `kubedrift diff --store URL` records its findings as `watch` does (issue 13, item 5):
 * each drifted or missing object opens or extends its episode, each object found in sync closes
 * its open one as `reverted`. A CI schedule gets the same history as a running `watch`.
 */
import type { DriftReport } from "../model/index.js";
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

/**
 * Records one report at `at` (RFC 3339). Objects in sync without an open episode need no write:
 * a run over 10,000 objects in sync costs one query, not 10,000 transactions.
 */
export async function recordReport(
  store: HistoryStore,
  report: DriftReport,
  at: string,
): Promise<RecordedRun> {
  const open = new Map(
    (await store.query({ openOnly: true })).map((episode) => [keyOf(episode.resource), episode]),
  );
  const opened: Episode[] = [];
  const extended: Episode[] = [];
  const closed: Episode[] = [];
  for (const resource of report.resources) {
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
