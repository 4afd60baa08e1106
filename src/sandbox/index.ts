/**
 * The sandbox: a Kubernetes API server (a faithful subset of kube-apiserver 1.32)
 * served over HTTP on loopback, for trying kubedrift and testing it without a cluster.
 */
export { createSandboxCore, startSandbox } from "./sandbox.js";
export { exposureWarning } from "./exposure.js";
export type { RunningSandbox, SandboxCore, SandboxOptions } from "./sandbox.js";
export type { FaultOptions } from "./faults.js";
export type { UserInfo } from "./auth/user.js";
export type { RequestScope } from "./server/context.js";
