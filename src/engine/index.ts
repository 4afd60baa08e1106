export { compare, compareRefs } from "./compare.js";
export { ConfigError, defaultEngineConfig, parseEngineConfig } from "./config.js";
export { defaultTrustedManagers } from "./trust.js";
export { lastMatchingRule, pathMatches, policyFor } from "./rules.js";
export { GuardActions, PolicyModes } from "./types.js";
export type {
  Compare,
  CompareInput,
  EngineConfig,
  GuardAction,
  GuardConfig,
  GuardRule,
  IgnoreRule,
  PolicyMode,
  PolicyRule,
  RedactRule,
  RuleScope,
  Scope,
} from "./types.js";
