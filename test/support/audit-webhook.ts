import { writeManifest } from "./kubectl.js";

/**
 * The sandbox's flags for an audit webhook sending the writes to `resources` (an audit policy's
 * `resources` list, as YAML flow) at RequestResponse to `watch`'s `/audit` on `port`, with `token`.
 */
export function auditWebhookFlags(
  directory: string,
  receiver: { readonly port: number; readonly token: string },
  resources: string,
): readonly string[] {
  const webhookConfig = writeManifest(
    directory,
    "audit-webhook.kubeconfig",
    `apiVersion: v1
kind: Config
clusters: [{name: kubedrift, cluster: {server: "http://127.0.0.1:${receiver.port}/audit"}}]
users: [{name: kubedrift, user: {token: ${receiver.token}}}]
contexts: [{name: kubedrift, context: {cluster: kubedrift, user: kubedrift}}]
current-context: kubedrift
`,
  );
  const policy = writeManifest(
    directory,
    "audit-policy.yaml",
    `apiVersion: audit.k8s.io/v1
kind: Policy
omitStages: [RequestReceived]
rules:
  - level: RequestResponse
    verbs: [create, update, patch, delete]
    resources: ${resources}
  - level: None
`,
  );
  return [
    "--audit-policy-file",
    policy,
    "--audit-webhook-config-file",
    webhookConfig,
    "--audit-webhook-batch-max-wait",
    "200ms",
  ];
}
