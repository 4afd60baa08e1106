import { describe, expect, it } from "vitest";
import type { JsonObject, KubeObject } from "../../kube/value/json.js";
import { aggregatedRules, staleAggregations } from "./aggregation.js";

const role = (name: string, labels: Record<string, string>, rest: JsonObject): KubeObject => ({
  apiVersion: "rbac.authorization.k8s.io/v1",
  kind: "ClusterRole",
  metadata: { name, labels },
  ...rest,
});

const readPods = { apiGroups: [""], resources: ["pods"], verbs: ["get"] };
const readLeases = { apiGroups: ["coordination.k8s.io"], resources: ["leases"], verbs: ["get"] };
const monitoring = role(
  "monitoring",
  {},
  {
    aggregationRule: {
      clusterRoleSelectors: [{ matchLabels: { "example.com/aggregate-to-monitoring": "true" } }],
    },
  },
);

describe("ClusterRole aggregation", () => {
  it("takes the rules of the matching roles in name order, each rule once, not its own", () => {
    const roles = [
      monitoring,
      role("z-pods", { "example.com/aggregate-to-monitoring": "true" }, { rules: [readPods, readLeases] }),
      role("a-pods", { "example.com/aggregate-to-monitoring": "true" }, { rules: [readPods] }),
      role("other", {}, { rules: [{ apiGroups: ["*"], resources: ["*"], verbs: ["*"] }] }),
    ];
    expect(aggregatedRules(monitoring, roles)).toEqual([readPods, readLeases]);
    expect(aggregatedRules(roles[1], roles)).toBeUndefined();
  });

  it("reports only the aggregated roles whose stored rules differ", () => {
    const source = role("pods", { "example.com/aggregate-to-monitoring": "true" }, { rules: [readPods] });
    expect(staleAggregations([monitoring, source])).toEqual([{ ...monitoring, rules: [readPods] }]);
    expect(staleAggregations([{ ...monitoring, rules: [readPods] }, source])).toEqual([]);
  });
});
