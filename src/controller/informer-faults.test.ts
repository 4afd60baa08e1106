/**
 * The informer across a sandbox restart on the same data directory and port, and a property test:
 * whatever the interleaving of writes, dropped watches, compacted history and 5xx bursts, the
 * cache converges to the server's state and every delivered event follows from the one before.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import fc from "fast-check";
import type { Cluster } from "../cluster/index.js";
import { connectCluster } from "../cluster/index.js";
import type { RunningSandbox } from "../sandbox/index.js";
import { startSandbox } from "../sandbox/index.js";
import { createInformer } from "./informer.js";
import {
  EventLog,
  Writer,
  configMaps,
  converged,
  testClock,
  testLabel,
  truth,
} from "./informer.test-helper.js";

describe("a sandbox restarting with --data", () => {
  let directory: string;
  beforeAll(() => {
    directory = mkdtempSync(join(tmpdir(), "kubedrift-informer-restart-"));
  });
  afterAll(() => rmSync(directory, { recursive: true, force: true }));

  it("the informer reconnects, resumes and converges; nothing delivered twice", async () => {
    const options = {
      dataDir: join(directory, "data"),
      kubeconfigPath: join(directory, "kubeconfig"),
      token: "informer-restart-token",
      bookmarkIntervalMs: 100,
    };
    let sandbox: RunningSandbox = await startSandbox(options);
    const port = Number(new URL(sandbox.url).port);
    const writer = new Writer(() => sandbox);
    const namespace = "restart";
    await writer.namespace(namespace);
    await writer.create(namespace, "a", "0");
    await writer.create(namespace, "b", "0");
    // The sandbox keeps its certificate and token with its data, as a cluster does: the same
    // connection reaches it after the restart.
    const cluster = connectCluster({ kubeconfig: options.kubeconfigPath, retry: { attempts: 1 } });
    const log = new EventLog();
    const clock = testClock();
    const informer = createInformer({
      cluster,
      resource: configMaps,
      namespace,
      labelSelector: testLabel,
      clock: clock.clock,
      random: () => 0.5,
      backoff: { initialMs: 10, maxMs: 100 },
      onEvent: log.record,
    });
    try {
      await informer.synced;
      await writer.modify(namespace, "a", "1");
      await converged(informer, log, () => truth(cluster, namespace));
      await sandbox.stop();
      sandbox = await startSandbox({ ...options, port });
      await writer.modify(namespace, "b", "1");
      await writer.create(namespace, "c", "0");
      await writer.remove(namespace, "a");
      await converged(informer, log, () => truth(cluster, namespace));
      expect(log.statesOf(`${namespace}/c`)).toEqual(writer.written.get(`${namespace}/c`));
      expect(log.statesOf(`${namespace}/a`).at(-1)).toBe("deleted");
      expect(log.statesOf(`${namespace}/b`).at(-1)).toBe(writer.written.get(`${namespace}/b`)?.at(-1));
      // Whatever the outage cost was retried with backoff, bounded by maxMs.
      expect(clock.sleeps.every((sleep) => sleep <= 100)).toBe(true);
    } finally {
      await informer.stop();
      await sandbox.stop();
    }
  });
});

type Operation =
  | { readonly kind: "create" | "modify" | "delete"; readonly name: string }
  | { readonly kind: "drop" | "expire" | "pause" }
  /** 5xx on a verb for the next `length` operations; `compact`: the watch history is compacted as it ends. */
  | {
      readonly kind: "burst";
      readonly verb: "list" | "watch";
      readonly length: number;
      readonly compact: boolean;
    };

const operation: fc.Arbitrary<Operation> = fc.oneof(
  {
    weight: 6,
    arbitrary: fc.record({
      kind: fc.constantFrom("create", "modify", "delete"),
      name: fc.constantFrom("p", "q", "r"),
    }),
  },
  { weight: 2, arbitrary: fc.record({ kind: fc.constantFrom("drop", "expire", "pause") }) },
  {
    weight: 2,
    arbitrary: fc.record({
      kind: fc.constant("burst"),
      verb: fc.constantFrom("list", "watch"),
      length: fc.integer({ min: 1, max: 4 }),
      compact: fc.boolean(),
    }),
  },
);

describe("the informer under random interleavings of writes and faults", () => {
  let sandbox: RunningSandbox;
  let directory: string;
  let cluster: Cluster;
  beforeAll(async () => {
    directory = mkdtempSync(join(tmpdir(), "kubedrift-informer-property-"));
    sandbox = await startSandbox({ kubeconfigPath: join(directory, "kubeconfig"), bookmarkIntervalMs: 50 });
    cluster = connectCluster({ kubeconfig: sandbox.kubeconfigPath, retry: { attempts: 1 }, pageSize: 2 });
  });
  afterAll(async () => {
    await sandbox.stop();
    rmSync(directory, { recursive: true, force: true });
  });

  it("always converges to the server's state, with no event lost or repeated", async () => {
    const writer = new Writer(() => sandbox);
    let run = 0;
    await fc.assert(
      fc.asyncProperty(fc.array(operation, { minLength: 1, maxLength: 20 }), async (operations) => {
        run += 1;
        const namespace = `property-${run}`;
        await writer.namespace(namespace);
        // Objects the informer knows before any fault, so that gaps can change and delete them.
        await writer.create(namespace, "p", "0");
        await writer.create(namespace, "q", "0");
        const log = new EventLog();
        const informer = createInformer({
          cluster,
          resource: configMaps,
          namespace,
          labelSelector: testLabel,
          clock: testClock().clock,
          random: Math.random,
          backoff: { initialMs: 1, maxMs: 8 },
          onEvent: log.record,
        });
        try {
          await informer.synced;
          const settle = (): Promise<void> => converged(informer, log, () => truth(cluster, namespace));
          await apply(operations, { namespace, writer, sandbox, settle });
          sandbox.faults.set({});
          await converged(informer, log, () => truth(cluster, namespace));
          process.stderr.write(
            `STAT ${log.summary("list").filter((x) => !x.startsWith("add")).length} ${log.events.length}\n`,
          );
        } finally {
          sandbox.faults.set({});
          await informer.stop();
        }
      }),
      { numRuns: 25 },
    );
  });
});

/** Runs the operations; a burst of 5xx on a verb lasts for the next `length` operations. */
async function apply(
  operations: readonly Operation[],
  context: {
    readonly namespace: string;
    readonly writer: Writer;
    readonly sandbox: RunningSandbox;
    /** Waits until the informer has caught up. */
    readonly settle: () => Promise<void>;
  },
): Promise<void> {
  const { namespace, writer, sandbox } = context;
  const present = new Set<string>(["p", "q"]);
  let burst = 0;
  let compact = false;
  for (const step of operations) {
    burst -= 1;
    if (burst === 0) {
      if (compact) sandbox.faults.expireWatchHistory();
      sandbox.faults.set({});
    }
    switch (step.kind) {
      case "create":
      case "modify":
        if (present.has(step.name)) await writer.modify(namespace, step.name, String(Math.random()));
        else await writer.create(namespace, step.name, "0");
        present.add(step.name);
        break;
      case "delete":
        if (present.delete(step.name)) await writer.remove(namespace, step.name);
        break;
      case "drop":
        sandbox.faults.dropWatches();
        break;
      case "expire":
        sandbox.faults.expireWatchHistory();
        break;
      case "pause":
        await new Promise((resolve) => setTimeout(resolve, 10));
        break;
      case "burst":
        // Once the informer is up to date, its watch goes too: the writes of the burst fall in a gap
        // it must close (with a relist when the history was compacted meanwhile).
        if (step.verb === "watch") {
          sandbox.faults.set({});
          await context.settle();
        }
        sandbox.faults.set({ errorRate: { [step.verb]: 1 } });
        sandbox.faults.dropWatches();
        burst = step.length + 1;
        compact = step.compact;
        break;
    }
  }
}
