import type { JsonObject } from "../../kube/value/json.js";
import { isJsonObject, textOf } from "../../kube/value/json.js";
import type { ApiRequest } from "../server/app.js";
import { json } from "../server/response.js";
import type {
  AdmissionOutcome,
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
import { evaluateVariables, validate } from "./evaluate.js";
import { applies, boundPolicies, field, rulesMatch, type Bound } from "./policies.js";

const proceed: AdmissionOutcome = { kind: "proceed", warnings: [] };

/** A policy's verdict on a write that its Deny-action binding would refuse (message and reason). */
interface Failure {
  readonly message: string;
  readonly reason: string;
}

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
function errorOf(options: WebhookAdmissionOptions, bound: Bound, message: string): readonly Failure[] {
  if (spec(bound)["failurePolicy"] !== "Ignore") return [{ message, reason: "Invalid" }];
  options.log(`sandbox: ValidatingAdmissionPolicy '${bound.policyName}' failed, ignored: ${message}`);
  return [];
}

/** matchConditions (one false: not evaluated), variables, then every validation. */
function failuresOf(
  admitting: Admitting,
  cache: MatchConditionCache,
  bound: Bound,
  base: Record<string, unknown>,
): readonly Failure[] {
  const metadata = field(bound.policy, "metadata");
  const key = `policy/${textOf(metadata["uid"])}`;
  const conditions = cache.conditionsOf(key, textOf(metadata["resourceVersion"]), spec(bound));
  const verdict = evaluateConditions(conditions, base);
  if (verdict.kind === "skip") return [];
  if (verdict.kind === "error") return errorOf(admitting.options, bound, verdict.message);
  const evaluated = evaluateVariables(spec(bound), base);
  if ("error" in evaluated) return errorOf(admitting.options, bound, evaluated.error);
  const given = spec(bound)["validations"];
  const validations = Array.isArray(given) ? given.filter(isJsonObject) : [];
  return validations.flatMap((validation) => {
    const result = validate(validation, { ...base, variables: evaluated.variables });
    if (result.kind === "pass") return [];
    return result.kind === "fail" ? [result] : errorOf(admitting.options, bound, result.message);
  });
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
  const base = conditionVariables(reviewsOf(planned.admitting)().body);
  const warnings: string[] = [];
  for (const bound of planned.bound) {
    const actions = actionsOf(bound);
    for (const failure of failuresOf(planned.admitting, cache, bound, base)) {
      if (actions.includes("Deny"))
        return refusal(planned.admitting, {
          ...failure,
          message: `ValidatingAdmissionPolicy '${bound.policyName}' with binding '${bound.bindingName}' denied request: ${failure.message}`,
        });
      if (actions.includes("Warn"))
        warnings.push(
          `Validation failed for ValidatingAdmissionPolicy '${bound.policyName}' with binding '${bound.bindingName}': ${failure.message}`,
        );
    }
  }
  return { kind: "proceed", warnings };
}

/**
 * kube-apiserver's ValidatingAdmissionPolicy plugin over the stored policies and bindings. Not done:
 * paramKind/paramRef (`params`), `namespaceObject`, `authorizer`, auditAnnotations and the Audit
 * action's audit annotations (Audit admits, nothing is recorded), type checking and status.
 */
export function createPolicyAdmission(options: WebhookAdmissionOptions): WebhookAdmission {
  const cache = new MatchConditionCache();
  return { admit: (request) => Promise.resolve(admit(options, cache, request)) };
}

/** The policies decide first, then the webhooks (kube-apiserver's plugin order); warnings add up. */
export function chainAdmission(first: WebhookAdmission, second: WebhookAdmission): WebhookAdmission {
  return {
    admit: async (request) => {
      const outcome = await first.admit(request);
      if (outcome.kind === "refuse") return outcome;
      const next = await second.admit(request);
      return next.kind === "refuse"
        ? next
        : { kind: "proceed", warnings: [...outcome.warnings, ...next.warnings] };
    },
  };
}
