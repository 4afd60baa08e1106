/**
 * The endpoints on a real socket, where what a client sends can go wrong: a body over the limit,
 * and a client that stalls mid-body. Each gets an answer and the server keeps serving.
 */
import { connect } from "node:net";
import { afterEach, describe, expect, it } from "vitest";
import { createWatchMetrics } from "./metrics.js";
import { maxBodyBytes, serve, type RunningEndpoints } from "./http.js";

let running: RunningEndpoints | undefined;
afterEach(async () => {
  await running?.close();
  running = undefined;
});

const reviewed: string[] = [];

async function start(requestTimeoutMs?: number): Promise<URL> {
  running = await serve(
    {
      registry: createWatchMetrics(() => ({
        ready: true,
        statuses: new Map(),
        counts: { InSync: 0, Drifted: 0, Missing: 0, Extra: 0, Error: 0 },
        episodesOpened: 0,
        watchRestarts: 0,
      })).registry,
      ready: () => true,
      validate: (body) => {
        reviewed.push(body);
        return { apiVersion: "admission.k8s.io/v1", kind: "AdmissionReview", response: { allowed: true } };
      },
    },
    { host: "127.0.0.1", port: 0, ...(requestTimeoutMs === undefined ? {} : { requestTimeoutMs }) },
  );
  return new URL(running.url);
}

/** What the server sends back on a raw connection given `head` then `body` (the socket's whole answer). */
function raw(url: URL, head: string, body: Buffer | string): Promise<string> {
  return new Promise((resolve, reject) => {
    const socket = connect(Number(url.port), url.hostname);
    const chunks: Buffer[] = [];
    socket.on("data", (chunk: Buffer) => chunks.push(chunk));
    socket.on("close", () => resolve(Buffer.concat(chunks).toString("latin1")));
    socket.on("error", (error: NodeJS.ErrnoException) =>
      // The server may close while the rest of an oversized body is still being written.
      error.code === "ECONNRESET" || error.code === "EPIPE"
        ? resolve(Buffer.concat(chunks).toString("latin1"))
        : reject(error),
    );
    socket.write(head);
    socket.write(body);
  });
}

describe("serve", () => {
  it("answers a body over the limit with 413 without reading it all, and goes on serving", async () => {
    const url = await start();
    const size = maxBodyBytes + 1024 * 1024;
    const answer = await raw(
      url,
      `POST /validate HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: ${size}\r\n\r\n`,
      Buffer.alloc(size, 0x20),
    );
    expect(answer).toMatch(/^HTTP\/1\.1 413 /);
    // Without a Content-Length the limit is met while reading.
    const chunked = await raw(
      url,
      "POST /validate HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nTransfer-Encoding: chunked\r\n\r\n",
      Buffer.concat([
        Buffer.from(`${size.toString(16)}\r\n`),
        Buffer.alloc(size, 0x20),
        Buffer.from("\r\n0\r\n\r\n"),
      ]),
    );
    expect(chunked).toMatch(/^HTTP\/1\.1 413 /);
    expect(reviewed).toEqual([]);
    expect((await fetch(new URL("/healthz", url))).status).toBe(200);
  });

  it("answers a client that stalls mid-body with 408 and closes, and goes on serving", async () => {
    const url = await start(300);
    const answer = await raw(
      url,
      "POST /validate HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: 1000\r\n\r\n",
      '{"apiVersion":',
    );
    expect(answer).toMatch(/^HTTP\/1\.1 408 /);
    expect(reviewed).toEqual([]);
    const review = await fetch(new URL("/validate", url), { method: "POST", body: "{}" });
    expect(review.status).toBe(200);
  });
});
