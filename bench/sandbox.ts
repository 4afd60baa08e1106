/**
 * Throughput of the sandbox API server over HTTPS on loopback, with the server in its own process
 * (as `kubedrift sandbox` runs) so that client and server do not share one event loop.
 */
import { spawn, type ChildProcess } from "node:child_process";
import { mkdtempSync, readFileSync } from "node:fs";
import { Agent, request } from "node:https";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { parse } from "yaml";
import { benchManifest } from "./manifests.js";

export interface Target {
  readonly url: string;
  readonly token: string;
  readonly agent: Agent;
}

export interface Started {
  readonly target: Target;
  readonly child: ChildProcess;
  readonly kubeconfigPath: string;
}

const root = fileURLToPath(new URL("..", import.meta.url));

export async function startServer(): Promise<Started> {
  const kubeconfigPath = join(mkdtempSync(join(tmpdir(), "kubedrift-bench-")), "kubeconfig");
  const child = spawn(
    process.execPath,
    ["--import", "tsx", "src/cli/main.ts", "sandbox", "--kubeconfig", kubeconfigPath],
    {
      cwd: root,
      stdio: ["ignore", "pipe", "inherit"],
    },
  );
  const line = await new Promise<string>((resolve, reject) => {
    let buffered = "";
    child.stdout?.on("data", (chunk: Buffer) => {
      buffered += chunk.toString();
      if (buffered.includes("\n")) resolve(buffered.split("\n")[0] ?? "");
    });
    child.once("exit", (code) =>
      reject(new Error(`sandbox exited with ${String(code)} before it was ready`)),
    );
  });
  const { server } = JSON.parse(line) as { server: string };
  return { target: targetOf(server, kubeconfigPath), child, kubeconfigPath };
}

/** A client of the sandbox serving at `url`, with the CA and token of its kubeconfig. */
export function targetOf(url: string, kubeconfigPath: string): Target {
  const config = parse(readFileSync(kubeconfigPath, "utf8")) as {
    clusters: { cluster: { "certificate-authority-data": string } }[];
    users: { user: { token: string } }[];
  };
  const ca = Buffer.from(config.clusters[0]?.cluster["certificate-authority-data"] ?? "", "base64");
  const agent = new Agent({ keepAlive: true, maxSockets: 32, ca });
  return { url, token: config.users[0]?.user.token ?? "", agent };
}

export interface Call {
  readonly method: string;
  readonly path: string;
  readonly body?: unknown;
  readonly contentType?: string;
}

function call(target: Target, spec: Call): Promise<{ status: number; body: string }> {
  return new Promise((resolve, reject) => {
    const payload = spec.body === undefined ? undefined : JSON.stringify(spec.body);
    const req = request(
      `${target.url}${spec.path}`,
      {
        method: spec.method,
        agent: target.agent,
        headers: {
          authorization: `Bearer ${target.token}`,
          accept: "application/json",
          ...(payload === undefined ? {} : { "content-type": spec.contentType ?? "application/json" }),
        },
      },
      (response) => {
        let body = "";
        response.setEncoding("utf8");
        response.on("data", (chunk: string) => (body += chunk));
        response.on("end", () => resolve({ status: response.statusCode ?? 0, body }));
      },
    );
    req.on("error", reject);
    req.end(payload);
  });
}

export async function ok(target: Target, spec: Call): Promise<string> {
  const response = await call(target, spec);
  if (response.status >= 300)
    throw new Error(`${spec.method} ${spec.path}: ${response.status} ${response.body}`);
  return response.body;
}

export interface Measured {
  readonly name: string;
  readonly count: number;
  readonly seconds: number;
  readonly latencies: readonly number[];
}

/** Runs `count` calls with `concurrency` in flight; returns their latencies. */
export async function measure(
  name: string,
  count: number,
  concurrency: number,
  work: (index: number) => Promise<unknown>,
): Promise<Measured> {
  const latencies: number[] = [];
  let next = 0;
  const started = performance.now();
  const worker = async (): Promise<void> => {
    while (next < count) {
      const index = next;
      next += 1;
      const begin = performance.now();
      await work(index);
      latencies.push(performance.now() - begin);
    }
  };
  await Promise.all(Array.from({ length: concurrency }, worker));
  return { name, count, seconds: (performance.now() - started) / 1000, latencies };
}

function percentile(sorted: readonly number[], fraction: number): number {
  return sorted[Math.min(sorted.length - 1, Math.floor(sorted.length * fraction))] ?? 0;
}

function report(result: Measured, unit: string): void {
  const sorted = [...result.latencies].sort((a, b) => a - b);
  const rate = result.count / result.seconds;
  console.log(
    `${result.name.padEnd(34)} ${rate.toFixed(0).padStart(7)} ${unit}/s   p50 ${percentile(sorted, 0.5).toFixed(2)} ms   p99 ${percentile(sorted, 0.99).toFixed(2)} ms   (${result.count} in ${result.seconds.toFixed(2)} s)`,
  );
}

function deployment(name: string, replicas: number): unknown {
  const manifest = benchManifest("Deployment", name, "bench") as { spec: Record<string, unknown> };
  return { ...manifest, spec: { ...manifest.spec, replicas } };
}

async function seed(target: Target): Promise<void> {
  await ok(target, { method: "POST", path: "/api/v1/namespaces", body: { metadata: { name: "bench" } } });
  await measure("seed", 1000, 16, (index) =>
    ok(target, {
      method: "POST",
      path: "/api/v1/namespaces/bench/configmaps",
      body: {
        metadata: { name: `cm-${String(index).padStart(4, "0")}`, labels: { bench: "yes" } },
        data: { index: String(index) },
      },
    }),
  );
}

async function watchFanOut(target: Target, watchers: number, updates: number): Promise<Measured> {
  const list = JSON.parse(
    await ok(target, { method: "GET", path: "/api/v1/namespaces/bench/configmaps?limit=1" }),
  ) as {
    metadata: { resourceVersion: string };
  };
  let received = 0;
  const expected = watchers * updates;
  let done: () => void = () => undefined;
  const finished = new Promise<void>((resolve) => (done = resolve));
  const requests = Array.from({ length: watchers }, () => {
    const req = request(
      `${target.url}/api/v1/namespaces/bench/configmaps?watch=true&resourceVersion=${list.metadata.resourceVersion}`,
      {
        agent: new Agent({ ca: target.agent.options.ca }),
        headers: { authorization: `Bearer ${target.token}` },
      },
      (response) => {
        response.setEncoding("utf8");
        response.on("data", (chunk: string) => {
          received += chunk.split("\n").filter((line) => line.startsWith("{")).length;
          if (received >= expected) done();
        });
      },
    );
    req.end();
    return req;
  });
  await new Promise((resolve) => setTimeout(resolve, 300));
  const started = performance.now();
  await measure("updates", updates, 4, (index) =>
    ok(target, {
      method: "PATCH",
      path: `/api/v1/namespaces/bench/configmaps/cm-${String(index % 1000).padStart(4, "0")}`,
      body: { data: { touched: String(index) } },
      contentType: "application/merge-patch+json",
    }),
  );
  await finished;
  const seconds = (performance.now() - started) / 1000;
  for (const req of requests) req.destroy();
  return { name: `watch fan-out (${watchers} watchers)`, count: expected, seconds, latencies: [] };
}

export async function benchSandbox(): Promise<void> {
  const { target, child } = await startServer();
  try {
    await seed(target);
    report(
      await measure("GET configmap", 5000, 16, (index) =>
        ok(target, {
          method: "GET",
          path: `/api/v1/namespaces/bench/configmaps/cm-${String(index % 1000).padStart(4, "0")}`,
        }),
      ),
      "GET",
    );
    report(
      await measure("LIST 1,000 configmaps", 100, 4, () =>
        ok(target, { method: "GET", path: "/api/v1/namespaces/bench/configmaps" }),
      ),
      "list",
    );
    report(
      await measure("server-side apply (create)", 500, 16, (index) =>
        ok(target, {
          method: "PATCH",
          path: `/apis/apps/v1/namespaces/bench/deployments/web-${index}?fieldManager=bench`,
          body: deployment(`web-${index}`, 1),
          contentType: "application/apply-patch+yaml",
        }),
      ),
      "apply",
    );
    report(
      await measure("server-side apply (change)", 1000, 16, (index) =>
        ok(target, {
          method: "PATCH",
          path: `/apis/apps/v1/namespaces/bench/deployments/web-${index % 500}?fieldManager=bench`,
          body: deployment(`web-${index % 500}`, 2 + (index % 3)),
          contentType: "application/apply-patch+yaml",
        }),
      ),
      "apply",
    );
    const fanOut = await watchFanOut(target, 50, 200);
    console.log(
      `${fanOut.name.padEnd(34)} ${(fanOut.count / fanOut.seconds).toFixed(0).padStart(7)} events/s delivered (${fanOut.count} in ${fanOut.seconds.toFixed(2)} s)`,
    );
  } finally {
    target.agent.destroy();
    child.kill("SIGTERM");
  }
}
