import { ApiError, StatusReasons } from "../api/status.js";
import type { RequestAttributes } from "./attributes.js";
import { forbidden } from "./forbidden.js";
import type { Decision } from "./rbac.js";
import { SystemGroups, type UserInfo } from "./user.js";

/** The headers of `kubectl --as USER --as-group GROUP --as-uid UID`. */
export interface ImpersonationHeaders {
  readonly user: string | undefined;
  readonly groups: readonly string[];
  readonly uid: string | undefined;
}

/** Node joins repeated headers with ", "; Impersonate-Group is one group per header. */
export function impersonationHeaders(
  headers: Readonly<Record<string, string | undefined>>,
): ImpersonationHeaders {
  const groups = headers["impersonate-group"];
  return {
    user: headers["impersonate-user"],
    groups: groups === undefined ? [] : groups.split(", "),
    uid: headers["impersonate-uid"],
  };
}

const serviceAccountPrefix = "system:serviceaccount:";

interface Step {
  readonly resource: "users" | "groups" | "serviceaccounts" | "uids";
  readonly apiGroup: string;
  readonly namespace: string;
  readonly name: string;
}

function userStep(username: string): Step {
  const parts = username.startsWith(serviceAccountPrefix)
    ? username.slice(serviceAccountPrefix.length).split(":")
    : [];
  if (parts.length === 2 && parts[0] !== "" && parts[1] !== "")
    return { resource: "serviceaccounts", apiGroup: "", namespace: parts[0] ?? "", name: parts[1] ?? "" };
  return { resource: "users", apiGroup: "", namespace: "", name: username };
}

function steps(headers: ImpersonationHeaders, username: string): readonly Step[] {
  return [
    userStep(username),
    ...headers.groups.map((name): Step => ({ resource: "groups", apiGroup: "", namespace: "", name })),
    ...(headers.uid === undefined
      ? []
      : [{ resource: "uids", apiGroup: "authentication.k8s.io", namespace: "", name: headers.uid } as const]),
  ];
}

function groupsOf(headers: ImpersonationHeaders, first: Step, username: string): readonly string[] {
  // A ServiceAccount's groups are a fixed mapping: added unless groups were asked for.
  const base =
    first.resource === "serviceaccounts" && headers.groups.length === 0
      ? [SystemGroups.serviceAccounts, `${SystemGroups.serviceAccounts}:${first.namespace}`]
      : headers.groups;
  if (username === "system:anonymous" || base.includes(SystemGroups.authenticated)) return base;
  return [...base, SystemGroups.authenticated];
}

/**
 * kube-apiserver's impersonation filter: the requester must be allowed to `impersonate` the user
 * (or the ServiceAccount), each group and the uid; the request then runs as that user. A refusal
 * is the 403 of the first step refused.
 */
export function impersonate(
  requester: UserInfo,
  headers: ImpersonationHeaders,
  authorize: (request: RequestAttributes) => Decision,
): UserInfo | undefined {
  if (headers.user === undefined) {
    if (headers.groups.length > 0 || headers.uid !== undefined)
      throw new ApiError(
        500,
        StatusReasons.internalError,
        "Internal error occurred: requested impersonation without a user",
      );
    return undefined;
  }
  const username = headers.user;
  const all = steps(headers, username);
  for (const step of all) {
    const request: RequestAttributes = {
      kind: "resource",
      user: requester,
      verb: "impersonate",
      apiVersion: "",
      subresource: "",
      ...step,
    };
    const decision = authorize(request);
    if (!decision.allowed) throw forbidden(request, decision.reason);
  }
  const [first] = all;
  return {
    username,
    uid: headers.uid ?? "",
    groups: groupsOf(headers, first ?? userStep(username), username),
  };
}
