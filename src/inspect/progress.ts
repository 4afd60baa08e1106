/** A transient status line for long work; the CLI draws it on a terminal, others stay silent. */
export interface Progress {
  update(message: string): void;
  /** Clears the line. */
  done(): void;
}

export const silentProgress: Progress = { update: () => undefined, done: () => undefined };
