/** `npm run bench`: prints figures; never fails on a timing. */
import { benchSandbox } from "./sandbox.js";

console.log(`kubedrift benchmarks — node ${process.version}, ${new Date().toISOString()}`);
console.log("\nsandbox API server (HTTPS, loopback, server in its own process)");
await benchSandbox();
