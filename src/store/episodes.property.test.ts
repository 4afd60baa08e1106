/**
 * Whatever sequence of observations, closes and contests arrives, in whatever time order: at most
 * one open episode per resource, episodes of a resource never overlap, and the open one is the
 * one a simple model of the sequence says is open. Run on SQLite in memory (the logic and SQL are
 * shared with PostgreSQL; store.test.ts runs the contract on both).
 */

import fc from "fast-check";
import { describe, expect, it } from "vitest";
import type { Drift } from "../model/index.js";
import type { EpisodeEnd, ResourceKey } from "./index.js";
import { EpisodeEnds, openStore } from "./index.js";

const resources: readonly ResourceKey[] = ["a", "b"].map((name) => ({
  group: "apps",
  kind: "Deployment",
  namespace: "p",
  name,
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

const ref = fc.integer({ min: 0, max: resources.length - 1 });
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

describe("episodes under any sequence of observations", () => {
  it("keep at most one open episode per resource, never overlapping, as the model says", async () => {
    await fc.assert(
      fc.asyncProperty(fc.array(op, { maxLength: 30 }), async (ops) => {
        const store = await openStore("sqlite::memory:");
        try {
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
        } finally {
          await store.close();
        }
      }),
      { numRuns: 150 },
    );
  });
});
