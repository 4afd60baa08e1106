/**
 * The guard's decision time (issue 14): a typical AdmissionReview — an UPDATE of a managed
 * Deployment by a user who is not a deployer, and a `/scale` write — answered from the body, with
 * 1,000 managed objects declared. In process: what kube-apiserver waits for, less the network.
 * And the same decisions as generated ValidatingAdmissionPolicies, evaluated by the sandbox.
 */
import { performance } from "node:perf_hooks";
import { defaultEngineConfig, type GuardConfig } from "../src/engine/index.js";
import type { GuardTarget } from "../src/guard/decide.js";
import { guardPolicies } from "../src/guard/policy.js";
import { reviewAdmission } from "../src/guard/review.js";
import { createSandboxCore } from "../src/sandbox/sandbox.js";
import { refOf } from "../src/kube/object.js";
import { builtinSchema } from "../src/kube/schema/builtin.js";
import type { KubeObject } from "../src/kube/value/json.js";
import { refKey } from "../src/model/index.js";
import { benchManifest } from "./manifests.js";

const guardConfig: GuardConfig = {
  default: "warn",
  allow: { users: ["deployer"], groups: [] },
  rules: [{ action: "deny" }],
};

function target(objects: number): GuardTarget {
  const desired = Array.from({ length: objects }, (_, index) => {
    const object = benchManifest("Deployment", `web-${index}`, "bench");
    return { ref: refOf(object), object, source: { file: "deploy.yaml", line: 1 + index * 30 } };
  });
  return {
    desired: new Map(desired.map((object) => [refKey(object.ref), object])),
    schema: builtinSchema,
    config: {
      ...defaultEngineConfig,
      guard: guardConfig,
    },
    scope: { kinds: ["apps/Deployment"], namespaces: ["bench"] },
    cluster: "bench",
    kindOf: (group, resource) => (group === "apps" && resource === "deployments" ? "Deployment" : undefined),
  };
}

function withReplicas(object: KubeObject, replicas: number): KubeObject {
  return { ...object, spec: { ...(object["spec"] as Record<string, unknown>), replicas } };
}

function reviewBody(object: KubeObject, old: KubeObject, subResource?: string): string {
  return JSON.stringify({
    apiVersion: "admission.k8s.io/v1",
    kind: "AdmissionReview",
    request: {
      uid: "bench",
      operation: "UPDATE",
      resource: { group: "apps", version: "v1", resource: "deployments" },
      ...(subResource === undefined ? {} : { subResource }),
      name: "web-500",
      namespace: "bench",
      userInfo: { username: "alice", groups: ["devs", "system:authenticated"] },
      object,
      oldObject: old,
    },
  });
}

function percentiles(samples: number[]): string {
  samples.sort((a, b) => a - b);
  const at = (q: number): string =>
    (samples[Math.min(samples.length - 1, Math.floor(q * samples.length))] ?? 0).toFixed(3);
  return `p50 ${at(0.5)} ms   p99 ${at(0.99)} ms   max ${at(1)} ms`;
}

function measure(label: string, guard: GuardTarget, body: string, runs: number): void {
  for (let i = 0; i < 200; i += 1) reviewAdmission(guard, body);
  const samples: number[] = [];
  for (let i = 0; i < runs; i += 1) {
    const started = performance.now();
    reviewAdmission(guard, body);
    samples.push(performance.now() - started);
  }
  console.log(`${label.padEnd(44)} ${percentiles(samples)}   (${runs} reviews; aim: p99 under 10 ms)`);
}

export function benchGuard(): void {
  const guard = target(1000);
  const live = benchManifest("Deployment", "web-500", "bench");
  measure("guard: UPDATE of a Deployment (denied)", guard, reviewBody(withReplicas(live, 9), live), 5000);
  const scale = (replicas: number): KubeObject => ({
    apiVersion: "autoscaling/v1",
    kind: "Scale",
    metadata: { name: "web-500", namespace: "bench" },
    spec: { replicas },
  });
  measure("guard: /scale of a Deployment (denied)", guard, reviewBody(scale(9), scale(1), "scale"), 5000);
  measure("guard: UPDATE that changes nothing managed", guard, reviewBody(live, live), 5000);
}

interface AdmitRequest {
  readonly method: string;
  readonly url: string;
  readonly headers: Record<string, string>;
  readonly body?: Buffer;
}

function sandboxRequest(method: string, url: string, body: unknown): AdmitRequest {
  return {
    method,
    url,
    headers: {
      authorization: "Bearer bench-token",
      "content-type": method === "PATCH" ? "application/merge-patch+json" : "application/json",
    },
    body: Buffer.from(JSON.stringify(body)),
  };
}

/**
 * The same decisions as `--emit-policy`'s ValidatingAdmissionPolicies, evaluated by the sandbox
 * for 1,000 managed Deployments: the time a PATCH spends in the policy plugin (its dry run, the
 * matching, the CEL), without the write itself.
 */
export async function benchPolicies(): Promise<void> {
  const guard = target(1000);
  const served = new Map([
    [
      "apps/Deployment",
      { group: "apps", version: "v1", kind: "Deployment", resource: "deployments", namespaced: true },
    ],
  ]);
  const generated = guardPolicies([...guard.desired.values()], served, guardConfig, guard.schema);
  const core = createSandboxCore({ token: "bench-token", rootCA: "CA" });
  const write = (method: string, url: string, body: unknown): void => {
    const answer = core.app.handle(sandboxRequest(method, url, body));
    if (answer.status >= 300) throw new Error(`bench setup: ${method} ${url}: ${answer.status}`);
  };
  write("POST", "/api/v1/namespaces", { metadata: { name: "bench" } });
  for (const object of generated.objects) {
    const plural =
      object["kind"] === "ValidatingAdmissionPolicy"
        ? "validatingadmissionpolicies"
        : "validatingadmissionpolicybindings";
    write("POST", `/apis/admissionregistration.k8s.io/v1/${plural}`, object);
  }
  const live = benchManifest("Deployment", "web-500", "bench");
  write("POST", "/apis/apps/v1/namespaces/bench/deployments", live);
  const url = "/apis/apps/v1/namespaces/bench/deployments/web-500";
  const cases: readonly [string, AdmitRequest, string][] = [
    [
      "policies: PATCH of replicas (denied)",
      sandboxRequest("PATCH", url, { spec: { replicas: 9 } }),
      "refuse",
    ],
    [
      "policies: PATCH of an unmanaged label",
      sandboxRequest("PATCH", url, { metadata: { labels: { seen: "yes" } } }),
      "proceed",
    ],
  ];
  for (const [label, request, expected] of cases) {
    const samples: number[] = [];
    for (let i = 0; i < 1200; i += 1) {
      const started = performance.now();
      const outcome = await core.admission.admit(request);
      if (i >= 200) samples.push(performance.now() - started);
      if (outcome.kind !== expected)
        throw new Error(`${label}: ${outcome.kind}, expected ${expected}: ${JSON.stringify(outcome)}`);
    }
    console.log(
      `${label.padEnd(44)} ${percentiles(samples)}   (${samples.length} admissions, ${generated.objects.length / 2} policies)`,
    );
  }
}
