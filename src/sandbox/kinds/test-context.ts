import type { StrategyContext } from "./types.js";

/** A deterministic allocator pair for tests: 10.0.0.10, .11 … and node ports 30000, 30001 … */
export function testContext(): StrategyContext {
  let nextIP = 10;
  let nextPort = 30000;
  return {
    schema: { rootType: () => undefined, resolve: (type) => type as never },
    allocateClusterIP: () => `10.0.0.${nextIP++}`,
    allocateNodePort: () => nextPort++,
  };
}
