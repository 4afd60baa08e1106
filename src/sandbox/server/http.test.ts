import { request as httpsRequest } from "node:https";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { answered } from "../https-client.test-helper.js";
import { startSandbox, type RunningSandbox } from "../sandbox.js";

let sandbox: RunningSandbox;

beforeAll(async () => {
  sandbox = await startSandbox();
});

afterAll(async () => {
  await sandbox.stop();
});

const configMaps = "/api/v1/namespaces/default/configmaps";
const megabyte = 1024 * 1024;

interface Streamed {
  readonly status: number;
  // eslint-disable-next-line @typescript-eslint/no-explicit-any
  readonly body: any;
  readonly connection: string | undefined;
  /** Body bytes handed to the socket before the answer came (the rest was never sent). */
  readonly sent: number;
}

/**
 * POSTs a `total`-byte body one megabyte at a time, waiting for the socket to drain between chunks,
 * and stops sending as soon as an answer arrives: a server that reads the whole body first only
 * answers after all of it was sent.
 */
function streamBody(total: number, options: { authorize: boolean; chunked?: boolean }): Promise<Streamed> {
  return new Promise((resolve, reject) => {
    let sent = 0;
    let answered = false;
    const request = httpsRequest(
      new URL(configMaps, sandbox.url),
      {
        method: "POST",
        ca: sandbox.certificateAuthority,
        agent: false,
        headers: {
          // Asks to keep the connection, so that the server's "close" is its own decision.
          connection: "keep-alive",
          "content-type": "application/json",
          ...(options.chunked === true ? {} : { "content-length": String(total) }),
          ...(options.authorize ? { authorization: `Bearer ${sandbox.token}` } : {}),
        },
      },
      (response) => {
        answered = true;
        const chunks: Buffer[] = [];
        response.on("data", (chunk: Buffer) => chunks.push(chunk));
        response.on("end", () =>
          resolve({
            status: response.statusCode ?? 0,
            body: JSON.parse(Buffer.concat(chunks).toString("utf8")) as unknown,
            connection: response.headers.connection,
            sent,
          }),
        );
      },
    );
    // Writes after the server closed its side fail; the answer already says what happened.
    request.on("error", (error) => {
      if (!answered) reject(error);
    });
    const chunk = Buffer.alloc(megabyte, "x");
    const pump = (): void => {
      while (!answered && sent < total) {
        sent += chunk.length;
        if (!request.write(chunk)) {
          request.once("drain", pump);
          return;
        }
      }
      if (!answered) request.end();
    };
    pump();
  });
}

// Rule (issue 10): credentials are checked before a body is read, and no body is read beyond
// kube-apiserver's 3 MiB limit, so that a large request cannot exhaust the sandbox's memory.
describe("request bodies", () => {
  it("answers an unauthenticated 100 MB request with 401 without reading its body, then closes", async () => {
    const outcome = await streamBody(100 * megabyte, { authorize: false });
    expect(outcome.status).toBe(401);
    expect(outcome.body).toEqual({
      kind: "Status",
      apiVersion: "v1",
      metadata: {},
      status: "Failure",
      message: "Unauthorized",
      reason: "Unauthorized",
      code: 401,
    });
    expect(outcome.connection).toBe("close");
    // What the socket buffers hold at most, far from the 100 MB.
    expect(outcome.sent).toBeLessThan(32 * megabyte);
  });

  it("stops reading an authenticated body beyond 3 MiB and answers 413 with kube-apiserver's Status", async () => {
    for (const chunked of [false, true]) {
      const outcome = await streamBody(100 * megabyte, { authorize: true, chunked });
      expect(outcome.status).toBe(413);
      expect(outcome.body).toEqual({
        kind: "Status",
        apiVersion: "v1",
        metadata: {},
        status: "Failure",
        message: "Request entity too large: limit is 3145728",
        reason: "RequestEntityTooLarge",
        code: 413,
      });
      expect(outcome.connection).toBe("close");
      expect(outcome.sent).toBeLessThan(32 * megabyte);
    }
  });

  it("reads a body of exactly 3 MiB, and refuses one byte more", async () => {
    const limit = 3 * megabyte;
    const atLimit = await answered(sandbox, configMaps, {
      method: "POST",
      raw: " ".repeat(limit - 2) + "[]",
    });
    expect(atLimit.status).toBe(400);
    const beyond = await answered(sandbox, configMaps, { method: "POST", raw: " ".repeat(limit - 1) + "[]" });
    expect([beyond.status, beyond.body.reason]).toEqual([413, "RequestEntityTooLarge"]);
    // The sandbox still serves after refusing bodies.
    expect((await answered(sandbox, configMaps)).status).toBe(200);
  });
});
