import { request as httpsRequest } from "node:https";
import type { JsonObject } from "../../kube/value/json.js";
import { isJsonObject } from "../../kube/value/json.js";

/** Where a webhook is reached: its URL and the CA bundle it is trusted with. */
export interface WebhookEndpoint {
  readonly url: string;
  /** PEM; undefined trusts the system's roots. */
  readonly caBundle?: string;
  readonly timeoutSeconds: number;
}

/**
 * kube-apiserver adds the webhook's timeout to the URL (`?timeout=10s`), so that the webhook can
 * give up in time too.
 */
export function callUrl(endpoint: WebhookEndpoint): URL {
  const url = new URL(endpoint.url);
  url.searchParams.set("timeout", `${endpoint.timeoutSeconds}s`);
  return url;
}

function parseAnswer(status: number, text: string): JsonObject {
  if (status < 200 || status >= 300) throw new Error(`the server responded with HTTP ${status}`);
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch {
    throw new Error("the response is not JSON");
  }
  if (!isJsonObject(parsed)) throw new Error("the response is not an object");
  return parsed;
}

/** POSTs an AdmissionReview over HTTPS; resolves with the answer's body, rejects with why it has none. */
export function postReview(endpoint: WebhookEndpoint, review: JsonObject): Promise<JsonObject> {
  const url = callUrl(endpoint);
  const body = Buffer.from(JSON.stringify(review));
  return new Promise((resolve, reject) => {
    const request = httpsRequest(
      url,
      {
        method: "POST",
        headers: {
          "content-type": "application/json",
          accept: "application/json, */*",
          "content-length": String(body.length),
        },
        ...(endpoint.caBundle === undefined ? {} : { ca: endpoint.caBundle }),
      },
      (response) => {
        let text = "";
        response.on("data", (chunk: Buffer) => (text += chunk.toString()));
        response.on("end", () => {
          try {
            resolve(parseAnswer(response.statusCode ?? 0, text));
          } catch (error: unknown) {
            reject(error instanceof Error ? error : new Error(String(error)));
          }
        });
        response.on("error", reject);
      },
    );
    // The whole call, not only idle time, is bounded; Go's client says "context deadline exceeded".
    const deadline = setTimeout(
      () => request.destroy(new Error("context deadline exceeded")),
      endpoint.timeoutSeconds * 1000,
    );
    request.on("close", () => clearTimeout(deadline));
    request.on("error", (error) => reject(new Error(`Post "${url.href}": ${error.message}`)));
    request.end(body);
  });
}
