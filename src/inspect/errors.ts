/**
 * The one error class of inspect: a one-line message that names what is at fault (a config file, a
 * flag's value, a kind the cluster does not serve). The sources and the cluster throw their own
 * typed errors (`SourceError`, `ClusterError`), which pass through; the CLI turns all three into
 * one line on stderr and exit status 1.
 */
export class InspectError extends Error {
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = "InspectError";
  }
}
