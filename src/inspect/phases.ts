import type { Trace } from "../cluster/types.js";

/**
 * `-v`'s `phase NAME Nms` lines: where a run's time went, for the user who asks why a diff is slow
 * and for the benchmarks, which read them. `performance.now()` counts from the process's start, so
 * the first phase (`start-up`) includes Node's own boot and the imports.
 */
export function tracePhase(trace: Trace | undefined, name: string, startedAt: number): number {
  const now = performance.now();
  trace?.write(`phase ${name} ${Math.round(now - startedAt)}ms`);
  return now;
}

/** `promise`, with its phase line written when it settles (phases that overlap others). */
export async function timedPhase<T>(trace: Trace | undefined, name: string, promise: Promise<T>): Promise<T> {
  const startedAt = performance.now();
  try {
    return await promise;
  } finally {
    tracePhase(trace, name, startedAt);
  }
}
