/**
 * `npm run build`'s step after tsc: dist/cluster/client-node.js, compiled as re-exports of
 * @kubernetes/client-node (src/cluster/client-node.ts), becomes one tree-shaken bundle of what
 * those re-exports use, with the libraries they need (undici, js-yaml, the proxy agents, …).
 * Loading the package's index costs some 870 modules, and undici alone another hundred: about
 * 0.45 s of every run before its first request, against 0.1 s for the bundle. ADR 0023.
 *
 * The library's own files are marked free of side effects so that esbuild can leave out the
 * generated API clients and models that its index re-exports and kubedrift never calls; the one
 * it imports for a side effect (polyfill.js) sets `File` for Node 18, which kubedrift does not run on.
 * The licences of everything bundled go beside it, as their terms ask.
 */
import { readFileSync, readdirSync, rmSync, writeFileSync } from "node:fs";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { build, type Plugin } from "esbuild";

const root = fileURLToPath(new URL("..", import.meta.url));
const bundle = join(root, "dist", "cluster", "client-node.js");
const library = join(root, "node_modules", "@kubernetes", "client-node");

/** The library's modules as free of side effects (its package.json does not say so itself). */
const withoutSideEffects: Plugin = {
  name: "client-node-without-side-effects",
  setup(esbuild) {
    esbuild.onResolve({ filter: /^@kubernetes\/client-node$/ }, () => ({
      path: join(library, "dist", "index.js"),
      sideEffects: false,
    }));
    esbuild.onResolve({ filter: /^\.\.?\// }, (args) =>
      args.importer.startsWith(library)
        ? { path: resolve(dirname(args.importer), args.path), sideEffects: false }
        : undefined,
    );
  },
};

/** `node_modules/a/b/c.js` and `node_modules/@s/p/x.js` → the package's directory. */
function packageDirectory(input: string): string | undefined {
  const match = /^(.*node_modules\/(?:@[^/]+\/)?[^/]+)\//.exec(input);
  return match?.[1];
}

function licenceText(directory: string): string {
  const file = readdirSync(directory).find((name) => /^(licen[cs]e|copying)(\.|$)/i.test(name));
  return file === undefined ? "" : readFileSync(join(directory, file), "utf8").trim();
}

function notices(inputs: readonly string[]): string {
  const directories = [...new Set(inputs.map(packageDirectory).filter((d) => d !== undefined))].sort();
  return directories
    .map((directory) => {
      const manifest = JSON.parse(readFileSync(join(root, directory, "package.json"), "utf8")) as {
        readonly name: string;
        readonly version: string;
        readonly license?: string;
      };
      const text = licenceText(join(root, directory));
      return `${manifest.name} ${manifest.version} (${manifest.license ?? "see its package"})\n\n${text}\n`;
    })
    .join(`\n${"-".repeat(78)}\n\n`);
}

const result = await build({
  entryPoints: [bundle],
  outfile: bundle,
  allowOverwrite: true,
  bundle: true,
  platform: "node",
  format: "esm",
  target: "node22",
  metafile: true,
  legalComments: "none",
  logLevel: "warning",
  // The CommonJS libraries in the bundle (undici) require Node's built-ins.
  banner: {
    js: [
      "// @kubernetes/client-node's kubeconfig and request parts, bundled by scripts/bundle-client.ts;",
      "// the licences of the bundled packages are in client-node.js.LICENSES.txt beside this file.",
      'import { createRequire as kubedriftCreateRequire } from "node:module";',
      "const require = kubedriftCreateRequire(import.meta.url);",
    ].join("\n"),
  },
  plugins: [withoutSideEffects],
});
const inputs = Object.keys(
  result.metafile.outputs[Object.keys(result.metafile.outputs)[0] ?? ""]?.inputs ?? {},
);
writeFileSync(`${bundle}.LICENSES.txt`, notices(inputs));
// tsc's map describes the re-exports that are no more.
rmSync(`${bundle}.map`, { force: true });
