/**
 * The ValidatingWebhookConfiguration that sends `watch` an AdmissionReview for each UPDATE (and
 * PATCH, admitted as UPDATE) and DELETE of the objects in its scope, for clusters whose audit
 * webhook cannot be configured. It records only: `failurePolicy: Ignore` so that kubedrift being
 * down never blocks a write, `sideEffects: None`, a short timeout.
 */
import type { ServedResource } from "../cluster/index.js";
import type { Scope } from "../engine/index.js";
import type { WebhookEndpoint } from "../kube/admission.js";
import { webhookClientConfig } from "../kube/admission.js";
import type { KubeObject } from "../kube/value/json.js";

/** Where kube-apiserver reaches `watch`'s `/admission/record`. */
export type WebhookTarget = WebhookEndpoint;

export const recordWebhookName = "record.kubedrift.dev";

function rules(scope: Scope, served: ReadonlyMap<string, ServedResource>): readonly KubeObject[] {
  const resources = scope.kinds.flatMap((key) => served.get(key) ?? []);
  return resources.map((resource) => ({
    apiGroups: [resource.group],
    apiVersions: [resource.version],
    // `deployments/scale` is how `kubectl scale` writes: the subresources are where drift comes from too.
    resources: [resource.resource, `${resource.resource}/*`],
    operations: ["UPDATE", "DELETE"],
    scope: resource.namespaced ? "Namespaced" : "Cluster",
  }));
}

/** The configuration scoped to `scope`: its kinds, and its namespaces when it names some. */
export function recordWebhookConfiguration(
  scope: Scope,
  served: ReadonlyMap<string, ServedResource>,
  target: WebhookTarget,
): KubeObject {
  const namespaceSelector =
    scope.namespaces.length === 0
      ? {}
      : {
          namespaceSelector: {
            matchExpressions: [
              { key: "kubernetes.io/metadata.name", operator: "In", values: [...scope.namespaces].sort() },
            ],
          },
        };
  return {
    apiVersion: "admissionregistration.k8s.io/v1",
    kind: "ValidatingWebhookConfiguration",
    metadata: { name: "kubedrift-record", labels: { "app.kubernetes.io/name": "kubedrift" } },
    webhooks: [
      {
        name: recordWebhookName,
        admissionReviewVersions: ["v1"],
        clientConfig: webhookClientConfig(target, "/admission/record"),
        rules: rules(scope, served),
        ...namespaceSelector,
        failurePolicy: "Ignore",
        sideEffects: "None",
        timeoutSeconds: 5,
        matchPolicy: "Equivalent",
      },
    ],
  };
}
