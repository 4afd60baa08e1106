import type { JsonObject, KubeObject } from "../../kube/value/json.js";
import { isJsonObject, textOf } from "../../kube/value/json.js";
import { toResourceInfo } from "../registry/builtin.js";
import type { ResourceInfo } from "../registry/types.js";
import type { ServerContext } from "../server/context.js";
import type { WatchSubscription } from "../store/types.js";
import { metadataOf } from "../../kube/object.js";

function stringList(value: unknown): readonly string[] {
  return Array.isArray(value) ? value.filter((item): item is string => typeof item === "string") : [];
}

function subresourcesOf(version: JsonObject): readonly string[] {
  const subresources = version["subresources"];
  if (!isJsonObject(subresources)) return [];
  return ["status", "scale"].filter((name) => subresources[name] !== undefined);
}

/** The resources a CRD serves: one per served version, under the names it declares. */
export function resourcesOfCRD(crd: KubeObject): readonly ResourceInfo[] {
  const spec = isJsonObject(crd["spec"]) ? crd["spec"] : {};
  const names = isJsonObject(spec["names"]) ? spec["names"] : {};
  const versions = Array.isArray(spec["versions"]) ? spec["versions"].filter(isJsonObject) : [];
  const kind = textOf(names["kind"] ?? "");
  return versions
    .filter((version) => version["served"] !== false)
    .map((version) => ({
      ...toResourceInfo({
        group: textOf(spec["group"] ?? ""),
        version: textOf(version["name"] ?? ""),
        kind,
        resource: textOf(names["plural"] ?? ""),
        namespaced: spec["scope"] !== "Cluster",
        shortNames: stringList(names["shortNames"]),
        categories: stringList(names["categories"]),
        subresources: subresourcesOf(version),
      }),
      listKind: typeof names["listKind"] === "string" ? names["listKind"] : `${kind}List`,
      singular: typeof names["singular"] === "string" ? names["singular"] : kind.toLowerCase(),
    }));
}

function removeCustomObjects(context: ServerContext, resources: readonly ResourceInfo[]): void {
  const first = resources[0];
  if (first === undefined) return;
  const resource = { group: first.group, resource: first.resource };
  for (const item of context.store.list(resource).items) {
    const metadata = metadataOf(item);
    context.store.delete({
      ...resource,
      namespace: textOf(metadata["namespace"] ?? ""),
      name: textOf(metadata["name"]),
    });
  }
}

/** Serves the resources of every CRD in the store, and drops a CRD's objects when it is deleted. */
export function startCustomResourceController(
  context: ServerContext,
  onError: (error: unknown) => void,
): WatchSubscription {
  for (const crd of context.store.list({
    group: "apiextensions.k8s.io",
    resource: "customresourcedefinitions",
  }).items) {
    context.registry.setCustom(textOf(metadataOf(crd)["name"]), resourcesOfCRD(crd));
  }
  let stopped = false;
  const subscription = context.store.watch({
    resource: { group: "apiextensions.k8s.io", resource: "customresourcedefinitions" },
    sinceResourceVersion: context.store.resourceVersion,
    onEvent: (event) => {
      const name = textOf(metadataOf(event.object)["name"]);
      if (event.type !== "DELETED") {
        // Synchronously, so that a client creating custom resources right after the CRD finds them served.
        context.registry.setCustom(name, resourcesOfCRD(event.object));
        return;
      }
      const removed = resourcesOfCRD(event.object);
      context.registry.setCustom(name, []);
      queueMicrotask(() => {
        if (stopped) return;
        try {
          removeCustomObjects(context, removed);
        } catch (error: unknown) {
          onError(error);
        }
      });
    },
  });
  return {
    close: () => {
      stopped = true;
      subscription.close();
    },
  };
}
