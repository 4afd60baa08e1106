import { request as httpsRequest } from "node:https";
import type { RunningSandbox } from "./sandbox.js";

/** What a request to the sandbox came back with: an answer, or the socket error when there was none. */
export type Outcome =
  | {
      readonly kind: "answer";
      readonly status: number;
      // Responses are JSON of any shape; tests read the fields they know to be there.
      // eslint-disable-next-line @typescript-eslint/no-explicit-any
      readonly body: any;
      readonly headers: Readonly<Record<string, string | readonly string[] | undefined>>;
    }
  | { readonly kind: "error"; readonly code: string; readonly message: string };

export interface Call {
  readonly method?: string;
  readonly body?: unknown;
  /** Sent as is instead of `body` (for bodies that are not JSON, or too large to build twice). */
  readonly raw?: Buffer | string;
  readonly contentType?: string;
  readonly headers?: Readonly<Record<string, string>>;
  /** false: no Authorization header. */
  readonly authorize?: boolean;
}

type Target = Pick<RunningSandbox, "url" | "token" | "certificateAuthority">;

function parsed(text: string): unknown {
  try {
    return JSON.parse(text) as unknown;
  } catch {
    return text;
  }
}

function payloadOf(call: Call): Buffer | undefined {
  if (call.raw !== undefined) return Buffer.from(call.raw);
  return call.body === undefined ? undefined : Buffer.from(JSON.stringify(call.body));
}

function headersOf(sandbox: Target, call: Call, payload: Buffer | undefined): Record<string, string> {
  return {
    ...(call.authorize === false ? {} : { authorization: `Bearer ${sandbox.token}` }),
    ...(payload === undefined
      ? {}
      : { "content-type": call.contentType ?? "application/json", "content-length": String(payload.length) }),
    ...call.headers,
  };
}

/** One HTTPS request over a fresh connection (no keep-alive, so a destroyed socket affects this call only). */
export function call(sandbox: Target, path: string, options: Call = {}): Promise<Outcome> {
  const payload = payloadOf(options);
  return new Promise((resolve) => {
    const request = httpsRequest(
      new URL(path, sandbox.url),
      {
        method: options.method ?? "GET",
        ca: sandbox.certificateAuthority,
        agent: false,
        headers: headersOf(sandbox, options, payload),
      },
      (response) => {
        const chunks: Buffer[] = [];
        response.on("data", (chunk: Buffer) => chunks.push(chunk));
        response.on("end", () =>
          resolve({
            kind: "answer",
            status: response.statusCode ?? 0,
            body: parsed(Buffer.concat(chunks).toString("utf8")),
            headers: response.headers,
          }),
        );
        response.on("error", (error: NodeJS.ErrnoException) =>
          resolve({ kind: "error", code: error.code ?? "", message: error.message }),
        );
      },
    );
    request.on("error", (error: NodeJS.ErrnoException) =>
      resolve({ kind: "error", code: error.code ?? "", message: error.message }),
    );
    request.end(payload);
  });
}

/** The answer of a call that must have one. */
export async function answered(
  sandbox: Target,
  path: string,
  options: Call = {},
): Promise<Extract<Outcome, { kind: "answer" }>> {
  const outcome = await call(sandbox, path, options);
  if (outcome.kind !== "answer") throw new Error(`${path}: no answer (${outcome.code}: ${outcome.message})`);
  return outcome;
}
