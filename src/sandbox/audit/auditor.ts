import type { JsonObject } from "../../kube/value/json.js";
import { requestAttributes, type RequestAttributes } from "../auth/attributes.js";
import type { SandboxAuth } from "../auth/index.js";
import { impersonate, impersonationHeaders } from "../auth/impersonation.js";
import { SystemGroups, type UserInfo } from "../auth/user.js";
import type { ApiResponse } from "../server/response.js";
import { auditEvent, decodeRequestObject, sourceIPs, type AuditRecord, type Completion } from "./events.js";
import { evaluatePolicy, type AuditPolicy, type AuditStage } from "./policy.js";

/** A request as the HTTP layer hands it to the auditor once its body is read. */
export interface AuditInput {
  readonly method: string;
  /** Path and query: the event's requestURI. */
  readonly url: string;
  readonly headers: Readonly<Record<string, string | undefined>>;
  readonly body: Buffer;
  readonly remoteAddress: string | undefined;
}

/** One request's audit: its ID (the `Audit-Id` header) and the stages still to log. */
export interface RequestAudit {
  readonly id: string;
  /** The handler answered: ResponseComplete, or ResponseStarted for a stream (watch); admission's annotations. */
  responded(answer: ApiResponse, annotations?: Readonly<Record<string, string>>): void;
  /** A streamed response ended: its ResponseComplete. */
  streamEnded(): void;
}

export interface Auditor {
  begin(input: AuditInput): RequestAudit;
}

export interface AuditorOptions {
  readonly policy: AuditPolicy;
  readonly auth: SandboxAuth;
  /** Where events go (the batching webhook backend). */
  readonly sink: (event: JsonObject) => void;
  readonly now: () => Date;
  readonly newId: () => string;
}

const anonymous: UserInfo = {
  username: "system:anonymous",
  uid: "",
  groups: [SystemGroups.unauthenticated],
};

const writeMethods = new Set(["POST", "PUT", "PATCH", "DELETE"]);

export interface Who {
  readonly user: UserInfo;
  readonly impersonated?: UserInfo;
}

/**
 * The audit filter runs before impersonation: `user` is whoever authenticated; `impersonated`
 * whom the request acts as (admission's `userInfo`) when it impersonates.
 */
export function whoIs(auth: SandboxAuth, headers: Readonly<Record<string, string | undefined>>): Who {
  const user = auth.authenticate(headers["authorization"]) ?? anonymous;
  try {
    const impersonated = impersonate(user, impersonationHeaders(headers), auth.authorize);
    return impersonated === undefined ? { user } : { user, impersonated };
  } catch {
    // A refused impersonation is answered 403 by the handler; the event names the requester only.
    return { user };
  }
}

/** authorization.k8s.io/decision and /reason, as the authorization filter annotates the event. */
function authorizationAnnotations(auth: SandboxAuth, attributes: RequestAttributes): Record<string, string> {
  const decision = auth.authorize(attributes);
  return {
    "authorization.k8s.io/decision": decision.allowed ? "allow" : "forbid",
    ...(decision.reason === "" ? {} : { "authorization.k8s.io/reason": decision.reason }),
  };
}

function record(options: AuditorOptions, input: AuditInput, id: string): AuditRecord | undefined {
  const url = new URL(input.url, "https://sandbox");
  const who = whoIs(options.auth, input.headers);
  const attributes = requestAttributes(who.user, input.method, url);
  const config = evaluatePolicy(options.policy, attributes);
  if (config.level === "None") return undefined;
  const acting = requestAttributes(who.impersonated ?? who.user, input.method, url);
  const userAgent = input.headers["user-agent"];
  return {
    id,
    config,
    requestURI: input.url,
    attributes,
    ...(who.impersonated === undefined ? {} : { impersonatedUser: who.impersonated }),
    sourceIPs: sourceIPs(input.headers, input.remoteAddress),
    ...(userAgent === undefined ? {} : { userAgent }),
    received: options.now(),
    annotations: authorizationAnnotations(options.auth, acting),
  };
}

const silent = (id: string): RequestAudit => ({
  id,
  responded: () => undefined,
  streamEnded: () => undefined,
});

/**
 * kube-apiserver's audit filter: every request gets an ID; the policy decides its level, and a
 * request above None is logged at each stage the policy does not omit.
 */
export function createAuditor(options: AuditorOptions): Auditor {
  const emit = (audit: AuditRecord, stage: AuditStage, completion?: Completion): void => {
    if (audit.config.omitStages.has(stage)) return;
    options.sink(auditEvent(audit, stage, options.now(), completion));
  };
  return {
    begin: (input) => {
      const id = options.newId();
      if (options.policy.rules.length === 0) return silent(id);
      const audit = record(options, input, id);
      if (audit === undefined) return silent(id);
      emit(audit, "RequestReceived");
      const isWrite = writeMethods.has(input.method);
      let completion: Completion | undefined;
      return {
        id,
        responded: (answer, annotations) => {
          const requestObject = isWrite
            ? decodeRequestObject(input.body, input.headers["content-type"])
            : undefined;
          completion = {
            answer,
            requestObject,
            isWrite,
            ...(annotations === undefined ? {} : { annotations }),
          };
          emit(audit, answer.kind === "stream" ? "ResponseStarted" : "ResponseComplete", completion);
        },
        streamEnded: () => {
          if (completion !== undefined) emit(audit, "ResponseComplete", completion);
        },
      };
    },
  };
}
