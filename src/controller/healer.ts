/**
 * When `watch` heals (issue 12, item 4): per object, the fields whose policy is `heal` and that are
 * not contested, once their drift has stood for `--heal-after`, within the rate limit; a failed
 * heal waits longer each time. It also keeps the fight loops and says how an episode ended.
 */
import type { DesiredObject, LiveObject, ResourceDrift } from "../model/index.js";
import type { Episode, EpisodeEnd, ObservedDrift } from "../store/index.js";
import { EpisodeEnds } from "../store/index.js";
import type { Contest, HealContext, HealOutcome, HealSettings } from "./heal.js";
import { FightTracker, HealLimiter, heal, healChange } from "./heal.js";
import type { Policies } from "./policy.js";
import { modeOf } from "./policy.js";

/** One evaluation of a declared object, as the loop recorded it. */
export interface Evaluated {
  readonly desired: DesiredObject;
  readonly live: LiveObject | undefined;
  readonly result: ResourceDrift;
  readonly drifts: readonly ObservedDrift[];
  /** The open episode the drifts are recorded in. */
  readonly episode: Episode;
}

export interface HealerOptions {
  readonly context: HealContext;
  /** Read at each decision: a reload may change them. */
  readonly policies: () => Policies;
  readonly settings: HealSettings;
  /** Evaluate the object again: its heal is due. */
  readonly wake: (key: string) => void;
  readonly tell: (episode: Episode, outcome: HealOutcome) => void;
}

/** The longest wait after failed heals of one object. */
const maxFailureWaitMs = 10 * 60_000;

export class Healer {
  readonly #options: HealerOptions;
  readonly #fights: FightTracker;
  readonly #limiter: HealLimiter;
  /** When each object's heal is due (ms on the clock). */
  readonly #due = new Map<string, number>();
  readonly #failures = new Map<string, number>();
  /** The object's latest heal put back every drifted field: its next InSync is `healed`. */
  readonly #complete = new Set<string>();
  /** Who asked for the object's latest heal (the dashboard's user); absent for the policy's own. */
  readonly #askedBy = new Map<string, string>();
  /** Contested fields, by object, with the manager contesting each: never healed while the episode lasts. */
  readonly #contested = new Map<string, Map<string, string>>();

  constructor(options: HealerOptions) {
    this.#options = options;
    this.#fights = new FightTracker(options.settings);
    this.#limiter = new HealLimiter(options.settings.perMinute);
  }

  /** An episode left open by an earlier run: its contested fields stay unhealed. */
  continueEpisode(key: string, episode: Episode): void {
    const contested = new Map<string, string>();
    for (const change of episode.changes)
      if (change.contestedBy !== undefined) contested.set(change.path, change.contestedBy);
    if (contested.size > 0) this.#contested.set(key, contested);
  }

  /** The fight loops these drifts reach; their fields are contested from now on. */
  flips(key: string, drifts: readonly ObservedDrift[]): readonly Contest[] {
    const now = this.#options.context.clock.now();
    const contests: Contest[] = [];
    for (const drift of drifts) {
      const contest = this.#fights.drifted(key, drift, now);
      if (contest === undefined) continue;
      this.#complete.delete(key);
      const fields = this.#contested.get(key) ?? new Map<string, string>();
      if (fields.get(contest.field) === contest.manager) continue;
      fields.set(contest.field, contest.manager);
      this.#contested.set(key, fields);
      contests.push(contest);
    }
    return contests;
  }

  /** How the open episode of `key` ends when it is found in sync. */
  endedBy(key: string): EpisodeEnd {
    return this.#complete.has(key) ? EpisodeEnds.healed : EpisodeEnds.reverted;
  }

  /** Who asked for the heal that ended the episode of `key`, when a person did (`healNow`). */
  healedBy(key: string): string | undefined {
    return this.#complete.has(key) ? this.#askedBy.get(key) : undefined;
  }

  /** The episode ended: its contests end with it; a heal's flips are still counted for the next one. */
  closed(key: string, how: EpisodeEnd): void {
    this.#complete.delete(key);
    this.#askedBy.delete(key);
    this.#contested.delete(key);
    this.#due.delete(key);
    this.#failures.delete(key);
    if (how !== EpisodeEnds.healed) this.#fights.forget(key);
  }

  /** After each recorded evaluation: heals what is due, or sets when it will be. */
  async consider(key: string, evaluated: Evaluated): Promise<void> {
    const fields = this.#healable(key, evaluated);
    if (fields.length === 0) {
      this.#due.delete(key);
      return;
    }
    const { clock } = this.#options.context;
    const now = clock.now();
    const due = this.#due.get(key);
    if (due === undefined && this.#options.settings.afterMs > 0) {
      this.#wakeAt(key, now + this.#options.settings.afterMs);
      return;
    }
    if (due !== undefined && now < due) return;
    const wait = this.#limiter.take(now);
    if (wait > 0) {
      this.#options.tell(evaluated.episode, { result: "throttled", fields });
      this.#wakeAt(key, now + wait);
      return;
    }
    await this.#heal(key, evaluated, fields);
  }

  #healable(key: string, { desired, drifts }: Evaluated): readonly string[] {
    const contested = this.#contested.get(key);
    return drifts
      .map((drift) => drift.path)
      .filter(
        (path) =>
          modeOf(this.#options.policies(), desired.ref, path) === "heal" && contested?.has(path) !== true,
      );
  }

  async #heal(key: string, evaluated: Evaluated, fields: readonly string[]): Promise<void> {
    const { context, tell } = this.#options;
    const change = healChange(
      context.schema,
      evaluated.result,
      { desired: evaluated.desired, live: evaluated.live },
      new Set(fields),
    );
    if (change === undefined) return;
    const outcome = await heal(context, change, fields);
    tell(evaluated.episode, outcome);
    this.#askedBy.delete(key);
    if (outcome.result === "succeeded") return this.#succeeded(key, evaluated, fields);
    const failures = (this.#failures.get(key) ?? 0) + 1;
    this.#failures.set(key, failures);
    const base = Math.max(1000, this.#options.settings.afterMs);
    this.#wakeAt(key, context.clock.now() + Math.min(maxFailureWaitMs, base * 2 ** (failures - 1)));
  }

  /** A heal went through: nothing is due, and flips back from now on count towards a fight loop. */
  #succeeded(key: string, evaluated: Evaluated, fields: readonly string[]): void {
    this.#due.delete(key);
    this.#failures.delete(key);
    this.#fights.healed(key, fields);
    if (fields.length === evaluated.drifts.length) this.#complete.add(key);
  }

  /**
   * A heal `user` asked for now (the dashboard's `Heal`): every drifted field but the contested
   * ones, whatever the policy, wait or rate limit say — a person chose the moment and the fields.
   */
  async healNow(key: string, evaluated: Evaluated, user: string): Promise<ManualHeal> {
    const paths = evaluated.drifts.map((drift) => drift.path);
    if (paths.length === 0) return { result: "inSync" };
    const contested = this.#contested.get(key);
    const fields = paths.filter((path) => contested?.has(path) !== true);
    if (fields.length === 0)
      return { result: "contested", fields: paths, managers: [...new Set(contested?.values())].sort() };
    const { context, tell } = this.#options;
    const change = healChange(
      context.schema,
      evaluated.result,
      { desired: evaluated.desired, live: evaluated.live },
      new Set(fields),
    );
    if (change === undefined) return { result: "inSync" };
    const outcome = await heal(context, change, fields);
    tell(evaluated.episode, outcome);
    if (outcome.result !== "succeeded")
      return { result: "failed", fields, error: outcome.error ?? "the heal failed" };
    this.#askedBy.set(key, user);
    this.#succeeded(key, evaluated, fields);
    return { result: "healed", fields };
  }

  /** One timer per object: a later `wakeAt` replaces the earlier one's effect. */
  #wakeAt(key: string, at: number): void {
    const { clock, signal } = this.#options.context;
    this.#due.set(key, at);
    void clock.sleep(Math.max(0, at - clock.now()), signal).then(() => {
      if (!signal.aborted && this.#due.get(key) === at) this.#options.wake(key);
    });
  }
}

/**
 * A heal someone asked for (the dashboard's `Heal`): what was put back, or why nothing was. It is
 * the policy's heal without its wait and rate limit — a person chose the moment — but never of a
 * contested field: healing a fight loop only feeds it.
 */
export type ManualHeal =
  | { readonly result: "healed"; readonly fields: readonly string[] }
  | { readonly result: "inSync" }
  | { readonly result: "contested"; readonly fields: readonly string[]; readonly managers: readonly string[] }
  | { readonly result: "failed"; readonly fields: readonly string[]; readonly error: string }
  | { readonly result: "notFound" };
