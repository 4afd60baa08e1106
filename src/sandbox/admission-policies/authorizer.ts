import type { RequestAttributes } from "../auth/attributes.js";
import type { UserInfo } from "../auth/user.js";
import { SystemGroups } from "../auth/user.js";

/**
 * Kubernetes' CEL authorizer library (k8s.io/apiserver/pkg/cel/library/authz.go), for policies
 * that ask what the requester — or a service account — may do:
 * `authorizer.group('apps').resource('deployments').namespace('ns').check('update').allowed()`,
 * `authorizer.path('/healthz').check('get')`, `authorizer.serviceAccount(ns, name)` and
 * `authorizer.requestResource`, the request's own resource. Not done: fieldSelector and
 * labelSelector on a ResourceCheck.
 */

type Authorize = (attributes: RequestAttributes) => { readonly allowed: boolean; readonly reason: string };

interface Target {
  readonly group: string;
  readonly resource: string;
  readonly subresource: string;
  readonly namespace: string;
  readonly name: string;
}

export class AuthorizerDecision {
  constructor(
    readonly isAllowed: boolean,
    readonly why: string,
  ) {}
}

export class PathCheck {
  constructor(
    readonly authorize: Authorize,
    readonly user: UserInfo,
    readonly path: string,
  ) {}
}

export class ResourceCheck {
  constructor(
    readonly authorize: Authorize,
    readonly user: UserInfo,
    readonly target: Target,
  ) {}

  with(change: Partial<Target>): ResourceCheck {
    return new ResourceCheck(this.authorize, this.user, { ...this.target, ...change });
  }
}

export class GroupCheck {
  constructor(
    readonly authorize: Authorize,
    readonly user: UserInfo,
    readonly group: string,
  ) {}
}

export class Authorizer {
  constructor(
    readonly authorize: Authorize,
    readonly user: UserInfo,
    readonly requestResource: ResourceCheck,
  ) {}
}

/** The authorizer of a request's user, and its requestResource. */
export function authorizerFor(authorize: Authorize, user: UserInfo, request: Target): Authorizer {
  return new Authorizer(authorize, user, new ResourceCheck(authorize, user, request));
}

/** A service account's user, as the ServiceAccount token authenticator names it. */
function serviceAccountUser(namespace: string, name: string): UserInfo {
  return {
    username: `system:serviceaccount:${namespace}:${name}`,
    uid: "",
    groups: [SystemGroups.serviceAccounts, `system:serviceaccounts:${namespace}`, SystemGroups.authenticated],
  };
}

function decide(authorize: Authorize, attributes: RequestAttributes): AuthorizerDecision {
  const decision = authorize(attributes);
  return new AuthorizerDecision(decision.allowed, decision.reason);
}

const types = {
  authorizer: "kubernetes.authorization.Authorizer",
  path: "kubernetes.authorization.PathCheck",
  group: "kubernetes.authorization.GroupCheck",
  resource: "kubernetes.authorization.ResourceCheck",
  decision: "kubernetes.authorization.Decision",
} as const;

interface Method {
  readonly name: string;
  readonly receiverType: string;
  readonly returnType: string;
  readonly params: readonly { readonly name: string; readonly type: string }[];
  readonly handler: (...given: never[]) => unknown;
}

const text = (name: string): { readonly name: string; readonly type: string } => ({ name, type: "string" });

const resourceSetter = (name: "subresource" | "namespace" | "name"): Method => ({
  name,
  receiverType: types.resource,
  returnType: types.resource,
  params: [text(name)],
  handler: (check: ResourceCheck, value: string) => check.with({ [name]: value }),
});

/** The library's functions, in cel-js's receiver-method form. */
export const authorizerMethods: readonly Method[] = [
  {
    name: "path",
    receiverType: types.authorizer,
    returnType: types.path,
    params: [text("path")],
    handler: (authorizer: Authorizer, path: string) =>
      new PathCheck(authorizer.authorize, authorizer.user, path),
  },
  {
    name: "group",
    receiverType: types.authorizer,
    returnType: types.group,
    params: [text("group")],
    handler: (authorizer: Authorizer, group: string) =>
      new GroupCheck(authorizer.authorize, authorizer.user, group),
  },
  {
    name: "serviceAccount",
    receiverType: types.authorizer,
    returnType: types.authorizer,
    params: [text("namespace"), text("name")],
    handler: (authorizer: Authorizer, namespace: string, name: string) => {
      const user = serviceAccountUser(namespace, name);
      return new Authorizer(
        authorizer.authorize,
        user,
        new ResourceCheck(authorizer.authorize, user, authorizer.requestResource.target),
      );
    },
  },
  {
    name: "resource",
    receiverType: types.group,
    returnType: types.resource,
    params: [text("resource")],
    handler: (check: GroupCheck, resource: string) =>
      new ResourceCheck(check.authorize, check.user, {
        group: check.group,
        resource,
        subresource: "",
        namespace: "",
        name: "",
      }),
  },
  resourceSetter("subresource"),
  resourceSetter("namespace"),
  resourceSetter("name"),
  {
    name: "check",
    receiverType: types.resource,
    returnType: types.decision,
    params: [text("verb")],
    handler: (check: ResourceCheck, verb: string) =>
      decide(check.authorize, {
        kind: "resource",
        user: check.user,
        verb,
        apiGroup: check.target.group,
        apiVersion: "*",
        namespace: check.target.namespace,
        resource: check.target.resource,
        subresource: check.target.subresource,
        name: check.target.name,
      }),
  },
  {
    name: "check",
    receiverType: types.path,
    returnType: types.decision,
    params: [text("verb")],
    handler: (check: PathCheck, verb: string) =>
      decide(check.authorize, { kind: "nonResource", user: check.user, verb, path: check.path }),
  },
  {
    name: "allowed",
    receiverType: types.decision,
    returnType: "bool",
    params: [],
    handler: (decision: AuthorizerDecision) => decision.isAllowed,
  },
  {
    name: "reason",
    receiverType: types.decision,
    returnType: "string",
    params: [],
    handler: (decision: AuthorizerDecision) => decision.why,
  },
  // The sandbox's RBAC authorizer never errs.
  { name: "errored", receiverType: types.decision, returnType: "bool", params: [], handler: () => false },
  { name: "error", receiverType: types.decision, returnType: "string", params: [], handler: () => "" },
];

export const authorizerTypes = [
  [types.authorizer, Authorizer],
  [types.path, PathCheck],
  [types.group, GroupCheck],
  [types.resource, ResourceCheck],
  [types.decision, AuthorizerDecision],
] as const;

export const authorizerType = types.authorizer;
