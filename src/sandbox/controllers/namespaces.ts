import type { KubeObject } from "../../kube/value/json.js";
import { isJsonObject, textOf } from "../../kube/value/json.js";
import type { ServerContext } from "../server/context.js";
import type { WatchSubscription } from "../store/types.js";
import { createAsController, updateAsController, type ControllerTarget } from "./system-writer.js";
import { metadataOf } from "../../kube/object.js";

const rootCADescription =
  "Contains a CA bundle that can be used to verify the kube-apiserver when using internal endpoints such as the internal service IP or kubernetes.default.svc. No other usage is guaranteed across distributions of Kubernetes clusters.";

/** The namespaces kube-apiserver creates at start-up. */
export const systemNamespaces = ["default", "kube-system", "kube-public", "kube-node-lease"] as const;

function exists(context: ServerContext, resource: string, namespace: string, name: string): boolean {
  return context.store.get({ group: "", resource, namespace, name }) !== undefined;
}

/**
 * What the serviceaccount and root-ca-cert-publisher controllers create in every namespace; the CA
 * bundle is the sandbox's own serving certificate, as kube-root-ca.crt holds the cluster's CA.
 */
export function populateNamespace(context: ServerContext, namespace: string, rootCA: string): void {
  // The namespace may be gone or terminating by the time the controller runs, as in a real cluster.
  const current = context.store.get({ group: "", resource: "namespaces", namespace: "", name: namespace });
  if (current === undefined || !isActive(current)) return;
  const target = { group: "", version: "v1", namespace };
  if (!exists(context, "serviceaccounts", namespace, "default")) {
    createAsController(
      context,
      { ...target, resource: "serviceaccounts" },
      { metadata: { name: "default" } },
    );
  }
  publishRootCA(context, { ...target, resource: "configmaps" }, rootCA);
}

/** root-ca-cert-publisher: kube-root-ca.crt holds the current CA, also after a restart with a new one. */
function publishRootCA(context: ServerContext, target: ControllerTarget, rootCA: string): void {
  const existing = context.store.get({
    group: "",
    resource: "configmaps",
    namespace: target.namespace,
    name: "kube-root-ca.crt",
  });
  if (existing === undefined) {
    createAsController(context, target, {
      metadata: { name: "kube-root-ca.crt", annotations: { "kubernetes.io/description": rootCADescription } },
      data: { "ca.crt": rootCA },
    });
    return;
  }
  const data = existing["data"];
  if (isJsonObject(data) && data["ca.crt"] === rootCA) return;
  updateAsController(context, target, {
    ...existing,
    data: { ...(isJsonObject(data) ? data : {}), "ca.crt": rootCA },
  });
}

function isActive(namespace: KubeObject): boolean {
  return metadataOf(namespace)["deletionTimestamp"] === undefined;
}

/** Runs the namespace controllers: each new namespace gets its default ServiceAccount and CA ConfigMap. */
export function startNamespaceController(
  context: ServerContext,
  options: { readonly rootCA: string; readonly onError: (error: unknown) => void },
): WatchSubscription {
  // Work queued before the sandbox stops must not touch the closed store.
  let stopped = false;
  const subscription = context.store.watch({
    resource: { group: "", resource: "namespaces" },
    sinceResourceVersion: context.store.resourceVersion,
    onEvent: (event) => {
      if (event.type !== "ADDED" || !isActive(event.object)) return;
      const name = textOf(metadataOf(event.object)["name"]);
      // After the write that created the namespace has returned, as the real controllers run asynchronously.
      queueMicrotask(() => {
        if (stopped) return;
        try {
          populateNamespace(context, name, options.rootCA);
        } catch (error: unknown) {
          options.onError(error);
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

/**
 * Creates the start-up state of a new cluster: system namespaces and the `kubernetes` Service.
 * When the Service cannot be made (its address taken by a Service persisted under `--data`),
 * the sandbox still starts, as kube-apiserver does: the failure goes to `onError`.
 */
export function bootstrapCluster(
  context: ServerContext,
  rootCA: string,
  onError: (error: unknown) => void = (error) => {
    throw error;
  },
): void {
  for (const name of systemNamespaces) {
    if (!exists(context, "namespaces", "", name)) {
      createAsController(
        context,
        { group: "", version: "v1", resource: "namespaces", namespace: "" },
        { metadata: { name } },
      );
    }
    populateNamespace(context, name, rootCA);
  }
  if (exists(context, "services", "default", "kubernetes")) return;
  try {
    createAsController(
      context,
      { group: "", version: "v1", resource: "services", namespace: "default" },
      {
        metadata: { name: "kubernetes", labels: { component: "apiserver", provider: "kubernetes" } },
        spec: {
          // The first address of the service range, as kube-apiserver gives it (10.96.0.1 by default).
          clusterIP: context.machinery.strategyContext.kubernetesServiceIP,
          ports: [{ name: "https", port: 443, protocol: "TCP", targetPort: 6443 }],
        },
      },
    );
  } catch (error: unknown) {
    onError(error);
  }
}
