import { statusSummary } from "./errors.js";
import type { ConnectOptions } from "./kube-cluster.js";
import { connectTransport } from "./kube-cluster.js";
import { ClusterError } from "./types.js";
import type { JsonObject } from "../kube/value/json.js";
import { isJsonObject } from "../kube/value/json.js";

/** What `GET /version` says (`gitVersion: v1.32.0`, `platform`, …), and of which context. */
export interface ServerVersion {
  readonly contextName: string;
  readonly server: string;
  readonly info: JsonObject;
}

/**
 * The server version of the selected context, as `kubectl version` asks it: `GET /version`, which
 * every API server serves (anonymously too). Fails with a one-line ClusterError naming the server.
 */
export async function serverVersion(options: ConnectOptions = {}): Promise<ServerVersion> {
  const { resolved, transport } = connectTransport(options);
  const answer = await transport.get("/version");
  if (answer.kind === "status") {
    throw new ClusterError(`GET ${resolved.server}/version failed: ${statusSummary(answer.status)}`);
  }
  if (!isJsonObject(answer.body)) {
    throw new ClusterError(`${resolved.server}/version answered with something that is not a version object`);
  }
  return { contextName: resolved.contextName, server: resolved.server, info: answer.body };
}
