/**
 * The generated ValidatingAdmissionPolicies: every CEL expression compiles, and a table of requests
 * gives the same decision from the webhook (`decideAdmission`) and from the policies evaluated as
 * kube-apiserver does (match conditions all true → each validation must hold; `validationActions`
 * say what a failure does), with `@marcbachmann/cel-js`.
 */
import { parse } from "@marcbachmann/cel-js";
import { describe, expect, it } from "vitest";
import { defaultEngineConfig } from "../engine/index.js";
import type { GuardConfig } from "../engine/index.js";
import { refOf } from "../kube/object.js";
import { builtinSchema } from "../kube/schema/builtin.js";
import type { KubeObject } from "../kube/value/json.js";
import { refKey } from "../model/index.js";
import type { GuardRequest, GuardTarget } from "./decide.js";
import { decideAdmission } from "./decide.js";
import { guardPolicies } from "./policy.js";

function deployment(
  replicas: number,
  image = "nginx:1.27",
  annotations: Record<string, string> = {},
): KubeObject {
  return {
    apiVersion: "apps/v1",
    kind: "Deployment",
    metadata: {
      name: "web",
      namespace: "shop",
      labels: { app: "web", "app.kubernetes.io/part-of": "shop" },
      annotations,
    },
    spec: {
      replicas,
      selector: { matchLabels: { app: "web" } },
      template: {
        metadata: { labels: { app: "web" } },
        spec: { containers: [{ name: "web", image, ports: [{ containerPort: 80 }] }] },
      },
    },
  };
}

const desired = (() => {
  const object = deployment(2);
  return { ref: refOf(object), object, source: { file: "web.yaml", line: 1 } };
})();

const served = new Map([
  [
    "apps/Deployment",
    { group: "apps", version: "v1", kind: "Deployment", resource: "deployments", namespaced: true },
  ],
]);

const guard: GuardConfig = {
  default: "deny",
  allow: { users: ["ci-deployer"], groups: ["deployers"] },
  rules: [{ action: "warn", path: "/metadata/labels" }],
};

const target: GuardTarget = {
  desired: new Map([[refKey(desired.ref), desired]]),
  schema: builtinSchema,
  config: { ...defaultEngineConfig, guard },
  scope: { kinds: ["apps/Deployment"], namespaces: ["shop"] },
  cluster: "test",
  kindOf: (group, resource) => (group === "apps" && resource === "deployments" ? "Deployment" : undefined),
};

interface Policy {
  readonly spec: {
    readonly matchConstraints: {
      readonly resourceRules: readonly { readonly operations: readonly string[] }[];
    };
    readonly matchConditions: readonly { readonly expression: string }[];
    readonly variables?: readonly { readonly name: string; readonly expression: string }[];
    readonly validations?: readonly { readonly expression: string; readonly messageExpression: string }[];
    readonly auditAnnotations?: readonly { readonly key: string; readonly valueExpression: string }[];
  };
  readonly metadata: { readonly name: string };
}

const generated = guardPolicies([desired], served, guard);
const policies = generated.objects.filter(
  (object) => object["kind"] === "ValidatingAdmissionPolicy",
) as unknown as Policy[];
const bindings = new Map(
  generated.objects
    .filter((object) => object["kind"] === "ValidatingAdmissionPolicyBinding")
    .map((object) => {
      const spec = object["spec"] as { policyName: string; validationActions: string[] };
      return [spec.policyName, spec.validationActions[0] ?? ""];
    }),
);

/** kube-apiserver's evaluation of the policies for one request: Deny → refused; Warn → warnings. */
function evaluatePolicies(request: GuardRequest): { readonly allowed: boolean; readonly warnings: number } {
  const base = {
    request: {
      ...request,
      namespace: request.namespace ?? "",
      subResource: request.subResource ?? "",
      userInfo: { groups: [], ...request.userInfo },
    },
    object: request.object ?? null,
    oldObject: request.oldObject ?? null,
  };
  let allowed = true;
  let warnings = 0;
  for (const policy of policies) {
    const operations = policy.spec.matchConstraints.resourceRules.flatMap((rule) => rule.operations);
    if (!operations.includes(request.operation)) continue;
    if (!policy.spec.matchConditions.every((condition) => parse(condition.expression)(base) === true))
      continue;
    const variables = Object.fromEntries(
      (policy.spec.variables ?? []).map((variable) => [variable.name, parse(variable.expression)(base)]),
    );
    const failed = (policy.spec.validations ?? []).filter(
      (validation) => parse(validation.expression)({ ...base, variables }) !== true,
    );
    if (failed.length === 0) continue;
    if (bindings.get(policy.metadata.name) === "Deny") allowed = false;
    if (bindings.get(policy.metadata.name) === "Warn") warnings += failed.length;
  }
  return { allowed, warnings };
}

function request(overrides: Partial<GuardRequest>): GuardRequest {
  return {
    operation: "UPDATE",
    resource: { group: "apps", version: "v1", resource: "deployments" },
    name: "web",
    namespace: "shop",
    userInfo: { username: "alice", groups: ["devs"] },
    object: deployment(2),
    oldObject: deployment(2),
    ...overrides,
  };
}

const scaleObject = (replicas: number): KubeObject => ({
  apiVersion: "autoscaling/v1",
  kind: "Scale",
  metadata: { name: "web", namespace: "shop" },
  spec: { replicas },
});

const table: readonly [string, GuardRequest][] = [
  ["an unchanged update", request({})],
  ["replicas changed", request({ object: deployment(5) })],
  ["the image changed", request({ object: deployment(2, "nginx:1.28") })],
  ["scaled by /scale", request({ subResource: "scale", object: scaleObject(5), oldObject: scaleObject(2) })],
  [
    "scaled to Git's value",
    request({ subResource: "scale", object: scaleObject(2), oldObject: scaleObject(5) }),
  ],
  [
    "by a deploying user",
    request({ object: deployment(5), userInfo: { username: "ci-deployer", groups: [] } }),
  ],
  [
    "by a deploying group",
    request({ object: deployment(5), userInfo: { username: "bot", groups: ["deployers"] } }),
  ],
  [
    "with break glass",
    request({ object: deployment(5, "nginx:1.27", { "kubedrift.dev/break-glass": "INC-1" }) }),
  ],
  ["deleted", request({ operation: "DELETE", object: null })],
  ["another object", request({ name: "api", object: deployment(5) })],
];

describe("guard --emit-policy", () => {
  it("generates policies whose every CEL expression compiles, with nothing refused for a Deployment", () => {
    expect(generated.refused).toEqual([]);
    expect(policies.length).toBeGreaterThan(0);
    for (const policy of policies)
      for (const expression of [
        ...policy.spec.matchConditions.map((condition) => condition.expression),
        ...(policy.spec.variables ?? []).map((variable) => variable.expression),
        ...(policy.spec.validations ?? []).flatMap((validation) => [
          validation.expression,
          validation.messageExpression,
        ]),
        ...(policy.spec.auditAnnotations ?? []).map((annotation) => annotation.valueExpression),
      ])
        expect(() => parse(expression), expression).not.toThrow();
  });

  it.each(table)("decides %s as the webhook does", (_what, given) => {
    const webhook = decideAdmission(target, given);
    const policy = evaluatePolicies(given);
    expect(policy.allowed).toBe(webhook.allowed);
  });

  it("notes a break-glass write's reason in an audit annotation, and nothing for other writes", () => {
    const recorder = policies.find(
      (policy) => policy.metadata.name === "kubedrift-deployments.apps-break-glass",
    );
    expect(bindings.get("kubedrift-deployments.apps-break-glass")).toBe("Audit");
    const variablesOf = (given: GuardRequest) => ({
      request: { ...given, namespace: given.namespace ?? "" },
      object: given.object ?? null,
    });
    const noted = (given: GuardRequest): unknown => {
      const base = variablesOf(given);
      if (!recorder?.spec.matchConditions.every((condition) => parse(condition.expression)(base) === true))
        return undefined;
      return parse(recorder.spec.auditAnnotations?.[0]?.valueExpression ?? "null")(base);
    };
    expect(
      noted(request({ object: deployment(5, "nginx:1.27", { "kubedrift.dev/break-glass": "INC-1" }) })),
    ).toBe("INC-1");
    expect(noted(request({ object: deployment(5) }))).toBeUndefined();
    expect(
      noted(
        request({ name: "api", object: deployment(5, "nginx:1.27", { "kubedrift.dev/break-glass": "x" }) }),
      ),
    ).toBeUndefined();
  });

  it("pins quantities in the form kube-apiserver admits them ('0.25' is '250m')", () => {
    const object = deployment(2);
    const spec = object["spec"] as { template: { spec: { containers: Record<string, unknown>[] } } };
    const withCpu: KubeObject = {
      ...object,
      spec: {
        ...spec,
        template: {
          ...spec.template,
          spec: {
            containers: [{ ...spec.template.spec.containers[0], resources: { requests: { cpu: "0.25" } } }],
          },
        },
      },
    };
    const expressions = guardPolicies([{ ...desired, object: withCpu }], served, guard, builtinSchema)
      .objects.flatMap((policy) =>
        ((policy["spec"] as Policy["spec"]).validations ?? []).map((v) => v.expression),
      )
      .filter((expression) => expression.includes("cpu"));
    expect(expressions.join("\n")).toContain("'250m'");
    expect(expressions.join("\n")).not.toContain("'0.25'");
  });

  it("names in each policy's matchConditions only the objects it has validations for", () => {
    const many = Array.from({ length: 12 }, (_, index) => {
      const object = { ...deployment(2), metadata: { name: `web-${index}`, namespace: "shop" } };
      return { ref: refOf(object), object, source: { file: "web.yaml", line: 1 + index } };
    });
    const deny = guardPolicies(many, served, guard).objects.filter(
      (object) =>
        object["kind"] === "ValidatingAdmissionPolicy" &&
        String((object["metadata"] as Policy["metadata"]).name).includes("-deny-"),
    ) as unknown as Policy[];
    expect(deny.length).toBeGreaterThan(1);
    const named = deny.map((policy) => {
      const keys = policy.spec.matchConditions[0]?.expression.match(/'shop\/web-\d+'/g) ?? [];
      const validated = new Set(
        (policy.spec.validations ?? []).flatMap(
          (validation) => validation.expression.match(/'shop\/web-\d+'/g) ?? [],
        ),
      );
      expect(new Set(keys)).toEqual(validated);
      return keys;
    });
    // Every object is named by exactly one part.
    expect(named.flat().sort()).toEqual(many.map((object) => `'shop/${object.ref.name}'`).sort());
  });

  it("refuses, with the reason, what CEL cannot say exactly", () => {
    const object: KubeObject = {
      ...deployment(2),
      spec: { ...(deployment(2)["spec"] as object), progressDeadlineSeconds: 1.5 },
    };
    const odd = { ref: refOf(object), object, source: { file: "odd.yaml", line: 1 } };
    expect(guardPolicies([odd], served, guard).refused).toEqual([
      "Deployment shop/web: spec.progressDeadlineSeconds: 1.5 has no exact CEL literal",
    ]);
  });
});
