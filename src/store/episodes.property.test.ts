/**
 * Whatever sequence of observations, closes and contests arrives, in whatever time order: at most
 * one open episode per resource, episodes of a resource never overlap, and the open one is the
 * one a simple model of the sequence says is open. On SQLite in memory (a new store per run) and on
 * a real PostgreSQL server (one database, each run with resources of its own).
 */

import fc from "fast-check";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Drift } from "../model/index.js";
import type { EpisodeEnd, HistoryStore, ResourceKey } from "./index.js";
import type { TestPostgres } from "./postgres.test-helper.js";
import { startPostgres } from "./postgres.test-helper.js";
import { EpisodeEnds, openStore } from "./index.js";

const resourceCount = 2;
const resourcesOf = (run: number): readonly ResourceKey[] =>
  Array.from({ length: resourceCount }, (_, n) => ({
    group: "apps",
    kind: "Deployment",
    namespace: "p",
    name: `r${run}-${n}`,
  }));
const paths = ["/spec/replicas", "/spec/paused", "/metadata/labels/x"];
const at = (second: number): string => new Date(Date.UTC(2026, 11, 2) + second * 1000).toISOString();

type Op =
  | {
      readonly kind: "observe";
      readonly ref: number;
      readonly fields: readonly string[];
      readonly second: number;
    }
  | { readonly kind: "close"; readonly ref: number; readonly how: EpisodeEnd; readonly second: number }
  | { readonly kind: "contest"; readonly ref: number; readonly field: string };

const ref = fc.integer({ min: 0, max: resourceCount - 1 });
const second = fc.integer({ min: 0, max: 200 });
const op: fc.Arbitrary<Op> = fc.oneof(
  fc.record({ kind: fc.constant("observe" as const), ref, fields: fc.subarray(paths), second }),
  fc.record({
    kind: fc.constant("close" as const),
    ref,
    how: fc.constantFrom(...Object.values(EpisodeEnds)),
    second,
  }),
  fc.record({ kind: fc.constant("contest" as const), ref, field: fc.constantFrom(...paths) }),
);

const drift = (path: string): Drift => ({ path, type: "Changed", desired: 1, live: 2 });

/** Applies the operations, and returns which resources the model says have an open episode. */
async function apply(
  store: HistoryStore,
  resources: readonly ResourceKey[],
  ops: readonly Op[],
): Promise<boolean[]> {
  const open = resources.map(() => false);
  for (const step of ops) {
    const key = resources[step.ref];
    if (step.kind === "observe") {
      await store.recordObservation(key, step.fields.map(drift), at(step.second));
      open[step.ref] = step.fields.length > 0;
    } else if (step.kind === "close") {
      await store.closeEpisode(key, step.how, at(step.second));
      open[step.ref] = false;
    } else {
      await store.markContested(key, step.field, "other");
    }
  }
  return open;
}

async function check(
  store: HistoryStore,
  resources: readonly ResourceKey[],
  open: readonly boolean[],
): Promise<void> {
  for (const [index, key] of resources.entries()) {
    const episodes = [...(await store.query({ resource: key }))].reverse();
    const stillOpen = episodes.filter((episode) => episode.endedAt === null);
    expect(stillOpen.length).toBe(open[index] ? 1 : 0);
    if (stillOpen.length === 1) expect(episodes.at(-1)).toBe(stillOpen[0]);
    for (const [n, episode] of episodes.entries()) {
      if (episode.endedAt !== null) expect(episode.endedAt >= episode.startedAt).toBe(true);
      const next = episodes[n + 1];
      if (next !== undefined) expect(episode.endedAt! <= next.startedAt).toBe(true);
      expect(episode.changes.length).toBeGreaterThan(0);
      for (const change of episode.changes) {
        expect(change.firstSeen >= episode.startedAt).toBe(true);
        expect(change.lastSeen >= change.firstSeen).toBe(true);
        if (episode.endedAt !== null) expect(change.lastSeen <= episode.endedAt).toBe(true);
      }
    }
  }
}

const sequences = fc.array(op, { maxLength: 30 });

let postgres: TestPostgres | undefined;
beforeAll(async () => {
  postgres = await startPostgres();
});
afterAll(async () => {
  await postgres?.stop();
});

describe("episodes under any sequence of observations", () => {
  it("keep at most one open episode per resource, never overlapping, as the model says (SQLite)", async () => {
    await fc.assert(
      fc.asyncProperty(sequences, async (ops) => {
        const store = await openStore("sqlite::memory:");
        try {
          const resources = resourcesOf(0);
          await check(store, resources, await apply(store, resources, ops));
        } finally {
          await store.close();
        }
      }),
      { numRuns: 150 },
    );
  });

  it("keep at most one open episode per resource, never overlapping, as the model says (PostgreSQL)", async () => {
    const store = await openStore(await postgres!.createDatabase());
    let run = 0;
    try {
      await fc.assert(
        fc.asyncProperty(sequences, async (ops) => {
          const resources = resourcesOf(++run);
          await check(store, resources, await apply(store, resources, ops));
        }),
        { numRuns: 40 },
      );
    } finally {
      await store.close();
    }
  });
});
