import { describe, expect, it } from "vitest";
import { ConfigError, defaultEngineConfig, parseEngineConfig } from "./config.js";
import { pathMatches, policyFor } from "./rules.js";

describe("parseEngineConfig", () => {
  it("reads trusted managers, ignore and redaction rules", () => {
    const text = [
      "apiVersion: kubedrift.dev/v1",
      "kind: Config",
      "trustedManagers: [platform-bot, 'argocd-*']",
      "deployers: [argocd-controller]",
      "redactionKey: 0123456789abcdef0123456789abcdef",
      "ignore:",
      "  - path: /spec/template/spec/containers/*/image",
      "    kinds: [apps/Deployment]",
      "  - manager: horizontal-pod-autoscaler",
      "    namespaces: [shop]",
      "    names: [web]",
      "redact:",
      "  - path: /data/token",
      "    kinds: [ConfigMap]",
    ].join("\n");
    expect(parseEngineConfig(text, "kubedrift.yaml")).toEqual({
      trustedManagers: ["platform-bot", "argocd-*"],
      deployers: ["argocd-controller"],
      redactionKey: "0123456789abcdef0123456789abcdef",
      ignore: [
        { kind: "path", path: "/spec/template/spec/containers/*/image", kinds: ["apps/Deployment"] },
        { kind: "manager", manager: "horizontal-pod-autoscaler", namespaces: ["shop"], names: ["web"] },
      ],
      redact: [{ path: "/data/token", kinds: ["ConfigMap"] }],
    });
  });

  it("reads watch's policies in file order", () => {
    const text = [
      "apiVersion: kubedrift.dev/v1",
      "kind: Config",
      "policies:",
      "  - mode: warn",
      "  - kinds: [apps/Deployment]",
      "    namespaces: [shop]",
      "    mode: heal",
      "  - kinds: [Deployment]",
      "    path: /spec/replicas",
      "    mode: detect",
    ].join("\n");
    expect(parseEngineConfig(text, "kubedrift.yaml").policies).toEqual([
      { mode: "warn" },
      { mode: "heal", kinds: ["apps/Deployment"], namespaces: ["shop"] },
      { mode: "detect", kinds: ["Deployment"], path: "/spec/replicas" },
    ]);
    expect(parseEngineConfig("apiVersion: kubedrift.dev/v1\nkind: Config\n", "k.yaml")).not.toHaveProperty(
      "policies",
    );
  });

  it("reads guard's default action, allowed identities and rules", () => {
    const text = [
      "apiVersion: kubedrift.dev/v1",
      "kind: Config",
      "guard:",
      "  default: audit",
      "  allow:",
      "    users: [ci-deployer]",
      "    groups: [platform]",
      "    serviceAccounts: [argocd/argocd-application-controller]",
      "  rules:",
      "    - kinds: [apps/Deployment]",
      "      namespaces: [shop]",
      "      action: deny",
      "    - path: /spec/replicas",
      "      action: warn",
    ].join("\n");
    expect(parseEngineConfig(text, "kubedrift.yaml").guard).toEqual({
      default: "audit",
      allow: {
        users: ["ci-deployer", "system:serviceaccount:argocd:argocd-application-controller"],
        groups: ["platform"],
      },
      rules: [
        { action: "deny", kinds: ["apps/Deployment"], namespaces: ["shop"] },
        { action: "warn", path: "/spec/replicas" },
      ],
    });
    expect(
      parseEngineConfig("apiVersion: kubedrift.dev/v1\nkind: Config\nguard: {}\n", "k.yaml").guard,
    ).toEqual({
      default: "warn",
      allow: { users: [], groups: [] },
      rules: [],
    });
  });

  it("an empty file is the default configuration, with no redaction key (the CLI adds one)", () => {
    expect(parseEngineConfig("", "kubedrift.yaml")).toBe(defaultEngineConfig);
    expect(parseEngineConfig("apiVersion: kubedrift.dev/v1\nkind: Config\n", "k.yaml")).not.toHaveProperty(
      "redactionKey",
    );
  });

  it("never repeats a rejected redaction key in its message", () => {
    const text = "apiVersion: kubedrift.dev/v1\nkind: Config\nredactionKey: hunter2\n";
    expect(() => parseEngineConfig(text, "kubedrift.yaml")).toThrow(/^(?!.*hunter2)/);
  });

  it.each([
    [
      "apiVersion: kubedrift.dev/v1\nkind: Config\nignore:\n  - path: /a\n  - kinds: [Deployment]\n",
      'kubedrift.yaml:5: ignore[1] needs "path" or "manager" (one of them)',
    ],
    ["apiVersion: kubedrift.dev/v2\nkind: Config\n", "kubedrift.yaml:1: apiVersion must be kubedrift.dev/v1"],
    [
      "apiVersion: kubedrift.dev/v1\nkind: Config\ntrusted: [x]\n",
      'kubedrift.yaml:3: unknown field "trusted" (expected one of apiVersion, kind, trustedManagers, deployers, ignore, redact, redactionKey, policies, guard, lint)',
    ],
    [
      "apiVersion: kubedrift.dev/v1\nkind: Config\nredact:\n  - path: data/x\n",
      'kubedrift.yaml:4: redact[0].path must be a JSON Pointer starting with "/" (got "data/x")',
    ],
    [
      "apiVersion: kubedrift.dev/v1\nkind: Config\ntrustedManagers: [a, 3]\n",
      "kubedrift.yaml:3: trustedManagers[1] must be a non-empty string",
    ],
    [
      "apiVersion: kubedrift.dev/v1\nkind: Config\ndeployers: flux\n",
      "kubedrift.yaml:3: deployers must be a list of strings",
    ],
    [
      "apiVersion: kubedrift.dev/v1\nkind: Config\nignore: {path: /a}\n",
      "kubedrift.yaml:3: ignore must be a list",
    ],
    ["apiVersion: kubedrift.dev/v1\nkind: Config\nignore:\n  - path: [\n", "kubedrift.yaml:5: "],
    [
      "apiVersion: kubedrift.dev/v1\nkind: Config\npolicies:\n  - kinds: [Deployment]\n",
      'kubedrift.yaml:4: policies[0] needs "mode" (detect, warn, heal)',
    ],
    [
      "apiVersion: kubedrift.dev/v1\nkind: Config\nguard:\n  rules:\n    - action: block\n",
      'kubedrift.yaml:5: guard.rules[0].action must be one of deny, warn, audit (got "block")',
    ],
    [
      "apiVersion: kubedrift.dev/v1\nkind: Config\nguard:\n  allow:\n    serviceAccounts: [argocd]\n",
      'kubedrift.yaml:5: guard.allow.serviceAccounts[0] must be NAMESPACE/NAME (got "argocd")',
    ],
    [
      "apiVersion: kubedrift.dev/v1\nkind: Config\npolicies:\n  - mode: fix\n",
      'kubedrift.yaml:4: policies[0].mode must be one of detect, warn, heal (got "fix")',
    ],
    [
      "apiVersion: kubedrift.dev/v1\nkind: Config\npolicies:\n  - mode: heal\n    paths: [/spec]\n",
      'kubedrift.yaml:5: policies[0]: unknown field "paths" (expected one of mode, path, kinds, namespaces, names)',
    ],
    [
      "apiVersion: kubedrift.dev/v1\nkind: Config\nredactionSalt: kubedrift\n",
      "kubedrift.yaml:3: redactionSalt is no longer supported: hashes of withheld values are keyed with a secret key, kept per installation; to share one across machines and CI, set redactionKey (or the KUBEDRIFT_REDACTION_KEY environment variable) to a secret of at least 32 characters",
    ],
    [
      "apiVersion: kubedrift.dev/v1\nkind: Config\nredactionKey: pepper\n",
      "kubedrift.yaml:3: redactionKey must be at least 32 characters (for example the output of `openssl rand -hex 32`)",
    ],
  ])("names file and line: %j", (text, message) => {
    expect(() => parseEngineConfig(text, "kubedrift.yaml")).toThrow(message);
  });

  it("throws a ConfigError that carries the file and line", () => {
    const text = "apiVersion: kubedrift.dev/v1\nkind: Config\nignore: {path: /a}\n";
    expect(() => parseEngineConfig(text, "k.yaml")).toThrow(
      expect.objectContaining({ name: "ConfigError", file: "k.yaml", line: 3 }),
    );
    expect(() => parseEngineConfig(text, "k.yaml")).toThrow(ConfigError);
  });
});

describe("policyFor", () => {
  const web = { group: "apps", version: "v1", kind: "Deployment", namespace: "shop", name: "web" };
  const rules = [
    { mode: "heal" as const, namespaces: ["shop"] },
    { mode: "detect" as const, kinds: ["Deployment"], path: "/spec/replicas" },
  ];

  it("is the last matching rule's mode, else the fallback", () => {
    expect(policyFor(rules, web, "/spec/template/spec/containers/0/image", "detect")).toBe("heal");
    expect(policyFor(rules, web, "/spec/replicas", "warn")).toBe("detect");
    expect(policyFor(rules, { ...web, namespace: "other" }, "/spec/paused", "warn")).toBe("warn");
  });

  it('covers the whole object (path "") only by rules without a path', () => {
    expect(policyFor([{ mode: "heal", path: "/spec" }], web, "", "detect")).toBe("detect");
    expect(policyFor([{ mode: "heal" }], web, "", "detect")).toBe("heal");
  });
});

describe("path patterns", () => {
  it("match the path and below, * being one segment", () => {
    expect(
      pathMatches("/spec/template/spec/containers/*/image", "/spec/template/spec/containers/1/image"),
    ).toBe(true);
    expect(pathMatches("/spec/template/spec/containers/*/image", "/spec/template/spec/containers/1")).toBe(
      false,
    );
    expect(pathMatches("/metadata/labels", "/metadata/labels/team")).toBe(true);
    expect(pathMatches("/metadata/annotations/a~1b", "/metadata/annotations/a~1b")).toBe(true);
    expect(pathMatches("/spec/replicas", "/spec/replicasX")).toBe(false);
  });
});
