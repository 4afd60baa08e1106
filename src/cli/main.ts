#!/usr/bin/env node
// node:sqlite, fetch and the stream APIs kubedrift uses need Node 22 or newer.
const major = Number(process.versions.node.split(".")[0]);
if (major < 22) {
  process.stderr.write(
    `error: kubedrift needs Node.js 22 or newer, this is ${process.version} (run it through bin/kubedrift or npx, which use the project's Node)\n`,
  );
  process.exit(1);
}

// Start-up matters for a CLI run in loops and CI: cache compiled code between runs (Node ≥ 22.1).
const { enableCompileCache } = await import("node:module");
enableCompileCache();

const { main } = await import("./program.js");
process.exitCode = await main(process.argv.slice(2));
