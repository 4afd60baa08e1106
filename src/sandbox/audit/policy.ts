import { readFileSync } from "node:fs";
import { parse as parseYaml } from "yaml";
import type { RequestAttributes } from "../auth/attributes.js";

/** audit.k8s.io/v1 levels, least to most. */
export const AuditLevels = ["None", "Metadata", "Request", "RequestResponse"] as const;
export type AuditLevel = (typeof AuditLevels)[number];

export const AuditStages = ["RequestReceived", "ResponseStarted", "ResponseComplete", "Panic"] as const;
export type AuditStage = (typeof AuditStages)[number];

export interface GroupResources {
  readonly group: string;
  readonly resources: readonly string[];
  readonly resourceNames: readonly string[];
}

export interface PolicyRule {
  readonly level: AuditLevel;
  readonly users: readonly string[];
  readonly userGroups: readonly string[];
  readonly verbs: readonly string[];
  readonly resources: readonly GroupResources[];
  readonly namespaces: readonly string[];
  readonly nonResourceURLs: readonly string[];
  readonly omitStages: readonly AuditStage[];
  readonly omitManagedFields?: boolean;
}

export interface AuditPolicy {
  readonly rules: readonly PolicyRule[];
  readonly omitStages: readonly AuditStage[];
  readonly omitManagedFields: boolean;
}

/** What the policy decides for one request. */
export interface RequestAuditConfig {
  readonly level: AuditLevel;
  readonly omitStages: ReadonlySet<AuditStage>;
  readonly omitManagedFields: boolean;
}

export function levelAtLeast(level: AuditLevel, least: AuditLevel): boolean {
  return AuditLevels.indexOf(level) >= AuditLevels.indexOf(least);
}

type Fields = Readonly<Record<string, unknown>>;

function isFields(value: unknown): value is Fields {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

function strings(value: unknown, where: string): readonly string[] {
  if (value === undefined || value === null) return [];
  if (!Array.isArray(value) || !value.every((item) => typeof item === "string"))
    throw new Error(`${where}: must be a list of strings`);
  return value;
}

function stages(value: unknown, where: string): readonly AuditStage[] {
  const names = strings(value, where);
  for (const name of names)
    if (!(AuditStages as readonly string[]).includes(name))
      throw new Error(`${where}: unknown stage "${name}" (one of ${AuditStages.join(", ")})`);
  return names as readonly AuditStage[];
}

function level(value: unknown, where: string): AuditLevel {
  if (typeof value !== "string" || !(AuditLevels as readonly string[]).includes(value))
    throw new Error(`${where}.level: must be one of ${AuditLevels.join(", ")}, got ${JSON.stringify(value)}`);
  return value as AuditLevel;
}

function groupResources(value: unknown, where: string): GroupResources {
  if (!isFields(value)) throw new Error(`${where}: must be an object`);
  const group = value["group"] ?? "";
  if (typeof group !== "string") throw new Error(`${where}.group: must be a string`);
  return {
    group,
    resources: strings(value["resources"], `${where}.resources`),
    resourceNames: strings(value["resourceNames"], `${where}.resourceNames`),
  };
}

function optionalBoolean(value: unknown, where: string): boolean | undefined {
  if (value === undefined || value === null) return undefined;
  if (typeof value !== "boolean") throw new Error(`${where}: must be true or false`);
  return value;
}

function rule(value: unknown, where: string): PolicyRule {
  if (!isFields(value)) throw new Error(`${where}: must be an object`);
  const resources = value["resources"] ?? [];
  if (!Array.isArray(resources)) throw new Error(`${where}.resources: must be a list`);
  const parsed = {
    level: level(value["level"], where),
    users: strings(value["users"], `${where}.users`),
    userGroups: strings(value["userGroups"], `${where}.userGroups`),
    verbs: strings(value["verbs"], `${where}.verbs`),
    resources: resources.map((item, index) => groupResources(item, `${where}.resources[${index}]`)),
    namespaces: strings(value["namespaces"], `${where}.namespaces`),
    nonResourceURLs: strings(value["nonResourceURLs"], `${where}.nonResourceURLs`),
    omitStages: stages(value["omitStages"], `${where}.omitStages`),
  };
  // As kube-apiserver's validation: a rule is about resources or about non-resource URLs.
  if (parsed.nonResourceURLs.length > 0 && (parsed.resources.length > 0 || parsed.namespaces.length > 0))
    throw new Error(`${where}: rules cannot apply to both regular resources and non-resource URLs`);
  const omitManagedFields = optionalBoolean(value["omitManagedFields"], `${where}.omitManagedFields`);
  return omitManagedFields === undefined ? parsed : { ...parsed, omitManagedFields };
}

/** An `audit.k8s.io/v1` Policy from its YAML or JSON text; throws what is wrong, with the field. */
export function parseAuditPolicy(text: string): AuditPolicy {
  const document: unknown = parseYaml(text);
  if (!isFields(document)) throw new Error("not an audit.k8s.io/v1 Policy");
  if (document["kind"] !== "Policy" || !["audit.k8s.io/v1"].includes(String(document["apiVersion"])))
    throw new Error(
      `apiVersion/kind must be audit.k8s.io/v1 Policy, got ${String(document["apiVersion"])} ${String(document["kind"])}`,
    );
  const rules = document["rules"] ?? [];
  if (!Array.isArray(rules)) throw new Error("rules: must be a list");
  return {
    rules: rules.map((item, index) => rule(item, `rules[${index}]`)),
    omitStages: stages(document["omitStages"], "omitStages"),
    omitManagedFields: optionalBoolean(document["omitManagedFields"], "omitManagedFields") ?? false,
  };
}

/** kube-apiserver's `--audit-policy-file`: read once at start; anything wrong stops the start. */
export function readAuditPolicy(file: string): AuditPolicy {
  try {
    return parseAuditPolicy(readFileSync(file, "utf8"));
  } catch (error: unknown) {
    throw new Error(`audit policy ${file}: ${error instanceof Error ? error.message : String(error)}`, {
      cause: error,
    });
  }
}

const combined = (resource: string, subresource: string): string =>
  subresource === "" ? resource : `${resource}/${subresource}`;

/** `*`, `pods/log`, `*\/log` (any resource's log) and `pods/*` (pods and all its subresources). */
function resourceMatches(pattern: string, resource: string, subresource: string): boolean {
  if (pattern === "*" || pattern === combined(resource, subresource)) return true;
  if (subresource !== "" && pattern.startsWith("*/") && pattern.slice(2) === subresource) return true;
  return pattern.endsWith("/*") && pattern.slice(0, -2) === resource;
}

function groupMatches(
  entry: GroupResources,
  attributes: Extract<RequestAttributes, { kind: "resource" }>,
): boolean {
  if (entry.group !== attributes.apiGroup) return false;
  if (entry.resources.length === 0) return true;
  if (entry.resourceNames.length > 0 && !entry.resourceNames.includes(attributes.name)) return false;
  return entry.resources.some((pattern) =>
    resourceMatches(pattern, attributes.resource, attributes.subresource),
  );
}

function matchesResource(rule: PolicyRule, attributes: RequestAttributes): boolean {
  if (attributes.kind !== "resource") return false;
  // A cluster-scoped request has the namespace "", which a rule may list.
  if (rule.namespaces.length > 0 && !rule.namespaces.includes(attributes.namespace)) return false;
  return rule.resources.length === 0 || rule.resources.some((entry) => groupMatches(entry, attributes));
}

function pathMatches(pattern: string, path: string): boolean {
  if (pattern === "*" || pattern === path) return true;
  return pattern.endsWith("*") && path.startsWith(pattern.slice(0, -1));
}

function matchesNonResource(rule: PolicyRule, attributes: RequestAttributes): boolean {
  if (attributes.kind !== "nonResource") return false;
  return rule.nonResourceURLs.some((pattern) => pathMatches(pattern, attributes.path));
}

function matchesUser(rule: PolicyRule, attributes: RequestAttributes): boolean {
  if (rule.users.length > 0 && !rule.users.includes(attributes.user.username)) return false;
  if (rule.userGroups.length > 0 && !attributes.user.groups.some((group) => rule.userGroups.includes(group)))
    return false;
  return rule.verbs.length === 0 || rule.verbs.includes(attributes.verb);
}

/** k8s.io/apiserver/pkg/audit/policy's ruleMatches. */
export function ruleMatches(rule: PolicyRule, attributes: RequestAttributes): boolean {
  if (!matchesUser(rule, attributes)) return false;
  if (rule.namespaces.length > 0 || rule.resources.length > 0) return matchesResource(rule, attributes);
  if (rule.nonResourceURLs.length > 0) return matchesNonResource(rule, attributes);
  return true;
}

const none: RequestAuditConfig = { level: "None", omitStages: new Set(), omitManagedFields: false };

/** The first matching rule decides; a request no rule matches is not audited (level None). */
export function evaluatePolicy(policy: AuditPolicy, attributes: RequestAttributes): RequestAuditConfig {
  const matched = policy.rules.find((candidate) => ruleMatches(candidate, attributes));
  if (matched === undefined) return none;
  return {
    level: matched.level,
    omitStages: new Set([...policy.omitStages, ...matched.omitStages]),
    omitManagedFields: matched.omitManagedFields ?? policy.omitManagedFields,
  };
}
