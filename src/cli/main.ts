#!/usr/bin/env node
// The undici that @kubernetes/client-node uses needs Node 22.19 (on 22.0–22.18 every request fails
// with "Cannot read properties of undefined (reading 'bind')"), as package.json's `engines` says.
// This module imports nothing statically, so that the check runs on any Node and its line is all
// that an older one prints; bin/kubedrift prefers a Node installed beside the package, else PATH's.
const [major = 0, minor = 0] = process.versions.node.split(".").map(Number);
if (major < 22 || (major === 22 && minor < 19)) {
  process.stderr.write(
    `error: kubedrift needs Node.js 22.19 or newer, and ${process.execPath} is ${process.version}: put a newer node first on PATH, or install one beside kubedrift with \`npm i -g node@24\`\n`,
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
