import type { MemoryObjectStore } from "../store/memory-store.js";
import type { ResourceRegistry } from "../registry/registry.js";
import type { Machinery } from "./machinery.js";
import type { UserInfo } from "../auth/user.js";
import type { SandboxAuth } from "../auth/index.js";

/** Everything a request handler may use; built once per sandbox. Time and identifiers are injectable. */
export interface ServerContext {
  readonly store: MemoryObjectStore;
  readonly registry: ResourceRegistry;
  readonly machinery: Machinery;
  /** Who requests are (authentication) and what they may do (authorization). */
  readonly auth: SandboxAuth;
  readonly now: () => Date;
  readonly newUid: () => string;
  /** Five characters for generateName, from kube's alphabet without vowels. */
  readonly randomSuffix: () => string;
  /** The address clients reach the server at (for /api's serverAddressByClientCIDRs). */
  readonly serverAddress: () => string;
}

/**
 * What a request carries through the handlers: response warnings (`Warning: 299 - "…"` headers)
 * gathered while it is handled, and who made it, as kube-apiserver keeps the user in the request
 * context for audit events and admission (`userInfo`).
 */
export interface RequestScope {
  readonly warnings: string[];
  readonly userAgent: string | undefined;
  /**
   * Whom the request acts as, as admission's `userInfo` names it: the authenticated user, or the one
   * it impersonates (`kubectl --as`); system:kube-controller-manager for the sandbox's controllers.
   */
  readonly user: UserInfo;
  /**
   * The authenticated user of an impersonating request: an audit event's `user`, whose
   * `impersonatedUser` is then `user`.
   */
  readonly impersonator?: UserInfo;
}
