/**
 * A `kubedrift diff -o json` report as the scale test compares it: without what differs from run to
 * run or from source to source of the same live state — `generatedAt`, each drift's `changedAt`
 * (the time of the write in managedFields) and `cluster` (the context's name online, the file's name
 * from a live file). Everything else, order included, must be the same.
 */
import { gunzipSync, gzipSync } from "node:zlib";

const unstable = new Set(["generatedAt", "changedAt", "cluster"]);

/** The report's JSON text, normalised and pretty-printed (one key a line: readable diffs). */
export function normaliseReport(text: string): string {
  const report: unknown = JSON.parse(text);
  return `${JSON.stringify(report, (key, value: unknown) => (unstable.has(key) ? undefined : value), 1)}\n`;
}

export function gzipReport(normalised: string): Buffer {
  return gzipSync(Buffer.from(normalised), { level: 9 });
}

export function gunzipReport(gzipped: Buffer): string {
  return gunzipSync(gzipped).toString();
}
