// The layering rule: which `src/` folder may import which (docs/architecture.md, as DESIGN.md's Architecture).
// A relative specifier is resolved against the importing file's path and both ends are looked
// up in the table given as the rule's options (eslint.config.js). See docs/adr/0008.
import path from "node:path";
import type { Rule } from "eslint";

export interface LayeringOptions {
  /** The repository root; `src/` and `test/` are below it. */
  root: string;
  /** src folder → src folders it may import; "*" is every folder of the table. */
  layers: Record<string, readonly string[] | "*">;
  /** What test files beside the code may import in addition: src folders, and folders below the root. */
  tests: { folders: readonly string[]; paths: readonly string[] };
}

type Place = { area: "src"; folder: string } | { area: "test"; relative: string } | { area: "other" };

const TEST_FILE = /(\.test\.ts|\.test-helper\.ts|[/\\]test-context\.ts)$/;

export function isTestFile(file: string): boolean {
  return TEST_FILE.test(file);
}

/** Where a path lies: in which `src/` folder (a file directly in `src/` has folder ""), in `test/`, or elsewhere. */
export function placeOf(root: string, file: string): Place {
  const parts = path.relative(root, file).split(path.sep);
  if (parts[0] === "src" && parts.length > 1)
    return { area: "src", folder: parts.length > 2 ? parts[1] : "" };
  if (parts[0] === "test") return { area: "test", relative: parts.join("/") };
  return { area: "other" };
}

/** The folders `folder` may import, "*" expanded; undefined for a folder the table does not list. */
export function allowedImports(layers: LayeringOptions["layers"], folder: string): string[] | undefined {
  const entry = Object.hasOwn(layers, folder) ? layers[folder] : undefined;
  if (entry === "*") return Object.keys(layers).filter((other) => other !== folder);
  return entry === undefined ? undefined : [...entry];
}

interface Literalish {
  type?: unknown;
  value?: unknown;
  expressions?: unknown[];
  quasis?: { value: { cooked: string | null } }[];
}

function templateText(n: Literalish): string | undefined {
  return n.expressions?.length === 0 ? (n.quasis?.[0]?.value.cooked ?? undefined) : undefined;
}

function literalText(node: unknown): string | undefined {
  if (typeof node !== "object" || node === null) return undefined;
  const n = node as Literalish;
  if (n.type === "Literal" && typeof n.value === "string") return n.value;
  return n.type === "TemplateLiteral" ? templateText(n) : undefined;
}

/** The module specifier of an import, re-export, dynamic import(), `import("…")` type or `import x = require("…")`. */
function specifierOf(node: Rule.Node): string | undefined {
  if ("source" in node) return literalText(node.source);
  return "expression" in node ? literalText(node.expression) : undefined;
}

interface Verdict {
  messageId: string;
  data?: Record<string, string>;
}

function srcVerdict(options: LayeringOptions, from: string, to: string, test: boolean): Verdict | undefined {
  const own = allowedImports(options.layers, from);
  // A file of an unlisted folder is reported once, on its Program node.
  if (to === from || own === undefined) return undefined;
  if (own.includes(to) || (test && options.tests.folders.includes(to))) return undefined;
  if (allowedImports(options.layers, to) === undefined)
    return { messageId: "unlisted", data: { folder: to } };
  return { messageId: "layer", data: { from, to, may: own.join(", ") || "nothing of the project" } };
}

function testVerdict(options: LayeringOptions, relative: string, test: boolean): Verdict | undefined {
  if (!test) return { messageId: "production" };
  const ok = options.tests.paths.some((prefix) => relative.startsWith(`${prefix}/`));
  return ok ? undefined : { messageId: "testArea", data: { paths: options.tests.paths.join(", ") } };
}

function verdict(options: LayeringOptions, file: string, specifier: string): Verdict | undefined {
  const from = placeOf(options.root, file);
  if (from.area !== "src" || !specifier.startsWith(".")) return undefined;
  const target = placeOf(options.root, path.resolve(path.dirname(file), specifier));
  const test = isTestFile(file);
  if (target.area === "src") return srcVerdict(options, from.folder, target.folder, test);
  return target.area === "test" ? testVerdict(options, target.relative, test) : undefined;
}

const IMPORTING_NODES = [
  "ImportDeclaration",
  "ExportNamedDeclaration",
  "ExportAllDeclaration",
  "ImportExpression",
  "TSImportType",
  "TSExternalModuleReference",
];

export const layering: Rule.RuleModule = {
  meta: {
    type: "problem",
    docs: { description: "Enforce docs/architecture.md's table of which src/ folder may import which." },
    messages: {
      layer: "src/{{from}} may not import src/{{to}} (docs/architecture.md: {{from}} may import {{may}}).",
      unlisted:
        "src/{{folder}} is not in the layering table (eslint.config.js); add it there and to docs/architecture.md's table.",
      production: "Production code may not import test/; only test files (*.test.ts, *.test-helper.ts) may.",
      testArea: "Tests in src/ may import only {{paths}} of test/.",
    },
    schema: [
      {
        type: "object",
        properties: {
          root: { type: "string" },
          layers: { type: "object", additionalProperties: { anyOf: [{ const: "*" }, { type: "array" }] } },
          tests: { type: "object" },
        },
        required: ["root", "layers", "tests"],
        additionalProperties: false,
      },
    ],
  },
  create(context) {
    const options = context.options[0] as LayeringOptions;
    const file = context.physicalFilename;
    const check = (node: Rule.Node): void => {
      const specifier = specifierOf(node);
      const found = specifier === undefined ? undefined : verdict(options, file, specifier);
      if (found) context.report({ node, ...found });
    };
    const listener: Rule.RuleListener = Object.fromEntries(IMPORTING_NODES.map((type) => [type, check]));
    const place = placeOf(options.root, file);
    if (place.area === "src" && allowedImports(options.layers, place.folder) === undefined) {
      listener.Program = (node) => {
        context.report({ node, messageId: "unlisted", data: { folder: place.folder || "(root)" } });
      };
    }
    return listener;
  },
};

/** A flat-config plugin object: `plugins: { kubedrift: plugin }`, rule `kubedrift/layering`. */
export const plugin = { meta: { name: "kubedrift-local" }, rules: { layering } };
