// @ts-check
import js from "@eslint/js";
import tseslint from "typescript-eslint";
import { plugin as local } from "./lint/layering.ts";

// docs/architecture.md (and DESIGN.md, section Architecture): which src/ folder may import which. lint/layering.test.ts
// checks that this table and theirs say the same thing and that it has no cycle.
// A folder not listed here is an error (fail closed).
const layers = {
  kube: [],
  model: ["kube"],
  engine: ["model", "kube"],
  sources: ["model", "kube"],
  cluster: ["model", "kube"],
  report: ["model", "kube"],
  inspect: ["engine", "sources", "cluster", "model", "kube"],
  remediate: ["inspect", "engine", "cluster", "sources", "model", "kube"],
  store: ["model", "kube"],
  controller: ["inspect", "remediate", "store", "engine", "cluster", "sources", "model", "kube"],
  guard: ["inspect", "engine", "store", "model", "kube"],
  lint: ["sources", "cluster", "model", "kube"],
  server: ["controller", "guard", "store", "lint", "model", "kube"],
  sandbox: ["kube"],
  demo: ["inspect", "sandbox", "cluster", "report", "model", "kube"],
  cli: "*",
};

export default tseslint.config(
  { ignores: ["dist/**", "node_modules/**", "coverage/**", "**/*.js", "!eslint.config.js"] },
  js.configs.recommended,
  ...tseslint.configs.recommendedTypeChecked,
  {
    languageOptions: {
      parserOptions: { projectService: true, tsconfigRootDir: import.meta.dirname },
    },
    rules: {
      complexity: ["error", 10],
      "max-params": ["error", 4],
      "@typescript-eslint/no-floating-promises": "error",
      "@typescript-eslint/no-explicit-any": "error",
      "@typescript-eslint/consistent-type-imports": "error",
      "@typescript-eslint/no-unused-vars": [
        "error",
        { argsIgnorePattern: "^_", varsIgnorePattern: "^_", destructuredArrayIgnorePattern: "^_" },
      ],
    },
  },
  {
    // Tests and generators trade shape budgets for spelled-out expectations.
    files: ["**/*.test.ts", "test/**", "bench/**", "scripts/**"],
    rules: {
      complexity: "off",
      "@typescript-eslint/no-unsafe-member-access": "off",
      "@typescript-eslint/no-unsafe-assignment": "off",
      "@typescript-eslint/no-unsafe-call": "off",
      "@typescript-eslint/no-unsafe-argument": "off",
    },
  },
  {
    // Test files beside the code are integration tests: they may start a sandbox and use test/support.
    files: ["src/**/*.ts"],
    plugins: { kubedrift: local },
    rules: {
      "kubedrift/layering": [
        "error",
        { root: import.meta.dirname, layers, tests: { folders: ["sandbox"], paths: ["test/support"] } },
      ],
    },
  },
  { files: ["eslint.config.js"], ...tseslint.configs.disableTypeChecked },
);
