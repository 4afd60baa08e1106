import type { KubeObject } from "../../kube/value/json.js";
import type { KindStrategy, StrategyContext } from "./types.js";

/**
 * A deterministic allocator pair for tests: 10.96.0.10, .11 … and node ports 30000, 30001 …;
 * requested values are granted as asked (the real allocators have tests of their own).
 */
export function testContext(): StrategyContext {
  let nextIP = 10;
  let nextPort = 30000;
  return {
    schema: { rootType: () => undefined, resolve: (type) => type as never },
    allocateClusterIP: (requested) => ({ status: "allocated", value: requested ?? `10.96.0.${nextIP++}` }),
    allocateNodePort: (requested) => ({ status: "allocated", value: requested ?? nextPort++ }),
    kubernetesServiceIP: "10.96.0.1",
  };
}

/** What a write to the main resource stores, the field manager aside: defaulting, then prepare. */
export function storedForm(
  strategy: KindStrategy,
  object: KubeObject,
  old: KubeObject | undefined,
  context: StrategyContext = testContext(),
): KubeObject {
  return strategy.prepare(strategy.applyDefaults(object, old, context), old, context);
}
