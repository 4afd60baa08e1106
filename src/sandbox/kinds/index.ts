/** The kinds the sandbox serves: what kube-apiserver does for each around the field manager. */
export { hasBuiltinStrategy, strategyFor } from "./registry.js";
export { customResourceStrategy } from "./custom-resource.js";
export { establishedStatus } from "./apiextensions.js";
export type { KindStrategy, ScaleSubresource, StrategyContext, WriteTarget } from "./types.js";
