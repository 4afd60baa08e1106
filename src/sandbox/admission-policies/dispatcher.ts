import type { JsonObject, JsonValue } from "../../kube/value/json.js";
import { isJsonObject, textOf } from "../../kube/value/json.js";
import type { ApiRequest } from "../server/app.js";
import { json } from "../server/response.js";
import type {
  AdmissionOutcome,
  AuditAnnotations,
  WebhookAdmission,
  WebhookAdmissionOptions,
} from "../admission-webhooks/dispatcher.js";
import {
  attributesOf,
  reviewsOf,
  withDryRun,
  writeOf,
  type Admitting,
  type Write,
} from "../admission-webhooks/dispatcher.js";
import {
  conditionVariables,
  evaluateConditions,
  MatchConditionCache,
} from "../admission-webhooks/match-conditions.js";
import { celValue } from "../../kube/value/cel.js";
import type { UserInfo } from "../auth/user.js";
import { authorizerFor } from "./authorizer.js";
import { evaluateAuditAnnotations, evaluateVariables, policyConditions, validate } from "./evaluate.js";
import { paramsOf } from "./params.js";
import { applies, boundPolicies, field, rulesMatch, type Bound } from "./policies.js";

const proceed: AdmissionOutcome = { kind: "proceed", warnings: [] };

/** A validation that failed (or could not be evaluated under failurePolicy Fail): its message and reason. */
interface Failure {
  readonly message: string;
  readonly reason: string;
  /** The validation's position in the policy; absent for an error of the policy as a whole. */
  readonly expressionIndex?: number;
}

/** What one binding of a policy says of a write: its failures, and its auditAnnotations. */
interface Verdict {
  readonly failures: readonly Failure[];
  readonly annotations: AuditAnnotations;
}

const passed: Verdict = { failures: [], annotations: {} };

/** As kube-apiserver, policies never judge the admission configuration kinds themselves. */
function isExempt(write: Write): boolean {
  const { group, resource } = write.request.info;
  return (
    group === "admissionregistration.k8s.io" &&
    ["validatingadmissionpolicies", "validatingadmissionpolicybindings"].includes(resource)
  );
}

function spec(bound: Bound): JsonObject {
  return field(bound.policy, "spec");
}

/** An error: failurePolicy Fail makes it a failure (Invalid); Ignore admits. */
function errorOf(options: WebhookAdmissionOptions, bound: Bound, message: string): Verdict {
  if (spec(bound)["failurePolicy"] !== "Ignore")
    return { failures: [{ message, reason: "Invalid" }], annotations: {} };
  options.log(`sandbox: ValidatingAdmissionPolicy '${bound.policyName}' failed, ignored: ${message}`);
  return passed;
}

/** Every validation of the policy, in order, with the variables evaluated before them. */
function validationsOf(
  options: WebhookAdmissionOptions,
  bound: Bound,
  variables: Record<string, unknown>,
): readonly Failure[] {
  const given = spec(bound)["validations"];
  const validations = Array.isArray(given) ? given.filter(isJsonObject) : [];
  const failures: Failure[] = [];
  for (const [expressionIndex, validation] of validations.entries()) {
    const result = validate(validation, variables);
    if (result.kind === "fail") failures.push({ ...result, expressionIndex });
    if (result.kind === "error") failures.push(...errorOf(options, bound, result.message).failures);
  }
  return failures;
}

/** matchConditions (one false: not evaluated), variables, validations and auditAnnotations, for one param. */
function verdictWith(
  admitting: Admitting,
  cache: MatchConditionCache,
  bound: Bound,
  base: Record<string, unknown>,
): Verdict {
  const metadata = field(bound.policy, "metadata");
  const key = `policy/${textOf(metadata["uid"])}`;
  const conditions = cache.conditionsOf(key, textOf(metadata["resourceVersion"]), spec(bound));
  const verdict = evaluateConditions(conditions, base);
  if (verdict.kind === "skip") return passed;
  if (verdict.kind === "error") return errorOf(admitting.options, bound, verdict.message);
  const evaluated = evaluateVariables(spec(bound), base);
  if ("error" in evaluated) return errorOf(admitting.options, bound, evaluated.error);
  const variables = { ...base, variables: evaluated.variables };
  const failures = validationsOf(admitting.options, bound, variables);
  const audit = evaluateAuditAnnotations(spec(bound), bound.policyName, variables);
  if ("error" in audit) return errorOf(admitting.options, bound, audit.error);
  return { failures, annotations: audit.annotations };
}

/** The binding's params (each evaluated on its own; none found under Allow: nothing to check). */
function verdictOf(
  admitting: Admitting,
  cache: MatchConditionCache,
  bound: Bound,
  base: Record<string, unknown>,
): Verdict {
  const resolved = paramsOf(admitting.options.context, bound, admitting.write.request.namespace);
  if (resolved.kind === "error") return errorOf(admitting.options, bound, resolved.message);
  const verdicts = resolved.params.map((param) =>
    verdictWith(admitting, cache, bound, { ...base, params: celValue(param) }),
  );
  return {
    failures: verdicts.flatMap((verdict) => verdict.failures),
    annotations: Object.assign({}, ...verdicts.map((verdict) => verdict.annotations)) as AuditAnnotations,
  };
}

const codes: Readonly<Record<string, number>> = {
  Forbidden: 403,
  Unauthorized: 401,
  RequestEntityTooLarge: 413,
};

/** admission.NewForbidden, its reason and code then replaced by the validation's (Invalid, 422, by default). */
function refusal(admitting: Admitting, failure: Failure): AdmissionOutcome {
  const { group, resource } = admitting.write.request.info;
  const name =
    admitting.write.request.name ?? textOf(field(admitting.attributes.object ?? {}, "metadata")["name"]);
  const qualified = group === "" ? resource : `${resource}.${group}`;
  const subject = name === "" ? qualified : `${qualified} "${name}"`;
  const code = codes[failure.reason] ?? 422;
  return {
    kind: "refuse",
    answer: json(code, {
      kind: "Status",
      apiVersion: "v1",
      metadata: {},
      status: "Failure",
      message: `${subject} is forbidden: ${failure.message}`,
      reason: failure.reason,
      details: {
        ...(name === "" ? {} : { name }),
        ...(group === "" ? {} : { group }),
        kind: resource,
        causes: [{ message: failure.message }],
      },
      code,
    }),
  };
}

function actionsOf(bound: Bound): readonly string[] {
  const actions = field(bound.binding, "spec")["validationActions"];
  return Array.isArray(actions)
    ? actions.filter((action): action is string => typeof action === "string")
    : [];
}

interface Planned {
  readonly admitting: Admitting;
  readonly bound: readonly Bound[];
}

/** As the webhooks: the rules first (no dry run when none match), then the would-be object's selectors. */
function plan(
  options: WebhookAdmissionOptions,
  request: ApiRequest,
  write: Write,
): Planned | AdmissionOutcome {
  const known = attributesOf(options.context, write, request.method, undefined);
  const dryRun = write.query.getAll("dryRun").includes("All");
  const candidates = boundPolicies(options.context).filter((bound) => rulesMatch(bound, known));
  if (candidates.length === 0) return proceed;
  const preview = options.handle(withDryRun(request));
  if (preview.kind !== "json" || preview.status >= 400) return { kind: "refuse", answer: preview };
  const object = isJsonObject(preview.body) && known.operation !== "DELETE" ? preview.body : null;
  const attributes = { ...known, object };
  const admitting: Admitting = { options, request, write, attributes, dryRun };
  return { admitting, bound: candidates.filter((bound) => applies(bound, attributes)) };
}

/** The Namespace a namespaced request is in (`namespaceObject`), null for a cluster-scoped one. */
function namespaceObjectOf(admitting: Admitting): unknown {
  const { info, namespace } = admitting.write.request;
  if (!info.namespaced || namespace === "") return null;
  const stored = admitting.options.context.store.get({
    group: "",
    resource: "namespaces",
    namespace: "",
    name: namespace,
  });
  return celValue(stored ?? null);
}

function userOf(request: JsonValue | undefined): UserInfo {
  const userInfo = isJsonObject(request) && isJsonObject(request["userInfo"]) ? request["userInfo"] : {};
  const groups = Array.isArray(userInfo["groups"]) ? userInfo["groups"] : [];
  return {
    username: textOf(userInfo["username"]),
    uid: textOf(userInfo["uid"]),
    groups: groups.filter((group): group is string => typeof group === "string"),
  };
}

/** The variables every policy sees: the AdmissionReview's, namespaceObject and the requester's authorizer. */
function baseVariables(admitting: Admitting): Record<string, unknown> {
  const review = reviewsOf(admitting)().body;
  const { info, subresource, namespace, name } = admitting.write.request;
  const authorizer = authorizerFor(admitting.options.context.auth.authorize, userOf(review["request"]), {
    group: info.group,
    resource: info.resource,
    subresource: subresource ?? "",
    namespace,
    name: name ?? "",
  });
  return { ...conditionVariables(review), namespaceObject: namespaceObjectOf(admitting), authorizer };
}

/** kube's `validation.policy.admission.k8s.io/validation_failure` entry for an Audit binding's failure. */
interface AuditedFailure {
  readonly message: string;
  readonly policy: string;
  readonly binding: string;
  readonly expressionIndex: number;
  readonly validationActions: readonly string[];
}

function auditedOf(bound: Bound, failure: Failure, actions: readonly string[]): readonly AuditedFailure[] {
  if (!actions.includes("Audit")) return [];
  return [
    {
      message: failure.message,
      policy: bound.policyName,
      binding: bound.bindingName,
      expressionIndex: failure.expressionIndex ?? 0,
      validationActions: actions,
    },
  ];
}

const validationFailureKey = "validation.policy.admission.k8s.io/validation_failure";

/** The outcome, with the audit annotations gathered (none: the outcome as it is). */
function annotated(
  outcome: AdmissionOutcome,
  annotations: Record<string, string>,
  audited: readonly AuditedFailure[],
): AdmissionOutcome {
  const all =
    audited.length === 0 ? annotations : { ...annotations, [validationFailureKey]: JSON.stringify(audited) };
  return Object.keys(all).length === 0 ? outcome : { ...outcome, auditAnnotations: all };
}

function admit(
  options: WebhookAdmissionOptions,
  cache: MatchConditionCache,
  request: ApiRequest,
): AdmissionOutcome {
  const write = writeOf(options.context, request);
  if (write === undefined || isExempt(write)) return proceed;
  const planned = plan(options, request, write);
  if ("kind" in planned) return planned;
  if (planned.bound.length === 0) return proceed;
  const base = baseVariables(planned.admitting);
  const warnings: string[] = [];
  const annotations: Record<string, string> = {};
  const audited: AuditedFailure[] = [];
  for (const bound of planned.bound) {
    const actions = actionsOf(bound);
    const verdict = verdictOf(planned.admitting, cache, bound, base);
    Object.assign(annotations, verdict.annotations);
    for (const failure of verdict.failures) {
      audited.push(...auditedOf(bound, failure, actions));
      if (actions.includes("Deny"))
        return annotated(
          refusal(planned.admitting, {
            ...failure,
            message: `ValidatingAdmissionPolicy '${bound.policyName}' with binding '${bound.bindingName}' denied request: ${failure.message}`,
          }),
          annotations,
          audited,
        );
      if (actions.includes("Warn"))
        warnings.push(
          `Validation failed for ValidatingAdmissionPolicy '${bound.policyName}' with binding '${bound.bindingName}': ${failure.message}`,
        );
    }
  }
  return annotated({ kind: "proceed", warnings }, annotations, audited);
}

/**
 * kube-apiserver's ValidatingAdmissionPolicy plugin over the stored policies and bindings: match
 * constraints and conditions, params, variables, validations, auditAnnotations and the three
 * validationActions. Not done: type checking against the schemas and the policies' status.
 */
export function createPolicyAdmission(options: WebhookAdmissionOptions): WebhookAdmission {
  const cache = new MatchConditionCache(policyConditions);
  return { admit: (request) => Promise.resolve(admit(options, cache, request)) };
}

/** The policies decide first, then the webhooks (kube-apiserver's plugin order); warnings add up. */
export function chainAdmission(first: WebhookAdmission, second: WebhookAdmission): WebhookAdmission {
  return {
    admit: async (request) => {
      const outcome = await first.admit(request);
      if (outcome.kind === "refuse") return outcome;
      const next = await second.admit(request);
      const auditAnnotations =
        outcome.auditAnnotations === undefined ? {} : { auditAnnotations: outcome.auditAnnotations };
      return next.kind === "refuse"
        ? { ...next, ...auditAnnotations }
        : { kind: "proceed", warnings: [...outcome.warnings, ...next.warnings], ...auditAnnotations };
    },
  };
}
