/** A webhook receiver on 127.0.0.1 for the notification tests: records every request it gets. */
import { createServer } from "node:http";
import type { AddressInfo } from "node:net";

export interface Received {
  readonly path: string;
  readonly body: string;
  readonly status: number;
}

/** The webhooks: records every request; /hook answers with `failures` first, then 200. */
export async function webhookServer(): Promise<{
  readonly port: number;
  readonly received: Received[];
  readonly failures: number[];
  readonly close: () => Promise<void>;
}> {
  const received: Received[] = [];
  const failures: number[] = [];
  const server = createServer((request, response) => {
    let body = "";
    request.on("data", (chunk: Buffer) => (body += chunk.toString()));
    request.on("end", () => {
      const path = request.url ?? "";
      const status = path === "/hook" ? (failures.shift() ?? 200) : 200;
      received.push({ path, body, status });
      response.writeHead(status, { "content-type": "text/plain" }).end(status === 200 ? "ok" : "busy");
    });
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as AddressInfo;
  return {
    port,
    received,
    failures,
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}
