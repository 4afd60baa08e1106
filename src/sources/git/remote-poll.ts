// `kubedrift watch --git-url`'s trigger: fetches on start, every pollMs and on the push hook, one
// fetch at a time, and tells the caller when the commit moved. A failed fetch changes nothing but
// the state it reports: the last good checkout stays where it was.
import type { Fetched, RemoteSource } from "./remote.js";
import { cachedRemote, fetchRemote, maskUrl } from "./remote.js";

export interface RemoteState {
  /** The commit of the last good checkout (from the server, or the cache of an earlier run). */
  readonly lastCommit?: string;
  readonly lastSuccessAt?: Date;
  /** The last fetch's error, one line; cleared by the next success. */
  readonly lastError?: string;
  readonly lastErrorAt?: Date;
  /** Fetches that failed in a row since the last success. */
  readonly consecutiveFailures: number;
}

export interface PollTimers {
  setTimeout(callback: () => void, ms: number): unknown;
  clearTimeout(handle: unknown): void;
}

export interface PollOptions {
  readonly pollMs: number;
  /** Called when the commit moved after `ready`; awaited before the next fetch (never concurrently). */
  readonly onChange: (fetched: Fetched) => Promise<void> | void;
  /** A failed fetch (or a throwing onChange); default: process.emitWarning. */
  readonly onError?: (error: Error) => void;
  /** Per git command; see fetchRemote. */
  readonly timeoutMs?: number;
  readonly now?: () => Date;
  readonly timers?: PollTimers;
}

export interface RemotePoller {
  /** Fetch now (the push hook): during a fetch, one more follows it. */
  trigger(): void;
  state(): RemoteState;
  /**
   * The first good checkout: the first successful fetch, or — when the first fetch fails and the
   * cache holds a checkout from an earlier run — that one. Rejects only if closed before either.
   */
  readonly ready: Promise<Fetched>;
  /** Stops polling, kills a running fetch, and settles once a running onChange has returned. */
  close(): Promise<void>;
}

const realTimers: PollTimers = {
  setTimeout: (callback, ms) => setTimeout(callback, ms).unref(),
  clearTimeout: (handle) => clearTimeout(handle as NodeJS.Timeout),
};

function asError(error: unknown): Error {
  return error instanceof Error ? error : new Error(String(error));
}

class Poller implements RemotePoller {
  readonly ready: Promise<Fetched>;
  private resolveReady: (fetched: Fetched) => void = () => undefined;
  private rejectReady: (error: Error) => void = () => undefined;
  private isReady = false;
  private current: RemoteState = { consecutiveFailures: 0 };
  private running: Promise<void> | undefined;
  private again = false;
  private closed = false;
  private timer: unknown;
  private readonly abort = new AbortController();
  private readonly timers: PollTimers;
  private readonly now: () => Date;
  private readonly report: (error: Error) => void;

  constructor(
    private readonly source: RemoteSource,
    private readonly options: PollOptions,
  ) {
    this.timers = options.timers ?? realTimers;
    this.now = options.now ?? (() => new Date());
    this.report = options.onError ?? ((error: Error) => process.emitWarning(error));
    this.ready = new Promise<Fetched>((resolve, reject) => {
      this.resolveReady = resolve;
      this.rejectReady = reject;
    });
    // A caller that never awaits ready must not see an unhandled rejection on close.
    this.ready.catch(() => undefined);
  }

  start(): void {
    this.trigger();
  }

  trigger(): void {
    if (this.closed) return;
    if (this.running !== undefined) {
      this.again = true;
      return;
    }
    this.timers.clearTimeout(this.timer);
    this.running = this.cycle();
  }

  state(): RemoteState {
    return this.current;
  }

  async close(): Promise<void> {
    this.closed = true;
    this.timers.clearTimeout(this.timer);
    this.abort.abort();
    await this.running;
    if (!this.isReady)
      this.rejectReady(new Error(`closed before the first fetch of ${maskUrl(this.source.url)}`));
  }

  private async cycle(): Promise<void> {
    do {
      this.again = false;
      await this.once();
    } while (this.again && !this.closed);
    this.running = undefined;
    // The next poll is timed from the end of this one: a slow server never piles fetches up.
    if (!this.closed) this.timer = this.timers.setTimeout(() => this.trigger(), this.options.pollMs);
  }

  private async once(): Promise<void> {
    try {
      const fetched = await fetchRemote(this.source, {
        signal: this.abort.signal,
        ...(this.options.timeoutMs === undefined ? {} : { timeoutMs: this.options.timeoutMs }),
      });
      await this.succeeded(fetched);
    } catch (error: unknown) {
      if (!this.closed) await this.failed(asError(error));
    }
  }

  private async succeeded(fetched: Fetched): Promise<void> {
    const moved = fetched.commit !== this.current.lastCommit;
    this.current = { lastCommit: fetched.commit, lastSuccessAt: this.now(), consecutiveFailures: 0 };
    if (!this.isReady) return this.becomeReady(fetched);
    if (!moved || this.closed) return;
    try {
      await this.options.onChange(fetched);
    } catch (error: unknown) {
      this.report(asError(error));
    }
  }

  private async failed(error: Error): Promise<void> {
    const failures = this.current.consecutiveFailures + 1;
    this.current = {
      ...this.current,
      lastError: error.message,
      lastErrorAt: this.now(),
      consecutiveFailures: failures,
    };
    this.report(error);
    if (this.isReady) return;
    // A restart while the server is down starts from the last good state the cache kept.
    const cached = await cachedRemote(this.source).catch(() => undefined);
    if (cached === undefined) return;
    this.current = { ...this.current, lastCommit: cached.commit };
    this.becomeReady(cached);
  }

  private becomeReady(fetched: Fetched): void {
    this.isReady = true;
    this.resolveReady(fetched);
  }
}

/** Starts polling at once; see RemotePoller. */
export function pollRemote(source: RemoteSource, options: PollOptions): RemotePoller {
  const poller = new Poller(source, options);
  poller.start();
  return poller;
}
