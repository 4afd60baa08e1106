import type { SandboxAuth } from "../auth/index.js";
import { createAuditor, type Auditor } from "./auditor.js";
import { BatchBackend, batchDefaults, realSchedule, type Schedule } from "./batch.js";
import { readAuditPolicy, type AuditPolicy } from "./policy.js";
import { sendEvents } from "./send.js";
import { readWebhookConfig, type WebhookTarget } from "./webhook-config.js";

export type { Auditor, AuditInput, RequestAudit } from "./auditor.js";
export { createAuditor } from "./auditor.js";
export { parseAuditPolicy, readAuditPolicy, evaluatePolicy } from "./policy.js";

/** kube-apiserver's audit flags, as `startSandbox` and `kubedrift sandbox` take them. */
export interface AuditOptions {
  /** `--audit-policy-file`: an audit.k8s.io/v1 Policy; without it nothing is audited. */
  readonly auditPolicyFile?: string;
  /** `--audit-webhook-config-file`: a kubeconfig naming where EventLists are POSTed. */
  readonly auditWebhookConfigFile?: string;
  /** `--audit-webhook-batch-max-wait` (default 30 s). */
  readonly auditWebhookBatchMaxWaitMs?: number;
  /** `--audit-webhook-batch-max-size` (default 400). */
  readonly auditWebhookBatchMaxSize?: number;
  /** `--audit-webhook-initial-backoff` (default 10 s); tests shorten it. */
  readonly auditWebhookInitialBackoffMs?: number;
}

export interface Auditing {
  readonly auditor: Auditor;
  /** Sends what is buffered; awaited when the sandbox stops. */
  flush(): Promise<void>;
}

const noPolicy: AuditPolicy = { rules: [], omitStages: [], omitManagedFields: false };

export interface AuditingContext {
  readonly auth: SandboxAuth;
  readonly now: () => Date;
  readonly newId: () => string;
  readonly schedule?: Schedule;
}

/** What the audit files say, read before anything is opened: a malformed one stops the start in one line naming it. */
export interface AuditFiles {
  readonly policy: AuditPolicy;
  readonly target?: WebhookTarget;
}

export function readAuditFiles(options: AuditOptions): AuditFiles {
  const policy = options.auditPolicyFile === undefined ? noPolicy : readAuditPolicy(options.auditPolicyFile);
  if (options.auditWebhookConfigFile === undefined) return { policy };
  return { policy, target: readWebhookConfig(options.auditWebhookConfigFile) };
}

function batchBackend(options: AuditOptions, target: WebhookTarget, schedule: Schedule): BatchBackend {
  return new BatchBackend({
    ...batchDefaults,
    maxSize: options.auditWebhookBatchMaxSize ?? batchDefaults.maxSize,
    maxWaitMs: options.auditWebhookBatchMaxWaitMs ?? batchDefaults.maxWaitMs,
    initialBackoffMs: options.auditWebhookInitialBackoffMs ?? batchDefaults.initialBackoffMs,
    send: (events) => sendEvents(target, events),
    schedule,
    log: (line) => process.stderr.write(`sandbox: ${line}\n`),
  });
}

/** Connects the policy, the auditor and the batching webhook backend. */
export function createAuditing(files: AuditFiles, options: AuditOptions, context: AuditingContext): Auditing {
  const backend =
    files.target === undefined
      ? undefined
      : batchBackend(options, files.target, context.schedule ?? realSchedule);
  const auditor = createAuditor({
    // Without a backend, events would go nowhere: skip building them.
    policy: backend === undefined ? noPolicy : files.policy,
    auth: context.auth,
    sink: (event) => backend?.process(event),
    now: context.now,
    newId: context.newId,
  });
  return { auditor, flush: () => backend?.flush() ?? Promise.resolve() };
}
