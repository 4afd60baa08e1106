import type { ClusterWriter, ServedResource, WriteOutcome } from "../cluster/types.js";
import type { JsonObject, KubeObject, ObjectRef } from "../model/index.js";
import { isCoveredBy } from "./sparse.js";
import type { JsonPatchOperation, PlannedChange } from "./types.js";

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
}

/** 429 and 5xx are the server's hiccups, and so is a dropped connection (code 0); the rest are answers. */
function isTransient(outcome: WriteOutcome): boolean {
  return !outcome.ok && (outcome.code === 0 || outcome.code === 429 || outcome.code >= 500);
}

/**
 * Repeating these writes is safe: an apply is idempotent, a JSON patch `test`s before it removes,
 * and a delete carries its resourceVersion precondition.
 */
export async function withRetries(
  retry: WriteRetry,
  write: () => Promise<WriteOutcome>,
): Promise<WriteOutcome> {
  for (let attempt = 1; ; attempt += 1) {
    const outcome = await write();
    if (!isTransient(outcome) || attempt >= retry.attempts) return outcome;
    await retry.sleep(retry.initialDelayMs * 2 ** (attempt - 1));
  }
}

export interface Executed {
  readonly outcome: WriteOutcome;
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
  const first = await withRetries(executor.retry, () => executor.writer.apply(resource, body, options));
  const conflicts = conflictingFields(first);
  if (conflicts === undefined || !conflicts.every((field) => isCoveredBy(field, fields))) {
    return { outcome: first, forced: [] };
  }
  const forced = await withRetries(executor.retry, () =>
    executor.writer.apply(resource, body, { ...options, force: true }),
  );
  return { outcome: forced, forced: forced.ok ? [...conflicts].sort() : [] };
}

function patchOf(operations: readonly JsonPatchOperation[]): readonly JsonObject[] {
  return operations.map((operation) => ({ ...operation }));
}

async function removeFields(
  executor: Executor,
  resource: ServedResource,
  ref: ObjectRef,
  operations: readonly JsonPatchOperation[],
): Promise<WriteOutcome> {
  const target = { namespace: ref.namespace === "" ? undefined : ref.namespace, name: ref.name };
  return withRetries(executor.retry, () =>
    executor.writer.jsonPatch(resource, target, patchOf(operations), {
      fieldManager,
      dryRun: executor.dryRun,
    }),
  );
}

const unknownResource = (ref: ObjectRef): Executed => ({
  outcome: {
    ok: false,
    code: 404,
    reason: "NotFound",
    message: `the cluster does not serve ${ref.kind} in ${ref.group === "" ? "the core group" : ref.group}`,
    causes: [],
  },
  forced: [],
});

/** Writes one change as planned (no resourceVersion check: that is the caller's). */
export async function executeChange(executor: Executor, change: PlannedChange): Promise<Executed> {
  const resource = executor.resourceFor(change.ref);
  if (resource === undefined) return unknownResource(change.ref);
  switch (change.action) {
    case "create":
      return applyFields(executor, resource, change.body, []);
    case "remove":
      return { outcome: await removeFields(executor, resource, change.ref, change.patch), forced: [] };
    case "apply": {
      if (change.removals.length > 0) {
        const removed = await removeFields(executor, resource, change.ref, change.removals);
        if (!removed.ok) return { outcome: removed, forced: [] };
      }
      return applyFields(executor, resource, change.body, change.fields);
    }
    case "delete": {
      const target = {
        namespace: change.ref.namespace === "" ? undefined : change.ref.namespace,
        name: change.ref.name,
        ...(change.resourceVersion === "" ? {} : { resourceVersion: change.resourceVersion }),
      };
      const outcome = await withRetries(executor.retry, () =>
        executor.writer.delete(resource, target, { dryRun: executor.dryRun }),
      );
      return { outcome, forced: [] };
    }
  }
}

/** Runs `task` over `items`, at most `limit` at a time, keeping the results in order. */
export async function mapLimit<T, R>(
  items: readonly T[],
  limit: number,
  task: (item: T) => Promise<R>,
): Promise<R[]> {
  const results: R[] = new Array<R>(items.length);
  let next = 0;
  const worker = async (): Promise<void> => {
    while (next < items.length) {
      const index = next;
      next += 1;
      results[index] = await task(items[index]);
    }
  };
  await Promise.all(Array.from({ length: Math.max(1, Math.min(limit, items.length)) }, worker));
  return results;
}
