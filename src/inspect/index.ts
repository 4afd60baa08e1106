/** The application layer: sources + cluster + config → `DriftReport` (DESIGN.md, Architecture). */
export { inspectDeclared, inspectDrift, objectsByRef, readDeclaredState } from "./inspect.js";
export type {
  Connected,
  DeclaredState,
  DeclaredTarget,
  Inspection,
  InspectIO,
  InspectOptions,
} from "./inspect.js";
export { InspectError } from "./errors.js";
export { loadEngineConfig, readConfigText } from "./config.js";
export { silentProgress } from "./progress.js";
export type { Progress } from "./progress.js";
export { hasSources, loadDesiredState, noSources } from "./sources.js";
export type { DesiredState } from "./sources.js";
export type { SourceSpec } from "../sources/types.js";
export {
  redactionKeyPath,
  redactionKeyVariable,
  resolveRedactionKey,
  withRedactionKey,
} from "./redaction-key.js";
export { mapLimit } from "./concurrency.js";
export { timedPhase, tracePhase } from "./phases.js";
export { chosenContexts, clusterConcurrency, inspectClusters } from "./clusters.js";
export type { ClusterChoice, ClustersInspection } from "./clusters.js";
export { listJobs } from "./scope.js";
