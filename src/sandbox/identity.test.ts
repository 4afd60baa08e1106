import { mkdtempSync, rmSync, statSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { servingIdentity } from "./identity.js";

const directories: string[] = [];
afterEach(() => {
  for (const directory of directories.splice(0)) rmSync(directory, { recursive: true, force: true });
});

function dataDir(): string {
  const directory = mkdtempSync(join(tmpdir(), "kubedrift-identity-"));
  directories.push(directory);
  return join(directory, "state");
}

const hosts = ["127.0.0.1", "localhost"];
const now = new Date("2026-12-02T00:00:00Z");

describe("the sandbox's serving identity", () => {
  it("is kept with --data, owner-only, and used again on the next start", async () => {
    const dir = dataDir();
    const first = await servingIdentity({ dataDir: dir, hosts, now, token: undefined });
    expect(statSync(join(dir, "identity.json")).mode & 0o777).toBe(0o600);
    const second = await servingIdentity({ dataDir: dir, hosts, now, token: undefined });
    expect(second).toEqual(first);
  });

  it("is new on every start without --data", async () => {
    const first = await servingIdentity({ dataDir: undefined, hosts, now, token: undefined });
    const second = await servingIdentity({ dataDir: undefined, hosts, now, token: undefined });
    expect(second.token).not.toBe(first.token);
    expect(second.certificate.certificatePem).not.toBe(first.certificate.certificatePem);
  });

  it("makes a new certificate for a name it was not made for, or near its end; keeps the token", async () => {
    const dir = dataDir();
    const first = await servingIdentity({ dataDir: dir, hosts, now, token: undefined });
    const widened = await servingIdentity({
      dataDir: dir,
      hosts: [...hosts, "10.0.0.5"],
      now,
      token: undefined,
    });
    expect(widened.certificate.certificatePem).not.toBe(first.certificate.certificatePem);
    expect(widened.token).toBe(first.token);
    const later = new Date(now.getTime() + 365 * 24 * 3_600_000);
    const renewed = await servingIdentity({
      dataDir: dir,
      hosts: [...hosts, "10.0.0.5"],
      now: later,
      token: undefined,
    });
    expect(renewed.certificate.certificatePem).not.toBe(widened.certificate.certificatePem);
  });

  it("takes a given token without storing it, and replaces an unreadable file", async () => {
    const dir = dataDir();
    const given = await servingIdentity({ dataDir: dir, hosts, now, token: "given-token" });
    expect(given.token).toBe("given-token");
    const stored = await servingIdentity({ dataDir: dir, hosts, now, token: undefined });
    expect(stored.token).not.toBe("given-token");
    writeFileSync(join(dir, "identity.json"), "{not json");
    const replaced = await servingIdentity({ dataDir: dir, hosts, now, token: undefined });
    expect(replaced.certificate.certificatePem).toContain("BEGIN CERTIFICATE");
  });
});
