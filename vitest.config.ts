import { defineConfig } from "vitest/config";

export default defineConfig({
  test: {
    include: ["src/**/*.test.ts", "test/**/*.test.ts", "lint/**/*.test.ts"],
    // Integration suites start sandboxes and spawn kubectl; 2 cores are shared with them.
    testTimeout: 60_000,
    hookTimeout: 60_000,
    pool: "forks",
  },
});
