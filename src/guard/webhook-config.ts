/**
 * `guard --emit-config`: the ValidatingWebhookConfiguration that sends the guard exactly the
 * writes of managed objects — one webhook per kind, its rules on the kind (and `/scale` where the
 * kind has it), its namespaces selected, and `matchConditions` naming the managed objects, so that
 * kube-apiserver calls it for nothing else. `failurePolicy` is `Fail` for a kind with a `deny`
 * policy (the guard fails closed there) and `Ignore` otherwise.
 */
import type { GuardConfig, Scope } from "../engine/index.js";
import type { WebhookEndpoint } from "../kube/admission.js";
import { webhookClientConfig } from "../kube/admission.js";
import type { KubeObject } from "../kube/value/json.js";
import type { DesiredObject } from "../model/index.js";
import { celString } from "./policy.js";

/** Where kube-apiserver reaches the guard's `/validate`. */
export type GuardWebhookTarget = WebhookEndpoint;

/** What discovery tells of a kind (the cluster's `ServedResource` fits). */
export interface ServedResource {
  readonly group: string;
  readonly version: string;
  readonly kind: string;
  /** The plural the API serves it under. */
  readonly resource: string;
  readonly namespaced: boolean;
}

/** Kinds whose `/scale` subresource writes replicas (the built-in ones; kubectl scale, HPAs). */
const scalable = new Set([
  "apps/Deployment",
  "apps/StatefulSet",
  "apps/ReplicaSet",
  "/ReplicationController",
]);

function failsClosed(guard: GuardConfig, kind: string): boolean {
  if (guard.default === "deny") return true;
  return guard.rules.some(
    (rule) =>
      rule.action === "deny" &&
      (rule.kinds === undefined || rule.kinds.some((entry) => entry === kind || kind.endsWith(`/${entry}`))),
  );
}

function webhookFor(
  resource: ServedResource,
  objects: readonly DesiredObject[],
  context: { readonly scope: Scope; readonly guard: GuardConfig; readonly target: GuardWebhookTarget },
): KubeObject {
  const key = `${resource.group}/${resource.kind}`;
  const names = [...new Set(objects.map((object) => object.ref.name))].sort();
  const namespaces = [
    ...new Set(objects.map((object) => object.ref.namespace).filter((ns) => ns !== "")),
  ].sort();
  return {
    name: `${resource.resource}${resource.group === "" ? "" : `.${resource.group}`}.guard.kubedrift.dev`,
    admissionReviewVersions: ["v1"],
    clientConfig: webhookClientConfig(context.target, "/validate"),
    rules: [
      {
        apiGroups: [resource.group],
        apiVersions: [resource.version],
        resources: [resource.resource, ...(scalable.has(key) ? [`${resource.resource}/scale`] : [])],
        operations: ["CREATE", "UPDATE", "DELETE"],
        scope: resource.namespaced ? "Namespaced" : "Cluster",
      },
    ],
    ...(resource.namespaced && namespaces.length > 0
      ? {
          namespaceSelector: {
            matchExpressions: [{ key: "kubernetes.io/metadata.name", operator: "In", values: namespaces }],
          },
        }
      : {}),
    matchConditions: [
      {
        name: "managed-by-git",
        // A DELETE carries only oldObject; a /scale write's object is the Scale, named as its parent.
        expression: `(request.operation == 'DELETE' ? oldObject : object).metadata.name in [${names.map(celString).join(", ")}]`,
      },
    ],
    failurePolicy: failsClosed(context.guard, key) ? "Fail" : "Ignore",
    sideEffects: "None",
    timeoutSeconds: 5,
    matchPolicy: "Equivalent",
  };
}

/** The configuration for the managed objects of `desired`. */
export function guardWebhookConfiguration(
  desired: readonly DesiredObject[],
  served: ReadonlyMap<string, ServedResource>,
  context: { readonly scope: Scope; readonly guard: GuardConfig; readonly target: GuardWebhookTarget },
): KubeObject {
  const byKind = new Map<string, DesiredObject[]>();
  for (const object of desired) {
    const key = `${object.ref.group}/${object.ref.kind}`;
    byKind.set(key, [...(byKind.get(key) ?? []), object]);
  }
  const webhooks = [...byKind.entries()]
    .sort(([a], [b]) => a.localeCompare(b))
    .flatMap(([key, objects]) => {
      const resource = served.get(key);
      return resource === undefined ? [] : [webhookFor(resource, objects, context)];
    });
  return {
    apiVersion: "admissionregistration.k8s.io/v1",
    kind: "ValidatingWebhookConfiguration",
    metadata: { name: "kubedrift-guard", labels: { "app.kubernetes.io/name": "kubedrift" } },
    webhooks,
  };
}
