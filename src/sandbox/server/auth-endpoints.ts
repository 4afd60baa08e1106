import type { KubeObject } from "../../kube/value/json.js";
import { accessReview, type ReviewKind } from "../auth/access-review.js";
import type { SandboxAuth } from "../auth/index.js";
import { selfSubjectReview } from "../auth/self-subject-review.js";
import { rulesReviewNamespace, selfSubjectRulesReview } from "../auth/rules-review.js";
import { requestToken } from "../auth/token-request.js";
import type { ResourceInfo } from "../registry/types.js";
import { decodeObject } from "./admission.js";
import type { RequestScope, ServerContext } from "./context.js";
import type { ResourceRequest } from "./request-info.js";
import type { ApiResponse } from "./response.js";
import { json } from "./response.js";

export interface AuthEndpointCall {
  readonly options: { readonly context: ServerContext; readonly auth: SandboxAuth };
  readonly scope: RequestScope;
  readonly body: () => unknown;
}

const tokenRequestInfo: ResourceInfo = {
  group: "authentication.k8s.io",
  version: "v1",
  kind: "TokenRequest",
  listKind: "TokenRequestList",
  resource: "token",
  singular: "",
  namespaced: true,
  shortNames: [],
  categories: [],
  verbs: ["create"],
  subresources: [],
};

const reviewKinds: readonly ReviewKind[] = [
  "SelfSubjectAccessReview",
  "SubjectAccessReview",
  "LocalSubjectAccessReview",
];

function tokenEndpoint(call: AuthEndpointCall, request: ResourceRequest): ApiResponse {
  const name = request.name ?? "";
  const { context } = call.options;
  return json(
    201,
    requestToken({
      namespace: request.namespace,
      name,
      body: decodeObject(call.body() ?? {}, tokenRequestInfo),
      serviceAccount: context.store.get({
        group: "",
        resource: "serviceaccounts",
        namespace: request.namespace,
        name,
      }),
      tokens: call.options.auth.serviceAccountTokens,
      now: context.now(),
    }),
  );
}

function reviewEndpoint(call: AuthEndpointCall, request: ResourceRequest, kind: ReviewKind): ApiResponse {
  const review: KubeObject = decodeObject(call.body() ?? {}, request.info);
  return json(
    201,
    accessReview({
      kind,
      review,
      user: call.scope.user,
      namespace: request.namespace,
      authorize: call.options.auth.authorize,
    }),
  );
}

function rulesReviewEndpoint(call: AuthEndpointCall, request: ResourceRequest): ApiResponse {
  const review = decodeObject(call.body() ?? {}, request.info);
  const granted = call.options.auth.rulesFor(call.scope.user, rulesReviewNamespace(review));
  return json(201, selfSubjectRulesReview(review, granted));
}

function whoamiEndpoint(call: AuthEndpointCall, request: ResourceRequest): ApiResponse {
  decodeObject(call.body() ?? {}, request.info);
  return json(201, selfSubjectReview(call.scope.user));
}

type Endpoint = (call: AuthEndpointCall, request: ResourceRequest) => ApiResponse;

/** The review kinds, by group and kind. */
const reviewEndpoints: ReadonlyMap<string, Endpoint> = new Map<string, Endpoint>([
  ...reviewKinds.map((kind): [string, Endpoint] => [
    `authorization.k8s.io/${kind}`,
    (call, request) => reviewEndpoint(call, request, kind),
  ]),
  ["authorization.k8s.io/SelfSubjectRulesReview", rulesReviewEndpoint],
  ["authentication.k8s.io/SelfSubjectReview", whoamiEndpoint],
]);

/**
 * The endpoints that are not stored objects but questions to the authenticator and authorizer:
 * TokenRequest, the reviews and SelfSubjectReview. Undefined for every other request.
 */
export function authEndpoint(call: AuthEndpointCall, request: ResourceRequest): ApiResponse | undefined {
  if (request.verb !== "create") return undefined;
  const { group, resource, kind } = request.info;
  if (group === "" && resource === "serviceaccounts" && request.subresource === "token")
    return tokenEndpoint(call, request);
  return reviewEndpoints.get(`${group}/${kind}`)?.(call, request);
}
