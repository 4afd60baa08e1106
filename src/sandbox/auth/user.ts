/**
 * Who made a request, as kube-apiserver's authenticators hand it to the rest of the chain
 * (k8s.io/apiserver/pkg/authentication/user.Info, and the `userInfo` of audit events and
 * AdmissionReviews).
 */
export interface UserInfo {
  readonly username: string;
  /** "" when the authenticator knows none (a static token file line may omit it). */
  readonly uid: string;
  readonly groups: readonly string[];
  readonly extra?: Readonly<Record<string, readonly string[]>>;
}

export const SystemGroups = {
  /** Allowed everything, before and whatever RBAC says (the privileged-group authorizer). */
  masters: "system:masters",
  authenticated: "system:authenticated",
  unauthenticated: "system:unauthenticated",
  serviceAccounts: "system:serviceaccounts",
} as const;

/** The user of the sandbox's own kubeconfig: a cluster administrator, as kubeadm's admin.conf is. */
export const sandboxAdmin: UserInfo = {
  username: "kubedrift-sandbox-admin",
  uid: "",
  groups: [SystemGroups.masters, SystemGroups.authenticated],
};

/** Who kube-apiserver's own writes (the bootstrap policy) are made as: its loopback client. */
export const apiserverLoopback: UserInfo = {
  username: "system:apiserver",
  uid: "",
  groups: [SystemGroups.masters],
};

/** The clusterrole-aggregation controller's identity (kube-controller-manager's per-controller ServiceAccount). */
export const aggregationController: UserInfo = {
  username: "system:serviceaccount:kube-system:clusterrole-aggregation-controller",
  uid: "",
  groups: ["system:serviceaccounts", "system:serviceaccounts:kube-system", "system:authenticated"],
};

/** Who the sandbox's built-in controllers write as. */
export const controllerManager: UserInfo = {
  username: "system:kube-controller-manager",
  uid: "",
  groups: [SystemGroups.authenticated],
};

/** kube-apiserver adds system:authenticated to every authenticated user that lacks it. */
export function withAuthenticatedGroup(user: UserInfo): UserInfo {
  if (user.groups.includes(SystemGroups.authenticated)) return user;
  return { ...user, groups: [...user.groups, SystemGroups.authenticated] };
}

/** `system:serviceaccount:NS:NAME`, the user name of a ServiceAccount's tokens. */
export function serviceAccountUsername(namespace: string, name: string): string {
  return `system:serviceaccount:${namespace}:${name}`;
}

export function serviceAccountUser(namespace: string, name: string, uid: string): UserInfo {
  return {
    username: serviceAccountUsername(namespace, name),
    uid,
    groups: [
      SystemGroups.serviceAccounts,
      `${SystemGroups.serviceAccounts}:${namespace}`,
      SystemGroups.authenticated,
    ],
  };
}
