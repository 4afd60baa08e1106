import type { JsonValue } from "../../kube/value/json.js";

/** Where a streamed response goes: the HTTP adapter in production, an array in tests. */
export interface StreamSink {
  write(chunk: string): void;
  end(): void;
}

/** A handler's answer, independent of sockets so that handlers are testable with plain calls. */
export type ApiResponse =
  | {
      readonly kind: "json";
      readonly status: number;
      readonly body: JsonValue;
      readonly headers?: Readonly<Record<string, string | readonly string[]>>;
    }
  | {
      readonly kind: "bytes";
      readonly status: number;
      readonly contentType: string;
      readonly body: Buffer;
    }
  | {
      readonly kind: "stream";
      readonly status: number;
      readonly contentType: string;
      /** Starts streaming into the sink; returns a function that stops it (client went away). */
      readonly start: (sink: StreamSink) => () => void;
    };

export function json(
  status: number,
  body: JsonValue,
  headers?: Readonly<Record<string, string | readonly string[]>>,
): ApiResponse {
  return headers === undefined ? { kind: "json", status, body } : { kind: "json", status, body, headers };
}
