/**
 * One sandbox per test file: started in `beforeAll`, stopped in `afterAll`,
 * with its kubeconfig in a directory of its own.
 */
import { afterAll, beforeAll } from "vitest";
import { startSandbox } from "../../src/sandbox/index.js";
import type { SandboxConnection } from "./kubectl.js";
import { scratchDirectory } from "./kubectl.js";
import { join } from "node:path";

export interface SandboxFixture {
  /** The running sandbox; only valid inside tests (after `beforeAll`). */
  readonly sandbox: () => SandboxConnection;
  /** A scratch directory for manifests and editor scripts, removed after the file. */
  readonly directory: () => string;
}

export function useSandbox(): SandboxFixture {
  let running: (SandboxConnection & { readonly stop: () => Promise<void> }) | undefined;
  const scratch = scratchDirectory();
  beforeAll(async () => {
    running = await startSandbox({ kubeconfigPath: join(scratch.path, "kubeconfig") });
  });
  afterAll(async () => {
    await running?.stop();
    scratch.remove();
  });
  return {
    sandbox: () => {
      if (running === undefined) throw new Error("the sandbox is not running (used outside a test?)");
      return running;
    },
    directory: () => scratch.path,
  };
}
