import { isIP } from "node:net";

function isLoopback(host: string): boolean {
  if (host === "localhost" || host === "::1") return true;
  const ipv4 = host.startsWith("::ffff:") ? host.slice("::ffff:".length) : host;
  if (isIP(ipv4) === 4) return ipv4.startsWith("127.");
  return isIP(host) === 6 && /^(0{0,4}:){7}0{0,3}1$/.test(host);
}

/**
 * The warning for a listen address other machines can reach (0.0.0.0, ::, a LAN address): the
 * sandbox is a development tool whose one token is a cluster-admin credential.
 */
export function exposureWarning(host: string): string | undefined {
  if (isLoopback(host)) return undefined;
  return `warning: --host ${host} is not a loopback address: the sandbox's API is reachable from other machines, and its token gives full access`;
}
