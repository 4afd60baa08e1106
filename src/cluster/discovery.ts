import type { ServedResource } from "./types.js";
import type { UnknownRecord } from "../kube/value/json.js";
import { isRecord, stringOf } from "../kube/value/json.js";
import { splitApiVersion } from "../kube/object.js";

function objects(value: unknown): readonly UnknownRecord[] {
  return Array.isArray(value) ? value.filter(isRecord) : [];
}

function strings(value: unknown): readonly string[] {
  return Array.isArray(value) ? value.filter((item): item is string => typeof item === "string") : [];
}

/** The group-versions of `/apis` (an APIGroupList), each group at its preferred version. */
export function preferredGroupVersions(apiGroupList: unknown): readonly string[] {
  if (!isRecord(apiGroupList)) return [];
  return objects(apiGroupList["groups"]).flatMap((group) => {
    const preferred = group["preferredVersion"];
    const groupVersion = isRecord(preferred)
      ? stringOf(preferred["groupVersion"])
      : stringOf(objects(group["versions"])[0]?.["groupVersion"]);
    return groupVersion === "" ? [] : [groupVersion];
  });
}

/**
 * The listable resources of an APIResourceList (`/api/v1`, `/apis/apps/v1`): subresources
 * (`deployments/scale`) and resources without the `list` verb (`bindings`,
 * `tokenreviews`) cannot be compared, so they are left out.
 */
export function listableResources(apiResourceList: unknown): readonly ServedResource[] {
  if (!isRecord(apiResourceList)) return [];
  const { group, version } = splitApiVersion(stringOf(apiResourceList["groupVersion"]));
  return objects(apiResourceList["resources"]).flatMap((entry): ServedResource[] => {
    const resource = stringOf(entry["name"]);
    const verbs = strings(entry["verbs"]);
    if (resource === "" || resource.includes("/") || !verbs.includes("list")) return [];
    return [
      {
        group,
        version,
        kind: stringOf(entry["kind"]),
        resource,
        namespaced: entry["namespaced"] === true,
        verbs,
      },
    ];
  });
}

/** `/api/v1`, `/apis/apps/v1`. */
export function groupVersionPath(groupVersion: string): string {
  return groupVersion.includes("/") ? `/apis/${groupVersion}` : `/api/${groupVersion}`;
}

/** The collection path of a resource, in one namespace or across all. */
export function collectionPath(resource: ServedResource, namespace: string | undefined): string {
  const prefix = groupVersionPath(
    resource.group === "" ? resource.version : `${resource.group}/${resource.version}`,
  );
  const scope =
    resource.namespaced && namespace !== undefined ? `/namespaces/${encodeURIComponent(namespace)}` : "";
  return `${prefix}${scope}/${resource.resource}`;
}
