import { existsSync, readFileSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { ESLint, type Linter } from "eslint";
import tseslint from "typescript-eslint";
import { describe, expect, it } from "vitest";
import { allowedImports, type LayeringOptions } from "./layering.js";

const root = fileURLToPath(new URL("..", import.meta.url));
const RULE = "kubedrift/layering";

// The repository's own eslint.config.js, without the rules that need a TypeScript program
// (the files linted here do not exist on disk).
const eslint = new ESLint({
  cwd: root,
  overrideConfig: tseslint.configs.disableTypeChecked as Linter.Config,
  ruleFilter: ({ ruleId }) => ruleId === RULE,
});

async function layeringErrors(filePath: string, code: string): Promise<string[]> {
  const [result] = await eslint.lintText(code, { filePath });
  expect(result.messages.filter((m) => m.fatal)).toEqual([]);
  return result.messages.filter((m) => m.ruleId === RULE).map((m) => m.message);
}

async function configuredOptions(): Promise<LayeringOptions> {
  const config = (await eslint.calculateConfigForFile("src/kube/x.ts")) as Linter.Config;
  const entry = config.rules?.[RULE];
  expect(Array.isArray(entry) && entry[0]).toBe(2);
  return (entry as [number, LayeringOptions])[1];
}

describe("the layering rule fails lint", () => {
  it("on kube importing the CLI", async () => {
    expect(await layeringErrors("src/kube/x.ts", `import { main } from "../cli/main.js";\nmain;\n`)).toEqual([
      "src/kube may not import src/cli (docs/architecture.md: kube may import nothing of the project).",
    ]);
  });

  it("on re-exports, dynamic import() and import() types", async () => {
    const code = [
      `export * from "../../model/index.js";`,
      `export { compare } from "../../engine/compare.js";`,
      "export const load = () => import(`../../sources/index.js`);",
      `export type R = import("../../report/index.js").Renderer;`,
    ].join("\n");
    const errors = await layeringErrors("src/kube/value/x.ts", code);
    expect(errors.map((e) => e.split(" (")[0])).toEqual([
      "src/kube may not import src/model",
      "src/kube may not import src/engine",
      "src/kube may not import src/sources",
      "src/kube may not import src/report",
    ]);
    // ../model from src/kube/value is src/kube/model: the same folder.
    expect(await layeringErrors("src/kube/value/x.ts", `export * from "../model/index.js";`)).toEqual([]);
  });

  it("passes an allowed import, a same-folder import and packages", async () => {
    const code = [
      `import type { DriftReport } from "../model/index.js";`,
      `import { isObject } from "../kube/value/json.js";`,
      `import { local } from "./local.js";`,
      `import YAML from "yaml";`,
      `import path from "node:path";`,
      `import pkg from "../../package.json" with { type: "json" };`,
    ].join("\n");
    expect(await layeringErrors("src/engine/x.ts", code)).toEqual([]);
    expect(await layeringErrors("src/cli/x.ts", `import { demo } from "../demo/demo.js";`)).toEqual([]);
  });

  it("resolves paths, so a subfolder named like a top-level folder is not that folder", async () => {
    const file = "src/sandbox/store/x.ts";
    expect(await layeringErrors(file, `import { a } from "../store/y.js";`)).toEqual([]);
    expect(await layeringErrors(file, `import { a } from "../../kube/value/json.js";`)).toEqual([]);
    expect(await layeringErrors(file, `import { a } from "../../store/y.js";`)).toEqual([
      "src/sandbox may not import src/store (docs/architecture.md: sandbox may import kube).",
    ]);
  });

  it("lets test files start a sandbox and use test/support, and nothing else more", async () => {
    const code = [
      `import { startSandbox } from "../sandbox/index.js";`,
      `import { kubectlOk } from "../../test/support/kubectl.js";`,
    ].join("\n");
    expect(await layeringErrors("src/engine/x.test.ts", code)).toEqual([]);
    expect(await layeringErrors("src/engine/x.test-helper.ts", code)).toEqual([]);
    expect(await layeringErrors("src/engine/x.ts", code)).toEqual([
      "src/engine may not import src/sandbox (docs/architecture.md: engine may import model, kube).",
      "Production code may not import test/; only test files (*.test.ts, *.test-helper.ts) may.",
    ]);
    expect(await layeringErrors("src/engine/x.test.ts", `import "../../test/e2e/x.js";`)).toEqual([
      "Tests in src/ may import only test/support of test/.",
    ]);
    expect(await layeringErrors("src/report/x.test.ts", `import "../cli/main.js";`)).toHaveLength(1);
  });

  it("fails closed on a folder the table does not list", async () => {
    expect(await layeringErrors("src/widgets/x.ts", `export const x = 1;`)).toEqual([
      "src/widgets is not in the layering table (eslint.config.js); add it there and to docs/architecture.md's table.",
    ]);
    expect(await layeringErrors("src/x.ts", `export const x = 1;`)).toHaveLength(1);
    expect(await layeringErrors("src/cli/x.ts", `import "../widgets/x.js";`)).toEqual([
      "src/widgets is not in the layering table (eslint.config.js); add it there and to docs/architecture.md's table.",
    ]);
  });
});

/** A markdown table of folder → "may import" ("*" for everything), from the section `title`. */
function layeringTable(markdown: string, title: string): Record<string, string[] | "*"> {
  const section = markdown.split(/^## /m).find((s) => s.startsWith(`${title}\n`)) ?? "";
  const table: Record<string, string[] | "*"> = {};
  for (const line of section.split("\n")) {
    const cells = line.split("|").map((c) => c.trim());
    const folder = /^`src\/([\w-]+)\/`$/.exec(cells[1] ?? "")?.[1];
    if (folder === undefined) continue;
    const may = cells[3].replace(/\([^)]*\)/g, "").trim();
    table[folder] =
      may === "everything"
        ? "*"
        : may === "nothing of the project"
          ? []
          : may.split(",").map((m) => m.trim());
  }
  return table;
}

async function expectSameAsConfigured(table: Record<string, string[] | "*">): Promise<void> {
  const { layers } = await configuredOptions();
  expect(Object.keys(table).length).toBeGreaterThan(10);
  expect(Object.keys(layers).sort()).toEqual(Object.keys(table).sort());
  for (const [folder, may] of Object.entries(table)) {
    const configured = layers[folder];
    expect(configured === "*" ? "*" : [...configured].sort(), folder).toEqual(may === "*" ? "*" : may.sort());
  }
}

// The design beside the checkout (CI has it; a user's checkout need not).
const design = new URL("../../shared/DESIGN.md", import.meta.url);

describe("the layering table", () => {
  it("says what docs/architecture.md's table says, folder by folder", async () => {
    const docs = readFileSync(new URL("../docs/architecture.md", import.meta.url), "utf8");
    await expectSameAsConfigured(layeringTable(docs, "Folders under `src/`"));
  });

  it.runIf(existsSync(design))(
    "says what DESIGN.md's table says, where the design is beside it",
    async () => {
      await expectSameAsConfigured(layeringTable(readFileSync(design, "utf8"), "Architecture"));
    },
  );

  it("has no cycle between folders", async () => {
    const { layers } = await configuredOptions();
    const done = new Set<string>();
    const visit = (folder: string, trail: string[]): void => {
      expect(trail, `cycle: ${[...trail, folder].join(" → ")}`).not.toContain(folder);
      if (done.has(folder)) return;
      for (const next of allowedImports(layers, folder) ?? []) visit(next, [...trail, folder]);
      done.add(folder);
    };
    for (const folder of Object.keys(layers)) visit(folder, []);
    expect(done.size).toBe(Object.keys(layers).length);
  });

  it("lets test files import no more than the sandbox and test/support", async () => {
    const { tests } = await configuredOptions();
    expect(tests).toEqual({ folders: ["sandbox"], paths: ["test/support"] });
  });
});

// CI runs `npm test`, not `npm run lint`: this keeps the layering of the tree itself under test.
describe("the tree", () => {
  it("keeps DESIGN.md's layering in every file under src/", async () => {
    const results = await eslint.lintFiles(["src/**/*.ts"]);
    const violations = results.flatMap((r) =>
      r.messages.map((m) => `${r.filePath.slice(root.length)}:${m.line} ${m.message}`),
    );
    expect(results.length).toBeGreaterThan(100);
    expect(violations).toEqual([]);
  });
});
