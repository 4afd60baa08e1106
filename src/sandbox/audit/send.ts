import { request as httpRequest } from "node:http";
import { request as httpsRequest, type RequestOptions } from "node:https";
import type { JsonObject } from "../../kube/value/json.js";
import type { WebhookTarget } from "./webhook-config.js";

/** kube-apiserver gives an audit webhook call this long. */
const sendTimeoutMs = 30_000;

function tlsOptions(target: WebhookTarget): RequestOptions {
  return {
    ...(target.certificateAuthority === undefined ? {} : { ca: target.certificateAuthority }),
    ...(target.clientCertificate === undefined ? {} : { cert: target.clientCertificate }),
    ...(target.clientKey === undefined ? {} : { key: target.clientKey }),
    rejectUnauthorized: !target.insecureSkipTlsVerify,
  };
}

/** The EventList kube-apiserver's webhook backend POSTs. */
export function eventList(events: readonly JsonObject[]): JsonObject {
  return { kind: "EventList", apiVersion: "audit.k8s.io/v1", metadata: {}, items: [...events] };
}

/**
 * POSTs one EventList; resolves on a 2xx answer, rejects otherwise. The error names the server
 * and the status or socket error, never the token.
 */
export function sendEvents(target: WebhookTarget, events: readonly JsonObject[]): Promise<void> {
  const url = new URL(target.server);
  const body = Buffer.from(JSON.stringify(eventList(events)));
  const secure = url.protocol === "https:";
  const token = target.token?.();
  return new Promise((resolve, reject) => {
    const options: RequestOptions = {
      method: "POST",
      headers: {
        "content-type": "application/json",
        accept: "application/json",
        "content-length": String(body.length),
        ...(token === undefined ? {} : { authorization: `Bearer ${token}` }),
      },
      timeout: sendTimeoutMs,
      ...(secure ? tlsOptions(target) : {}),
    };
    const request = (secure ? httpsRequest : httpRequest)(url, options, (response) => {
      response.resume();
      const status = response.statusCode ?? 0;
      response.on("end", () => {
        if (status >= 200 && status < 300) resolve();
        else reject(new Error(`POST ${target.server}: the server answered ${status}`));
      });
    });
    request.on("timeout", () => request.destroy(new Error("timed out")));
    request.on("error", (error) => reject(new Error(`POST ${target.server}: ${error.message}`)));
    request.end(body);
  });
}
