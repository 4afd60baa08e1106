import type { StaticTokens } from "./token-file.js";
import {
  authenticateServiceAccount,
  type ServiceAccountLookup,
  type ServiceAccountTokens,
} from "./serviceaccount-tokens.js";
import { sandboxAdmin, withAuthenticatedGroup, type UserInfo } from "./user.js";

export interface AuthenticatorOptions {
  /** The token of the sandbox's own kubeconfig: its user is in system:masters. */
  readonly adminToken: string;
  readonly staticTokens: StaticTokens;
  readonly serviceAccountTokens: ServiceAccountTokens;
  readonly serviceAccount: ServiceAccountLookup;
  readonly now: () => Date;
}

/** The user of a request's `Authorization` header; undefined answers 401. */
export type Authenticator = (authorization: string | undefined) => UserInfo | undefined;

/**
 * The bearer token as kube-apiserver's bearertoken authenticator reads it: the header trimmed and
 * split on spaces, the scheme compared case-insensitively (`bearer` works), the second word the token.
 */
export function bearerToken(header: string | undefined): string | undefined {
  const parts = (header ?? "").trim().split(" ");
  if (parts.length < 2 || parts[0]?.toLowerCase() !== "bearer") return undefined;
  return parts[1] === "" ? undefined : parts[1];
}

/** kube-apiserver's union of token authenticators: the static file, then service account tokens. */
export function createAuthenticator(options: AuthenticatorOptions): Authenticator {
  return (authorization) => {
    const token = bearerToken(authorization);
    if (token === undefined) return undefined;
    if (token === options.adminToken) return sandboxAdmin;
    const listed = options.staticTokens.get(token);
    if (listed !== undefined) return withAuthenticatedGroup(listed);
    return authenticateServiceAccount(
      options.serviceAccountTokens,
      token,
      options.serviceAccount,
      options.now(),
    );
  };
}
