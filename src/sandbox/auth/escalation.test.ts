import { describe, expect, it } from "vitest";
import { describeMissing, uncovered } from "./escalation.js";
import type { PolicyRule } from "./rules.js";

const rule = (fields: Partial<PolicyRule>): PolicyRule => ({
  verbs: [],
  apiGroups: [],
  resources: [],
  resourceNames: [],
  nonResourceURLs: [],
  ...fields,
});

describe("the RBAC escalation check", () => {
  const owner = [
    rule({ apiGroups: ["apps"], resources: ["deployments", "*/scale"], verbs: ["get", "list"] }),
    rule({ apiGroups: [""], resources: ["configmaps"], resourceNames: ["settings"], verbs: ["*"] }),
    rule({ nonResourceURLs: ["/healthz/*"], verbs: ["get"] }),
  ];

  it("covers what the writer holds, piece by piece: verbs, `*/scale`, names, URL prefixes", () => {
    const granted = [
      rule({ apiGroups: ["apps"], resources: ["deployments", "deployments/scale"], verbs: ["list"] }),
      rule({ apiGroups: [""], resources: ["configmaps"], resourceNames: ["settings"], verbs: ["delete"] }),
      rule({ nonResourceURLs: ["/healthz/etcd"], verbs: ["get"] }),
    ];
    expect(uncovered(owner, granted)).toEqual([]);
  });

  it("lists what is not held, verbs of one resource together, as kube-apiserver's message does", () => {
    const missing = uncovered(owner, [
      rule({ apiGroups: ["apps"], resources: ["deployments"], verbs: ["get", "delete", "patch"] }),
      rule({ apiGroups: [""], resources: ["configmaps"], verbs: ["get"] }),
      rule({ nonResourceURLs: ["*"], verbs: ["*"] }),
    ]);
    expect(describeMissing(missing)).toBe(
      [
        '{APIGroups:[""], Resources:["configmaps"], Verbs:["get"]}',
        '{APIGroups:["apps"], Resources:["deployments"], Verbs:["delete" "patch"]}',
        '{NonResourceURLs:["*"], Verbs:["*"]}',
      ].join("\n"),
    );
  });
});
