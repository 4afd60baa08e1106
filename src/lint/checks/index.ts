/** The best-practice checks of `kubedrift lint` (issue 15); docs/lint-checks.md maps the peer tools' checks to them. */
import type { Check } from "../types.js";
import { apiVersionChecks } from "./api-versions.js";
import { networkingChecks } from "./networking.js";
import { podChecks } from "./pods.js";
import { rbacChecks } from "./rbac.js";
import { reliabilityChecks } from "./reliability.js";
import { securityChecks } from "./security.js";

export const bestPracticeChecks: readonly Check[] = [
  ...podChecks,
  ...securityChecks,
  ...reliabilityChecks,
  ...networkingChecks,
  ...rbacChecks,
  ...apiVersionChecks,
];
