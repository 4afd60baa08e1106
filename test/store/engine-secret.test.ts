/**
 * The engine's drift of a Secret, stored as it comes: the history keeps the keyed hashes and the
 * attribution, and no byte of the database holds the Secret's values (DESIGN.md rule 7).
 */

import { mkdtemp, readdir, readFile, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { compare } from "../../src/engine/index.js";
import { desiredOf, input, refOf, useLiveCluster } from "../../src/engine/live.test-helper.js";
import type { KubeObject } from "../../src/kube/value/json.js";
import { openStore } from "../../src/store/index.js";

const key = "0123456789abcdef0123456789abcdef";
const desiredValue = "desired-Pa55word-kept-in-git";
const liveValue = "live-Pa55word-typed-by-someone";

const secret: KubeObject = {
  apiVersion: "v1",
  kind: "Secret",
  metadata: { name: "credentials", namespace: "shop" },
  type: "Opaque",
  stringData: { password: desiredValue },
};

async function everyByte(dir: string): Promise<string> {
  const files = await readdir(dir);
  const contents = await Promise.all(files.map((file) => readFile(join(dir, file))));
  return contents.map((content) => content.toString("latin1")).join("\n");
}

describe("a Secret's drift in the history", () => {
  const cluster = useLiveCluster();
  let dir = "";
  beforeEach(async () => {
    dir = await mkdtemp(join(tmpdir(), "kubedrift-secret-"));
  });
  afterEach(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  it("keeps the engine's keyed hashes and attribution, and no value", async () => {
    cluster().applyClientSide(secret);
    cluster()
      .at("2026-11-22T11:40:00Z")
      .patch(
        refOf(secret),
        { data: { password: Buffer.from(liveValue).toString("base64") } },
        { manager: "kubectl-edit", patchType: "merge" },
      );
    const report = compare(
      input([desiredOf(secret)], [cluster().get(refOf(secret))], { config: { redactionKey: key } }),
    );
    const [resource] = report.resources;
    expect(resource.drifts.map((drift) => [drift.path, drift.redacted !== undefined])).toEqual([
      ["/stringData/password", true],
    ]);

    const store = await openStore(`sqlite:${join(dir, "kubedrift.db")}`);
    try {
      const episode = await store.recordObservation(resource.ref, resource.drifts, report.generatedAt);
      expect(episode!.changes).toEqual([
        {
          path: "/stringData/password",
          type: "Changed",
          redacted: resource.drifts[0].redacted,
          manager: "kubectl-edit",
          operation: "Update",
          changedAt: "2026-11-22T11:40:00Z",
          firstSeen: "2026-11-22T12:00:00.000Z",
          lastSeen: "2026-11-22T12:00:00.000Z",
        },
      ]);
    } finally {
      await store.close();
    }
    const bytes = await everyByte(dir);
    expect(bytes).toContain(resource.drifts[0].redacted!.live);
    // Neither value in either spelling it could take: as text, or as the base64 of Secret data.
    for (const value of [desiredValue, liveValue])
      for (const spelling of [value, Buffer.from(value).toString("base64")])
        expect(bytes).not.toContain(spelling);
  });
});
