import type { Node, Pair, YAMLMap } from "yaml";
import { LineCounter, isMap, isPair, isScalar, isSeq, parseDocument } from "yaml";
import { redactionKeyProblem } from "./redact.js";
import type {
  EngineConfig,
  GuardAction,
  GuardConfig,
  GuardRule,
  IgnoreRule,
  PolicyMode,
  PolicyRule,
  RedactRule,
  RuleScope,
} from "./types.js";
import { GuardActions, PolicyModes } from "./types.js";

/**
 * No ignore or redaction rules; the trusted managers are the built-in defaults (see trust.ts). No
 * redaction key: the engine cannot make one (no I/O), so withheld values carry no hash until the
 * CLI adds the installation's key.
 */
export const defaultEngineConfig: EngineConfig = {
  trustedManagers: [],
  ignore: [],
  redact: [],
};

const apiVersion = "kubedrift.dev/v1";
const topLevelKeys = [
  "apiVersion",
  "kind",
  "trustedManagers",
  "deployers",
  "ignore",
  "redact",
  "redactionKey",
  "policies",
  "guard",
  // Read by src/lint/config.ts.
  "lint",
] as const;
const scopeKeys = ["kinds", "namespaces", "names"] as const;

interface Reader {
  readonly file: string;
  readonly lines: LineCounter;
}

function offsetOf(node: Node | Pair | null | undefined): number | undefined {
  if (node === null || node === undefined) return undefined;
  if (isPair(node)) return isScalar(node.key) ? node.key.range?.[0] : undefined;
  return node.range?.[0];
}

/** A kubedrift config that cannot be used; the message names the file and line (`kubedrift.yaml:7: …`). */
export class ConfigError extends Error {
  readonly file: string;
  readonly line: number;

  constructor(file: string, line: number, problem: string, options?: { cause?: unknown }) {
    super(`${file}:${line}: ${problem}`, options);
    this.name = "ConfigError";
    this.file = file;
    this.line = line;
  }
}

function fail(reader: Reader, node: Node | Pair | null | undefined, message: string): never {
  const offset = offsetOf(node);
  const line = offset === undefined ? 1 : reader.lines.linePos(offset).line;
  throw new ConfigError(reader.file, line, message);
}

function keyOf(pair: Pair): string {
  return isScalar(pair.key) ? String(pair.key.value) : String(pair.key);
}

function fieldNode(map: YAMLMap, key: string): Node | undefined {
  const pair = map.items.find((item) => keyOf(item) === key);
  return (pair?.value ?? undefined) as Node | undefined;
}

function checkKeys(reader: Reader, map: YAMLMap, allowed: readonly string[], where: string): void {
  for (const pair of map.items) {
    const key = keyOf(pair);
    if (!allowed.includes(key))
      fail(reader, pair, `${where}unknown field "${key}" (expected one of ${allowed.join(", ")})`);
  }
}

function stringOf(reader: Reader, node: Node | undefined, what: string): string {
  if (!isScalar(node) || typeof node.value !== "string" || node.value === "")
    fail(reader, node, `${what} must be a non-empty string`);
  return node.value;
}

function stringsOf(reader: Reader, node: Node | undefined, what: string): readonly string[] {
  if (!isSeq(node)) fail(reader, node, `${what} must be a list of strings`);
  return node.items.map((item, index) => stringOf(reader, item as Node, `${what}[${index}]`));
}

function scopeOf(reader: Reader, map: YAMLMap, what: string): RuleScope {
  const scope: Record<string, readonly string[]> = {};
  for (const key of scopeKeys) {
    const node = fieldNode(map, key);
    if (node !== undefined) scope[key] = stringsOf(reader, node, `${what}.${key}`);
  }
  return scope;
}

function pointerOf(reader: Reader, node: Node | undefined, what: string): string {
  const path = stringOf(reader, node, what);
  if (!path.startsWith("/"))
    fail(reader, node, `${what} must be a JSON Pointer starting with "/" (got ${JSON.stringify(path)})`);
  return path;
}

function ignoreRuleOf(reader: Reader, node: Node, index: number): IgnoreRule {
  const what = `ignore[${index}]`;
  if (!isMap(node)) fail(reader, node, `${what} must be a mapping`);
  checkKeys(reader, node, ["path", "manager", ...scopeKeys], `${what}: `);
  const path = fieldNode(node, "path");
  const manager = fieldNode(node, "manager");
  if ((path === undefined) === (manager === undefined))
    fail(reader, node, `${what} needs "path" or "manager" (one of them)`);
  const scope = scopeOf(reader, node, what);
  return path !== undefined
    ? { ...scope, kind: "path", path: pointerOf(reader, path, `${what}.path`) }
    : { ...scope, kind: "manager", manager: stringOf(reader, manager, `${what}.manager`) };
}

function redactRuleOf(reader: Reader, node: Node, index: number): RedactRule {
  const what = `redact[${index}]`;
  if (!isMap(node)) fail(reader, node, `${what} must be a mapping`);
  checkKeys(reader, node, ["path", ...scopeKeys], `${what}: `);
  const path = fieldNode(node, "path");
  if (path === undefined) fail(reader, node, `${what} needs "path"`);
  return { ...scopeOf(reader, node, what), path: pointerOf(reader, path, `${what}.path`) };
}

function policyRuleOf(reader: Reader, node: Node, index: number): PolicyRule {
  const what = `policies[${index}]`;
  if (!isMap(node)) fail(reader, node, `${what} must be a mapping`);
  checkKeys(reader, node, ["mode", "path", ...scopeKeys], `${what}: `);
  const modeNode = fieldNode(node, "mode");
  if (modeNode === undefined) fail(reader, node, `${what} needs "mode" (${PolicyModes.join(", ")})`);
  const mode = stringOf(reader, modeNode, `${what}.mode`);
  if (!(PolicyModes as readonly string[]).includes(mode))
    fail(
      reader,
      modeNode,
      `${what}.mode must be one of ${PolicyModes.join(", ")} (got ${JSON.stringify(mode)})`,
    );
  const path = fieldNode(node, "path");
  return {
    ...scopeOf(reader, node, what),
    mode: mode as PolicyMode,
    ...(path === undefined ? {} : { path: pointerOf(reader, path, `${what}.path`) }),
  };
}

function actionOf(reader: Reader, node: Node | undefined, what: string): GuardAction {
  const action = stringOf(reader, node, what);
  if (!(GuardActions as readonly string[]).includes(action))
    fail(reader, node, `${what} must be one of ${GuardActions.join(", ")} (got ${JSON.stringify(action)})`);
  return action as GuardAction;
}

function guardRuleOf(reader: Reader, node: Node, index: number): GuardRule {
  const what = `guard.rules[${index}]`;
  if (!isMap(node)) fail(reader, node, `${what} must be a mapping`);
  checkKeys(reader, node, ["action", "path", ...scopeKeys], `${what}: `);
  const action = fieldNode(node, "action");
  if (action === undefined) fail(reader, node, `${what} needs "action" (${GuardActions.join(", ")})`);
  const path = fieldNode(node, "path");
  return {
    ...scopeOf(reader, node, what),
    action: actionOf(reader, action, `${what}.action`),
    ...(path === undefined ? {} : { path: pointerOf(reader, path, `${what}.path`) }),
  };
}

/** `serviceAccounts: [ns/name]` are the users `system:serviceaccount:ns:name`, as the API server names them. */
function serviceAccountUsers(reader: Reader, node: Node | undefined): readonly string[] {
  if (node === undefined) return [];
  return stringsOf(reader, node, "guard.allow.serviceAccounts").map((text, index) => {
    const match = /^([a-z0-9-]+)\/([a-z0-9.-]+)$/.exec(text);
    if (match === null)
      fail(
        reader,
        node,
        `guard.allow.serviceAccounts[${index}] must be NAMESPACE/NAME (got ${JSON.stringify(text)})`,
      );
    return `system:serviceaccount:${match[1] ?? ""}:${match[2] ?? ""}`;
  });
}

function allowOf(reader: Reader, node: Node | undefined): GuardConfig["allow"] {
  if (node === undefined) return { users: [], groups: [] };
  if (!isMap(node)) fail(reader, node, "guard.allow must be a mapping (users, groups, serviceAccounts)");
  checkKeys(reader, node, ["users", "groups", "serviceAccounts"], "guard.allow: ");
  const users = fieldNode(node, "users");
  const groups = fieldNode(node, "groups");
  return {
    users: [
      ...(users === undefined ? [] : stringsOf(reader, users, "guard.allow.users")),
      ...serviceAccountUsers(reader, fieldNode(node, "serviceAccounts")),
    ],
    groups: groups === undefined ? [] : stringsOf(reader, groups, "guard.allow.groups"),
  };
}

function guardOf(reader: Reader, node: Node | undefined): { readonly guard?: GuardConfig } {
  if (node === undefined) return {};
  if (!isMap(node)) fail(reader, node, "guard must be a mapping (default, allow, rules)");
  checkKeys(reader, node, ["default", "allow", "rules"], "guard: ");
  const fallback = fieldNode(node, "default");
  return {
    guard: {
      default: fallback === undefined ? "warn" : actionOf(reader, fallback, "guard.default"),
      allow: allowOf(reader, fieldNode(node, "allow")),
      rules: listOf(reader, fieldNode(node, "rules"), "guard.rules", (item, index) =>
        guardRuleOf(reader, item, index),
      ),
    },
  };
}

function listOf<T>(
  reader: Reader,
  node: Node | undefined,
  what: string,
  read: (node: Node, index: number) => T,
): readonly T[] {
  if (node === undefined) return [];
  if (!isSeq(node)) fail(reader, node, `${what} must be a list`);
  return node.items.map((item, index) => read(item as Node, index));
}

/*
 * A fixed salt let anyone holding a report hash candidate values until one matched (a 6-digit PIN
 * in about a second). Reading it as a key would keep that weakness for whoever copied the
 * documented default, so it is refused with the way forward.
 */
function rejectSalt(reader: Reader, root: YAMLMap): void {
  const salt = root.items.find((item) => keyOf(item) === "redactionSalt");
  if (salt !== undefined)
    fail(
      reader,
      salt,
      "redactionSalt is no longer supported: hashes of withheld values are keyed with a secret key, " +
        "kept per installation; to share one across machines and CI, set redactionKey (or the " +
        "KUBEDRIFT_REDACTION_KEY environment variable) to a secret of at least 32 characters",
    );
}

function redactionKeyOf(reader: Reader, node: Node | undefined): string | undefined {
  if (node === undefined) return undefined;
  const key = stringOf(reader, node, "redactionKey");
  const problem = redactionKeyProblem(key);
  if (problem !== undefined) fail(reader, node, `redactionKey ${problem}`);
  return key;
}

function checkHeader(reader: Reader, root: YAMLMap): void {
  rejectSalt(reader, root);
  checkKeys(reader, root, topLevelKeys, "");
  const version = fieldNode(root, "apiVersion");
  if (!isScalar(version) || version.value !== apiVersion)
    fail(reader, version ?? root, `apiVersion must be ${apiVersion}`);
  const kind = fieldNode(root, "kind");
  if (!isScalar(kind) || kind.value !== "Config") fail(reader, kind ?? root, `kind must be Config`);
}

function policiesOf(reader: Reader, node: Node | undefined): { readonly policies?: readonly PolicyRule[] } {
  if (node === undefined) return {};
  return { policies: listOf(reader, node, "policies", (item, index) => policyRuleOf(reader, item, index)) };
}

/** Parses kubedrift.yaml; errors name the file and line (`kubedrift.yaml:7: ignore[1] needs "path" or "manager"`). */
export function parseEngineConfig(text: string, file: string): EngineConfig {
  const lines = new LineCounter();
  const reader: Reader = { file, lines };
  const document = parseDocument(text, { lineCounter: lines, prettyErrors: false });
  const syntax = document.errors[0];
  if (syntax !== undefined) {
    throw new ConfigError(file, lines.linePos(syntax.pos[0]).line, syntax.message.split("\n")[0] ?? "", {
      cause: syntax,
    });
  }
  const root = document.contents;
  if (root === null || (isScalar(root) && root.value === null)) return defaultEngineConfig;
  if (!isMap(root))
    fail(reader, root, "a kubedrift config must be a mapping (apiVersion: kubedrift.dev/v1, kind: Config)");
  checkHeader(reader, root);
  const trusted = fieldNode(root, "trustedManagers");
  const deployers = fieldNode(root, "deployers");
  const key = redactionKeyOf(reader, fieldNode(root, "redactionKey"));
  return {
    trustedManagers: trusted === undefined ? [] : stringsOf(reader, trusted, "trustedManagers"),
    ...(deployers === undefined ? {} : { deployers: stringsOf(reader, deployers, "deployers") }),
    ignore: listOf(reader, fieldNode(root, "ignore"), "ignore", (node, index) =>
      ignoreRuleOf(reader, node, index),
    ),
    redact: listOf(reader, fieldNode(root, "redact"), "redact", (node, index) =>
      redactRuleOf(reader, node, index),
    ),
    ...(key === undefined ? {} : { redactionKey: key }),
    ...policiesOf(reader, fieldNode(root, "policies")),
    ...guardOf(reader, fieldNode(root, "guard")),
  };
}
