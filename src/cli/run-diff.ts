import { existsSync, readFileSync } from "node:fs";
import { resolve } from "node:path";
import type { Cluster, ServedResource } from "../cluster/types.js";
import { ClusterError } from "../cluster/types.js";
import { connectCluster, openLiveFile } from "../cluster/index.js";
import { compare, defaultEngineConfig, parseEngineConfig } from "../engine/index.js";
import { redactValue } from "../engine/redact.js";
import type { EngineConfig, Scope } from "../engine/types.js";
import type { Schema } from "../kube/schema/types.js";
import type { DesiredObject, DriftReport, KubeObject, LiveObject } from "../model/index.js";
import { describeRef, refKey } from "../model/index.js";
import { renderReport, type ObjectsByRef, type ReportFormat } from "../report/index.js";
import { assertNoDuplicates } from "../sources/index.js";
import { hasSources, loadDesiredState, type DesiredStateOptions } from "./desired-state.js";
import { SourceError } from "../sources/types.js";
import { CliError } from "./errors.js";
import { withRedactionKey } from "./redaction-key.js";
import { kubedriftVersion } from "./version.js";
import type { Progress } from "./progress.js";

/** The flags of `kubedrift diff` (and of the commands that share its sources and cluster flags). */
export interface DiffOptions extends DesiredStateOptions {
  readonly kubeconfig?: string;
  readonly context?: string;
  readonly namespace?: string;
  readonly liveFile?: string;
  /** Per request and per credential plugin run; 0 for no limit (default 30 s). */
  readonly requestTimeoutMs?: number;
  readonly output: ReportFormat;
  readonly config?: string;
  /** Annotate drifted fields with the commit that last changed their source line. */
  readonly blame: boolean;
}

export interface DiffIO {
  readonly cwd: string;
  readonly env: NodeJS.ProcessEnv;
  readonly stdin: NodeJS.ReadableStream;
  readonly write: (text: string) => void;
  readonly note: (line: string) => void;
  readonly progress: Progress;
  readonly color: boolean;
  readonly now: () => Date;
}

/** Exit status of diff, plan and lint: the convention of `terraform plan -detailed-exitcode`. */
export const DiffExitCodes = { clean: 0, error: 1, drift: 2 } as const;

const configFileName = "kubedrift.yaml";

const fileProblems: Readonly<Record<string, string>> = {
  EISDIR: "is a directory",
  ENOENT: "no such file",
  ENOTDIR: "no such file (a part of the path is not a directory)",
  EACCES: "permission denied",
  EPERM: "permission denied",
};

/** The file's text, or one line in plain words naming it (`--config DIR: is a directory`). */
function readConfigFile(path: string, shown: string): string {
  try {
    return readFileSync(path, "utf8");
  } catch (error: unknown) {
    const code = error instanceof Error && "code" in error ? String(error.code) : "";
    const problem = fileProblems[code] ?? `cannot be read (${code === "" ? String(error) : code})`;
    throw new CliError(`${shown}: ${problem}`, 1, { cause: error });
  }
}

/** `--config FILE`, else `kubedrift.yaml` in the working directory, else the defaults. */
export function loadEngineConfig(configPath: string | undefined, cwd: string): EngineConfig {
  const path = configPath === undefined ? resolve(cwd, configFileName) : resolve(cwd, configPath);
  if (!existsSync(path)) {
    if (configPath !== undefined) throw new CliError(`--config ${configPath}: no such file`);
    return defaultEngineConfig;
  }
  const text = readConfigFile(path, configPath === undefined ? configFileName : `--config ${configPath}`);
  try {
    return parseEngineConfig(text, configPath ?? configFileName);
  } catch (error: unknown) {
    // The parser's messages already name the file and line.
    throw new CliError(error instanceof Error ? error.message : String(error), 1, { cause: error });
  }
}

function openCluster(options: DiffOptions, io: DiffIO): Promise<Cluster> | Cluster {
  if (options.liveFile !== undefined) {
    return openLiveFile(options.liveFile, { namespace: options.namespace ?? "default", cwd: io.cwd });
  }
  return connectCluster({
    ...(options.kubeconfig === undefined ? {} : { kubeconfig: resolve(io.cwd, options.kubeconfig) }),
    ...(options.context === undefined ? {} : { context: options.context }),
    ...(options.namespace === undefined ? {} : { namespace: options.namespace }),
    ...(options.requestTimeoutMs === undefined ? {} : { requestTimeoutMs: options.requestTimeoutMs }),
    env: io.env,
  });
}

function resourceKey(group: string, kind: string): string {
  return `${group}/${kind}`;
}

/** Rule 1: a namespaced object without a namespace takes --namespace, else the context's, else default. */
function withNamespaces(
  desired: readonly DesiredObject[],
  served: ReadonlyMap<string, ServedResource>,
  namespace: string,
): readonly DesiredObject[] {
  return desired.map((object) => {
    const resource = served.get(resourceKey(object.ref.group, object.ref.kind));
    if (resource === undefined) {
      const apiVersion =
        object.ref.group === "" ? object.ref.version : `${object.ref.group}/${object.ref.version}`;
      throw new CliError(
        `${object.source.file}:${object.source.line}: ${describeRef(object.ref)}: kind "${object.ref.kind}" (${apiVersion}) is not served by the cluster`,
      );
    }
    if (!resource.namespaced)
      return object.ref.namespace === "" ? object : { ...object, ref: { ...object.ref, namespace: "" } };
    return object.ref.namespace !== "" ? object : { ...object, ref: { ...object.ref, namespace } };
  });
}

/** The kinds and namespaces of the desired set (rule 6's default scope). */
function scopeOf(desired: readonly DesiredObject[]): Scope {
  const kinds = [...new Set(desired.map((object) => resourceKey(object.ref.group, object.ref.kind)))].sort();
  const namespaces = [
    ...new Set(desired.map((object) => object.ref.namespace).filter((namespace) => namespace !== "")),
  ].sort();
  return { kinds, namespaces };
}

/**
 * One LIST per resource and namespace in scope (cluster-scoped resources once). Of cluster-scoped
 * kinds only the declared objects are kept: every namespace or ClusterRole of a shared cluster is
 * not "extra" to one team's manifests.
 */
async function listScope(
  cluster: Cluster,
  served: ReadonlyMap<string, ServedResource>,
  desired: readonly DesiredObject[],
  progress: Progress,
): Promise<readonly LiveObject[]> {
  const scope = scopeOf(desired);
  const declared = new Set(desired.map((object) => refKey(object.ref)));
  const jobs = scope.kinds.flatMap(
    (key): readonly { resource: ServedResource; namespace: string | undefined }[] => {
      const resource = served.get(key);
      if (resource === undefined) return [];
      return resource.namespaced
        ? scope.namespaces.map((namespace) => ({ resource, namespace }))
        : [{ resource, namespace: undefined }];
    },
  );
  const live: LiveObject[] = [];
  for (const [index, job] of jobs.entries()) {
    const where = job.namespace === undefined ? "" : ` in ${job.namespace}`;
    progress.update(`listing ${job.resource.resource}${where} (${index + 1}/${jobs.length})`);
    const listed = await cluster.list(job.resource, job.namespace);
    live.push(
      ...(job.resource.namespaced ? listed : listed.filter((object) => declared.has(refKey(object.ref)))),
    );
  }
  return live;
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

interface Outcome {
  readonly report: DriftReport;
  /** The compared objects, so the report can name list items by their keys (`containers[name=web]`). */
  readonly objects: ObjectsByRef;
}

/**
 * The drifted objects, for naming list items by their keys. Redacted first: a `redact:` rule may
 * cover a key field (an env var's name), and a label is output like any other (rule 7).
 */
function objectsByRef(inspection: Inspection): ObjectsByRef {
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

interface Connected {
  readonly cluster: Cluster;
  readonly served: ReadonlyMap<string, ServedResource>;
}

async function connect(options: DiffOptions, io: DiffIO): Promise<Connected> {
  const cluster = await openCluster(options, io);
  const resources = await cluster.resources();
  return {
    cluster,
    served: new Map(resources.map((resource) => [resourceKey(resource.group, resource.kind), resource])),
  };
}

/** Sources, cluster and engine: the drift report with the objects behind it. Errors are one-line CliErrors. */
export async function inspectDrift(options: DiffOptions, io: DiffIO): Promise<Inspection> {
  try {
    return await inspect(options, io);
  } catch (error: unknown) {
    throw oneLine(error);
  } finally {
    io.progress.done();
  }
}

async function inspect(options: DiffOptions, io: DiffIO): Promise<Inspection> {
  const config = withRedactionKey(loadEngineConfig(options.config, io.cwd), io);
  io.progress.update("reading sources and discovering the cluster's API");
  // Reading files and the discovery round trips do not depend on each other: overlap them.
  const connected = connect(options, io);
  connected.catch(() => undefined);
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
  const desired = withNamespaces(sources.objects, served, options.namespace ?? cluster.namespace);
  // `web` and `default/web` are one object once namespaces are filled in.
  assertNoDuplicates(desired);
  const scope = scopeOf(desired);
  const [live, schema] = await Promise.all([
    listScope(cluster, served, desired, io.progress),
    cluster.schema(),
  ]);
  for (const warning of cluster.warnings?.() ?? []) io.note(warning);
  io.progress.update(`comparing ${desired.length} objects`);
  const generatedAt = io
    .now()
    .toISOString()
    .replace(/\.\d{3}Z$/, "Z");
  const compared = compare({ desired, live, scope, schema, config, cluster: cluster.name, generatedAt });
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

function oneLine(error: unknown): CliError {
  if (error instanceof CliError) return error;
  if (error instanceof SourceError || error instanceof ClusterError)
    return new CliError(error.message, 1, { cause: error });
  throw error;
}

function exitCodeOf(report: DriftReport): number {
  if (report.summary.errors > 0) return DiffExitCodes.error;
  const { drifted, missing, extra } = report.summary;
  return drifted + missing + extra > 0 ? DiffExitCodes.drift : DiffExitCodes.clean;
}

/** `kubedrift diff`: prints the report; returns 0 (no drift), 2 (drift) or throws a one-line CliError. */
export async function runDiff(options: DiffOptions, io: DiffIO): Promise<number> {
  if (!hasSources(options)) {
    throw new CliError(
      "diff: no sources: give -f FILE|DIR|-, -k DIR, --terraform PATH or --helm-release NAME (see kubedrift diff --help)",
    );
  }
  const inspection = await inspectDrift(options, io);
  const outcome: Outcome = {
    report: inspection.report,
    objects: objectsByRef(inspection),
  };
  const { report, objects } = outcome;
  io.write(
    renderReport(report, options.output, {
      color: io.color && options.output === "text",
      now: io.now(),
      cwd: io.cwd,
      objects,
      toolVersion: kubedriftVersion,
    }),
  );
  return exitCodeOf(report);
}
