import type { JsonObject } from "../../kube/value/json.js";

/** Runs `action` after `ms`; returns what cancels it. Injectable so tests need no wall clock. */
export type Schedule = (action: () => void, ms: number) => () => void;

export const realSchedule: Schedule = (action, ms) => {
  const timer = setTimeout(action, ms);
  // A pending batch never keeps the process alive: stop() flushes it.
  timer.unref();
  return () => clearTimeout(timer);
};

export interface BatchOptions {
  /** `--audit-webhook-batch-max-size` (kube-apiserver's default 400). */
  readonly maxSize: number;
  /** `--audit-webhook-batch-max-wait` (default 30 s), counted from a batch's first event. */
  readonly maxWaitMs: number;
  /** `--audit-webhook-batch-buffer-size` (default 10000): events beyond it are dropped, never waited for. */
  readonly bufferSize: number;
  /** Attempts after the first failed one (kube-apiserver's webhook backoff has 5 steps in all). */
  readonly retries: number;
  /** `--audit-webhook-initial-backoff` (default 10 s), growing 1.5 times per retry. */
  readonly initialBackoffMs: number;
  readonly send: (events: readonly JsonObject[]) => Promise<void>;
  readonly schedule: Schedule;
  /** One line per dropped batch (stderr in the sandbox). */
  readonly log: (line: string) => void;
}

export const batchDefaults = {
  maxSize: 400,
  maxWaitMs: 30_000,
  bufferSize: 10_000,
  retries: 4,
  initialBackoffMs: 10_000,
} as const;

function reasonOf(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}

/**
 * kube-apiserver's batching audit backend: events are buffered and sent as one EventList when
 * the batch is full or has waited long enough; a failed send is retried with backoff, then the
 * batch is dropped with one line. Nothing here ever blocks or fails the API request that made
 * the event.
 */
export class BatchBackend {
  private batch: JsonObject[] = [];
  private cancelWait: (() => void) | undefined;
  private readonly inFlight = new Set<Promise<void>>();
  private readonly sleeping = new Set<() => void>();
  private closing = false;

  constructor(private readonly options: BatchOptions) {}

  process(event: JsonObject): void {
    if (this.pending() >= this.options.bufferSize) {
      this.options.log(
        `audit webhook: buffer full (${this.options.bufferSize} events), an event was dropped`,
      );
      return;
    }
    this.batch.push(event);
    if (this.batch.length >= this.options.maxSize) this.sendBatch();
    else if (this.cancelWait === undefined)
      this.cancelWait = this.options.schedule(() => this.sendBatch(), this.options.maxWaitMs);
  }

  /** Sends what is buffered now and waits for every send (retries cut short): on sandbox stop. */
  async flush(): Promise<void> {
    this.closing = true;
    this.sendBatch();
    for (const wake of [...this.sleeping]) wake();
    await Promise.all([...this.inFlight]);
  }

  private pending(): number {
    return this.batch.length;
  }

  private sendBatch(): void {
    this.cancelWait?.();
    this.cancelWait = undefined;
    if (this.batch.length === 0) return;
    const events = this.batch;
    this.batch = [];
    const sending = this.deliver(events).finally(() => this.inFlight.delete(sending));
    this.inFlight.add(sending);
  }

  private async deliver(events: readonly JsonObject[]): Promise<void> {
    let backoff = this.options.initialBackoffMs;
    for (let attempt = 0; ; attempt += 1) {
      try {
        await this.options.send(events);
        return;
      } catch (error: unknown) {
        if (attempt >= this.options.retries || this.closing) {
          this.options.log(
            `audit webhook: dropped ${events.length} events after ${attempt + 1} attempts: ${reasonOf(error)}`,
          );
          return;
        }
      }
      await this.sleep(backoff);
      backoff *= 1.5;
    }
  }

  private sleep(ms: number): Promise<void> {
    return new Promise((resolve) => {
      const wake = (): void => {
        this.sleeping.delete(wake);
        cancel();
        resolve();
      };
      const cancel = this.options.schedule(wake, ms);
      this.sleeping.add(wake);
    });
  }
}
