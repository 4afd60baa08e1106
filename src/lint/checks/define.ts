/** How a check is built from what it reads: a container, a pod template, or a whole object of some kinds. */
import type { DesiredObject } from "../../model/index.js";
import type { Check, CheckResult, LintContext } from "../types.js";
import type { ContainerView, PodTemplate } from "./workloads.js";
import { containersOf, podTemplateOf } from "./workloads.js";

export type CheckInfo = Omit<Check, "run">;

export interface PodScope {
  readonly desired: DesiredObject;
  readonly template: PodTemplate;
  readonly context: LintContext;
}

/** A check of each container (init containers included) of every pod-template-bearing object. */
export function containerCheck(
  info: CheckInfo,
  test: (view: ContainerView, scope: PodScope) => readonly CheckResult[],
): Check {
  return podCheck(info, (scope) => containersOf(scope.template).flatMap((view) => test(view, scope)));
}

/** A check of the pod spec of every pod-template-bearing object. */
export function podCheck(info: CheckInfo, test: (scope: PodScope) => readonly CheckResult[]): Check {
  return {
    ...info,
    run: (desired, context) => {
      const template = podTemplateOf(desired);
      return template === undefined ? [] : test({ desired, template, context });
    },
  };
}

/** A check of the objects of some kinds (`group/Kind`, "" for the core group). */
export function kindCheck(
  info: CheckInfo,
  kinds: readonly string[],
  test: (desired: DesiredObject, context: LintContext) => readonly CheckResult[],
): Check {
  const wanted = new Set(kinds);
  return {
    ...info,
    run: (desired, context) =>
      wanted.has(`${desired.ref.group}/${desired.ref.kind}`) ? test(desired, context) : [],
  };
}

/** One result, or none. */
export function finding(condition: boolean, path: string, message: string): readonly CheckResult[] {
  return condition ? [{ path, message }] : [];
}
