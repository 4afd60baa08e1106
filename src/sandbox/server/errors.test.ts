import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import { createSandboxCore, type SandboxCore } from "../sandbox.js";
import { internalErrorMessage } from "./app.js";
import type { ApiResponse } from "./response.js";

// Issue 9, item 4: a body the sandbox cannot decode is the client's fault (400), the sandbox's own
// bug is a 500 with a generic message, never a 400, and its details go to stderr only.

const token = "test-token";
let core: SandboxCore;

beforeEach(() => {
  core = createSandboxCore({
    token,
    rootCA: "CA",
    now: () => new Date("2026-11-22T12:00:00Z"),
    random: () => 0,
  });
});

afterEach(() => {
  core.close();
  vi.restoreAllMocks();
});

function status(response: ApiResponse): { readonly code: number; readonly body: unknown } {
  if (response.kind !== "json") throw new Error(`expected a JSON response, got ${response.kind}`);
  return { code: response.status, body: response.body };
}

function postProtobuf(body: Buffer): ApiResponse {
  return core.app.handle({
    method: "POST",
    url: "/api/v1/namespaces/default/configmaps",
    headers: { authorization: `Bearer ${token}`, "content-type": "application/vnd.kubernetes.protobuf" },
    body,
  });
}

describe("errors as Status objects", () => {
  it("answers 400 BadRequest for a protobuf body that cannot be decoded", () => {
    // The k8s\0 prefix, then field 1 (typeMeta, length-delimited) whose length varint is cut off
    // (offsets count from the end of the prefix).
    const truncated = Buffer.from([0x6b, 0x38, 0x73, 0x00, 0x0a, 0xff]);
    expect(status(postProtobuf(truncated))).toEqual({
      code: 400,
      body: {
        kind: "Status",
        apiVersion: "v1",
        metadata: {},
        status: "Failure",
        message: "protobuf: truncated varint at byte 2",
        reason: "BadRequest",
        code: 400,
      },
    });
    expect(status(postProtobuf(Buffer.from("{}"))).code).toBe(400);
  });

  it("answers 500 InternalError with a generic message for the sandbox's own bug, logging it to stderr", () => {
    const written: string[] = [];
    vi.spyOn(process.stderr, "write").mockImplementation((chunk: string | Uint8Array) => {
      written.push(String(chunk));
      return true;
    });
    // A deliberately broken store: any Error that is not an ApiError is a bug of the sandbox.
    Object.assign(core.context.store, {
      list: () => {
        throw new TypeError("store exploded: secret detail");
      },
    });
    const response = core.app.handle({
      method: "GET",
      url: "/api/v1/namespaces/default/configmaps",
      headers: { authorization: `Bearer ${token}` },
    });
    expect(status(response)).toEqual({
      code: 500,
      body: {
        kind: "Status",
        apiVersion: "v1",
        metadata: {},
        status: "Failure",
        message: internalErrorMessage,
        reason: "InternalError",
        code: 500,
      },
    });
    expect(written.join("")).toContain("sandbox: internal error: TypeError: store exploded: secret detail");
  });
});
