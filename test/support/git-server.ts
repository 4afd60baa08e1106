/**
 * Real Git servers on loopback for tests: `git http-backend` behind a small node:http server (with
 * basic or bearer auth), `git daemon` for git://, and a server that accepts connections and never
 * answers. Repositories are bare, under one root, fed by pushes from a working repository.
 */
import { execFileSync, spawn } from "node:child_process";
import type { ChildProcess } from "node:child_process";
import { mkdirSync, writeFileSync } from "node:fs";
import type { IncomingMessage, ServerResponse } from "node:http";
import { createServer } from "node:http";
import type { Socket } from "node:net";
import { connect, createServer as createNetServer } from "node:net";
import path from "node:path";

export function git(cwd: string, args: readonly string[]): string {
  return execFileSync("git", [...args], {
    cwd,
    encoding: "utf8",
    env: {
      PATH: process.env["PATH"] ?? "/usr/bin:/bin",
      HOME: cwd,
      GIT_CONFIG_NOSYSTEM: "1",
      GIT_AUTHOR_NAME: "Ada",
      GIT_AUTHOR_EMAIL: "ada@example.com",
      GIT_COMMITTER_NAME: "Ada",
      GIT_COMMITTER_EMAIL: "ada@example.com",
    },
  });
}

/** A bare repository `<root>/<name>.git` and a working repository beside it that pushes to it. */
export interface TestRepository {
  readonly bare: string;
  /** Writes the files (path → content), commits and pushes them to `branch`; returns the commit. */
  commit(files: Readonly<Record<string, string>>, branch?: string): string;
}

export function createRepository(root: string, name: string): TestRepository {
  const bare = path.join(root, `${name}.git`);
  const work = path.join(root, `${name}-work`);
  mkdirSync(work, { recursive: true });
  git(root, ["init", "--quiet", "--bare", "--initial-branch=main", bare]);
  git(work, ["init", "--quiet", "--initial-branch=main"]);
  const commit = (files: Readonly<Record<string, string>>, branch = "main"): string => {
    for (const [file, content] of Object.entries(files)) {
      mkdirSync(path.dirname(path.join(work, file)), { recursive: true });
      writeFileSync(path.join(work, file), content);
    }
    git(work, ["checkout", "--quiet", "-B", branch]);
    git(work, ["add", "--all"]);
    git(work, ["commit", "--quiet", "--allow-empty", "--message", `change ${Object.keys(files).join(", ")}`]);
    git(work, ["push", "--quiet", "--force", bare, `HEAD:refs/heads/${branch}`]);
    return git(work, ["rev-parse", "HEAD"]).trim();
  };
  return { bare, commit };
}

export interface RunningServer {
  /** The base URL (`http://127.0.0.1:PORT`, `git://127.0.0.1:PORT`); append `/<name>.git`. */
  readonly url: string;
  /** How many requests (or connections) arrived. */
  readonly requests: () => number;
  close(): Promise<void>;
}

export type HttpAuth =
  { readonly username: string; readonly password: string } | { readonly token: string } | undefined;

function authorized(request: IncomingMessage, auth: HttpAuth): boolean {
  if (auth === undefined) return true;
  const given = request.headers.authorization ?? "";
  if ("token" in auth) return given === `Bearer ${auth.token}`;
  return given === `Basic ${Buffer.from(`${auth.username}:${auth.password}`).toString("base64")}`;
}

function cgiEnvironment(request: IncomingMessage, root: string): NodeJS.ProcessEnv {
  const url = new URL(request.url ?? "/", "http://localhost");
  const env: NodeJS.ProcessEnv = {
    PATH: process.env["PATH"] ?? "/usr/bin:/bin",
    GIT_PROJECT_ROOT: root,
    GIT_HTTP_EXPORT_ALL: "1",
    GIT_CONFIG_NOSYSTEM: "1",
    HOME: root,
    PATH_INFO: decodeURIComponent(url.pathname),
    REQUEST_METHOD: request.method ?? "GET",
    QUERY_STRING: url.search.replace(/^\?/, ""),
    CONTENT_TYPE: request.headers["content-type"] ?? "",
    REMOTE_USER: "tester",
    REMOTE_ADDR: "127.0.0.1",
    GIT_PROTOCOL: String(request.headers["git-protocol"] ?? ""),
  };
  for (const [name, value] of Object.entries(request.headers))
    env[`HTTP_${name.toUpperCase().replace(/-/g, "_")}`] = String(value);
  return env;
}

/** Splits the CGI output into its header block and body, and sends them as an HTTP response. */
function relay(output: Buffer, response: ServerResponse): void {
  const end = output.indexOf("\r\n\r\n");
  const split = end >= 0 ? end : output.indexOf("\n\n");
  const gap = end >= 0 ? 4 : 2;
  const head = output.subarray(0, Math.max(split, 0)).toString("latin1");
  let status = 200;
  for (const line of head.split(/\r?\n/)) {
    const colon = line.indexOf(":");
    if (colon <= 0) continue;
    const name = line.slice(0, colon).trim();
    const value = line.slice(colon + 1).trim();
    if (name.toLowerCase() === "status") status = Number.parseInt(value, 10);
    else response.setHeader(name, value);
  }
  response.statusCode = status;
  response.end(output.subarray(split + gap));
}

function serveGit(request: IncomingMessage, response: ServerResponse, root: string): void {
  const backend = spawn(
    path.join(execFileSync("git", ["--exec-path"], { encoding: "utf8" }).trim(), "git-http-backend"),
    [],
    {
      env: cgiEnvironment(request, root),
      stdio: ["pipe", "pipe", "ignore"],
    },
  );
  const chunks: Buffer[] = [];
  backend.stdout.on("data", (chunk: Buffer) => chunks.push(chunk));
  backend.on("close", () => relay(Buffer.concat(chunks), response));
  backend.stdin.on("error", () => undefined);
  request.pipe(backend.stdin);
}

function closeServer(server: { close(callback: () => void): unknown }, sockets: Set<Socket>): Promise<void> {
  return new Promise((resolve) => {
    for (const socket of sockets) socket.destroy();
    server.close(() => resolve());
  });
}

/** `git http-backend` over HTTP on 127.0.0.1, answering 401 without the expected Authorization header. */
export async function startHttpGitServer(root: string, auth?: HttpAuth): Promise<RunningServer> {
  let requests = 0;
  const sockets = new Set<Socket>();
  const server = createServer((request, response) => {
    requests += 1;
    if (authorized(request, auth)) return serveGit(request, response, root);
    response.writeHead(401, { "WWW-Authenticate": 'Basic realm="git"' }).end("unauthorized\n");
  });
  server.on("connection", (socket: Socket) => {
    sockets.add(socket);
    socket.on("close", () => sockets.delete(socket));
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const address = server.address();
  const port = typeof address === "object" && address !== null ? address.port : 0;
  return {
    url: `http://127.0.0.1:${port}`,
    requests: () => requests,
    close: () => closeServer(server, sockets),
  };
}

/** Accepts connections and never answers: what a wedged server or a black-holed proxy looks like. */
export async function startHangingServer(): Promise<RunningServer> {
  let requests = 0;
  const sockets = new Set<Socket>();
  const server = createNetServer((socket) => {
    requests += 1;
    sockets.add(socket);
    socket.on("error", () => undefined);
    socket.on("close", () => sockets.delete(socket));
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const address = server.address();
  const port = typeof address === "object" && address !== null ? address.port : 0;
  return {
    url: `http://127.0.0.1:${port}`,
    requests: () => requests,
    close: () => closeServer(server, sockets),
  };
}

async function freePort(): Promise<number> {
  const server = createNetServer();
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const address = server.address();
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return typeof address === "object" && address !== null ? address.port : 0;
}

function accepts(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = connect(port, "127.0.0.1");
    socket.once("connect", () => {
      socket.destroy();
      resolve(true);
    });
    socket.once("error", () => resolve(false));
  });
}

async function waitForPort(port: number, daemon: ChildProcess): Promise<void> {
  for (let attempt = 0; attempt < 200; attempt += 1) {
    if (daemon.exitCode !== null) throw new Error(`git daemon exited with ${daemon.exitCode}`);
    if (await accepts(port)) return;
    await new Promise((resolve) => setTimeout(resolve, 25));
  }
  throw new Error("git daemon did not listen");
}

/** `git daemon` serving every repository under root over git:// on 127.0.0.1. */
export async function startGitDaemon(root: string): Promise<RunningServer> {
  const port = await freePort();
  const daemon = spawn(
    "git",
    [
      "daemon",
      "--export-all",
      "--reuseaddr",
      `--base-path=${root}`,
      `--port=${port}`,
      "--listen=127.0.0.1",
      root,
    ],
    {
      stdio: "ignore",
      env: { PATH: process.env["PATH"] ?? "/usr/bin:/bin", HOME: root, GIT_CONFIG_NOSYSTEM: "1" },
    },
  );
  await waitForPort(port, daemon);
  const close = async (): Promise<void> => {
    if (daemon.exitCode !== null || daemon.signalCode !== null) return;
    const exited = new Promise<void>((resolve) => daemon.once("exit", () => resolve()));
    daemon.kill("SIGTERM");
    await exited;
  };
  return { url: `git://127.0.0.1:${port}`, requests: () => 0, close };
}
