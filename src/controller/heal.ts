/**
 * Healing (issue 12, item 4): putting drifted fields back with the same writes as `apply` (server-side
 * apply of the drifted fields as manager `kubedrift`, which sends again everything it applied before
 * so that nothing it owns is dropped; a `test`-guarded JSON patch for fields others added), after a
 * delay and under a rate limit; and fight loops, where another manager keeps flipping a healed
 * field back and healing it again would only feed the loop.
 */
import type { ClusterWriter, ServedResource } from "../cluster/types.js";
import type { ObjectRef } from "../kube/object.js";
import type { Schema } from "../kube/schema/types.js";
import type { Drift, ResourceDrift } from "../model/index.js";
import { ResourceStatuses } from "../model/index.js";
import { changeFor, executeChange, fieldManager } from "../remediate/index.js";
import type { Counterparts, PlannedChange } from "../remediate/index.js";
import type { Clock } from "./informer.js";

export interface HealSettings {
  /** `--heal-after`: how long a drift stands before it is healed (a person may still put it back). */
  readonly afterMs: number;
  /** `--heal-rate`: heals per minute at most, over every object. */
  readonly perMinute: number;
  /** A fight loop: the same other manager flips a healed field back this many times… */
  readonly fightFlips: number;
  /** …within this window. */
  readonly fightWindowMs: number;
}

export const defaultHealSettings: HealSettings = {
  afterMs: 30_000,
  perMinute: 30,
  fightFlips: 3,
  fightWindowMs: 10 * 60_000,
};

export type HealResult = "succeeded" | "failed" | "throttled";

export interface HealOutcome {
  readonly result: HealResult;
  /** The fields healed (or tried). */
  readonly fields: readonly string[];
  /** Why it failed: the server's one line (never a value: the body is not quoted). */
  readonly error?: string;
}

/** A fight loop found: `manager` flipped `field` back `flips` times within the window. */
export interface Contest {
  readonly field: string;
  readonly manager: string;
  readonly flips: number;
}

/**
 * A token bucket over every heal: at most `perMinute` in a minute, a burst of as many. `take`
 * answers 0 when a heal may go now, else how long to wait for the next token.
 */
export class HealLimiter {
  readonly #perMs: number;
  readonly #capacity: number;
  #tokens: number;
  #at: number | undefined;

  constructor(perMinute: number) {
    this.#capacity = Math.max(1, perMinute);
    this.#perMs = perMinute / 60_000;
    this.#tokens = this.#capacity;
  }

  take(now: number): number {
    if (this.#at !== undefined)
      this.#tokens = Math.min(this.#capacity, this.#tokens + (now - this.#at) * this.#perMs);
    this.#at = now;
    if (this.#tokens >= 1) {
      this.#tokens -= 1;
      return 0;
    }
    return Math.ceil((1 - this.#tokens) / this.#perMs);
  }
}

interface FieldFight {
  /** kubedrift healed it and no flip has been counted since. */
  awaitingFlip: boolean;
  flips: { readonly manager: string; readonly at: number }[];
}

/**
 * Counts, per object and field, the flips back after a heal: one per heal at most (repeated events
 * of the same drift are one flip), each by the manager that wrote it.
 */
export class FightTracker {
  readonly #settings: Pick<HealSettings, "fightFlips" | "fightWindowMs">;
  readonly #fields = new Map<string, FieldFight>();

  constructor(settings: Pick<HealSettings, "fightFlips" | "fightWindowMs">) {
    this.#settings = settings;
  }

  healed(key: string, fields: readonly string[]): void {
    for (const field of fields) {
      const fight = this.#fields.get(`${key}\u0000${field}`) ?? { awaitingFlip: false, flips: [] };
      fight.awaitingFlip = true;
      this.#fields.set(`${key}\u0000${field}`, fight);
    }
  }

  /** A drift of `key` observed at `now`: the contest when it is the flip that reaches the limit. */
  drifted(key: string, drift: Drift, now: number): Contest | undefined {
    const fight = this.#fields.get(`${key}\u0000${drift.path}`);
    const manager = drift.attribution?.manager;
    if (fight === undefined || !fight.awaitingFlip || manager === undefined || manager === fieldManager)
      return undefined;
    fight.awaitingFlip = false;
    const since = now - this.#settings.fightWindowMs;
    fight.flips = [...fight.flips.filter((flip) => flip.at > since), { manager, at: now }];
    const flips = fight.flips.filter((flip) => flip.manager === manager).length;
    return flips >= this.#settings.fightFlips ? { field: drift.path, manager, flips } : undefined;
  }

  /** The object's fights are over (its episode ended other than by a heal, or it is gone). */
  forget(key: string): void {
    for (const field of this.#fields.keys()) if (field.startsWith(`${key}\u0000`)) this.#fields.delete(field);
  }
}

export interface HealContext {
  readonly writer: ClusterWriter;
  readonly resourceFor: (ref: ObjectRef) => ServedResource | undefined;
  readonly schema: Schema;
  readonly clock: Clock;
  readonly signal: AbortSignal;
}

/** The change that puts back only `fields` of the evaluated object (all of a Missing one). */
export function healChange(
  schema: Schema,
  result: ResourceDrift,
  counterparts: Counterparts,
  fields: ReadonlySet<string>,
): PlannedChange | undefined {
  const chosen = { ...result, drifts: result.drifts.filter((drift) => fields.has(drift.path)) };
  if (result.status === ResourceStatuses.drifted && chosen.drifts.length === 0) return undefined;
  const change = changeFor(schema, chosen, counterparts, {
    prune: false,
    pruneNamespaces: false,
    pruneCRDs: false,
    only: [],
  });
  return change !== undefined && "action" in change ? change : undefined;
}

/**
 * Writes the heal, guarded by the resourceVersion it was computed from: an object that moved on
 * meanwhile is refused (409) and evaluated again from its newer event.
 */
export async function heal(
  context: HealContext,
  change: PlannedChange,
  fields: readonly string[],
): Promise<HealOutcome> {
  const executed = await executeChange(
    {
      writer: context.writer,
      resourceFor: context.resourceFor,
      dryRun: false,
      preconditions: true,
      retry: {
        attempts: 3,
        initialDelayMs: 500,
        sleep: (ms) => context.clock.sleep(ms, context.signal),
      },
    },
    change,
  );
  const { outcome } = executed;
  if (outcome.ok) return { result: "succeeded", fields };
  const reason = outcome.reason === "" ? "Error" : outcome.reason;
  return { result: "failed", fields, error: `${outcome.code} ${reason}: ${outcome.message}` };
}
