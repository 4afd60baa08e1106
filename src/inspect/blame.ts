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
        drifts: await mapLimit(resource.drifts, concurrency, (drift) => blamed(drift, options)),
      };
    },
  );
  return { ...report, resources };
}
