import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { createSandboxCore, type SandboxCore } from "../sandbox.js";
import type { ApiRequest } from "../server/app.js";
import type { AdmissionOutcome } from "../admission-webhooks/index.js";

const token = "admin-token";
let core: SandboxCore;

function request(method: string, url: string, body?: unknown): ApiRequest {
  return {
    method,
    url,
    headers: {
      authorization: `Bearer ${token}`,
      "content-type": method === "PATCH" ? "application/merge-patch+json" : "application/json",
    },
    ...(body === undefined ? {} : { body: Buffer.from(JSON.stringify(body)) }),
  };
}

function admin(method: string, url: string, body?: unknown): void {
  const response = core.app.handle(request(method, url, body));
  if (response.status >= 300)
    throw new Error(`${method} ${url}: ${JSON.stringify(response.kind === "json" ? response.body : "")}`);
}

const policies = "/apis/admissionregistration.k8s.io/v1/validatingadmissionpolicies";
const bindings = "/apis/admissionregistration.k8s.io/v1/validatingadmissionpolicybindings";
const deployments = "/apis/apps/v1/namespaces/shop/deployments";

function policy(spec: Record<string, unknown>, resources = ["deployments"]): void {
  admin("POST", policies, {
    metadata: { name: "max-replicas" },
    spec: {
      matchConstraints: {
        resourceRules: [
          { apiGroups: ["apps"], apiVersions: ["v1"], operations: ["CREATE", "UPDATE"], resources },
        ],
      },
      validations: [{ expression: "object.spec.replicas <= 3" }],
      ...spec,
    },
  });
}

function bind(actions: readonly string[]): void {
  admin("POST", bindings, {
    metadata: { name: "max-replicas-binding" },
    spec: { policyName: "max-replicas", validationActions: actions },
  });
}

function deployment(name: string, replicas: number): Record<string, unknown> {
  return {
    metadata: { name },
    spec: {
      replicas,
      selector: { matchLabels: { app: name } },
      template: {
        metadata: { labels: { app: name } },
        spec: { containers: [{ name: "web", image: "nginx" }] },
      },
    },
  };
}

function admit(method: string, url: string, body?: unknown): Promise<AdmissionOutcome> {
  return core.admission.admit(request(method, url, body));
}

function refusal(outcome: AdmissionOutcome): { status: number; body: Record<string, unknown> } {
  if (outcome.kind !== "refuse" || outcome.answer.kind !== "json") throw new Error("not refused");
  return { status: outcome.answer.status, body: outcome.answer.body as Record<string, unknown> };
}

beforeEach(() => {
  core = createSandboxCore({ token, rootCA: "CA" });
  admin("POST", "/api/v1/namespaces", { metadata: { name: "shop" } });
});

afterEach(() => core.close());

const denied =
  "ValidatingAdmissionPolicy 'max-replicas' with binding 'max-replicas-binding' denied request: failed expression: object.spec.replicas <= 3";

describe("ValidatingAdmissionPolicy", () => {
  it("serves policies and bindings, defaulting failurePolicy", () => {
    policy({});
    const stored = core.app.handle(request("GET", `${policies}/max-replicas`));
    if (stored.kind !== "json") throw new Error("not json");
    expect(stored.status).toBe(200);
    expect((stored.body as { spec: Record<string, unknown> }).spec["failurePolicy"]).toBe("Fail");
  });

  it("Deny refuses a failing write with kube-apiserver's message (Invalid, 422) and allows a passing one", async () => {
    policy({});
    bind(["Deny"]);
    const refused = refusal(await admit("POST", deployments, deployment("web", 5)));
    expect(refused.status).toBe(422);
    expect(refused.body["reason"]).toBe("Invalid");
    expect(refused.body["message"]).toBe(`deployments.apps "web" is forbidden: ${denied}`);
    expect(refused.body["details"]).toMatchObject({ causes: [{ message: denied }] });
    expect(await admit("POST", deployments, deployment("web", 2))).toEqual({ kind: "proceed", warnings: [] });
  });

  it("a validation's reason Forbidden answers 403, its messageExpression is the message", async () => {
    policy({
      validations: [
        {
          expression: "object.spec.replicas <= 3",
          messageExpression: "'too many replicas: ' + string(object.spec.replicas)",
          reason: "Forbidden",
        },
      ],
    });
    bind(["Deny"]);
    const refused = refusal(await admit("POST", deployments, deployment("web", 5)));
    expect(refused.status).toBe(403);
    expect(refused.body["message"]).toBe(
      `deployments.apps "web" is forbidden: ValidatingAdmissionPolicy 'max-replicas' with binding 'max-replicas-binding' denied request: too many replicas: 5`,
    );
  });

  it("Warn allows with the warning; variables are visible to validations", async () => {
    policy({
      variables: [{ name: "limit", expression: "3" }],
      validations: [{ expression: "object.spec.replicas <= variables.limit", message: "at most 3" }],
    });
    bind(["Warn"]);
    expect(await admit("POST", deployments, deployment("web", 5))).toEqual({
      kind: "proceed",
      warnings: [
        "Validation failed for ValidatingAdmissionPolicy 'max-replicas' with binding 'max-replicas-binding': at most 3",
      ],
    });
  });

  it("Audit allows without a warning, and names the failure in the audit event's annotations", async () => {
    policy({});
    bind(["Audit"]);
    const outcome = await admit("POST", deployments, deployment("web", 5));
    expect(outcome).toMatchObject({ kind: "proceed", warnings: [] });
    const failures = JSON.parse(
      outcome.auditAnnotations?.["validation.policy.admission.k8s.io/validation_failure"] ?? "[]",
    ) as unknown;
    expect(failures).toEqual([
      {
        message: "failed expression: object.spec.replicas <= 3",
        policy: "max-replicas",
        binding: "max-replicas-binding",
        expressionIndex: 0,
        validationActions: ["Audit"],
      },
    ]);
    expect(await admit("POST", deployments, deployment("api", 2))).toEqual({ kind: "proceed", warnings: [] });
  });

  it("auditAnnotations: each non-null value under <policy>/<key>", async () => {
    policy({
      validations: [{ expression: "true" }],
      auditAnnotations: [
        { key: "replicas", valueExpression: "'replicas: ' + string(object.spec.replicas)" },
        { key: "nothing", valueExpression: "null" },
      ],
    });
    bind(["Deny"]);
    expect((await admit("POST", deployments, deployment("web", 5))).auditAnnotations).toEqual({
      "max-replicas/replicas": "replicas: 5",
    });
  });

  it("namespaceObject is the request's Namespace; authorizer asks RBAC about the requester", async () => {
    admin("PATCH", "/api/v1/namespaces/shop", { metadata: { labels: { tier: "prod" } } });
    policy({
      validations: [
        {
          expression: "namespaceObject.metadata.labels.tier != 'prod' || object.spec.replicas >= 2",
          message: "prod needs two",
        },
        {
          expression:
            "authorizer.group('apps').resource('deployments').namespace('shop').check('delete').allowed()",
          message: "only who may delete may create",
        },
        {
          expression:
            "!authorizer.serviceAccount('shop', 'nobody').requestResource.check('create').allowed()",
          message: "a service account without roles may not",
        },
      ],
    });
    bind(["Warn"]);
    // The admin (system:masters) may do anything, a service account without roles nothing: only
    // the namespace's rule fails.
    const warned = await admit("POST", deployments, deployment("web", 1));
    expect(warned.kind === "proceed" ? warned.warnings : []).toEqual([
      "Validation failed for ValidatingAdmissionPolicy 'max-replicas' with binding 'max-replicas-binding': prod needs two",
    ]);
  });

  it("params: the binding's paramRef names the object; none found is allowed or left to failurePolicy", async () => {
    admin("POST", "/api/v1/namespaces/shop/configmaps", { metadata: { name: "limits" }, data: { max: "3" } });
    policy({
      paramKind: { apiVersion: "v1", kind: "ConfigMap" },
      validations: [{ expression: "object.spec.replicas <= int(params.data.max)", message: "too many" }],
    });
    const bindTo = (name: string, notFound: string): void =>
      admin("POST", bindings, {
        metadata: { name: `binding-${name}` },
        spec: {
          policyName: "max-replicas",
          validationActions: ["Deny"],
          paramRef: { name, parameterNotFoundAction: notFound },
        },
      });
    bindTo("limits", "Deny");
    expect(refusal(await admit("POST", deployments, deployment("web", 5))).body["message"]).toContain(
      "denied request: too many",
    );
    expect((await admit("POST", deployments, deployment("web", 3))).kind).toBe("proceed");
    admin("DELETE", "/apis/admissionregistration.k8s.io/v1/validatingadmissionpolicybindings/binding-limits");
    bindTo("missing", "Allow");
    expect((await admit("POST", deployments, deployment("web", 5))).kind).toBe("proceed");
    admin(
      "DELETE",
      "/apis/admissionregistration.k8s.io/v1/validatingadmissionpolicybindings/binding-missing",
    );
    bindTo("missing", "Deny");
    expect(refusal(await admit("POST", deployments, deployment("web", 1))).body["message"]).toContain(
      "no params found for policy binding with `Deny` parameterNotFoundAction",
    );
  });

  it("params by selector: every selected object is checked", async () => {
    for (const [name, max] of [
      ["a", "5"],
      ["b", "2"],
    ] as const)
      admin("POST", "/api/v1/namespaces/shop/configmaps", {
        metadata: { name, labels: { kind: "limit" } },
        data: { max },
      });
    policy({
      paramKind: { apiVersion: "v1", kind: "ConfigMap" },
      validations: [
        {
          expression: "object.spec.replicas <= int(params.data.max)",
          messageExpression: "'over ' + params.metadata.name",
        },
      ],
    });
    admin("POST", bindings, {
      metadata: { name: "max-replicas-binding" },
      spec: {
        policyName: "max-replicas",
        validationActions: ["Warn"],
        paramRef: { selector: { matchLabels: { kind: "limit" } }, parameterNotFoundAction: "Allow" },
      },
    });
    const outcome = await admit("POST", deployments, deployment("web", 3));
    expect(outcome.kind === "proceed" ? outcome.warnings : []).toEqual([
      "Validation failed for ValidatingAdmissionPolicy 'max-replicas' with binding 'max-replicas-binding': over b",
    ]);
  });

  it("matchConditions false: the validations are not evaluated", async () => {
    policy({ matchConditions: [{ name: "not-web", expression: "object.metadata.name != 'web'" }] });
    bind(["Deny"]);
    expect(await admit("POST", deployments, deployment("web", 5))).toEqual({ kind: "proceed", warnings: [] });
    expect((await admit("POST", deployments, deployment("api", 5))).kind).toBe("refuse");
  });

  it("a /scale write is judged on the Scale object", async () => {
    admin("POST", deployments, deployment("web", 1));
    policy({ validations: [{ expression: "object.kind == 'Scale' && object.spec.replicas <= 3" }] }, [
      "deployments/scale",
    ]);
    bind(["Deny"]);
    const scale = (replicas: number) => admit("PATCH", `${deployments}/web/scale`, { spec: { replicas } });
    expect(refusal(await scale(5)).body["message"]).toContain("failed expression: object.kind == 'Scale'");
    expect(await scale(2)).toEqual({ kind: "proceed", warnings: [] });
    // The object itself is not matched by a rule for its scale only.
    expect((await admit("PUT", `${deployments}/web`, deployment("web", 5))).kind).toBe("proceed");
  });

  it("an erroring expression: failurePolicy Fail refuses, Ignore lets the write through", async () => {
    policy({ validations: [{ expression: "object.spec.nothing.here == 1" }] });
    bind(["Deny"]);
    const refused = refusal(await admit("POST", deployments, deployment("web", 5)));
    expect(refused.body["message"]).toContain(
      "denied request: expression 'object.spec.nothing.here == 1' resulted in error:",
    );
    admin("PATCH", `${policies}/max-replicas`, { spec: { failurePolicy: "Ignore" } });
    expect(await admit("POST", deployments, deployment("web", 5))).toEqual({ kind: "proceed", warnings: [] });
  });

  it("a binding whose policy does not exist, or a write the rules do not match, is admitted", async () => {
    bind(["Deny"]);
    expect(await admit("POST", deployments, deployment("web", 5))).toEqual({ kind: "proceed", warnings: [] });
    policy({});
    expect(await admit("DELETE", `${deployments}/web`)).toEqual({ kind: "proceed", warnings: [] });
  });
});

describe("ValidatingAdmissionPolicy validation", () => {
  const create = (spec: Record<string, unknown>) => {
    const answer = core.app.handle(request("POST", policies, { metadata: { name: "bad" }, spec }));
    return {
      status: answer.status,
      body: (answer.kind === "json" ? answer.body : {}) as Record<string, unknown>,
    };
  };

  it("refuses expressions that do not compile, naming the field, and a policy that checks nothing", () => {
    const broken = create({ validations: [{ expression: "object.spec.replicas <=" }] });
    expect(broken.status).toBe(422);
    expect(String(broken.body["message"])).toContain("spec.validations[0].expression: Invalid value");
    expect(String(broken.body["message"])).toContain("compilation failed: ERROR: <input>:1:");
    const unknown = create({
      validations: [{ expression: "true" }],
      variables: [{ name: "x", expression: "nosuch.y" }],
    });
    expect(String(unknown.body["message"])).toContain("spec.variables[0].expression");
    const empty = create({});
    expect(empty.status).toBe(422);
    expect(String(empty.body["message"])).toContain(
      "validations or auditAnnotations must contain at least one item",
    );
    // What the policies use compiles: params, namespaceObject, authorizer.
    expect(
      create({
        validations: [
          {
            expression:
              "params == null || namespaceObject.metadata.name != '' || authorizer.path('/x').check('get').allowed()",
          },
        ],
      }).status,
    ).toBe(201);
  });
});
