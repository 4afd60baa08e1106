#!/usr/bin/env node
// node:sqlite, fetch and the stream APIs kubedrift uses need Node 22 or newer.
const major = Number(process.versions.node.split(".")[0]);
if (major < 22) {
  process.stderr.write(
    `error: kubedrift needs Node.js 22 or newer, this is ${process.version} (run it through bin/kubedrift or npx, which use the project's Node)\n`,
  );
  process.exit(1);
}

// Node prints warnings (deprecations, experimental APIs, a library's complaints about its input) as
// `(node:1234) Warning: …` lines on stderr, where kubedrift promises one line per error and nothing
// else; what matters to the user is turned into notes or errors where it arises.
process.removeAllListeners("warning");

// Start-up matters for a CLI run in loops and CI: cache compiled code between runs (Node ≥ 22.1).
const { enableCompileCache } = await import("node:module");
enableCompileCache();

const { main } = await import("./program.js");
const code = await main(process.argv.slice(2));
process.exitCode = code;
// A failed run may leave work behind that nobody waits for any more: a TLS handshake with a server
// that never answers runs on for undici's connect timeout after the request's own timeout gave up.
// The error is written (stderr is synchronous on Linux, for files, pipes and terminals): end now.
if (code === 1) process.exit(code);
