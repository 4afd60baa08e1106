/** The assembly of the source loaders: a `SourceSpec` read into desired objects, at `--git-ref` when given. */
import type { Cluster, ServedResource } from "../cluster/types.js";
import type { DesiredObject, SkippedSource, SourceRevision } from "../model/index.js";
import type { GitCheckout } from "../sources/git/index.js";
import type { ReleaseStore } from "../sources/helm/index.js";
import { loadSources } from "../sources/index.js";
import type { LoadedSources, SourceSpec } from "../sources/types.js";
import { SourceError } from "../sources/types.js";
import { InspectError } from "./errors.js";
import type { KubeObject } from "../kube/value/json.js";

/** No sources at all: a base for callers that name only a few. */
export const noSources: SourceSpec = {
  filenames: [],
  kustomize: [],
  terraform: [],
  terraformMode: "config",
  vars: [],
  varFiles: [],
  helmReleases: [],
  helmAll: false,
  allNamespaces: false,
  values: [],
};

export interface DesiredState extends LoadedSources {
  readonly skipped: readonly SkippedSource[];
  readonly revision?: SourceRevision;
}

export function hasSources(options: SourceSpec): boolean {
  const lists = [options.filenames, options.kustomize, options.terraform, options.helmReleases];
  return lists.some((list) => list.length > 0) || options.helmAll || options.helmChart !== undefined;
}

function parseVars(vars: readonly string[]): Readonly<Record<string, string>> {
  const parsed: Record<string, string> = {};
  for (const assignment of vars) {
    const equals = assignment.indexOf("=");
    if (equals <= 0) throw new InspectError(`--var: expected NAME=VALUE, got "${assignment}"`);
    parsed[assignment.slice(0, equals)] = assignment.slice(equals + 1);
  }
  return parsed;
}

/** Helm keeps releases in Secrets (or ConfigMaps); the sources layer reads them through the cluster. */
function releaseStore(cluster: Cluster, served: ReadonlyMap<string, ServedResource>): ReleaseStore {
  const listOf = async (kind: string, namespace: string | undefined): Promise<readonly KubeObject[]> => {
    const resource = served.get(`/${kind}`);
    if (resource === undefined) return [];
    return (await cluster.list(resource, namespace)).map((object) => object.object);
  };
  return {
    secrets: (namespace: string | undefined) => listOf("Secret", namespace),
    configMaps: (namespace: string | undefined) => listOf("ConfigMap", namespace),
  };
}

interface Loaders {
  readonly options: SourceSpec;
  readonly cwd: string;
  readonly stdin: NodeJS.ReadableStream;
  /** -n, else the context's namespace: only Helm needs it, and it may wait for the cluster. */
  readonly namespace: () => Promise<string>;
  /** Maps a user path into the checkout of --git-ref (identity without it). */
  readonly place: (path: string) => string;
}

async function fileSources(loaders: Loaders): Promise<LoadedSources> {
  const { options, place } = loaders;
  if (options.filenames.length === 0 && options.kustomize.length === 0) return { objects: [], notes: [] };
  return loadSources(
    {
      filenames: options.filenames.map((path) => (path === "-" ? path : place(path))),
      kustomize: options.kustomize.map(place),
    },
    { stdin: loaders.stdin, cwd: loaders.cwd },
  );
}

async function terraformSources(loaders: Loaders): Promise<LoadedSources> {
  const { options, place } = loaders;
  if (options.terraform.length === 0) return { objects: [], notes: [] };
  // Loaded on use, like the other optional sources: the HCL parser is a WebAssembly module.
  const { loadTerraform } = await import("../sources/terraform/index.js");
  return loadTerraform(
    {
      paths: options.terraform.map(place),
      mode: options.terraformMode,
      vars: parseVars(options.vars),
      varFiles: options.varFiles.map(place),
    },
    { cwd: loaders.cwd },
  );
}

async function helmSources(
  loaders: Loaders,
  cluster: () => Promise<{ cluster: Cluster; served: ReadonlyMap<string, ServedResource> }>,
): Promise<LoadedSources> {
  const { options } = loaders;
  const parts: LoadedSources[] = [];
  if (options.helmReleases.length === 0 && !options.helmAll && options.helmChart === undefined)
    return merge(parts);
  const { loadHelmReleases, renderHelmChart } = await import("../sources/helm/index.js");
  if (options.helmReleases.length > 0 || options.helmAll) {
    const { cluster: live, served } = await cluster();
    const namespace = options.allNamespaces ? undefined : await loaders.namespace();
    parts.push(
      await loadHelmReleases(
        { releases: options.helmReleases, all: options.helmAll, namespace },
        releaseStore(live, served),
      ),
    );
  }
  if (options.helmChart !== undefined) {
    parts.push(
      await renderHelmChart(loaders.place(options.helmChart), {
        valuesFiles: options.values.map(loaders.place),
        namespace: await loaders.namespace(),
        cwd: loaders.cwd,
      }),
    );
  }
  return merge(parts);
}

function merge(parts: readonly LoadedSources[]): LoadedSources {
  return {
    objects: parts.flatMap((part) => part.objects),
    notes: parts.flatMap((part) => part.notes),
    skipped: parts.flatMap((part) => part.skipped ?? []),
  };
}

/** Source files read from a checkout are reported under the paths the user gave. */
function fromCheckout(loaded: LoadedSources, checkout: GitCheckout): LoadedSources {
  const back = (file: string): string => checkout.fromCheckout(file);
  return {
    objects: loaded.objects.map((object): DesiredObject => ({
      ...object,
      source: { ...object.source, file: back(object.source.file) },
    })),
    notes: loaded.notes,
    skipped: (loaded.skipped ?? []).map((entry) => ({
      ...entry,
      source: { ...entry.source, file: back(entry.source.file) },
    })),
  };
}

/** Reads every source the flags name, at --git-ref when given. */
export async function loadDesiredState(
  options: SourceSpec,
  io: {
    readonly cwd: string;
    readonly stdin: NodeJS.ReadableStream;
    readonly namespace: () => Promise<string>;
  },
  cluster: () => Promise<{ cluster: Cluster; served: ReadonlyMap<string, ServedResource> }>,
): Promise<DesiredState> {
  const checkout =
    options.gitRef === undefined
      ? undefined
      : await (await import("../sources/git/index.js")).checkoutRef(options.gitRef, { cwd: io.cwd });
  try {
    const loaders: Loaders = {
      options,
      cwd: io.cwd,
      stdin: io.stdin,
      namespace: io.namespace,
      place: checkout === undefined ? (path) => path : checkout.toCheckout,
    };
    const [files, terraform, helm] = await Promise.all([
      fileSources(loaders),
      terraformSources(loaders),
      helmSources(loaders, cluster),
    ]).catch((error: unknown) => {
      // A source error under --git-ref would name the temporary checkout: name the user's paths.
      if (checkout === undefined || !(error instanceof SourceError)) throw error;
      throw new SourceError(`${checkout.fromCheckoutMessage(error.message)} (at ${options.gitRef ?? ""})`, {
        cause: error,
      });
    });
    const loaded = merge([files, terraform, helm]);
    const placed = checkout === undefined ? loaded : fromCheckout(loaded, checkout);
    return {
      ...placed,
      skipped: placed.skipped ?? [],
      ...(checkout === undefined ? {} : { revision: checkout.revision }),
    };
  } finally {
    await checkout?.cleanup();
  }
}
