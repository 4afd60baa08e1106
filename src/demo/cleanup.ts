import { mkdtempSync, rmSync } from "node:fs";
import { constants, tmpdir } from "node:os";
import { join } from "node:path";

/**
 * The demo's kubeconfig holds the bearer token of its sandbox. It lives in a directory of its own
 * under the temporary directory and goes with the demo: at the normal end, on an error, on
 * SIGINT/SIGTERM/SIGHUP, and on any `process.exit` on the way (the `exit` listener). With `--keep`
 * it stays exactly as long as the sandbox it opens runs: a kubeconfig of a stopped in-process
 * sandbox points at nothing and only leaves a token lying about.
 */
export interface DemoDirectory {
  readonly kubeconfigPath: string;
  /** Removes the directory and what is in it; safe to call more than once. */
  remove(): void;
}

export function demoDirectory(): DemoDirectory {
  const directory = mkdtempSync(join(tmpdir(), "kubedrift-sandbox-"));
  const remove = (): void => rmSync(directory, { recursive: true, force: true });
  process.once("exit", remove);
  return {
    kubeconfigPath: join(directory, "kubeconfig"),
    remove: () => {
      remove();
      process.off("exit", remove);
    },
  };
}

const terminating = ["SIGINT", "SIGTERM", "SIGHUP"] as const;

/**
 * The demo's signal handling, from its first step to its last. While it works a signal ends it at
 * once (`abort`: clean up, exit 128 + the signal's number, as a shell reports it); while it waits
 * with `--keep`, a signal is the awaited "stop now" and the demo ends normally.
 */
export class Interrupts {
  private waiting: (() => void) | undefined;
  private readonly listener = (signal: NodeJS.Signals): void => {
    const waiting = this.waiting;
    this.waiting = undefined;
    if (waiting === undefined) this.abort(signal);
    else waiting();
  };

  constructor(private readonly abort: (signal: NodeJS.Signals) => void) {
    for (const signal of terminating) process.on(signal, this.listener);
  }

  /** Resolves on the next SIGINT, SIGTERM or SIGHUP. */
  next(): Promise<void> {
    return new Promise((resolve) => {
      this.waiting = resolve;
    });
  }

  dispose(): void {
    for (const signal of terminating) process.off(signal, this.listener);
  }
}

/** The exit status a shell gives a process ended by `signal`: 130 for SIGINT, 143 for SIGTERM. */
export function signalExitStatus(signal: NodeJS.Signals): number {
  return 128 + (constants.signals[signal] ?? 0);
}
