import type { JsonObject, JsonValue, KubeObject } from "../../kube/value/json.js";
import { isJsonObject, textOf } from "../../kube/value/json.js";
import { whoIs } from "../audit/auditor.js";
import type { ApiRequest } from "../server/app.js";
import { ApiError, StatusReasons } from "../api/status.js";
import type { ServerContext } from "../server/context.js";
import type { ResourceRequest } from "../server/request-info.js";
import { parseResourceRequest, splitApiPath } from "../server/request-info.js";
import type { ApiResponse } from "../server/response.js";
import { json } from "../server/response.js";
import { scaleOf } from "../server/subresources.js";
import { postReview, type WebhookEndpoint } from "./call.js";
import { conditionVariables, evaluateConditions, MatchConditionCache } from "./match-conditions.js";
import type { AdmissionAttributes } from "./matching.js";
import { webhookApplies, webhookRulesMatch } from "./matching.js";
import { admissionReview, orNull, verdictOf, type GroupVersionKind, type Verdict } from "./review.js";

/** What the HTTP layer does with a write: go on (adding the webhooks' warnings), or answer this instead. */
/** Annotations admission adds to the request's audit event (a policy's auditAnnotations, its Audit failures). */
export type AuditAnnotations = Readonly<Record<string, string>>;

export type AdmissionOutcome =
  | {
      readonly kind: "proceed";
      readonly warnings: readonly string[];
      readonly auditAnnotations?: AuditAnnotations;
    }
  | { readonly kind: "refuse"; readonly answer: ApiResponse; readonly auditAnnotations?: AuditAnnotations };

export interface WebhookAdmission {
  admit(request: ApiRequest): Promise<AdmissionOutcome>;
}

export interface WebhookAdmissionOptions {
  readonly context: ServerContext;
  /** The API app's handler: the dry run that computes the object the webhooks see. */
  readonly handle: (request: ApiRequest) => ApiResponse;
  /** One line per webhook that failed open (failurePolicy Ignore). */
  readonly log: (line: string) => void;
}

const proceed: AdmissionOutcome = { kind: "proceed", warnings: [] };
const writeMethods = new Set(["POST", "PUT", "PATCH", "DELETE"]);
const configurations = { group: "admissionregistration.k8s.io", resource: "validatingwebhookconfigurations" };

export interface Write {
  readonly request: ResourceRequest;
  readonly query: URLSearchParams;
}

/** As kube-apiserver, webhooks are never called for webhook configurations: a bad one could lock itself in. */
function isWebhookConfiguration(request: ResourceRequest): boolean {
  return (
    request.info.group === "admissionregistration.k8s.io" &&
    ["validatingwebhookconfigurations", "mutatingwebhookconfigurations"].includes(request.info.resource)
  );
}

/**
 * The writes validating webhooks are called for: create, update, patch and delete of objects and of
 * their status and scale. Not done: deletecollection (kube-apiserver admits each object deleted)
 * and the other subresources (TokenRequest, …).
 */
export function writeOf(context: ServerContext, request: ApiRequest): Write | undefined {
  if (!writeMethods.has(request.method)) return undefined;
  const url = new URL(request.url, "https://sandbox");
  const parts = splitApiPath(url.pathname.split("/").filter((segment) => segment !== ""));
  if (parts === undefined) return undefined;
  try {
    const parsed = parseResourceRequest(request.method, parts, url.searchParams, context.registry);
    if (parsed.verb === "deletecollection" || isWebhookConfiguration(parsed)) return undefined;
    if (!["scale", "status", undefined].includes(parsed.subresource)) return undefined;
    return { request: parsed, query: url.searchParams };
  } catch {
    // The handler answers a path it cannot serve (404, 405) as it always does.
    return undefined;
  }
}

/** A webhook, and the configuration version its compiled matchConditions are cached under. */
interface Hook {
  readonly webhook: JsonObject;
  /** The configuration's uid and the webhook's position in it. */
  readonly key: string;
  /** The configuration's resourceVersion. */
  readonly version: string;
}

function metadataText(object: JsonObject, field: string): string {
  const metadata = object["metadata"];
  return isJsonObject(metadata) ? textOf(metadata[field]) : "";
}

/** The webhooks of every configuration, in the order of the configurations' names, as kube-apiserver sorts them. */
function allWebhooks(context: ServerContext): readonly Hook[] {
  const stored = [...context.store.list(configurations).items].sort((a, b) =>
    nameOf(a).localeCompare(nameOf(b)),
  );
  return stored.flatMap((configuration) => {
    const webhooks = configuration["webhooks"];
    const uid = metadataText(configuration, "uid");
    const version = metadataText(configuration, "resourceVersion");
    return (Array.isArray(webhooks) ? webhooks : []).flatMap((webhook, position) =>
      isJsonObject(webhook) ? [{ webhook, key: `${uid}/${String(position)}`, version }] : [],
    );
  });
}

function nameOf(object: JsonValue | null | undefined): string {
  const metadata = isJsonObject(object) ? object["metadata"] : undefined;
  const name = isJsonObject(metadata) ? metadata["name"] : undefined;
  return typeof name === "string" ? name : "";
}

function labelsOfNamespace(context: ServerContext, namespace: string): Readonly<Record<string, string>> {
  const stored = context.store.get({ group: "", resource: "namespaces", namespace: "", name: namespace });
  const metadata = stored?.["metadata"];
  const labels = isJsonObject(metadata) ? metadata["labels"] : undefined;
  if (!isJsonObject(labels)) return {};
  return Object.fromEntries(
    Object.entries(labels).flatMap(([key, value]) => (typeof value === "string" ? [[key, value]] : [])),
  );
}

/** The stored object (its Scale for a scale write), before the write. */
function oldObjectOf(context: ServerContext, write: Write): KubeObject | undefined {
  const { info, namespace, name, subresource } = write.request;
  if (name === undefined) return undefined;
  const stored = context.store.get({ group: info.group, resource: info.resource, namespace, name });
  if (stored === undefined || subresource !== "scale") return stored;
  const scale = context.machinery.kind(info).strategy.scale;
  return scale === undefined ? stored : scaleOf(stored, scale);
}

function operationOf(method: string, old: KubeObject | undefined): AdmissionAttributes["operation"] {
  if (method === "DELETE") return "DELETE";
  // A PUT or a server-side apply of an object that does not exist yet creates it.
  return method === "POST" || old === undefined ? "CREATE" : "UPDATE";
}

export function attributesOf(
  context: ServerContext,
  write: Write,
  method: string,
  preview: KubeObject | undefined,
): AdmissionAttributes {
  const { info, namespace, subresource } = write.request;
  const old = method === "POST" ? undefined : oldObjectOf(context, write);
  const operation = operationOf(method, old);
  return {
    operation,
    group: info.group,
    version: info.version,
    resource: info.resource,
    subresource: subresource ?? "",
    namespace,
    object: operation === "DELETE" ? null : orNull(preview),
    oldObject: orNull(old),
    namespaceLabels: info.namespaced ? labelsOfNamespace(context, namespace) : undefined,
    isNamespace: info.group === "" && info.resource === "namespaces",
  };
}

function kindOf(write: Write): GroupVersionKind {
  const { info, subresource } = write.request;
  if (subresource === "scale") return { group: "autoscaling", version: "v1", kind: "Scale" };
  return { group: info.group, version: info.version, kind: info.kind };
}

const optionKinds = { CREATE: "CreateOptions", UPDATE: "UpdateOptions", DELETE: "DeleteOptions" } as const;

/** The operation's options; a PATCH's are UpdateOptions (or CreateOptions), as kube-apiserver converts them. */
function optionsOf(
  operation: AdmissionAttributes["operation"],
  query: URLSearchParams,
  body: JsonValue | undefined,
) {
  const fieldManager = query.get("fieldManager");
  const dryRun = query.getAll("dryRun");
  const given = operation === "DELETE" && isJsonObject(body) ? body : {};
  return {
    ...given,
    kind: optionKinds[operation],
    apiVersion: "meta.k8s.io/v1",
    ...(dryRun.length === 0 ? {} : { dryRun }),
    ...(fieldManager === null || operation === "DELETE" ? {} : { fieldManager }),
  };
}

function bodyJson(request: ApiRequest): JsonValue | undefined {
  try {
    return request.body === undefined || request.body.length === 0
      ? undefined
      : (JSON.parse(request.body.toString("utf8")) as JsonValue);
  } catch {
    return undefined;
  }
}

export function withDryRun(request: ApiRequest): ApiRequest {
  const url = new URL(request.url, "https://sandbox");
  if (!url.searchParams.getAll("dryRun").includes("All")) url.searchParams.append("dryRun", "All");
  return { ...request, url: `${url.pathname}${url.search}` };
}

function endpointOf(webhook: JsonObject): WebhookEndpoint {
  const config = isJsonObject(webhook["clientConfig"]) ? webhook["clientConfig"] : {};
  const timeout = typeof webhook["timeoutSeconds"] === "number" ? webhook["timeoutSeconds"] : 10;
  const caBundle = typeof config["caBundle"] === "string" ? config["caBundle"] : "";
  const service = isJsonObject(config["service"]) ? config["service"] : undefined;
  if (typeof config["url"] !== "string") {
    // The sandbox runs no pods: a Service has nothing behind it to call.
    throw new Error(
      `failed to call webhook: service "${textOf(service?.["namespace"])}/${textOf(service?.["name"])}" has no endpoints in the sandbox`,
    );
  }
  return {
    url: config["url"],
    timeoutSeconds: timeout,
    ...(caBundle === "" ? {} : { caBundle: Buffer.from(caBundle, "base64").toString("utf8") }),
  };
}

function webhookName(webhook: JsonObject): string {
  return typeof webhook["name"] === "string" ? webhook["name"] : "";
}

/** kube-apiserver's answer when a webhook cannot be called and its failurePolicy is Fail. */
function callFailure(webhook: string, reason: string): Verdict {
  const cause = `failed calling webhook "${webhook}": ${reason}`;
  return {
    kind: "denied",
    code: 500,
    status: {
      kind: "Status",
      apiVersion: "v1",
      metadata: {},
      status: "Failure",
      message: `Internal error occurred: ${cause}`,
      reason: "InternalError",
      details: { causes: [{ message: cause }] },
      code: 500,
    },
  };
}

function messageOf(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}

async function call(
  options: WebhookAdmissionOptions,
  webhook: JsonObject,
  review: { readonly uid: string; readonly body: JsonObject },
): Promise<Verdict> {
  const name = webhookName(webhook);
  let reason: string;
  try {
    const answer = await postReview(endpointOf(webhook), review.body);
    try {
      return verdictOf(name, review.uid, answer);
    } catch (error: unknown) {
      reason = `received invalid webhook response: ${messageOf(error)}`;
    }
  } catch (error: unknown) {
    const message = messageOf(error);
    reason = message.startsWith("failed to call webhook") ? message : `failed to call webhook: ${message}`;
  }
  if (webhook["failurePolicy"] === "Ignore") {
    options.log(`sandbox: failed calling webhook "${name}", failing open: ${reason}`);
    return { kind: "allowed", warnings: [] };
  }
  return callFailure(name, reason);
}

function dryRunRefusal(webhook: JsonObject): AdmissionOutcome | undefined {
  const sideEffects = webhook["sideEffects"];
  if (sideEffects === "None" || sideEffects === "NoneOnDryRun") return undefined;
  const message = `admission webhook "${webhookName(webhook)}" does not support dry run`;
  return {
    kind: "refuse",
    answer: json(400, {
      kind: "Status",
      apiVersion: "v1",
      metadata: {},
      status: "Failure",
      message,
      reason: "BadRequest",
      code: 400,
    }),
  };
}

function outcomeOf(verdicts: readonly Verdict[]): AdmissionOutcome {
  const denied = verdicts.find((verdict) => verdict.kind === "denied");
  if (denied !== undefined) return { kind: "refuse", answer: json(denied.code, denied.status) };
  return {
    kind: "proceed",
    warnings: verdicts.flatMap((verdict) => (verdict.kind === "allowed" ? verdict.warnings : [])),
  };
}

interface Planned {
  readonly webhooks: readonly Hook[];
  readonly attributes: AdmissionAttributes;
}

/**
 * The sandbox's handlers are synchronous, and a webhook call is not: the object the webhooks see is
 * computed by a dry run of the same request (all of its defaulting, validation and authorization),
 * then the webhooks are called, then the request is performed. A write that lands between the dry
 * run and the request can make the stored object differ from the one the webhooks allowed; in
 * kube-apiserver the webhooks see the object of the write's own attempt.
 */
function plan(
  options: WebhookAdmissionOptions,
  request: ApiRequest,
  write: Write,
): Planned | AdmissionOutcome {
  const known = attributesOf(options.context, write, request.method, undefined);
  // Rules need no object: a write no webhook's rules match costs no dry run.
  const candidates = allWebhooks(options.context).filter((hook) => webhookRulesMatch(hook.webhook, known));
  if (candidates.length === 0) return { webhooks: [], attributes: known };
  const preview = options.handle(withDryRun(request));
  if (preview.kind !== "json" || preview.status >= 400) return { kind: "refuse", answer: preview };
  const object = isJsonObject(preview.body) && known.operation !== "DELETE" ? preview.body : null;
  const attributes = { ...known, object };
  const webhooks = candidates.filter((hook) => webhookApplies(hook.webhook, attributes));
  return { webhooks, attributes };
}

export interface Admitting {
  readonly options: WebhookAdmissionOptions;
  readonly request: ApiRequest;
  readonly write: Write;
  readonly attributes: AdmissionAttributes;
  readonly dryRun: boolean;
}

interface Review {
  readonly uid: string;
  readonly body: JsonObject;
}

function nameOfWrite(admitting: Admitting): string {
  return admitting.write.request.name ?? nameOf(admitting.attributes.object);
}

/** One review per call, each with a UID of its own, as kube-apiserver makes them. */
export function reviewsOf(admitting: Admitting): () => Review {
  const { options, request, write, attributes, dryRun } = admitting;
  const who = whoIs(options.context.auth, request.headers);
  const body = bodyJson(request);
  return () => {
    const uid = options.context.newUid();
    const review = admissionReview({
      uid,
      attributes,
      kind: kindOf(write),
      name: nameOfWrite(admitting),
      user: who.impersonated ?? who.user,
      dryRun,
      options: optionsOf(attributes.operation, write.query, body),
    });
    return { uid, body: review };
  };
}

/** apierrors.NewForbidden: a webhook's matchConditions could not be evaluated and its failurePolicy is Fail. */
function conditionsFailure(admitting: Admitting, message: string): AdmissionOutcome {
  const { group, resource } = admitting.write.request.info;
  const name = nameOfWrite(admitting);
  const qualified = group === "" ? resource : `${resource}.${group}`;
  const subject = name === "" ? qualified : `${qualified} "${name}"`;
  const error = new ApiError(403, StatusReasons.forbidden, `${subject} is forbidden: ${message}`, {
    ...(name === "" ? {} : { name }),
    ...(group === "" ? {} : { group }),
    kind: resource,
  });
  return { kind: "refuse", answer: json(403, error.toStatus()) };
}

/**
 * The last step of generic.Webhook.ShouldCallHook, for every webhook before any is called: its
 * matchConditions (all true: called; one false: skipped; an evaluation error: failurePolicy).
 */
function byConditions(
  admitting: Admitting,
  cache: MatchConditionCache,
  hooks: readonly Hook[],
): readonly JsonObject[] | AdmissionOutcome {
  const reviewOf = reviewsOf(admitting);
  let variables: Record<string, unknown> | undefined;
  const chosen: JsonObject[] = [];
  for (const { webhook, key, version } of hooks) {
    const conditions = cache.conditionsOf(key, version, webhook);
    const verdict =
      conditions.length === 0
        ? { kind: "call" as const }
        : evaluateConditions(conditions, (variables ??= conditionVariables(reviewOf().body)));
    if (verdict.kind === "error" && webhook["failurePolicy"] !== "Ignore")
      return conditionsFailure(admitting, verdict.message);
    if (verdict.kind === "error")
      admitting.options.log(
        `sandbox: failed evaluating the matchConditions of webhook "${webhookName(webhook)}", skipping it: ${verdict.message}`,
      );
    if (verdict.kind === "call") chosen.push(webhook);
  }
  return chosen;
}

async function admit(
  options: WebhookAdmissionOptions,
  cache: MatchConditionCache,
  request: ApiRequest,
): Promise<AdmissionOutcome> {
  const write = writeOf(options.context, request);
  if (write === undefined) return proceed;
  const planned = plan(options, request, write);
  if ("kind" in planned) return planned;
  if (planned.webhooks.length === 0) return proceed;
  const dryRun = write.query.getAll("dryRun").includes("All");
  const admitting: Admitting = { options, request, write, attributes: planned.attributes, dryRun };
  const webhooks = byConditions(admitting, cache, planned.webhooks);
  if ("kind" in webhooks) return webhooks;
  const refusal = dryRun ? webhooks.map(dryRunRefusal).find((item) => item !== undefined) : undefined;
  if (refusal !== undefined) return refusal;
  const reviewOf = reviewsOf(admitting);
  const verdicts = await Promise.all(webhooks.map((webhook) => call(options, webhook, reviewOf())));
  return outcomeOf(verdicts);
}

/** kube-apiserver's ValidatingAdmissionWebhook plugin over the stored ValidatingWebhookConfigurations. */
export function createWebhookAdmission(options: WebhookAdmissionOptions): WebhookAdmission {
  const cache = new MatchConditionCache();
  return { admit: (request) => admit(options, cache, request) };
}
