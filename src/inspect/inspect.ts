import { resolve } from "node:path";
import type { Cluster, ServedResource, Trace } from "../cluster/types.js";
import { connectCluster, openLiveFile } from "../cluster/index.js";
import { compare } from "../engine/index.js";
import { redactValue } from "../engine/redact.js";
import type { EngineConfig, Scope } from "../engine/types.js";
import type { Schema } from "../kube/schema/types.js";
import { formatTime } from "../kube/time.js";
import type { KubeObject } from "../kube/value/json.js";
import type { DesiredObject, DriftReport, LiveObject } from "../model/index.js";
import { refKey } from "../model/index.js";
import { assertNoDuplicates } from "../sources/index.js";
import type { SourceSpec } from "../sources/types.js";
import { loadEngineConfig } from "./config.js";
import type { Progress } from "./progress.js";
import { withRedactionKey } from "./redaction-key.js";
import { timedPhase, tracePhase } from "./phases.js";
import type { ListPlan } from "./scope.js";
import {
  assertNamespaceMatches,
  listScope,
  selectorOf,
  resourceKey,
  scopeOf,
  selected,
  withNamespaces,
} from "./scope.js";
import { loadDesiredState } from "./sources.js";
import type { DesiredState } from "./sources.js";

/** What to compare: the sources, which cluster (or live file), and the engine's config file. */
export interface InspectOptions extends SourceSpec {
  readonly kubeconfig?: string;
  readonly context?: string;
  readonly namespace?: string;
  readonly liveFile?: string;
  /** Per request and per credential plugin run; 0 for no limit (default 30 s). */
  readonly requestTimeoutMs?: number;
  /** Objects per LIST page (kubectl's --chunk-size, default 500); 0 for unpaged LISTs. */
  readonly chunkSize?: number;
  /**
   * `-l/--selector` (kubectl's syntax): only desired and live objects whose labels match are
   * compared, and only matching live objects can be Extra. Sent to the server as `labelSelector`.
   */
  readonly selector?: string;
  readonly config?: string;
  /** Annotate drifted fields with the commit that last changed their source line. */
  readonly blame: boolean;
}

/** What an inspection needs of its surroundings; the CLI gives the process's, the demo its own. */
export interface InspectIO {
  readonly cwd: string;
  readonly env: NodeJS.ProcessEnv;
  readonly stdin: NodeJS.ReadableStream;
  /** One line worth telling the user (a skipped file, a server's warning). */
  readonly note: (line: string) => void;
  readonly progress: Progress;
  readonly now: () => Date;
  /** `-v`/`--debug`: where the lines about requests go (none without). */
  readonly trace?: Trace;
}

function openCluster(options: InspectOptions, io: InspectIO): Promise<Cluster> | Cluster {
  if (options.liveFile !== undefined) {
    return openLiveFile(options.liveFile, { namespace: options.namespace ?? "default", cwd: io.cwd });
  }
  return connectCluster({
    ...(options.kubeconfig === undefined ? {} : { kubeconfig: resolve(io.cwd, options.kubeconfig) }),
    ...(options.context === undefined ? {} : { context: options.context }),
    ...(options.namespace === undefined ? {} : { namespace: options.namespace }),
    ...(options.requestTimeoutMs === undefined ? {} : { requestTimeoutMs: options.requestTimeoutMs }),
    ...(options.chunkSize === undefined ? {} : { pageSize: options.chunkSize }),
    ...(io.trace === undefined ? {} : { trace: io.trace }),
    env: io.env,
  });
}

/** Everything a drift run learned: what plan, apply and adopt build on. */
export interface Inspection {
  readonly report: DriftReport;
  readonly desired: readonly DesiredObject[];
  readonly live: readonly LiveObject[];
  readonly cluster: Cluster;
  readonly served: ReadonlyMap<string, ServedResource>;
  readonly schema: Schema;
  readonly config: EngineConfig;
  readonly scope: Scope;
}

/**
 * The drifted objects by `refKey(ref)`, for naming list items by their keys. Redacted first: a
 * `redact:` rule may cover a key field (an env var's name), and a label is output like any other (rule 7).
 */
export function objectsByRef(
  inspection: Inspection,
): ReadonlyMap<string, { readonly desired?: KubeObject; readonly live?: KubeObject }> {
  const drifted = new Set(
    inspection.report.resources
      .filter((resource) => resource.drifts.length > 0)
      .map((resource) => refKey(resource.ref)),
  );
  const shown = (object: DesiredObject | LiveObject): KubeObject =>
    redactValue(inspection.config, object.ref, object.object) as KubeObject;
  const objects = new Map<string, { desired?: KubeObject; live?: KubeObject }>();
  for (const object of inspection.desired)
    if (drifted.has(refKey(object.ref))) objects.set(refKey(object.ref), { desired: shown(object) });
  for (const object of inspection.live) {
    const known = objects.get(refKey(object.ref));
    if (known !== undefined) objects.set(refKey(object.ref), { ...known, live: shown(object) });
  }
  return objects;
}

export interface Connected {
  readonly cluster: Cluster;
  readonly served: ReadonlyMap<string, ServedResource>;
}

async function connect(options: InspectOptions, io: InspectIO): Promise<Connected> {
  const cluster = await openCluster(options, io);
  const resources = await cluster.resources();
  return {
    cluster,
    served: new Map(resources.map((resource) => [resourceKey(resource.group, resource.kind), resource])),
  };
}

/**
 * Sources, cluster and engine: the drift report with the objects behind it. Fails with a one-line
 * `InspectError`, `SourceError` or `ClusterError`; the progress line is cleared either way.
 */
export async function inspectDrift(options: InspectOptions, io: InspectIO): Promise<Inspection> {
  try {
    return await inspect(options, io);
  } finally {
    io.progress.done();
  }
}

/** Rule 1's namespaces filled in (a conflict with -n is an error, as in kubectl), then `-l` applied. */
function selectedDesired(
  objects: readonly DesiredObject[],
  context: {
    readonly options: InspectOptions;
    readonly served: ReadonlyMap<string, ServedResource>;
    readonly cluster: Cluster;
    readonly selector: ListPlan["selector"];
    readonly note: (line: string) => void;
  },
): readonly DesiredObject[] {
  const { options, served, cluster, selector } = context;
  const namespaced = withNamespaces(objects, served, options.namespace ?? cluster.namespace);
  if (options.namespace !== undefined) assertNamespaceMatches(namespaced, served, options.namespace);
  // `web` and `default/web` are one object once namespaces are filled in.
  assertNoDuplicates(namespaced);
  const desired = selected(namespaced, selector?.matcher);
  if (selector !== undefined && desired.length === 0 && namespaced.length > 0)
    context.note(`no object of the sources matches the selector "${selector.text}": nothing to compare`);
  return desired;
}

/** What the sources declare, in the scope they span, and the engine's config: all but the cluster's live objects. */
export interface DeclaredState {
  readonly desired: readonly DesiredObject[];
  readonly scope: Scope;
  readonly config: EngineConfig;
  readonly sources: DesiredState;
  readonly selector: ListPlan["selector"];
}

async function declaredState(
  options: InspectOptions,
  io: InspectIO,
  connected: Promise<Connected>,
): Promise<DeclaredState> {
  const config = withRedactionKey(loadEngineConfig(options.config, io.cwd), io);
  // A malformed selector fails before anything is read or requested.
  const selector = selectorOf(options.selector);
  const sources = await loadDesiredState(
    options,
    {
      cwd: io.cwd,
      stdin: io.stdin,
      namespace: async () => options.namespace ?? (await connected).cluster.namespace,
    },
    () => connected,
  );
  const { cluster, served } = await connected;
  for (const note of sources.notes) io.note(note);
  const desired = selectedDesired(sources.objects, { options, served, cluster, selector, note: io.note });
  return { desired, scope: scopeOf(desired, options.allNamespaces), config, sources, selector };
}

/**
 * The sources and kubedrift.yaml read again against a cluster already connected (`watch` when
 * they change): no LIST, no comparison. Fails as `inspectDrift` does.
 */
export async function readDeclaredState(
  options: InspectOptions,
  io: InspectIO,
  connected: Connected,
): Promise<DeclaredState> {
  return declaredState(options, io, Promise.resolve(connected));
}

/** What `watch` starts from: the declared state, the connected cluster and its schema; nothing listed. */
export interface DeclaredTarget extends DeclaredState, Connected {
  readonly schema: Schema;
}

/**
 * The sources read and the cluster connected as `inspectDrift` does, without listing or comparing
 * anything: `watch` lists through its informers, and a first LIST here would only double the work
 * and the memory at its start.
 */
export async function inspectDeclared(options: InspectOptions, io: InspectIO): Promise<DeclaredTarget> {
  try {
    io.progress.update("reading sources and discovering the cluster's API");
    const connected = connect(options, io);
    connected.catch(() => undefined);
    const state = await declaredState(options, io, connected);
    const { cluster, served } = await connected;
    const schema = await cluster.schema();
    for (const warning of cluster.warnings?.() ?? []) io.note(warning);
    return { ...state, cluster, served, schema };
  } finally {
    io.progress.done();
  }
}

async function inspect(options: InspectOptions, io: InspectIO): Promise<Inspection> {
  io.progress.update("reading sources and discovering the cluster's API");
  // Reading files and the discovery round trips do not depend on each other: overlap them.
  const connected = timedPhase(io.trace, "discover", connect(options, io));
  connected.catch(() => undefined);
  const { desired, scope, config, sources, selector } = await timedPhase(
    io.trace,
    "load-sources",
    declaredState(options, io, connected),
  );
  const { cluster, served } = await connected;
  const plan: ListPlan = { scope, desired, ...(selector === undefined ? {} : { selector }) };
  const listing = Promise.all([listScope(cluster, served, plan, io.progress), cluster.schema()]);
  const [live, schema] = await timedPhase(io.trace, "list", listing);
  for (const warning of cluster.warnings?.() ?? []) io.note(warning);
  io.progress.update(`comparing ${desired.length} objects`);
  const generatedAt = formatTime(io.now());
  const comparing = performance.now();
  const compared = compare({ desired, live, scope, schema, config, cluster: cluster.name, generatedAt });
  tracePhase(io.trace, "compare", comparing);
  const report: DriftReport = {
    ...compared,
    ...(sources.skipped.length === 0 ? {} : { skipped: sources.skipped }),
    ...(sources.revision === undefined ? {} : { revision: sources.revision }),
  };
  // Without --git-ref the sources were read from the working tree: blame that, not HEAD.
  const blameOptions = {
    cwd: io.cwd,
    ...(sources.revision === undefined ? {} : { ref: sources.revision.commit }),
  };
  const blamed = options.blame ? await (await import("./blame.js")).withBlame(report, blameOptions) : report;
  return { report: blamed, desired, live, cluster, served, schema, config, scope };
}
