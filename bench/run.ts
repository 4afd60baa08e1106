/** `npm run bench`: prints figures; never fails on a timing. */
import { benchApply } from "./apply.js";
import { benchDrift } from "./drift.js";
import { benchGuard, benchPolicies } from "./guard.js";
import { benchDashboard } from "./dashboard.js";
import { benchLint } from "./lint.js";
import { benchSandbox } from "./sandbox.js";
import { benchWatch } from "./watch.js";

console.log(`kubedrift benchmarks — node ${process.version}, ${new Date().toISOString()}`);
console.log("\nsandbox API server (HTTPS, loopback, server in its own process)");
await benchSandbox();
console.log("\ndrift detection (kubedrift diff needs `npm run build` first)");
await benchDrift();
console.log("\nremediation (plan and apply against the sandbox)");
await benchApply();
console.log("\ncontinuous detection (kubedrift watch needs `npm run build` first)");
await benchWatch();
console.log("\nadmission guard (decisions in process)");
benchGuard();
console.log(
  "\nadmission policies (the generated ValidatingAdmissionPolicies, evaluated by the sandbox in process)",
);
await benchPolicies();
console.log("\nlint (in process; kubeconform publishes ~7,500 objects/s on 4 cores)");
benchLint();
console.log("\ndashboard (its API in process, what the page waits for before it renders)");
await benchDashboard();
