import type { Drift, DriftReport, ResourceDrift } from "../model/index.js";
import { mapLimit } from "./concurrency.js";
import { blameLine } from "../sources/git/index.js";

/** At most this many `git blame` processes at once. */
const concurrency = 8;

async function blamed(
  drift: Drift,
  options: { readonly cwd: string; readonly ref?: string },
): Promise<Drift> {
  if (drift.source === undefined) return drift;
  const blame = await blameLine(drift.source.file, drift.source.line, options).catch(() => undefined);
  return blame === undefined ? drift : { ...drift, blame };
}

/** Drifts with the commit that last changed each one's source line (a line git cannot blame stays as it is). */
export function blameDrifts(
  drifts: readonly Drift[],
  options: { readonly cwd: string; readonly ref?: string },
): Promise<readonly Drift[]> {
  return mapLimit(drifts, concurrency, (drift) => blamed(drift, options));
}

/** `--blame`: each drifted field with the commit that last changed its source line. */
export async function withBlame(
  report: DriftReport,
  options: { readonly cwd: string; readonly ref?: string },
): Promise<DriftReport> {
  const resources = await mapLimit(
    report.resources,
    concurrency,
    async (resource): Promise<ResourceDrift> => {
      if (resource.drifts.length === 0) return resource;
      return {
        ...resource,
        drifts: await blameDrifts(resource.drifts, options),
      };
    },
  );
  return { ...report, resources };
}
