/**
 * Regenerates test/scale/report-<size>.json.gz: the report of `kubedrift diff -o json` on the
 * estate of bench/estate.ts (10,000 objects by default, ~5% drifted in a sandbox), by the code as it
 * was before issue 17's optimisations (commit d9cabd1), normalised as test/scale/report.ts does.
 *
 *   git worktree add /tmp/kd-before-17 d9cabd1
 *   (cd /tmp/kd-before-17 && ln -s /work/main/node_modules node_modules && npm run build)
 *   node --import tsx bench/scale-golden.ts --binary /tmp/kd-before-17/bin/kubedrift [--size 10000]
 *
 * It also runs this checkout's bin/kubedrift on the same live state and says whether it agrees.
 */
import { writeFileSync } from "node:fs";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { parseArgs } from "node:util";
import { gzipReport, normaliseReport } from "../test/scale/report.js";
import { diffOnce, disposeEstate, kubedriftBin, prepareEstate } from "./scale.js";

const root = fileURLToPath(new URL("..", import.meta.url));
const { values } = parseArgs({
  options: {
    binary: { type: "string", default: "/tmp/kd-before-17/bin/kubedrift" },
    size: { type: "string", default: "10000" },
  },
});
const size = Number(values.size);
const prepared = await prepareEstate(size);
try {
  const online = ["--kubeconfig", prepared.started.kubeconfigPath];
  const before = await diffOnce(prepared.directory, online, values.binary);
  if (before.status !== 2)
    throw new Error(`${values.binary} diff exited ${String(before.status)}: ${before.stderr}`);
  const golden = normaliseReport(before.stdout);
  const file = join(root, "test", "scale", `report-${size}.json.gz`);
  writeFileSync(file, gzipReport(golden));
  console.error(`wrote ${file} (${prepared.drifted} drifts written, exit ${String(before.status)})`);
  const now = await diffOnce(prepared.directory, online, kubedriftBin);
  const same = normaliseReport(now.stdout) === golden;
  console.error(`this checkout's bin/kubedrift ${same ? "gives the same report" : "DIFFERS"}`);
} finally {
  await disposeEstate(prepared);
}
