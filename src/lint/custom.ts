/**
 * Custom checks from `lint.checks` in kubedrift.yaml: a CEL expression over `object` that must be
 * true, in the variables a ValidatingAdmissionPolicy has (`oldObject`, `params` and
 * `namespaceObject` are null: a manifest has no request), evaluated with `@marcbachmann/cel-js`.
 */
import { Environment } from "@marcbachmann/cel-js";
import { celValue } from "../kube/value/cel.js";
import { kindName } from "./suppress.js";
import type { Check, Severity } from "./types.js";

export interface CustomCheckSpec {
  readonly id: string;
  readonly severity: Severity;
  /** True when the object passes. */
  readonly expression: string;
  readonly message: string;
  readonly hint?: string;
  /** `apps/Deployment`, `ConfigMap`; none: every kind. */
  readonly kinds?: readonly string[];
}

const environment = ["object", "oldObject", "params", "namespaceObject"].reduce(
  (built, name) => built.registerVariable(name, "dyn"),
  new Environment({ homogeneousAggregateLiterals: false, enableOptionalTypes: true }),
);

type Program = (variables: Record<string, unknown>) => unknown;

/** Why `expression` cannot be a check (it does not compile, or is not a bool), or undefined. */
export function customCheckError(expression: string): string | undefined {
  try {
    const checked = environment.check(expression);
    if (!checked.valid) return checked.error?.message.split("\n")[0] ?? "does not compile";
    return checked.type === "bool" || checked.type === "dyn"
      ? undefined
      : `must evaluate to bool, not ${checked.type}`;
  } catch (error: unknown) {
    return error instanceof Error ? (error.message.split("\n")[0] ?? "") : String(error);
  }
}

/** The checks of the specs (compiled once); a spec whose expression does not compile throws. */
export function customChecks(specs: readonly CustomCheckSpec[]): readonly Check[] {
  return specs.map((spec) => {
    const program = environment.parse(spec.expression) as Program;
    return {
      id: spec.id,
      severity: spec.severity,
      category: "custom",
      summary: spec.message,
      hint: spec.hint ?? `kubedrift.yaml lint.checks ${spec.id}: ${spec.expression}`,
      run: (object) => {
        if (spec.kinds !== undefined && !spec.kinds.includes(kindName(object))) return [];
        const value = program({
          object: celValue(object.object),
          oldObject: null,
          params: null,
          namespaceObject: null,
        });
        if (typeof value !== "boolean") throw new Error(`${spec.expression} is not a bool`);
        return value ? [] : [{ path: "", message: spec.message }];
      },
    };
  });
}
