import { ApiError, StatusReasons } from "../api/status.js";
import type { RequestAttributes } from "./attributes.js";

/** responsewriters.forbiddenMessage: what the user could not do, and where. */
export function forbiddenMessage(request: RequestAttributes): string {
  const user = JSON.stringify(request.user.username);
  if (request.kind === "nonResource")
    return `User ${user} cannot ${request.verb} path ${JSON.stringify(request.path)}`;
  const resource =
    request.subresource === "" ? request.resource : `${request.resource}/${request.subresource}`;
  const what = `User ${user} cannot ${request.verb} resource ${JSON.stringify(resource)} in API group ${JSON.stringify(request.apiGroup)}`;
  if (request.namespace !== "") return `${what} in the namespace ${JSON.stringify(request.namespace)}`;
  return `${what} at the cluster scope`;
}

/**
 * The 403 of responsewriters.Forbidden: apierrors.NewForbidden of the group-resource (without the
 * subresource) and the name, with the authorizer's reason after a colon when it gave one.
 */
export function forbidden(request: RequestAttributes, reason: string): ApiError {
  const cause = reason === "" ? forbiddenMessage(request) : `${forbiddenMessage(request)}: ${reason}`;
  if (request.kind === "nonResource")
    return new ApiError(403, StatusReasons.forbidden, `forbidden: ${cause}`, {});
  const qualified = request.apiGroup === "" ? request.resource : `${request.resource}.${request.apiGroup}`;
  const subject = request.name === "" ? qualified : `${qualified} ${JSON.stringify(request.name)}`;
  return new ApiError(403, StatusReasons.forbidden, `${subject} is forbidden: ${cause}`, {
    ...(request.name === "" ? {} : { name: request.name }),
    ...(request.apiGroup === "" ? {} : { group: request.apiGroup }),
    kind: request.resource,
  });
}
