import type { JsonObject } from "../../kube/value/json.js";
import type { ResourceRegistry } from "../registry/registry.js";
import type { ResourceInfo } from "../registry/types.js";
import { createHash } from "node:crypto";

/** What `/version` answers: kubectl checks the major/minor for its version skew warning. */
export const serverVersion = {
  major: "1",
  minor: "32",
  gitVersion: "v1.32.0-kubedrift-sandbox",
  gitCommit: "0000000000000000000000000000000000000000",
  gitTreeState: "clean",
  buildDate: "2026-11-01T00:00:00Z",
  goVersion: "go1.23.4",
  compiler: "gc",
  platform: "linux/amd64",
} as const;

export function legacyApiVersions(serverAddress: string): JsonObject {
  return {
    kind: "APIVersions",
    versions: ["v1"],
    serverAddressByClientCIDRs: [{ clientCIDR: "0.0.0.0/0", serverAddress }],
  };
}

function groupEntry(name: string, versions: readonly string[]): JsonObject {
  const groupVersions = versions.map((version) => ({ groupVersion: `${name}/${version}`, version }));
  return { name, versions: groupVersions, preferredVersion: groupVersions[0] ?? null };
}

export function apiGroupList(registry: ResourceRegistry): JsonObject {
  const groups = registry
    .groups()
    .filter((group) => group.name !== "")
    .map((group) => groupEntry(group.name, group.versions));
  return { kind: "APIGroupList", apiVersion: "v1", groups };
}

export function apiGroup(registry: ResourceRegistry, name: string): JsonObject | undefined {
  const group = registry.groups().find((candidate) => candidate.name === name && name !== "");
  if (group === undefined) return undefined;
  return { kind: "APIGroup", apiVersion: "v1", ...groupEntry(group.name, group.versions) };
}

// storageVersionHash lets clients notice storage migrations; any stable value per resource will do.
function storageVersionHash(info: ResourceInfo): string {
  return createHash("sha256")
    .update(`${info.group}/${info.version}/${info.kind}`)
    .digest("base64")
    .slice(0, 11);
}

function mainEntry(info: ResourceInfo): JsonObject {
  return {
    name: info.resource,
    singularName: info.singular,
    namespaced: info.namespaced,
    kind: info.kind,
    verbs: [...info.verbs],
    ...(info.shortNames.length > 0 ? { shortNames: [...info.shortNames] } : {}),
    ...(info.categories.length > 0 ? { categories: [...info.categories] } : {}),
    storageVersionHash: storageVersionHash(info),
  };
}

function subresourceEntry(info: ResourceInfo, subresource: string): JsonObject {
  const base = { name: `${info.resource}/${subresource}`, singularName: "", namespaced: info.namespaced };
  if (subresource === "scale") {
    return { ...base, group: "autoscaling", version: "v1", kind: "Scale", verbs: ["get", "patch", "update"] };
  }
  if (subresource === "finalize") return { ...base, kind: info.kind, verbs: ["update"] };
  if (subresource === "token") {
    const tokenRequest = { group: "authentication.k8s.io", version: "v1", kind: "TokenRequest" };
    return { ...base, ...tokenRequest, verbs: ["create"] };
  }
  return { ...base, kind: info.kind, verbs: ["get", "patch", "update"] };
}

export function apiResourceList(
  registry: ResourceRegistry,
  group: string,
  version: string,
): JsonObject | undefined {
  // kube-apiserver lists a group version's resources in name order.
  const infos = registry
    .all()
    .filter((info) => info.group === group && info.version === version)
    .sort((left, right) => (left.resource < right.resource ? -1 : left.resource > right.resource ? 1 : 0));
  if (infos.length === 0) return undefined;
  const resources = infos.flatMap((info) => [
    mainEntry(info),
    ...[...info.subresources].sort().map((sub) => subresourceEntry(info, sub)),
  ]);
  return {
    kind: "APIResourceList",
    apiVersion: "v1",
    groupVersion: group === "" ? version : `${group}/${version}`,
    resources,
  };
}
