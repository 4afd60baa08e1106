/**
 * What `guard` records of a write it let through under `audit` or break-glass (issue 14): the
 * drifts the write brings, as an observation of the object with the user who made it and the
 * break-glass reason, so that `kubedrift history` shows them as it shows what `watch` records.
 */
import type { ObservedDrift } from "../store/index.js";
import type { GuardDecision, GuardRequest } from "./decide.js";

export function recordedDrifts(decision: GuardDecision, request: GuardRequest): readonly ObservedDrift[] {
  if (!decision.allowed || !decision.record) return [];
  const { username, groups } = request.userInfo;
  return decision.violations.map((violation) => ({
    path: violation.path,
    type: violation.type,
    ...(violation.desired === undefined ? {} : { desired: violation.desired }),
    ...(violation.live === undefined ? {} : { live: violation.live }),
    ...(violation.withheld ? { redacted: {} } : {}),
    user: username,
    ...(groups === undefined ? {} : { groups }),
    ...(decision.breakGlass === undefined ? {} : { breakGlass: decision.breakGlass }),
  }));
}
