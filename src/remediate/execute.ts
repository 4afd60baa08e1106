import type { ClusterWriter, ServedResource, WriteOutcome } from "../cluster/types.js";
import { isCoveredBy } from "./sparse.js";
import type { JsonPatchOperation, PlannedChange } from "./types.js";
import type { JsonObject, KubeObject } from "../kube/value/json.js";
import { metadataOf, resourceVersionOf } from "../kube/object.js";
import type { ObjectRef } from "../kube/object.js";

export const fieldManager = "kubedrift";

export interface WriteRetry {
  /** Tries per write, the first included. */
  readonly attempts: number;
  /** Backoff before the second try; doubled for each further one. */
  readonly initialDelayMs: number;
  /** Injectable so that tests do not wait. */
  readonly sleep: (ms: number) => Promise<void>;
}

export const defaultWriteRetry: WriteRetry = {
  attempts: 4,
  initialDelayMs: 200,
  sleep: (ms) => new Promise((resolve) => setTimeout(resolve, ms)),
};

export interface Executor {
  readonly writer: ClusterWriter;
  readonly resourceFor: (ref: ObjectRef) => ServedResource | undefined;
  readonly retry: WriteRetry;
  readonly dryRun: boolean;
  /**
   * Send the change's resourceVersion as a precondition (in the applied body, as a JSON patch
   * `test`), so that the server refuses it if the object changed after it was last read.
   */
  readonly preconditions?: boolean;
  /**
   * Fields the server's dry run showed only `force` takes over, all of them drifted: the apply is
   * sent with `force` at once instead of being refused first. Only with `preconditions`, so that it
   * lands only on the object as it was when the dry run judged it, which had exactly these conflicts.
   */
  readonly takeOver?: readonly string[];
}

/** 429 and 5xx are the server's hiccups, and so is a dropped connection (code 0); the rest are answers. */
function isTransient(outcome: WriteOutcome): boolean {
  return !outcome.ok && (outcome.code === 0 || outcome.code === 429 || outcome.code >= 500);
}

/** The longest a server's Retry-After is waited for, as the transport's GETs do. */
const maxRetryAfterMs = 10_000;

/** The backoff, or longer when the server asked for it (429 and 503 carry `retryAfterSeconds`), as client-go waits. */
function pause(retry: WriteRetry, attempt: number, outcome: WriteOutcome): number {
  const backoff = retry.initialDelayMs * 2 ** (attempt - 1);
  const asked = outcome.ok ? 0 : (outcome.retryAfterSeconds ?? 0) * 1000;
  return Math.max(backoff, Math.min(asked, maxRetryAfterMs));
}

/**
 * Repeating these writes is safe: an apply is idempotent, a JSON patch `test`s before it removes,
 * and a delete carries its resourceVersion precondition.
 */
export async function withRetries(retry: WriteRetry, write: () => Promise<WriteOutcome>): Promise<Retried> {
  for (let attempt = 1; ; attempt += 1) {
    const outcome = await write();
    const uncertain = attempt > 1 || isTransient(outcome);
    if (!isTransient(outcome) || attempt >= retry.attempts) return { outcome, uncertain };
    await retry.sleep(pause(retry, attempt, outcome));
  }
}

export interface Retried {
  readonly outcome: WriteOutcome;
  /**
   * A try failed on the way (a dropped connection, a 5xx from a proxy): it may have taken effect
   * although no answer said so, and a later try's answer (`test` failed, 404, 409) may be its echo.
   */
  readonly uncertain: boolean;
}

export interface Executed extends Retried {
  /** Fields taken over with `force`. */
  readonly forced: readonly string[];
}

function conflictingFields(outcome: WriteOutcome): readonly string[] | undefined {
  if (outcome.ok || outcome.code !== 409) return undefined;
  const fields = outcome.causes.flatMap((cause) => (cause.field === undefined ? [] : [cause.field]));
  return fields.length === 0 ? undefined : fields;
}

/**
 * Server-side apply, first without force. A conflict is taken over only when every conflicting
 * field is one of those the body corrects: a field that did not drift is never trampled.
 */
async function applyFields(
  executor: Executor,
  resource: ServedResource,
  body: KubeObject,
  fields: readonly string[],
): Promise<Executed> {
  const options = { fieldManager, dryRun: executor.dryRun };
  const known = executor.takeOver ?? [];
  if (
    executor.preconditions === true &&
    known.length > 0 &&
    known.every((field) => isCoveredBy(field, fields))
  ) {
    const forced = await withRetries(executor.retry, () =>
      executor.writer.apply(resource, body, { ...options, force: true }),
    );
    return { ...forced, forced: forced.outcome.ok ? [...known].sort() : [] };
  }
  const first = await withRetries(executor.retry, () => executor.writer.apply(resource, body, options));
  const conflicts = conflictingFields(first.outcome);
  if (conflicts === undefined || !conflicts.every((field) => isCoveredBy(field, fields))) {
    return { ...first, forced: [] };
  }
  const forced = await withRetries(executor.retry, () =>
    executor.writer.apply(resource, body, { ...options, force: true }),
  );
  return {
    outcome: forced.outcome,
    uncertain: first.uncertain || forced.uncertain,
    forced: forced.outcome.ok ? [...conflicts].sort() : [],
  };
}

/** The body with `metadata.resourceVersion`: server-side apply then refuses it (409) if the object moved on. */
function guardedBody(body: KubeObject, resourceVersion: string): KubeObject {
  if (resourceVersion === "") return body;
  return { ...body, metadata: { ...metadataOf(body), resourceVersion } };
}

function patchOf(operations: readonly JsonPatchOperation[], resourceVersion: string): readonly JsonObject[] {
  const guard =
    resourceVersion === "" ? [] : [{ op: "test", path: "/metadata/resourceVersion", value: resourceVersion }];
  return [...guard, ...operations.map((operation) => ({ ...operation }))];
}

async function removeFields(
  executor: Executor,
  /** `resourceVersion`: "" for no precondition. */
  target: { readonly resource: ServedResource; readonly ref: ObjectRef; readonly resourceVersion: string },
  operations: readonly JsonPatchOperation[],
): Promise<Retried> {
  const { resource, ref } = target;
  const where = { namespace: ref.namespace === "" ? undefined : ref.namespace, name: ref.name };
  const patch = patchOf(operations, target.resourceVersion);
  return withRetries(executor.retry, () =>
    executor.writer.jsonPatch(resource, where, patch, { fieldManager, dryRun: executor.dryRun }),
  );
}

/** Removals first (as an Update), then the apply, guarded by the version the removal left. */
async function applyChange(
  executor: Executor,
  resource: ServedResource,
  change: Extract<PlannedChange, { action: "apply" }>,
): Promise<Executed> {
  let resourceVersion = executor.preconditions === true ? change.resourceVersion : "";
  let uncertain = false;
  if (change.removals.length > 0) {
    const removed = await removeFields(
      executor,
      { resource, ref: change.ref, resourceVersion },
      change.removals,
    );
    if (!removed.outcome.ok) return { ...removed, forced: [] };
    uncertain = removed.uncertain;
    if (resourceVersion !== "") resourceVersion = resourceVersionOf(removed.outcome.object);
  }
  const applied = await applyFields(
    executor,
    resource,
    guardedBody(change.body, resourceVersion),
    change.fields,
  );
  return { ...applied, uncertain: uncertain || applied.uncertain };
}

const unknownResource = (ref: ObjectRef): Executed => ({
  outcome: {
    ok: false,
    code: 404,
    reason: "NotFound",
    message: `the cluster does not serve ${ref.kind} in ${ref.group === "" ? "the core group" : ref.group}`,
    causes: [],
  },
  uncertain: false,
  forced: [],
});

/**
 * Writes one change as planned. With `preconditions` the server refuses it if the object moved on
 * from the change's resourceVersion; deciding what to do then is the caller's.
 */
export async function executeChange(executor: Executor, change: PlannedChange): Promise<Executed> {
  const resource = executor.resourceFor(change.ref);
  if (resource === undefined) return unknownResource(change.ref);
  switch (change.action) {
    case "create":
      return applyFields(executor, resource, change.body, []);
    case "remove": {
      const resourceVersion = executor.preconditions === true ? change.resourceVersion : "";
      const removed = await removeFields(
        executor,
        { resource, ref: change.ref, resourceVersion },
        change.patch,
      );
      return { ...removed, forced: [] };
    }
    case "apply":
      return applyChange(executor, resource, change);
    case "delete": {
      const target = {
        namespace: change.ref.namespace === "" ? undefined : change.ref.namespace,
        name: change.ref.name,
        ...(change.resourceVersion === "" ? {} : { resourceVersion: change.resourceVersion }),
      };
      const deleted = await withRetries(executor.retry, () =>
        executor.writer.delete(resource, target, { dryRun: executor.dryRun }),
      );
      return { ...deleted, forced: [] };
    }
  }
}

// One bounded-concurrency helper, shared with inspect (blame).
export { mapLimit } from "../inspect/concurrency.js";
