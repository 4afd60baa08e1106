import { textOf } from "../../kube/value/json.js";
import { metadataOf } from "../../kube/object.js";
import type { MemoryObjectStore } from "../store/memory-store.js";
import type { RequestAttributes } from "./attributes.js";
import { createAuthenticator, type Authenticator } from "./authenticator.js";
import { authorize, rulesFor, type Decision, type RbacSource, type UserRules } from "./rbac.js";
import type { UserInfo } from "./user.js";
import { ServiceAccountTokens } from "./serviceaccount-tokens.js";
import type { StaticTokens } from "./token-file.js";
import { checkRbacWrite, type RbacWrite } from "./rbac-writes.js";

export type { UserInfo } from "./user.js";
export type { RequestAttributes } from "./attributes.js";
export type { Decision } from "./rbac.js";
export type { RbacWrite } from "./rbac-writes.js";

/** Who a request is (authentication) and what it may do (authorization), for the request handlers. */
export interface SandboxAuth {
  readonly authenticate: Authenticator;
  readonly authorize: (request: RequestAttributes) => Decision;
  /** What RBAC grants a user in a namespace ("" for the cluster scope), for rules reviews. */
  readonly rulesFor: (user: UserInfo, namespace: string) => UserRules;
  readonly serviceAccountTokens: ServiceAccountTokens;
  /** Refuses a write of an RBAC object that would grant more than its writer holds (403). */
  readonly admitRbacWrite: (write: RbacWrite) => void;
}

export interface SandboxAuthOptions {
  readonly adminToken: string;
  readonly staticTokens: StaticTokens;
  /** The key service account tokens are signed with. */
  readonly serviceAccountKey: Buffer;
  readonly store: MemoryObjectStore;
  readonly now: () => Date;
}

const rbacGroup = "rbac.authorization.k8s.io";

function storeRbacSource(store: MemoryObjectStore): RbacSource {
  return {
    clusterRoleBindings: () => store.list({ group: rbacGroup, resource: "clusterrolebindings" }).items,
    roleBindings: (namespace) => store.list({ group: rbacGroup, resource: "rolebindings" }, namespace).items,
    clusterRole: (name) => store.get({ group: rbacGroup, resource: "clusterroles", namespace: "", name }),
    role: (namespace, name) => store.get({ group: rbacGroup, resource: "roles", namespace, name }),
  };
}

export function createSandboxAuth(options: SandboxAuthOptions): SandboxAuth {
  const { store } = options;
  const serviceAccountTokens = new ServiceAccountTokens(options.serviceAccountKey);
  const source = storeRbacSource(store);
  const auth: SandboxAuth = {
    authenticate: createAuthenticator({
      adminToken: options.adminToken,
      staticTokens: options.staticTokens,
      serviceAccountTokens,
      serviceAccount: (namespace, name) => {
        const account = store.get({ group: "", resource: "serviceaccounts", namespace, name });
        return account === undefined ? undefined : { uid: textOf(metadataOf(account)["uid"]) };
      },
      now: options.now,
    }),
    authorize: (request) => authorize(source, request),
    rulesFor: (user, namespace) => rulesFor(source, user, namespace),
    serviceAccountTokens,
    admitRbacWrite: (write) =>
      checkRbacWrite(auth, write, (kind, namespace, name) =>
        kind === "Role" ? source.role(namespace, name) : source.clusterRole(name),
      ),
  };
  return auth;
}
