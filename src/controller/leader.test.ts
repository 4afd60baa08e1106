/**
 * Leader election against the in-process sandbox, in virtual time: every candidate shares one
 * virtual clock that moves only when every loop is asleep and no request is in flight (a discrete
 * event simulation), so that durations are asserted on virtual time and never on the wall clock.
 */
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { setTimeout as delay } from "node:timers/promises";
import fc from "fast-check";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { ClusterWriter, WriteOutcome } from "../cluster/types.js";
import { ClusterError, connectCluster } from "../cluster/index.js";
import type { RunningSandbox } from "../sandbox/index.js";
import { startSandbox } from "../sandbox/index.js";
import type { Clock } from "./informer.js";
import { Writer } from "./informer.test-helper.js";
import type { LeaderElection } from "./leader.js";
import { defaultLeaderElectionTiming, leaseResource, microTime, startLeaderElection } from "./leader.js";

const namespace = "leader-election";
const timing = defaultLeaderElectionTiming;

let sandbox: RunningSandbox;
let directory: string;
let writer: ClusterWriter;

beforeAll(async () => {
  directory = mkdtempSync(join(tmpdir(), "kubedrift-leader-"));
  sandbox = await startSandbox({ kubeconfigPath: join(directory, "kubeconfig") });
  const cluster = connectCluster({ kubeconfig: sandbox.kubeconfigPath, retry: { attempts: 1 } });
  if (cluster.writer === undefined) throw new Error("the sandbox cluster cannot write");
  writer = cluster.writer;
  await new Writer(() => sandbox).namespace(namespace);
});

afterAll(async () => {
  await sandbox.stop();
  rmSync(directory, { recursive: true, force: true });
});

interface Sleeper {
  readonly until: number;
  readonly wake: () => void;
}

/** One virtual time for all candidates; each may see it with an offset (a skewed wall clock). */
class VirtualClock {
  now = 0;
  readonly #sleepers = new Set<Sleeper>();

  /** `late`: how much longer than asked each sleep lasts (a stalled event loop fires timers late). */
  view(offset = 0, late: () => number = () => 0): Clock {
    return { now: () => this.now + offset, sleep: (ms, signal) => this.#sleep(ms + late(), signal) };
  }

  get sleeping(): number {
    return this.#sleepers.size;
  }

  /** Moves to the earliest wake-up and wakes every sleeper due then. */
  advance(): void {
    const next = Math.min(...[...this.#sleepers].map((sleeper) => sleeper.until));
    // Every loop blocked on a partitioned request: nothing waits for time, so none passes.
    if (!Number.isFinite(next)) return;
    this.now = Math.max(this.now, next);
    for (const sleeper of [...this.#sleepers]) if (sleeper.until <= this.now) sleeper.wake();
  }

  #sleep(ms: number, signal: AbortSignal): Promise<void> {
    return new Promise((resolve) => {
      if (signal.aborted) return resolve();
      const sleeper: Sleeper = {
        until: this.now + ms,
        wake: () => {
          this.#sleepers.delete(sleeper);
          resolve();
        },
      };
      this.#sleepers.add(sleeper);
      signal.addEventListener("abort", () => sleeper.wake(), { once: true });
    });
  }
}

/** A tiny seeded PRNG (mulberry32): fast-check picks the seed, the run is reproducible. */
function prng(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let value = state;
    value = Math.imul(value ^ (value >>> 15), value | 1);
    value ^= value + Math.imul(value ^ (value >>> 7), value | 61);
    return ((value ^ (value >>> 14)) >>> 0) / 4294967296;
  };
}

/**
 * The sandbox's writer as one candidate sees it: requests in flight are counted (the simulation
 * waits for them), may be delayed by a few real milliseconds (to vary interleavings), and while
 * partitioned never get an answer (half of them reach the server first: a write that happened
 * but whose answer was lost) until the partition heals, when they fail as unreachable.
 */
class Link {
  pending = 0;
  partitioned = false;
  readonly #held = new Set<() => void>();

  constructor(
    private readonly network: Network,
    private readonly random: () => number,
  ) {}

  get held(): number {
    return this.#held.size;
  }

  heal(): void {
    this.partitioned = false;
    for (const release of [...this.#held]) release();
  }

  readonly writer: ClusterWriter = {
    get: (resource, ns, name) => this.#call(() => writer.get(resource, ns, name)),
    create: (resource, object, options) => this.#write(() => writer.create!(resource, object, options)),
    update: (resource, object, options) => this.#write(() => writer.update!(resource, object, options)),
    apply: () => Promise.reject(new Error("not used")),
    jsonPatch: () => Promise.reject(new Error("not used")),
    delete: () => Promise.reject(new Error("not used")),
  };

  #write(send: () => Promise<WriteOutcome>): Promise<WriteOutcome> {
    return this.#call(send).catch((error: unknown): WriteOutcome => ({
      ok: false,
      code: 0,
      reason: "Unreachable",
      message: String(error),
      causes: [],
    }));
  }

  async #call<T>(send: () => Promise<T>): Promise<T> {
    if (this.partitioned) return this.#hang(send);
    this.pending += 1;
    try {
      if (this.network.jitter) await delay(Math.floor(this.random() * 3));
      const answer = await send();
      if (this.network.jitter) await delay(Math.floor(this.random() * 3));
      return answer;
    } finally {
      this.pending -= 1;
      this.network.check();
    }
  }

  /** Never answered while partitioned; the write may have reached the server before the answer was lost. */
  async #hang<T>(send: () => Promise<T>): Promise<T> {
    if (this.random() < 0.5) {
      this.pending += 1;
      await send().catch(() => undefined);
      this.pending -= 1;
      // Healed while the request was on its way: the answer is lost all the same, but nothing waits.
      if (!this.partitioned) throw new ClusterError("connection reset (partition healed)");
    }
    await new Promise<void>((resolve) => {
      const release = (): void => {
        this.#held.delete(release);
        resolve();
      };
      this.#held.add(release);
    });
    throw new ClusterError("connection timed out (partitioned)");
  }
}

interface Candidate {
  readonly identity: string;
  readonly election: LeaderElection;
  readonly link: Link;
  /** "start@t" and "stop@t" in virtual time, in order. */
  readonly transitions: string[];
  readonly newLeaders: string[];
  readonly logs: string[];
  stopped: boolean;
}

/** The candidates of one lease, the clock, and the check that at most one believes it leads. */
class Network {
  readonly clock = new VirtualClock();
  readonly candidates: Candidate[] = [];
  readonly violations: string[] = [];
  jitter = false;
  readonly #random: () => number;

  constructor(
    readonly lease: string,
    seed = 1,
  ) {
    this.#random = prng(seed);
  }

  start(
    identity: string,
    options: { readonly offset?: number; readonly random?: () => number; readonly late?: () => number } = {},
  ): Candidate {
    const link = new Link(this, this.#random);
    const transitions: string[] = [];
    const newLeaders: string[] = [];
    const logs: string[] = [];
    const election = startLeaderElection({
      writer: link.writer,
      lease: { namespace, name: this.lease },
      identity,
      ...timing,
      clock: this.clock.view(options.offset ?? 0, options.late),
      random: options.random ?? (() => 0.5),
      onStartedLeading: () => {
        transitions.push(`start@${this.clock.now}`);
        this.check();
      },
      onStoppedLeading: () => transitions.push(`stop@${this.clock.now}`),
      onNewLeader: (leader) => newLeaders.push(leader),
      log: (line) => logs.push(line),
    });
    const candidate: Candidate = { identity, election, link, transitions, newLeaders, logs, stopped: false };
    this.candidates.push(candidate);
    return candidate;
  }

  async stop(candidate: Candidate): Promise<void> {
    candidate.stopped = true;
    candidate.link.heal();
    await candidate.election.stop();
    this.check();
  }

  leaders(): string[] {
    return this.candidates.filter((c) => !c.stopped && c.election.isLeader()).map((c) => c.identity);
  }

  /** Called at every answer, callback and step: never two leaders at one virtual instant. */
  check(): void {
    const leaders = this.leaders();
    if (leaders.length > 1) this.violations.push(`${leaders.join(" and ")} both lead at ${this.clock.now}`);
  }

  /** Waits (in real time, for I/O) until no request is in flight and every running loop sleeps. */
  async settle(): Promise<void> {
    const running = (): number => this.candidates.filter((c) => !c.stopped).length;
    for (let quiet = 0, turns = 0; quiet < 3; turns += 1) {
      if (turns > 5_000) throw new Error(`the candidates did not settle: ${this.describe()}`);
      await new Promise<void>((resolve) => setImmediate(resolve));
      // A loop blocked on a partitioned request never sleeps; every other one must be asleep.
      const blocked = this.candidates.filter((c) => !c.stopped && c.link.held > 0).length;
      const busy =
        this.candidates.some((c) => c.link.pending > 0) || this.clock.sleeping + blocked < running();
      quiet = busy ? 0 : quiet + 1;
      if (busy) await delay(1);
    }
  }

  describe(): string {
    const states = this.candidates
      .filter((c) => !c.stopped)
      .map((c) => `${c.identity} pending=${c.link.pending} held=${c.link.held}`);
    return `${states.join(", ")}; asleep ${this.clock.sleeping}`;
  }

  async step(): Promise<void> {
    await this.settle();
    this.clock.advance();
    this.check();
  }

  async runUntil(condition: () => boolean, what: string, maxSteps = 200): Promise<void> {
    for (let steps = 0; steps < maxSteps; steps += 1) {
      await this.settle();
      if (condition()) return;
      this.clock.advance();
      this.check();
    }
    throw new Error(`not within ${maxSteps} steps: ${what}`);
  }

  async runFor(ms: number): Promise<void> {
    const end = this.clock.now + ms;
    for (let steps = 0; this.clock.now < end; steps += 1) {
      if (steps > 10_000) throw new Error("virtual time does not pass: every candidate is blocked");
      await this.step();
    }
    await this.settle();
  }

  async stopAll(): Promise<void> {
    for (const candidate of this.candidates) if (!candidate.stopped) await this.stop(candidate);
  }

  async leaseSpec(): Promise<Record<string, unknown>> {
    const lease = await writer.get(leaseResource, namespace, this.lease);
    return (lease?.["spec"] ?? {}) as Record<string, unknown>;
  }
}

const microTimePattern = /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{6}Z$/;

/** Virtual time of the last "start@t" or "stop@t" of a candidate. */
function lastAt(candidate: Candidate, kind: "start" | "stop"): number {
  const entry = candidate.transitions.filter((t) => t.startsWith(`${kind}@`)).at(-1);
  if (entry === undefined) throw new Error(`${candidate.identity} never did ${kind}`);
  return Number(entry.split("@")[1]);
}

describe("leader election on a Lease", () => {
  it("one candidate creates the Lease and leads; a second waits and sees it as leader", async () => {
    const net = new Network("one-leads");
    const a = net.start("a");
    await net.runUntil(() => a.election.isLeader(), "a leads");
    const b = net.start("b");
    await net.runFor(60_000);
    expect(a.election.isLeader()).toBe(true);
    expect(b.election.isLeader()).toBe(false);
    expect(b.election.leader()).toBe("a");
    expect(b.newLeaders).toEqual(["a"]);
    expect(a.transitions).toEqual(["start@0"]);
    expect(b.transitions).toEqual([]);
    const spec = await net.leaseSpec();
    expect(spec).toMatchObject({ holderIdentity: "a", leaseDurationSeconds: 15, leaseTransitions: 0 });
    expect(spec["acquireTime"]).toBe(microTime(0));
    expect(spec["renewTime"]).toMatch(microTimePattern);
    // Renewed every retry period: the last renewal is at most one retry period old.
    expect(net.clock.now - Date.parse(String(spec["renewTime"]))).toBeLessThanOrEqual(timing.retryPeriodMs);
    await net.stopAll();
    expect(net.violations).toEqual([]);
  });

  it("a leader that stops releases the Lease and the follower takes over at its next retry", async () => {
    const net = new Network("release");
    const a = net.start("a");
    await net.runUntil(() => a.election.isLeader(), "a leads");
    const b = net.start("b");
    await net.runFor(10_000);
    await net.stop(a);
    expect(a.transitions).toEqual(["start@0", `stop@${net.clock.now}`]);
    const released = await net.leaseSpec();
    expect(released).toMatchObject({ holderIdentity: "", leaseDurationSeconds: 1, leaseTransitions: 0 });
    const stoppedAt = net.clock.now;
    await net.runUntil(() => b.election.isLeader(), "b takes over");
    // No waiting for the lease duration: one acquisition retry (2 s × (1 + 1.2 × 0.5)) at most.
    expect(net.clock.now - stoppedAt).toBeLessThanOrEqual(timing.retryPeriodMs * 1.6);
    expect(await net.leaseSpec()).toMatchObject({ holderIdentity: "b", leaseTransitions: 1 });
    expect(b.newLeaders).toEqual(["a", "b"]);
    await net.stopAll();
    expect(net.violations).toEqual([]);
  });

  it("a leader cut off from the API server stops after the renew deadline; the other takes over after the lease duration", async () => {
    const net = new Network("partition", 7);
    const a = net.start("a");
    await net.runUntil(() => a.election.isLeader(), "a leads");
    const b = net.start("b");
    await net.runFor(9_000);
    const lastRenewal = Date.parse(String((await net.leaseSpec())["renewTime"]));
    a.link.partitioned = true;
    await net.runUntil(() => !a.election.isLeader(), "a stops leading");
    expect(lastAt(a, "stop") - lastRenewal).toBeLessThanOrEqual(timing.renewDeadlineMs);
    await net.runUntil(() => b.election.isLeader(), "b takes over");
    const takeover = lastAt(b, "start");
    expect(takeover).toBeGreaterThan(lastAt(a, "stop"));
    // B waits a full lease duration after it last saw the record change, and not much longer.
    expect(takeover - lastRenewal).toBeGreaterThanOrEqual(timing.leaseDurationMs);
    expect(takeover - lastRenewal).toBeLessThanOrEqual(
      timing.leaseDurationMs + 2 * 1.6 * timing.retryPeriodMs,
    );
    expect(await net.leaseSpec()).toMatchObject({ holderIdentity: "b", leaseTransitions: 1 });
    // Healed, A follows B instead of fighting for the Lease.
    a.link.heal();
    await net.runFor(30_000);
    expect(a.election.isLeader()).toBe(false);
    expect(a.election.leader()).toBe("b");
    expect(b.election.isLeader()).toBe(true);
    await net.stopAll();
    expect(net.violations).toEqual([]);
  });

  it("a leader whose timers fire late (a stalled event loop) stops believing it leads at its deadline", async () => {
    const net = new Network("stalled");
    let late = 0;
    const a = net.start("a", { late: () => late });
    await net.runUntil(() => a.election.isLeader(), "a leads");
    const b = net.start("b");
    await net.runFor(4_000);
    const lastRenewal = Date.parse(String((await net.leaseSpec())["renewTime"]));
    late = 60_000;
    a.link.partitioned = true;
    await net.runUntil(() => b.election.isLeader(), "b takes over");
    // A's loop is still asleep, yet it no longer claims to lead: the deadline is checked when asked.
    expect(a.transitions).toEqual(["start@0"]);
    expect(a.election.isLeader()).toBe(false);
    expect(lastAt(b, "start") - lastRenewal).toBeGreaterThanOrEqual(timing.leaseDurationMs);
    late = 0;
    a.link.heal();
    await net.runUntil(() => a.transitions.length === 2, "a's loop notices");
    await net.runFor(10_000);
    expect(a.election.leader()).toBe("b");
    await net.stopAll();
    expect(net.violations).toEqual([]);
  });

  it("a leader whose renewals the server refuses (fault injection) stops after the renew deadline", async () => {
    const net = new Network("faults");
    const a = net.start("a");
    await net.runUntil(() => a.election.isLeader(), "a leads");
    const b = net.start("b");
    await net.runFor(5_000);
    const lastRenewal = Date.parse(String((await net.leaseSpec())["renewTime"]));
    sandbox.faults.set({ errorRate: { update: 1 }, errorStatus: 503 });
    try {
      await net.runUntil(() => !a.election.isLeader(), "a stops leading");
      expect(lastAt(a, "stop") - lastRenewal).toBeLessThanOrEqual(timing.renewDeadlineMs);
      await net.runFor(30_000);
      expect(net.leaders()).toEqual([]);
      // B tried to take the expired Lease and was refused too.
      expect(b.logs.join("\n")).toMatch(/503/);
    } finally {
      sandbox.faults.set({});
    }
    await net.runUntil(() => net.leaders().length === 1, "someone leads again");
    await net.stopAll();
    expect(net.violations).toEqual([]);
  });

  it("followers racing for a released Lease: one wins, the other's write conflicts (409)", async () => {
    const net = new Network("conflict", 3);
    net.jitter = true;
    let leader = net.start("first");
    await net.runUntil(() => leader.election.isLeader(), "first leads");
    for (let round = 0; round < 8; round += 1) {
      // Same jitter and start for every follower: they retry at the same virtual instants.
      const followers = [net.start(`f${round}a`), net.start(`f${round}b`)];
      await net.step();
      await net.stop(leader);
      await net.runUntil(() => net.leaders().length === 1, "a follower takes over");
      const winners = followers.filter((f) => f.election.isLeader());
      expect(winners).toHaveLength(1);
      leader = winners[0];
      const loser = followers.find((f) => f !== leader) as Candidate;
      // The loser learns who won at its next read; its write was refused as a conflict.
      await net.runUntil(() => loser.election.leader() === leader.identity, "the loser sees the winner");
      expect(loser.logs.join("\n")).toMatch(/409 Conflict/);
      await net.stop(loser);
      expect(await net.leaseSpec()).toMatchObject({
        holderIdentity: leader.identity,
        leaseTransitions: round + 1,
      });
    }
    await net.stopAll();
    expect(net.violations).toEqual([]);
  });

  it("leaseTransitions counts takeovers, not renewals or the creation", async () => {
    const net = new Network("transitions");
    const a = net.start("a");
    await net.runUntil(() => a.election.isLeader(), "a leads");
    await net.runFor(20_000);
    expect(await net.leaseSpec()).toMatchObject({ leaseTransitions: 0 });
    const b = net.start("b");
    await net.step();
    await net.stop(a);
    await net.runUntil(() => b.election.isLeader(), "b takes over");
    expect(await net.leaseSpec()).toMatchObject({ holderIdentity: "b", leaseTransitions: 1 });
    const again = net.start("a");
    await net.step();
    b.link.partitioned = true;
    await net.runUntil(() => again.election.isLeader(), "a takes over from b");
    const spec = await net.leaseSpec();
    expect(spec).toMatchObject({ holderIdentity: "a", leaseTransitions: 2 });
    expect(spec["acquireTime"]).toBe(microTime(lastAt(again, "start")));
    await net.stopAll();
    expect(net.violations).toEqual([]);
  });

  it("refuses timings where a follower could take over before the leader gives up", () => {
    const base = {
      writer,
      lease: { namespace, name: "never" },
      identity: "x",
      ...timing,
      clock: new VirtualClock().view(),
      onStartedLeading: () => undefined,
      onStoppedLeading: () => undefined,
    };
    expect(() => startLeaderElection({ ...base, renewDeadlineMs: 15_000 })).toThrow(
      /longer than the renew deadline/,
    );
    expect(() => startLeaderElection({ ...base, retryPeriodMs: 9_000 })).toThrow(/retry period/);
  });

  it("candidates racing, cut off, healed and restarted never both lead at one instant (property)", async () => {
    let run = 0;
    const event = fc.record({
      kind: fc.constantFrom("partition", "heal", "restart", "resign", "resign"),
      who: fc.nat(2),
      steps: fc.integer({ min: 1, max: 12 }),
    });
    await fc.assert(
      fc.asyncProperty(
        fc.integer(),
        fc.array(fc.integer({ min: -3_600_000, max: 3_600_000 }), { minLength: 3, maxLength: 3 }),
        fc.array(event, { minLength: 3, maxLength: 10 }),
        fc.boolean(),
        async (seed, offsets, events, aligned) => {
          run += 1;
          const net = new Network(`race-${run}`, seed);
          net.jitter = true;
          // No or coarse jitter: followers often retry at the same virtual instant, and race for the Lease.
          const draw = prng(seed ^ 0x5bd1e995);
          const random = aligned ? () => 0 : (): number => [0, 0.25, 0.5][Math.floor(draw() * 3)] ?? 0;
          const names = ["a", "b", "c"];
          // Skewed wall clocks: safety rests on each candidate's own observations, not the server's timestamps.
          const slots = names.map((name, index) => net.start(name, { offset: offsets[index] ?? 0, random }));
          try {
            for (const { kind, who, steps } of events) {
              // "resign": the leader (if any) is restarted, and the others race for the released Lease.
              const leading = slots.findIndex((slot) => slot.election.isLeader());
              const index = kind === "resign" && leading >= 0 ? leading : who;
              const target = slots[index];
              if (kind === "partition") target.link.partitioned = true;
              if (kind === "heal") target.link.heal();
              if (kind === "restart" || kind === "resign") await net.stop(target);
              for (let step = 0; step < steps; step += 1) await net.step();
              // The replacement starts after the others had their chance at the released Lease.
              if (kind === "restart" || kind === "resign")
                slots[index] = net.start(`${names[index] ?? "x"}${run}-${net.clock.now}`, {
                  offset: offsets[index] ?? 0,
                  random,
                });
            }
            for (const slot of slots) slot.link.heal();
            await net.runUntil(() => net.leaders().length === 1, "one leader once every candidate is healed");
          } finally {
            await net.stopAll();
          }
          expect(net.violations).toEqual([]);
          // Every candidate's callbacks alternate start, stop, start, …
          for (const candidate of net.candidates)
            candidate.transitions.forEach((entry, index) =>
              expect(entry.startsWith(index % 2 === 0 ? "start@" : "stop@")).toBe(true),
            );
        },
      ),
      { numRuns: 20, endOnFailure: true },
    );
  });
});
