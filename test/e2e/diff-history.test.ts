/**
 * Issue 13, item 5: scheduled runs record history too. `kubedrift diff --store URL --notify URL`
 * run as a CI schedule would: a `kubectl scale` between two runs opens an episode (one
 * notification), a third run with the drift still there extends it (no new notification), and a
 * run after scaling back ends it as `reverted` — the same history `watch` keeps.
 */
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { kubectlOk, writeManifest } from "../support/kubectl.js";
import { runKubedrift } from "../support/kubedrift.js";
import { useSandbox } from "../support/sandbox.js";
import { webDeployment } from "../support/watch.js";
import { webhookServer } from "../support/webhook-server.js";

const fixture = useSandbox();
const namespace = "diff-history";

interface Notified {
  readonly event: string;
  readonly resource: { readonly name: string };
  readonly drifts: readonly { readonly path: string; readonly manager?: string }[];
}

describe("kubedrift diff --store", () => {
  it("records each run's drift as episodes and notifies only what opened or ended", async () => {
    const sandbox = fixture.sandbox();
    const directory = fixture.directory();
    const file = writeManifest(directory, "web-history.yaml", webDeployment(namespace));
    await kubectlOk(sandbox, ["create", "namespace", namespace]);
    await kubectlOk(sandbox, ["apply", "-f", file]);
    const server = await webhookServer();
    const store = `sqlite:${join(directory, "scheduled.db")}`;
    const diff = (): ReturnType<typeof runKubedrift> =>
      runKubedrift(
        [
          "diff",
          "-f",
          file,
          "--kubeconfig",
          sandbox.kubeconfigPath,
          "--store",
          store,
          "--notify",
          `http://127.0.0.1:${server.port}/hook`,
        ],
        { cwd: directory },
      );
    const notified = (): Notified[] => server.received.map((one) => JSON.parse(one.body) as Notified);
    try {
      const clean = await diff();
      expect(clean.code, clean.stderr).toBe(0);
      expect(clean.stderr).toContain(
        `note: recorded in ${store}: 0 drift episodes opened, 0 ended, 0 still open`,
      );

      await kubectlOk(sandbox, ["scale", "deployment", "web", "-n", namespace, "--replicas=5"]);
      const drifted = await diff();
      expect(drifted.code).toBe(2);
      expect(drifted.stderr).toContain("1 drift episode opened, 0 ended, 0 still open");
      expect(notified()).toMatchObject([
        {
          event: "DriftDetected",
          resource: { name: "web" },
          drifts: [{ path: "/spec/replicas", manager: "kubectl" }],
        },
      ]);

      const still = await diff();
      expect(still.stderr).toContain("0 drift episodes opened, 0 ended, 1 still open");
      expect(notified()).toHaveLength(1);

      await kubectlOk(sandbox, ["scale", "deployment", "web", "-n", namespace, "--replicas=2"]);
      const back = await diff();
      expect(back.code).toBe(0);
      expect(back.stderr).toContain("0 drift episodes opened, 1 ended, 0 still open");
      expect(notified().map((one) => one.event)).toEqual(["DriftDetected", "DriftResolved"]);

      const history = await runKubedrift(["history", "--store", store, "-o", "json"], { cwd: directory });
      const { episodes } = JSON.parse(history.stdout) as { episodes: { endedBy: string | null }[] };
      expect(episodes.map((episode) => episode.endedBy)).toEqual(["reverted"]);
    } finally {
      await server.close();
    }
  }, 120_000);

  it("refuses --notify without --store, and a malformed --store, in one line", async () => {
    const directory = fixture.directory();
    const file = writeManifest(directory, "web-refused-history.yaml", webDeployment(namespace));
    const noStore = await runKubedrift(["diff", "-f", file, "--notify", "http://127.0.0.1:1/hook"], {
      cwd: directory,
    });
    expect(noStore.code).toBe(1);
    expect(noStore.stderr).toBe(
      "error: --notify: give --store URL too (a notification tells a drift that started or ended since the last run)\n",
    );
    const badStore = await runKubedrift(["diff", "-f", file, "--store", "mysql://x"], { cwd: directory });
    expect(badStore.code).toBe(1);
    expect(badStore.stderr.split("\n").filter((line) => line !== "")).toHaveLength(1);
    expect(badStore.stderr).toMatch(/^error: --store: /);
  });
});
