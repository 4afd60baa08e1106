import { describe, expect, it } from "vitest";
import type { JsonObject } from "../../kube/value/json.js";
import { BatchBackend, batchDefaults, type Schedule } from "./batch.js";

/** A clock moved by hand: scheduled actions run when `advance` passes their time. */
function manualClock(): { readonly schedule: Schedule; advance(ms: number): void; pending(): number } {
  let now = 0;
  let timers: { at: number; action: () => void }[] = [];
  return {
    schedule: (action, ms) => {
      const timer = { at: now + ms, action };
      timers.push(timer);
      return () => {
        timers = timers.filter((candidate) => candidate !== timer);
      };
    },
    advance(ms) {
      now += ms;
      const due = timers.filter((timer) => timer.at <= now);
      timers = timers.filter((timer) => timer.at > now);
      for (const timer of due) timer.action();
    },
    pending: () => timers.length,
  };
}

const event = (n: number): JsonObject => ({ kind: "Event", auditID: `id-${n}` });
const ids = (batch: readonly JsonObject[]): readonly unknown[] => batch.map((item) => item["auditID"]);
const settle = (): Promise<void> => new Promise((resolve) => setImmediate(resolve));

function backend(
  clock: ReturnType<typeof manualClock>,
  send: (events: readonly JsonObject[]) => Promise<void>,
) {
  const lines: string[] = [];
  const batch = new BatchBackend({
    ...batchDefaults,
    maxSize: 3,
    maxWaitMs: 30_000,
    initialBackoffMs: 1_000,
    retries: 2,
    send,
    schedule: clock.schedule,
    log: (line) => lines.push(line),
  });
  return { batch, lines };
}

describe("the batching audit webhook backend", () => {
  it("sends a batch as soon as it reaches the maximum size", async () => {
    const clock = manualClock();
    const sent: (readonly unknown[])[] = [];
    const { batch } = backend(clock, (events) => {
      sent.push(ids(events));
      return Promise.resolve();
    });
    for (const n of [1, 2, 3, 4]) batch.process(event(n));
    await settle();
    expect(sent).toEqual([["id-1", "id-2", "id-3"]]);
    // The fourth waits for its own batch's wait, counted from its arrival.
    clock.advance(29_999);
    await settle();
    expect(sent).toHaveLength(1);
    clock.advance(1);
    await settle();
    expect(sent).toEqual([["id-1", "id-2", "id-3"], ["id-4"]]);
  });

  it("sends a batch that is not full once the maximum wait has passed since its first event", async () => {
    const clock = manualClock();
    const sent: (readonly unknown[])[] = [];
    const { batch } = backend(clock, (events) => {
      sent.push(ids(events));
      return Promise.resolve();
    });
    batch.process(event(1));
    clock.advance(20_000);
    batch.process(event(2));
    clock.advance(10_000);
    await settle();
    expect(sent).toEqual([["id-1", "id-2"]]);
    expect(clock.pending()).toBe(0);
  });

  it("retries a failed send with growing backoff, then drops the batch in one line", async () => {
    const clock = manualClock();
    let attempts = 0;
    const { batch, lines } = backend(clock, () => {
      attempts += 1;
      return Promise.reject(new Error("POST https://127.0.0.1:1/audit: connect ECONNREFUSED 127.0.0.1:1"));
    });
    for (const n of [1, 2, 3]) batch.process(event(n));
    await settle();
    expect(attempts).toBe(1);
    clock.advance(1_000);
    await settle();
    expect(attempts).toBe(2);
    clock.advance(1_499);
    await settle();
    expect(attempts).toBe(2);
    clock.advance(1);
    await settle();
    expect(attempts).toBe(3);
    expect(lines).toEqual([
      "audit webhook: dropped 3 events after 3 attempts: POST https://127.0.0.1:1/audit: connect ECONNREFUSED 127.0.0.1:1",
    ]);
  });

  it("delivers after a failure that a retry overcomes", async () => {
    const clock = manualClock();
    const sent: (readonly unknown[])[] = [];
    let failures = 1;
    const { batch, lines } = backend(clock, (events) => {
      if (failures-- > 0) return Promise.reject(new Error("the server answered 503"));
      sent.push(ids(events));
      return Promise.resolve();
    });
    for (const n of [1, 2, 3]) batch.process(event(n));
    await settle();
    clock.advance(1_000);
    await settle();
    expect(sent).toEqual([["id-1", "id-2", "id-3"]]);
    expect(lines).toEqual([]);
  });

  it("flushes what it holds on stop", async () => {
    const clock = manualClock();
    const sent: (readonly unknown[])[] = [];
    const { batch } = backend(clock, (events) => {
      sent.push(ids(events));
      return Promise.resolve();
    });
    batch.process(event(1));
    await batch.flush();
    expect(sent).toEqual([["id-1"]]);
    expect(clock.pending()).toBe(0);
  });
});
