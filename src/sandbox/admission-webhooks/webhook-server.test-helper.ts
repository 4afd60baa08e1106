import { createServer, type Server } from "node:https";
import type { AddressInfo } from "node:net";
import { createServingCertificate } from "../tls.js";

/** What the test's webhook answers to a review: allowed, or a Status that refuses it. */
export type Answer =
  | { readonly allowed: true; readonly warnings?: readonly string[] }
  | { readonly allowed: false; readonly status: Readonly<Record<string, unknown>> }
  /** Never answers (until the server closes): for timeouts. */
  | { readonly hang: true };

export interface RecordedReview {
  readonly path: string;
  // Reviews are JSON of any shape; tests read the fields they know to be there.
  // eslint-disable-next-line @typescript-eslint/no-explicit-any
  readonly review: any;
}

export interface TestWebhookServer {
  /** `https://127.0.0.1:PORT` */
  readonly url: string;
  /** The serving certificate, base64: a webhook's `clientConfig.caBundle`. */
  readonly caBundle: string;
  readonly reviews: RecordedReview[];
  /** The answer for a path (default: allowed). */
  readonly answers: Map<string, Answer>;
  close(): Promise<void>;
}

/** An HTTPS admission webhook with a fresh self-signed certificate: records every review. */
export async function startWebhookServer(): Promise<TestWebhookServer> {
  const certificate = await createServingCertificate(["127.0.0.1"], new Date());
  const reviews: RecordedReview[] = [];
  const answers = new Map<string, Answer>();
  const server: Server = createServer(
    { cert: certificate.certificatePem, key: certificate.keyPem },
    (request, response) => {
      let body = "";
      request.on("data", (chunk: Buffer) => (body += chunk.toString()));
      request.on("end", () => {
        const path = new URL(request.url ?? "/", "https://webhook").pathname;
        const review = JSON.parse(body) as { request: { uid: string } };
        reviews.push({ path, review });
        const answer = answers.get(path) ?? { allowed: true };
        if ("hang" in answer) return;
        response.writeHead(200, { "content-type": "application/json" }).end(
          JSON.stringify({
            apiVersion: "admission.k8s.io/v1",
            kind: "AdmissionReview",
            response: { uid: review.request.uid, ...answer },
          }),
        );
      });
    },
  );
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `https://127.0.0.1:${port}`,
    caBundle: Buffer.from(certificate.certificatePem).toString("base64"),
    reviews,
    answers,
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}

/** A port nothing listens on (a server's, just closed): calls to it are refused. */
export async function deadPort(): Promise<number> {
  const { createServer: createPlain } = await import("node:net");
  const server = createPlain();
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as AddressInfo;
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}
