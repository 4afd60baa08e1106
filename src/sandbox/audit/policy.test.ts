import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { requestAttributes } from "../auth/attributes.js";
import type { UserInfo } from "../auth/user.js";
import { evaluatePolicy, parseAuditPolicy, readAuditPolicy } from "./policy.js";

const alice: UserInfo = { username: "alice", uid: "1001", groups: ["devs", "system:authenticated"] };
const bob: UserInfo = { username: "bob", uid: "1002", groups: ["system:authenticated"] };

const policy = parseAuditPolicy(`
apiVersion: audit.k8s.io/v1
kind: Policy
omitStages: [RequestReceived]
rules:
  - level: None
    users: [system:kube-controller-manager]
  - level: None
    nonResourceURLs: [/healthz*, /version]
  - level: Metadata
    resources:
      - group: ""
        resources: [secrets, configmaps]
  - level: RequestResponse
    userGroups: [devs]
    verbs: [patch, update]
    resources:
      - group: apps
        resources: [deployments/scale]
    omitStages: [ResponseStarted]
    omitManagedFields: true
  - level: Request
    namespaces: [shop]
    resources:
      - group: apps
        resources: ["deployments/*"]
        resourceNames: [web]
  - level: Metadata
    resources:
      - group: ""
        resources: ["*/status"]
  - level: Request
    verbs: [get]
    nonResourceURLs: [/apis*]
`);

function levelOf(user: UserInfo, method: string, path: string): string {
  return evaluatePolicy(policy, requestAttributes(user, method, new URL(path, "https://sandbox"))).level;
}

describe("an audit policy", () => {
  it("takes the level of the first matching rule, None when none matches", () => {
    expect(levelOf(alice, "GET", "/api/v1/namespaces/shop/secrets/db")).toBe("Metadata");
    expect(levelOf(alice, "PATCH", "/apis/apps/v1/namespaces/shop/deployments/web/scale")).toBe(
      "RequestResponse",
    );
    // bob is not in devs: the next rule, for deployments/* named web in shop.
    expect(levelOf(bob, "PATCH", "/apis/apps/v1/namespaces/shop/deployments/web/scale")).toBe("Request");
    expect(levelOf(bob, "PATCH", "/apis/apps/v1/namespaces/shop/deployments/web")).toBe("Request");
    expect(levelOf(bob, "PATCH", "/apis/apps/v1/namespaces/shop/deployments/api")).toBe("None");
    expect(levelOf(bob, "PATCH", "/apis/apps/v1/namespaces/other/deployments/web")).toBe("None");
    expect(levelOf(bob, "PUT", "/api/v1/namespaces/shop/pods/p/status")).toBe("Metadata");
    expect(levelOf(bob, "PUT", "/api/v1/namespaces/shop/pods/p")).toBe("None");
  });

  it("matches users, non-resource URLs with a trailing * and verbs", () => {
    const controllers: UserInfo = { username: "system:kube-controller-manager", uid: "", groups: [] };
    expect(levelOf(controllers, "GET", "/api/v1/namespaces/shop/secrets/db")).toBe("None");
    expect(levelOf(alice, "GET", "/healthz/etcd")).toBe("None");
    expect(levelOf(alice, "GET", "/apis/apps/v1")).toBe("Request");
    expect(levelOf(alice, "POST", "/apis/apps/v1")).toBe("None");
  });

  it("omits the policy's stages and the rule's, and the rule's omitManagedFields wins", () => {
    const scale = evaluatePolicy(
      policy,
      requestAttributes(
        alice,
        "PATCH",
        new URL("https://sandbox/apis/apps/v1/namespaces/shop/deployments/web/scale"),
      ),
    );
    expect([...scale.omitStages].sort()).toEqual(["RequestReceived", "ResponseStarted"]);
    expect(scale.omitManagedFields).toBe(true);
    const secret = evaluatePolicy(
      policy,
      requestAttributes(alice, "GET", new URL("https://sandbox/api/v1/namespaces/shop/secrets/db")),
    );
    expect(secret.omitManagedFields).toBe(false);
  });

  it("refuses a malformed file in one line naming it", () => {
    const directory = mkdtempSync(join(tmpdir(), "kubedrift-audit-policy-"));
    try {
      const file = join(directory, "policy.yaml");
      writeFileSync(file, "apiVersion: audit.k8s.io/v1\nkind: Policy\nrules:\n  - level: Everything\n");
      expect(() => readAuditPolicy(file)).toThrow(
        `audit policy ${file}: rules[0].level: must be one of None, Metadata, Request, RequestResponse, got "Everything"`,
      );
      writeFileSync(file, "apiVersion: v1\nkind: ConfigMap\n");
      expect(() => readAuditPolicy(file)).toThrow(
        `audit policy ${file}: apiVersion/kind must be audit.k8s.io/v1 Policy, got v1 ConfigMap`,
      );
    } finally {
      rmSync(directory, { recursive: true, force: true });
    }
  });
});
