/**
 * plan and apply send their dry runs and writes many at a time: what they report must not depend
 * on the order the answers come back in. The built CLI against a sandbox whose answers are held
 * back longest for the requests sent first (a real slow server, not a mock), so that they arrive
 * out of order.
 */
import { mkdirSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startSandbox } from "../../src/sandbox/index.js";
import type { FaultOptions, RunningSandbox } from "../../src/sandbox/index.js";
import { kubectlJson, kubectlOk, scratchDirectory } from "../support/kubectl.js";
import { runKubedrift } from "../support/kubedrift.js";
import type { KubedriftResult } from "../support/kubedrift.js";

const scratch = scratchDirectory();
let sandbox: RunningSandbox;

beforeAll(async () => {
  sandbox = await startSandbox({ kubeconfigPath: join(scratch.path, "kubeconfig") });
});
afterAll(async () => {
  await sandbox.stop();
  scratch.remove();
});

const namespace = "order";
const names = Array.from({ length: 24 }, (_, index) => `web-${String(index).padStart(2, "0")}`);
/** Its manifest asks for something the API server refuses. */
const refused = "web-07";

function deployment(name: string, replicas: number): string {
  return `apiVersion: apps/v1
kind: Deployment
metadata:
  name: ${name}
  namespace: ${namespace}
spec:
  replicas: ${replicas}
  selector:
    matchLabels:
      app: ${name}
  template:
    metadata:
      labels:
        app: ${name}
    spec:
      containers:
        - name: web
          image: nginx:1.27
`;
}

/**
 * Each resource request waits 0–150 ms, the longest for the first of every sixteen: with sixteen
 * in flight, the first sent is answered last.
 */
function answersOutOfOrder(): FaultOptions {
  let sent = 0;
  return {
    get latencyMs(): number {
      sent += 1;
      return (15 - (sent % 16)) * 10;
    },
  };
}

function kubedrift(directory: string, args: readonly string[]): Promise<KubedriftResult> {
  return runKubedrift([...args, "-f", "apps", "--kubeconfig", sandbox.kubeconfigPath], { cwd: directory });
}

async function slowly<T>(run: () => Promise<T>): Promise<T> {
  sandbox.faults.set(answersOutOfOrder());
  try {
    return await run();
  } finally {
    sandbox.faults.set({});
  }
}

interface PlanDocument {
  readonly changes: readonly {
    readonly name: string;
    readonly dryRun: { readonly ok: boolean; readonly code?: number; readonly takesOver?: readonly string[] };
  }[];
}

describe("concurrent dry runs and writes", () => {
  it("plan and apply report in plan order whatever order the answers come in; a refused change is reported once and stops nothing", async () => {
    const directory = join(scratch.path, "fleet");
    mkdirSync(join(directory, "apps"), { recursive: true });
    const file = join(directory, "apps", "web.yaml");
    writeFileSync(file, names.map((name) => deployment(name, 2)).join("---\n"));
    await kubectlOk(sandbox, ["create", "namespace", namespace]);
    await kubectlOk(sandbox, ["apply", "-f", file]);
    await kubectlOk(sandbox, ["-n", namespace, "scale", "deployment", "--all", "--replicas=5"]);
    writeFileSync(file, names.map((name) => deployment(name, name === refused ? -1 : 2)).join("---\n"));

    const inOrder = await kubedrift(directory, ["plan", "-o", "json"]);
    const outOfOrder = await slowly(() => kubedrift(directory, ["plan", "-o", "json"]));
    expect(inOrder.code).toBe(1);
    expect(outOfOrder.code).toBe(1);
    expect(outOfOrder.stdout).toBe(inOrder.stdout);
    const plan = JSON.parse(outOfOrder.stdout) as PlanDocument;
    expect(plan.changes.map((change) => change.name)).toEqual(names);
    for (const change of plan.changes) {
      if (change.name === refused) expect(change.dryRun).toMatchObject({ ok: false, code: 422 });
      else expect(change.dryRun).toEqual({ ok: true, takesOver: [".spec.replicas"] });
    }

    const applied = await slowly(() => kubedrift(directory, ["apply", "--yes"]));
    expect(applied.code).toBe(1);
    const lines = applied.stdout.split("\n").filter((line) => /^(applied|rejected|failed)/.test(line));
    expect(lines.map((line) => /Deployment order\/(\S+?):/.exec(line)?.[1])).toEqual(names);
    expect(lines.filter((line) => line.startsWith("rejected"))).toEqual([
      expect.stringMatching(
        /^rejected +apply +Deployment order\/web-07: rejected by the server's dry run \(422\): /,
      ),
    ]);
    expect(lines.filter((line) => line.startsWith("applied"))).toHaveLength(names.length - 1);
    expect(applied.stdout).toContain("Apply: 23 applied, 0 unchanged, 0 skipped, 1 rejected, 0 failed.");

    const live = await kubectlJson(sandbox, ["-n", namespace, "get", "deployments"]);
    const replicas = (
      live["items"] as readonly { metadata: { name: string }; spec: { replicas: number } }[]
    ).map((item) => [item.metadata.name, item.spec.replicas]);
    expect(replicas).toEqual(names.map((name) => [name, name === refused ? 5 : 2]));

    // Only the refused change is left, and it is still refused.
    const after = await kubedrift(directory, ["plan", "-o", "json"]);
    expect(after.code).toBe(1);
    expect((JSON.parse(after.stdout) as PlanDocument).changes.map((change) => change.name)).toEqual([
      refused,
    ]);
  });
});
