import type { Drift, DriftReport, ResourceDrift } from "../model/index.js";
import { blameLine } from "../sources/git/index.js";

/** At most this many `git blame` processes at once. */
const concurrency = 8;

async function mapLimited<T, R>(items: readonly T[], work: (item: T) => Promise<R>): Promise<R[]> {
  const results: R[] = new Array<R>(items.length);
  let next = 0;
  const worker = async (): Promise<void> => {
    while (next < items.length) {
      const index = next;
      next += 1;
      results[index] = await work(items[index]);
    }
  };
  await Promise.all(Array.from({ length: Math.min(concurrency, items.length) }, worker));
  return results;
}

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
  const resources = await mapLimited(report.resources, async (resource): Promise<ResourceDrift> => {
    if (resource.drifts.length === 0) return resource;
    return { ...resource, drifts: await mapLimited(resource.drifts, (drift) => blamed(drift, options)) };
  });
  return { ...report, resources };
}
