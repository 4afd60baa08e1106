/**
 * The writer that crash.test.ts kills with SIGKILL: it writes episodes in a loop and prints one
 * line on stdout after each write the store acknowledged (its promise resolved). Stdout to a pipe
 * is synchronous on Linux, so a line the parent read is a write that was acknowledged first.
 */

import { openStore } from "./open.js";

const url = process.argv[2];
if (url === undefined) throw new Error("usage: crash-child URL");

const at = (i: number): string => new Date(Date.UTC(2026, 11, 2) + i * 1000).toISOString();
const ref = (i: number) => ({ group: "apps", kind: "Deployment", namespace: "crash", name: `r${i}` });

const store = await openStore(url);
for (let i = 0; ; i++) {
  await store.recordObservation(
    ref(i),
    [{ path: "/spec/replicas", type: "Changed", desired: 1, live: i }],
    at(i),
  );
  process.stdout.write(`${JSON.stringify({ op: "open", i })}\n`);
  if (i % 2 === 1) {
    await store.closeEpisode(ref(i - 1), "healed", at(i));
    process.stdout.write(`${JSON.stringify({ op: "close", i: i - 1 })}\n`);
  }
}
