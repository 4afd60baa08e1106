import { existsSync, readFileSync } from "node:fs";
import { homedir } from "node:os";
import { delimiter, join } from "node:path";
import { KubeConfig } from "./client-node.js";
import type { Cluster as KubeconfigCluster, Context, User } from "./client-node.js";
import { ClusterError } from "./types.js";

export interface KubeconfigOptions {
  /** `--kubeconfig`: one file, which must exist. */
  readonly kubeconfig?: string;
  /** `--context`: a context of the kubeconfig instead of its current-context. */
  readonly context?: string;
  /** `-n/--namespace`: wins over the context's namespace. */
  readonly namespace?: string;
  /** Where KUBECONFIG, HOME and KUBERNETES_SERVICE_HOST/PORT are read; process.env by default. */
  readonly env?: NodeJS.ProcessEnv;
  /** The service account mount of in-cluster configuration (tests point it elsewhere). */
  readonly serviceAccountDir?: string;
}

export interface ResolvedKubeconfig {
  /** client-node's configuration, its current context set to the selected one. */
  readonly config: KubeConfig;
  readonly contextName: string;
  readonly namespace: string;
  /** The API server URL of the selected context's cluster. */
  readonly server: string;
  /** Where the configuration came from, for error messages: a path, a KUBECONFIG list or "in-cluster". */
  readonly origin: string;
}

const defaultServiceAccountDir = "/var/run/secrets/kubernetes.io/serviceaccount";
const inClusterName = "in-cluster";

interface LoadedConfig {
  readonly config: KubeConfig;
  readonly origin: string;
}

function firstLine(error: unknown): string {
  const text = error instanceof Error ? error.message : String(error);
  return text.split("\n")[0]?.trim() ?? text;
}

function missingKubeconfig(paths: string): ClusterError {
  return new ClusterError(`no kubeconfig: ${paths} does not exist (set --kubeconfig or KUBECONFIG)`);
}

function loadFile(path: string): KubeConfig {
  const config = new KubeConfig();
  try {
    config.loadFromFile(path);
  } catch (error: unknown) {
    throw new ClusterError(`invalid kubeconfig ${path}: ${firstLine(error)}`, { cause: error });
  }
  return config;
}

function byName<T extends { readonly name: string }>(
  entries: readonly T[],
  more: readonly T[] | undefined,
): T[] {
  const names = new Set(entries.map((entry) => entry.name));
  return [...entries, ...(more ?? []).filter((entry) => !names.has(entry.name))];
}

/**
 * kubectl merges a KUBECONFIG list so that the first file to define a name (or the
 * current-context) wins, and skips files that do not exist; client-node's mergeConfig
 * instead throws on duplicates and lets later files win.
 */
function mergeFirstWins(configs: readonly KubeConfig[]): KubeConfig {
  let clusters: KubeconfigCluster[] = [];
  let users: User[] = [];
  let contexts: Context[] = [];
  let currentContext = "";
  for (const config of configs) {
    clusters = byName(clusters, config.clusters);
    users = byName(users, config.users);
    contexts = byName(contexts, config.contexts);
    if (currentContext === "") currentContext = config.currentContext ?? "";
  }
  const merged = new KubeConfig();
  merged.loadFromOptions({ clusters, users, contexts, currentContext });
  return merged;
}

function fromKubeconfigList(list: string): LoadedConfig {
  const paths = list.split(delimiter).filter((path) => path !== "");
  const present = paths.filter((path) => existsSync(path));
  if (present.length === 0) throw missingKubeconfig(paths.join(delimiter));
  const origin = present.length === 1 ? present[0] : `KUBECONFIG=${present.join(delimiter)}`;
  return { config: mergeFirstWins(present.map(loadFile)), origin };
}

function inClusterConfig(env: NodeJS.ProcessEnv, serviceAccountDir: string): LoadedConfig | undefined {
  const host = env["KUBERNETES_SERVICE_HOST"];
  const port = env["KUBERNETES_SERVICE_PORT"];
  const tokenFile = join(serviceAccountDir, "token");
  if (host === undefined || host === "" || port === undefined || port === "" || !existsSync(tokenFile)) {
    return undefined;
  }
  const namespaceFile = join(serviceAccountDir, "namespace");
  const namespace = existsSync(namespaceFile) ? readFileSync(namespaceFile, "utf8").trim() : "";
  const serverHost = host.includes(":") ? `[${host}]` : host;
  const config = new KubeConfig();
  config.loadFromOptions({
    clusters: [
      {
        name: inClusterName,
        server: `https://${serverHost}:${port}`,
        caFile: join(serviceAccountDir, "ca.crt"),
        skipTLSVerify: false,
      },
    ],
    // A token file, not the token: kubelet rotates projected service account tokens.
    users: [{ name: inClusterName, authProvider: { name: "tokenFile", config: { tokenFile } } }],
    contexts: [
      {
        name: inClusterName,
        cluster: inClusterName,
        user: inClusterName,
        ...(namespace === "" ? {} : { namespace }),
      },
    ],
    currentContext: inClusterName,
  });
  return { config, origin: inClusterName };
}

function loadConfig(options: KubeconfigOptions): LoadedConfig {
  const env = options.env ?? process.env;
  if (options.kubeconfig !== undefined) {
    if (!existsSync(options.kubeconfig)) throw missingKubeconfig(options.kubeconfig);
    return { config: loadFile(options.kubeconfig), origin: options.kubeconfig };
  }
  const list = env["KUBECONFIG"];
  if (list !== undefined && list !== "") return fromKubeconfigList(list);
  const home = env["HOME"] ?? homedir();
  const homeConfig = join(home, ".kube", "config");
  if (existsSync(homeConfig)) return { config: loadFile(homeConfig), origin: homeConfig };
  const inCluster = inClusterConfig(env, options.serviceAccountDir ?? defaultServiceAccountDir);
  if (inCluster !== undefined) return inCluster;
  throw missingKubeconfig(homeConfig);
}

function selectContext(loaded: LoadedConfig, requested: string | undefined): Context {
  const name = requested ?? loaded.config.getCurrentContext() ?? "";
  if (name === "") {
    throw new ClusterError(`no context: ${loaded.origin} has no current-context (set --context)`);
  }
  const context = loaded.config.getContextObject(name);
  if (context === null) throw new ClusterError(`context "${name}" not found in ${loaded.origin}`);
  return { ...context, name };
}

function serverOf(loaded: LoadedConfig, context: Context): string {
  const cluster = loaded.config.getCluster(context.cluster);
  if (cluster === null) {
    throw new ClusterError(
      `context "${context.name}" names cluster "${context.cluster}", which is not in ${loaded.origin}`,
    );
  }
  if (cluster.server === undefined || cluster.server === "") {
    throw new ClusterError(`cluster "${context.cluster}" in ${loaded.origin} has no server`);
  }
  return cluster.server.replace(/\/+$/, "");
}

/**
 * The kubeconfig as kubectl resolves it: `--kubeconfig`, else `$KUBECONFIG` (a list, merged),
 * else `~/.kube/config`, else in-cluster configuration; then `--context` or the current
 * context, and `--namespace`, else the context's namespace, else "default".
 */
export function resolveKubeconfig(options: KubeconfigOptions): ResolvedKubeconfig {
  const loaded = loadConfig(options);
  const context = selectContext(loaded, options.context);
  const server = serverOf(loaded, context);
  loaded.config.setCurrentContext(context.name);
  const namespace = options.namespace ?? (context.namespace === "" ? undefined : context.namespace);
  return {
    config: loaded.config,
    contextName: context.name,
    namespace: namespace ?? "default",
    server,
    origin: loaded.origin,
  };
}

/** Every context of the kubeconfig that kubectl would read (`kubectl config get-contexts -o name`), in its order. */
export function kubeconfigContexts(options: KubeconfigOptions): readonly string[] {
  const loaded = loadConfig(options);
  const names = loaded.config.getContexts().map((context) => context.name);
  if (names.length === 0) throw new ClusterError(`${loaded.origin} has no contexts`);
  return names;
}
