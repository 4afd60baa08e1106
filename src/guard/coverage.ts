/**
 * What the guard would not protect of a managed object (issue 15's drift-specific lint): an object
 * whose writes it only warns about or records, and fields the generated ValidatingAdmissionPolicies
 * cannot pin (left to the webhook). Facts for `kubedrift lint`, which cannot import the guard.
 */
import { lastMatchingRule } from "../engine/index.js";
import type { GuardConfig } from "../engine/index.js";
import { readablePath } from "../kube/fieldpath/readable.js";
import type { DesiredObject } from "../model/index.js";
import { policyRefusals } from "./policy.js";

export interface Unprotected {
  /** JSON Pointer into the object; "" for the whole object. */
  readonly path: string;
  readonly message: string;
}

const allowing = {
  warn: "the guard lets writes to it through with a warning (action warn)",
  audit: "the guard only records writes to it (action audit)",
} as const;

export function unprotectedParts(guard: GuardConfig, desired: DesiredObject): readonly Unprotected[] {
  const action = lastMatchingRule(guard.rules, desired.ref, "")?.action ?? guard.default;
  const whole =
    action === "deny" ? [] : [{ path: "", message: `${allowing[action]}: nothing stops a change` }];
  const fields = policyRefusals(desired).map((refusal) => ({
    path: refusal.path,
    message: `${readablePath(refusal.path)}: the generated ValidatingAdmissionPolicies cannot pin it (${refusal.why}); only the guard webhook protects it`,
  }));
  return [...whole, ...fields];
}
