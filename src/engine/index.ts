export { compare, compareRefs } from "./compare.js";
export { ConfigError, defaultEngineConfig, parseEngineConfig } from "./config.js";
export { defaultTrustedManagers } from "./trust.js";
export { pathMatches } from "./rules.js";
export type {
  Compare,
  CompareInput,
  EngineConfig,
  IgnoreRule,
  RedactRule,
  RuleScope,
  Scope,
} from "./types.js";
