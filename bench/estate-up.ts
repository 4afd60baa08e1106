/**
 * An estate to profile or explore by hand: `node --import tsx bench/estate-up.ts [N]` writes the
 * estate of N objects (default 10,000) to a directory, seeds and drifts it in a sandbox, dumps
 * live.json and live.yaml beside it, prints the commands to run, and keeps the sandbox up until
 * Ctrl-C. See bench/README.md, "Profiling".
 */
import { join } from "node:path";
import { dumpLive } from "./estate.js";
import { disposeEstate, prepareEstate } from "./scale.js";

const size = Number(process.argv[2] ?? "10000");
const prepared = await prepareEstate(size);
await dumpLive(prepared.started.kubeconfigPath, join(prepared.directory, "live.json"), "json");
await dumpLive(prepared.started.kubeconfigPath, join(prepared.directory, "live.yaml"), "yaml");
const kubeconfig = prepared.started.kubeconfigPath;
console.log(`estate of ${size} objects (${prepared.drifted} drifted) in ${prepared.directory}
  cd ${prepared.directory}
  kubedrift diff -f apps --kubeconfig ${kubeconfig} -v
  kubedrift diff -f apps --live-file live.yaml -v
  node --cpu-prof --cpu-prof-dir prof /work/main/dist/cli/main.js diff -f apps --kubeconfig ${kubeconfig}
Ctrl-C stops the sandbox and removes the directory.`);
await new Promise<void>((resolve) => process.once("SIGINT", resolve));
await disposeEstate(prepared);
