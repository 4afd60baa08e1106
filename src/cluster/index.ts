/** Live state: a real cluster through @kubernetes/client-node, or a file of live objects. */
export { connectCluster } from "./kube-cluster.js";
export type { ConnectOptions } from "./kube-cluster.js";
export { openLiveFile } from "./live-file.js";
export { kubeconfigContexts, resolveKubeconfig } from "./kubeconfig.js";
export type { KubeconfigOptions, ResolvedKubeconfig } from "./kubeconfig.js";
export { ApiStatusError, resourceName } from "./errors.js";
export type { ApiStatus } from "./transport.js";
export { ClusterError } from "./types.js";
export type { Cluster, ServedResource } from "./types.js";
export { serverVersion } from "./version.js";
export type { ServerVersion } from "./version.js";
export type { ListOptions, ListSnapshot, Trace, WatchEnd, WatchEvent, WatchOptions } from "./types.js";
