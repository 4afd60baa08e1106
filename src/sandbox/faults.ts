import type { ResourceVerb } from "./server/request-info.js";

/** Faults to inject, for tests of kubedrift's resilience against a slow or failing API server. */
export interface FaultOptions {
  /** Added to every resource request before it is handled. */
  readonly latencyMs?: number;
  /** Probability (0..1) per verb that a request fails with `errorStatus` instead of being handled. */
  readonly errorRate?: Readonly<Partial<Record<ResourceVerb, number>>>;
  /** 500 (InternalError), 503 (ServiceUnavailable) or 429 (TooManyRequests, with Retry-After). Default 500. */
  readonly errorStatus?: 429 | 500 | 503;
  /** Watches are cut after this long (the client must resume from its last resourceVersion). */
  readonly dropWatchesAfterMs?: number;
  /**
   * Probability (0..1) per verb that a request is handled normally (its write stored and journaled)
   * and then its connection is destroyed without a response, as when the answer is lost on the
   * network: the client sees a reset and cannot tell whether the write happened.
   */
  readonly loseResponses?: Readonly<Partial<Record<ResourceVerb, number>>>;
  /**
   * With `--data`: replace the journal by a snapshot after this many records instead of 1,000, so
   * that crash tests hit compaction boundaries often. Read at each write.
   */
  readonly compactJournalEvery?: number;
}

export interface FaultInjector {
  readonly current: FaultOptions;
  /** Replaces the fault settings (tests turn faults on and off between steps). */
  set(options: FaultOptions): void;
  /** Closes every open watch now; returns how many were closed. */
  dropWatches(): number;
  /**
   * Forgets the watch history up to now, as an etcd compaction does: a client that resumes a watch
   * from an older resourceVersion gets `410 Gone` (Expired) and must relist.
   */
  expireWatchHistory(): void;
}

/** Parses `list=0.2,get=0.1` (the CLI's --fault-error-rate) into per-verb rates. */
export function parseErrorRates(text: string): Partial<Record<ResourceVerb, number>> {
  return parseVerbRates(text, "error rate");
}

/** Parses `patch=0.5` (the CLI's --fault-lose-responses) into per-verb rates. */
export function parseLostResponseRates(text: string): Partial<Record<ResourceVerb, number>> {
  return parseVerbRates(text, "lost-response rate");
}

function parseVerbRates(text: string, what: string): Partial<Record<ResourceVerb, number>> {
  const verbs: readonly ResourceVerb[] = [
    "get",
    "list",
    "watch",
    "create",
    "update",
    "patch",
    "delete",
    "deletecollection",
  ];
  const rates: Partial<Record<ResourceVerb, number>> = {};
  for (const part of text.split(",").filter((item) => item.trim() !== "")) {
    const [verb, value] = part.split("=").map((item) => item.trim());
    const rate = Number(value);
    const known = verbs.find((candidate) => candidate === verb);
    if (known === undefined)
      throw new Error(`unknown verb "${verb ?? ""}" in ${what}s (expected one of ${verbs.join(", ")})`);
    if (!(rate >= 0 && rate <= 1))
      throw new Error(`${what} for ${known} must be between 0 and 1, got "${value ?? ""}"`);
    rates[known] = rate;
  }
  return rates;
}

/** Parses the CLI's --fault-compact-every: a positive whole number of journal records. */
export function parseCompactionInterval(text: string): number {
  const records = Number(text);
  if (!Number.isInteger(records) || records < 1)
    throw new Error(`expected a positive whole number of journal records, got "${text}"`);
  return records;
}
