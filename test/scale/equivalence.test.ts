/**
 * Behaviour at scale (issue 17): the estate of 10,000 objects of bench/estate.ts, ~5% drifted by
 * real writes in the built sandbox, gives the same `kubedrift diff -o json` report online, from a
 * YAML live file and from a JSON live file (as `kubectl get -o yaml|json` writes them), with and
 * without paging — and the same report as the code before issue 17's optimisations
 * (report-10000.json.gz, made by bench/scale-golden.ts; see README.md here). Reports are compared
 * less what differs from run to run (test/scale/report.ts).
 */
import { spawnSync } from "node:child_process";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { driftEstate, dumpLive, estate, seedEstate, writeEstate } from "../../bench/estate.js";
import { targetOf } from "../../bench/sandbox.js";
import { scratchDirectory, type SandboxConnection } from "../support/kubectl.js";
import { kubedriftBinary, runKubedrift } from "../support/kubedrift.js";
import { useKubedriftProcesses } from "../support/kubedrift-process.js";
import { gunzipReport, normaliseReport } from "./report.js";

const size = 10_000;
const here = fileURLToPath(new URL(".", import.meta.url));
const processes = useKubedriftProcesses();
const scratch = scratchDirectory();
const the = estate(size);

const hasChunkSize = spawnSync(kubedriftBinary, ["diff", "--help"], { encoding: "utf8" }).stdout.includes(
  "--chunk-size",
);

let sandbox: SandboxConnection;
let online = "";

async function diff(args: readonly string[]): Promise<string> {
  const result = await runKubedrift(["diff", "-f", "apps", ...args, "-o", "json"], { cwd: scratch.path });
  expect(result.code, result.stderr).toBe(2);
  return normaliseReport(result.stdout);
}

const onlineArgs = (): readonly string[] => ["--kubeconfig", sandbox.kubeconfigPath];

// Seeding 10,000 objects, two `kubectl get` dumps and a diff: about 2 minutes on a busy 2-core machine.
beforeAll(async () => {
  writeEstate(scratch.path, the);
  sandbox = await processes.startSandbox(scratch.path, []);
  const target = targetOf(sandbox.url, sandbox.kubeconfigPath);
  try {
    await seedEstate(target, the);
    await driftEstate(target, sandbox.kubeconfigPath, the);
  } finally {
    target.agent.destroy();
  }
  await dumpLive(sandbox.kubeconfigPath, join(scratch.path, "live.json"), "json");
  await dumpLive(sandbox.kubeconfigPath, join(scratch.path, "live.yaml"), "yaml");
  online = await diff(onlineArgs());
}, 360_000);

afterAll(() => scratch.remove());

describe(`kubedrift diff on an estate of ${size} objects, 5% drifted`, () => {
  it("reports every drift written and nothing else", () => {
    const report = JSON.parse(online) as { summary: Record<string, number> };
    expect(report.summary).toEqual({
      total: size,
      inSync: size - 500,
      drifted: 500,
      missing: 0,
      extra: 0,
      errors: 0,
    });
  });

  it("gives the report of the code before issue 17's optimisations", () => {
    const golden = gunzipReport(readFileSync(join(here, `report-${size}.json.gz`)));
    expect(online).toBe(golden);
  });

  it("gives the same report from a JSON live file", async () => {
    expect(await diff(["--live-file", "live.json"])).toBe(online);
  }, 120_000);

  it("gives the same report from a YAML live file", async () => {
    expect(await diff(["--live-file", "live.yaml"])).toBe(online);
  }, 180_000);

  it.skipIf(!hasChunkSize)(
    "gives the same report without paging (--chunk-size 0)",
    async () => {
      expect(await diff([...onlineArgs(), "--chunk-size", "0"])).toBe(online);
    },
    120_000,
  );

  it.skipIf(!hasChunkSize)(
    "gives the same report with pages of 7 (--chunk-size 7)",
    async () => {
      expect(await diff([...onlineArgs(), "--chunk-size", "7"])).toBe(online);
    },
    180_000,
  );
});
