import { resolve } from "node:path";
import { kubeconfigContexts } from "../cluster/index.js";
import type { DriftReport } from "../model/index.js";
import { combineReports } from "../model/index.js";
import { mapLimit } from "./concurrency.js";
import { InspectError } from "./errors.js";
import type { Inspection, InspectIO, InspectOptions } from "./inspect.js";
import { inspectDrift, objectsByRef } from "./inspect.js";

/** Clusters checked at once: each is mostly waiting on its API server, and each holds its objects in memory. */
export const clusterConcurrency = 4;

/** Which clusters: `--context` (repeatable) or `--all-contexts`; none of them is the kubeconfig's current context. */
export interface ClusterChoice {
  readonly contexts: readonly string[];
  readonly allContexts: boolean;
}

/** The contexts a run names: each `--context` once, in order, or every context of the kubeconfig. */
export function chosenContexts(
  choice: ClusterChoice,
  options: InspectOptions,
  io: InspectIO,
): readonly string[] {
  if (choice.allContexts && choice.contexts.length > 0)
    throw new InspectError("--all-contexts and --context name the clusters twice: give one of them");
  if (!choice.allContexts) return [...new Set(choice.contexts)];
  return kubeconfigContexts({
    ...(options.kubeconfig === undefined ? {} : { kubeconfig: resolve(io.cwd, options.kubeconfig) }),
    env: io.env,
  });
}

/** What a run over several clusters learned: the combined report, and each cluster's inspection. */
export interface ClustersInspection {
  readonly report: DriftReport;
  readonly inspections: readonly Inspection[];
  /** Each cluster's drifted objects, for naming list items by their keys. */
  readonly objects: ReadonlyMap<string, ReturnType<typeof objectsByRef>>;
}

/**
 * The same sources compared with several clusters at once, into one report whose resources name
 * their cluster. A cluster that cannot be inspected fails the run, naming its context: a fleet
 * report that left one out would read as that cluster having no drift.
 */
export async function inspectClusters(
  options: InspectOptions,
  contexts: readonly string[],
  io: InspectIO,
): Promise<ClustersInspection> {
  if (options.liveFile !== undefined)
    throw new InspectError("--live-file is one cluster's objects: it does not go with several contexts");
  const inspections = await mapLimit(contexts, clusterConcurrency, (context) =>
    inspectDrift({ ...options, context }, { ...io, note: (line) => io.note(`${context}: ${line}`) }).catch(
      (error: unknown) => {
        const message = error instanceof Error ? error.message : String(error);
        throw new InspectError(`context "${context}": ${message}`, { cause: error });
      },
    ),
  );
  return {
    report: combineReports(inspections.map((inspection) => inspection.report)),
    inspections,
    objects: new Map(
      inspections.map((inspection) => [inspection.report.cluster, objectsByRef(inspection)] as const),
    ),
  };
}
