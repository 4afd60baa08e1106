/**
 * DESIGN rule 3 ("defaults are not drift") against objects that real kube-apiservers stored, not
 * objects the sandbox produced: published `kubectl get deployment -o yaml` output (with
 * managedFields) saved under test/fixtures/real-clusters/, each naming its source and what is known
 * of its Kubernetes version in its header. Each is compared with the minimal manifest it was made
 * from: every field the API server defaulted must be quiet, and a real change must still be found.
 */
import { readFileSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { parse as parseYaml } from "yaml";
import { describe, expect, it } from "vitest";
import { compare } from "../../src/engine/compare.js";
import { defaultEngineConfig } from "../../src/engine/config.js";
import type { CompareInput } from "../../src/engine/types.js";
import { builtinSchema } from "../../src/kube/schema/builtin.js";
import type { JsonObject, KubeObject } from "../../src/kube/value/json.js";
import type { ObjectRef } from "../../src/kube/object.js";
import type { DesiredObject, LiveObject } from "../../src/model/index.js";

function fixture(name: string): KubeObject {
  const path = fileURLToPath(new URL(`../fixtures/real-clusters/${name}`, import.meta.url));
  return parseYaml(readFileSync(path, "utf8")) as KubeObject;
}

function refOf(object: KubeObject): ObjectRef {
  const metadata = object["metadata"] as { name: string; namespace: string };
  const [group, version] = (object["apiVersion"] as string).split("/");
  return {
    group,
    version,
    kind: object["kind"] as string,
    namespace: metadata.namespace,
    name: metadata.name,
  };
}

function compareOne(
  manifest: KubeObject,
  live: KubeObject,
  trustedManagers: readonly string[] = [],
): ReturnType<typeof compare>["resources"][number] {
  const desired: DesiredObject = {
    ref: refOf(manifest),
    object: manifest,
    source: { file: "app.yaml", line: 1 },
  };
  const listed: LiveObject = { ref: refOf(live), object: live };
  const input: CompareInput = {
    desired: [desired],
    live: [listed],
    scope: { kinds: [], namespaces: [] },
    schema: builtinSchema,
    config: {
      ...defaultEngineConfig,
      trustedManagers: [...defaultEngineConfig.trustedManagers, ...trustedManagers],
    },
    cluster: "real-cluster-fixture",
    generatedAt: "2026-12-02T00:00:00Z",
  };
  const report = compare(input);
  expect(report.resources).toHaveLength(1);
  return report.resources[0];
}

describe("a Deployment from a real TKE cluster (kube-apiserver >= 1.22, minor not stated)", () => {
  const live = fixture("tke-proxy-agent-deployment.yaml");
  const labels = { "k8s-app": "proxy-agent", "qcloud-app": "proxy-agent" };
  /**
   * The minimal manifest that gives this object: what its creator ("controller", an Update) sent,
   * minus everything kube-apiserver 1.22+ defaults. `imagePullPolicy: Always` is the creator's
   * (a tagged image defaults to IfNotPresent), so it stays.
   */
  const manifest = (replicas = 2): KubeObject => ({
    apiVersion: "apps/v1",
    kind: "Deployment",
    metadata: { name: "proxy-agent", namespace: "prom-6r0uv7dm", labels },
    spec: {
      replicas,
      selector: { matchLabels: labels },
      template: {
        metadata: { labels },
        spec: {
          affinity: {
            nodeAffinity: {
              requiredDuringSchedulingIgnoredDuringExecution: {
                nodeSelectorTerms: [
                  {
                    matchExpressions: [
                      { key: "node.kubernetes.io/instance-type", operator: "NotIn", values: ["external"] },
                    ],
                  },
                ],
              },
            },
          },
          containers: [
            {
              name: "proxy-agent",
              image: "ccr.ccs.tencentyun.com/cloudmonitor/multi-proxy:v1.0.12",
              imagePullPolicy: "Always",
              args: ["agent", "--id=cls-l9taan9w", "--server-addr=10.206.0.3:8008", "--token=<redacted>"],
              resources: { requests: { cpu: "250m", memory: "256Mi" } },
            },
          ],
        },
      },
    },
  });

  it("holds the defaulted fields this test is about (the fixture is what it claims)", () => {
    const spec = live["spec"] as Record<string, unknown>;
    expect(spec).toMatchObject({
      progressDeadlineSeconds: 600,
      revisionHistoryLimit: 10,
      strategy: { type: "RollingUpdate", rollingUpdate: { maxSurge: "25%", maxUnavailable: "25%" } },
      template: {
        metadata: { creationTimestamp: null },
        spec: {
          dnsPolicy: "ClusterFirst",
          restartPolicy: "Always",
          schedulerName: "default-scheduler",
          securityContext: {},
          terminationGracePeriodSeconds: 30,
          containers: [{ terminationMessagePath: "/dev/termination-log", terminationMessagePolicy: "File" }],
        },
      },
    });
  });

  // Found here first (11 false drifts: each defaulted field, owned by the creator `controller`, an
  // Update manager the engine does not know). DESIGN rule 3: "A live value equal to what
  // kube-apiserver would default there is never drift, whoever owns it"; the engine now asks the
  // shared defaulting module.
  it("reports no drift against the manifest it was made from: defaults are not drift", () => {
    const result = compareOne(manifest(), live);
    expect(result.drifts).toEqual([]);
    expect(result.status).toBe("InSync");
  });

  it("still reports a defaulted field that holds something other than the default", () => {
    // Only the value decides: the creator's 3 where kube-apiserver defaults 10 is an out-of-band value.
    const spec = { ...(live["spec"] as JsonObject), revisionHistoryLimit: 3 };
    const result = compareOne(manifest(), { ...live, spec });
    expect(result.drifts.map((drift) => [drift.path, drift.type, drift.live])).toEqual([
      ["/spec/revisionHistoryLimit", "Added", 3],
    ]);
  });

  it("reports none of the defaulted fields once their owner is trusted: the values themselves match", () => {
    // Isolates the finding above: the values compare equal; only the ownership rule flags them.
    const result = compareOne(manifest(), live, ["controller"]);
    expect(result.drifts).toEqual([]);
  });

  it("still finds a real drift: the manifest asks for 3 replicas, the cluster runs 2", () => {
    const result = compareOne(manifest(3), live, ["controller"]);
    expect(result.drifts.map((drift) => [drift.path, drift.type])).toEqual([["/spec/replicas", "Changed"]]);
    expect(result.drifts[0]).toMatchObject({ desired: 3, live: 2 });
    // And with the default config: the real drift, and none of the defaults the creator owns.
    const untrusted = compareOne(manifest(3), live);
    expect(untrusted.drifts.map((drift) => [drift.path, drift.type])).toEqual([
      ["/spec/replicas", "Changed"],
    ]);
  });
});
