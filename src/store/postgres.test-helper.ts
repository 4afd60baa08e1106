/**
 * A real PostgreSQL 15 server for the store's tests, started from the Debian binaries in a
 * temporary data directory on a free loopback port, and stopped again.
 *
 * initdb and postgres refuse to run as root, and CI runs as root: then the data directory is
 * handed to the `postgres` system user (which the Debian package creates) and both run as that
 * user through `runuser`. No other PostgreSQL server of the machine is used or touched.
 */

import { execFile } from "node:child_process";
import { existsSync } from "node:fs";
import { chown, mkdtemp, rm } from "node:fs/promises";
import { createServer } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { promisify } from "node:util";
import pg from "pg";

const run = promisify(execFile);
const binaries = process.env["KUBEDRIFT_PG_BIN"] ?? "/usr/lib/postgresql/15/bin";

export interface TestPostgres {
  /** The data directory, for tests that read its files. */
  readonly dataDir: string;
  /** A URL to a new, empty database. */
  createDatabase(): Promise<string>;
  stop(): Promise<void>;
}

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once("error", reject);
    server.listen(0, "127.0.0.1", () => {
      const address = server.address();
      const port = typeof address === "object" && address !== null ? address.port : 0;
      server.close(() => resolve(port));
    });
  });
}

async function systemUser(): Promise<{ uid: number; gid: number } | undefined> {
  if (process.getuid?.() !== 0) return undefined;
  try {
    const uid = Number((await run("id", ["-u", "postgres"])).stdout.trim());
    const gid = Number((await run("id", ["-g", "postgres"])).stdout.trim());
    return { uid, gid };
  } catch {
    throw new Error(
      "the store tests run as root, and PostgreSQL refuses root: they need the `postgres` system user (install postgresql-15)",
    );
  }
}

/** runuser is a system tool (util-linux): in /usr/sbin or /sbin, which a CI PATH may leave out. */
function runuser(): string {
  return ["/usr/sbin/runuser", "/sbin/runuser"].find((path) => existsSync(path)) ?? "runuser";
}

export async function startPostgres(): Promise<TestPostgres> {
  if (!existsSync(join(binaries, "postgres")) || !existsSync(join(binaries, "initdb")))
    throw new Error(
      `PostgreSQL 15 is not in ${binaries}: install postgresql-15 (apt-get install postgresql-15) to run the store tests`,
    );
  const root = await mkdtemp(join(tmpdir(), "kubedrift-pg-"));
  const dataDir = join(root, "data");
  const user = await systemUser();
  if (user !== undefined) await chown(root, user.uid, user.gid);
  const as = async (command: string, args: readonly string[]): Promise<void> => {
    const file = join(binaries, command);
    if (user === undefined) await run(file, [...args]);
    else await run(runuser(), ["-u", "postgres", "--", file, ...args]);
  };
  await as("initdb", ["-D", dataDir, "-U", "postgres", "--auth=trust", "--no-sync", "-E", "UTF8"]);
  const port = await freePort();
  const options = `-p ${port} -k ${root} -c listen_addresses=127.0.0.1 -c fsync=on`;
  await as("pg_ctl", ["-D", dataDir, "-o", options, "-l", join(root, "log"), "-w", "-t", "60", "start"]);
  const base = `postgres://postgres@127.0.0.1:${port}`;
  let databases = 0;
  return {
    dataDir,
    async createDatabase() {
      const name = `store_${++databases}`;
      const admin = new pg.Client({ connectionString: `${base}/postgres` });
      await admin.connect();
      try {
        await admin.query(`CREATE DATABASE ${name}`);
      } finally {
        await admin.end();
      }
      return `${base}/${name}`;
    },
    async stop() {
      try {
        await as("pg_ctl", ["-D", dataDir, "-m", "fast", "-w", "stop"]);
      } finally {
        await rm(root, { recursive: true, force: true });
      }
    },
  };
}
