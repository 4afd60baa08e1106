import { execFile } from "node:child_process";
import { constants } from "node:fs";
import { access, mkdtemp, readFile, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";

import { LineCounter, parseDocument } from "yaml";

import type { DesiredObject } from "../model/index.js";
import { collectFieldLines } from "./field-lines.js";
import { fileSystemError, kustomizationFileNames } from "./files.js";
import { buildFailureMessage, generatorEntries, withoutGeneratorValues } from "./kustomize-errors.js";
import { ReadModes, parseManifests } from "./manifest.js";
import { SourceError } from "./types.js";
import { yamlOptions } from "../kube/yaml-options.js";
import type { JsonObject, JsonValue, KubeObject } from "../kube/value/json.js";
import { isJsonObject } from "../kube/value/json.js";
import { valueAtPointer } from "../kube/value/pointer.js";

export interface KustomizeOptions {
  readonly cwd: string;
  /** kubectl to run `kubectl kustomize` with; by default the one on PATH, else a `kustomize` binary. */
  readonly kubectlPath?: string;
  readonly env?: NodeJS.ProcessEnv;
}

interface Builder {
  readonly command: string;
  readonly args: readonly string[];
}

const originAnnotation = "config.kubernetes.io/origin";

async function onPath(name: string, env: NodeJS.ProcessEnv): Promise<string | undefined> {
  for (const directory of (env["PATH"] ?? "").split(path.delimiter)) {
    if (directory === "") continue;
    const candidate = path.join(directory, name);
    try {
      await access(candidate, constants.X_OK);
      return candidate;
    } catch {
      // not here; try the next directory
    }
  }
  return undefined;
}

async function findBuilder(directory: string, options: KustomizeOptions): Promise<Builder> {
  if (options.kubectlPath !== undefined) return { command: options.kubectlPath, args: ["kustomize"] };
  const env = options.env ?? process.env;
  const kubectl = await onPath("kubectl", env);
  if (kubectl !== undefined) return { command: kubectl, args: ["kustomize"] };
  const kustomize = await onPath("kustomize", env);
  if (kustomize !== undefined) return { command: kustomize, args: ["build"] };
  throw new SourceError(`cannot build ${directory}: neither kubectl nor kustomize is on PATH`);
}

type BuildResult =
  { readonly ok: true; readonly stdout: string } | { readonly ok: false; readonly message: string };

function runBuild(builder: Builder, directory: string): Promise<BuildResult> {
  return new Promise((resolve) => {
    execFile(
      builder.command,
      [...builder.args, directory],
      { maxBuffer: 1024 * 1024 * 1024, encoding: "utf8" },
      (error, stdout, stderr) => {
        resolve(
          error === null ? { ok: true, stdout } : { ok: false, message: buildFailureMessage(stderr, error) },
        );
      },
    );
  });
}

/**
 * Builds through a kustomization of our own that includes the user's and asks for origin annotations,
 * so that each object says which file it came from. The user's kustomization stays untouched.
 */
async function buildWithOrigins(
  builder: Builder,
  absolute: string,
): Promise<{ readonly result: BuildResult; readonly wrapper: string }> {
  const wrapper = await mkdtemp(path.join(tmpdir(), "kubedrift-kustomize-"));
  const kustomization = `resources:\n  - ${JSON.stringify(path.relative(wrapper, absolute))}\nbuildMetadata: [originAnnotations]\n`;
  await writeFile(path.join(wrapper, "kustomization.yaml"), kustomization);
  return { result: await runBuild(builder, wrapper), wrapper };
}

function asObject(value: JsonValue | undefined): JsonObject | undefined {
  return isJsonObject(value) ? value : undefined;
}

function withoutOrigin(object: KubeObject): { readonly object: KubeObject; readonly origin?: string } {
  const metadata = asObject(object["metadata"]);
  const annotations = asObject(metadata?.["annotations"]);
  const origin = annotations?.[originAnnotation];
  if (metadata === undefined || annotations === undefined || typeof origin !== "string") return { object };
  const { [originAnnotation]: _origin, ...others } = annotations;
  const { annotations: _annotations, ...otherMetadata } = metadata;
  const newMetadata =
    Object.keys(others).length === 0 ? otherMetadata : { ...otherMetadata, annotations: others };
  return { object: { ...object, metadata: newMetadata }, origin };
}

function sameShape(written: JsonValue | undefined, built: JsonValue | undefined): boolean {
  if (written === undefined || built === undefined) return false;
  if (typeof written !== "object" || written === null) return written === built;
  return typeof built === "object" && built !== null && Array.isArray(built) === Array.isArray(written);
}

/**
 * A field keeps the line it was written on only where the build left its value alone; values that an
 * overlay patched or a transformer rewrote (names, labels) have no line in the file they came from.
 */
function transferFieldLines(written: DesiredObject, built: KubeObject): ReadonlyMap<string, number> {
  const lines = new Map<string, number>();
  for (const [pointer, line] of written.fieldLines ?? []) {
    if (sameShape(valueAtPointer(written.object, pointer), valueAtPointer(built, pointer)))
      lines.set(pointer, line);
  }
  return lines;
}

interface OriginContext {
  readonly wrapper: string;
  readonly cwd: string;
  readonly absoluteShown: boolean;
  readonly files: Map<string, Promise<readonly DesiredObject[] | undefined>>;
  readonly fallback: DesiredObject["source"];
}

function shownPath(absolute: string, context: OriginContext): string {
  return context.absoluteShown ? absolute : path.relative(context.cwd, absolute);
}

async function readOrigin(
  absolute: string,
  context: OriginContext,
): Promise<readonly DesiredObject[] | undefined> {
  try {
    return parseManifests(await readFile(absolute, "utf8"), shownPath(absolute, context), ReadModes.named)
      .objects;
  } catch {
    // A file kustomize read but we cannot (a remote base, a fragment): the object keeps the kustomization as its source.
    return undefined;
  }
}

function originFile(absolute: string, context: OriginContext): Promise<readonly DesiredObject[] | undefined> {
  let objects = context.files.get(absolute);
  if (objects === undefined) {
    objects = readOrigin(absolute, context);
    context.files.set(absolute, objects);
  }
  return objects;
}

/** namePrefix and nameSuffix wrap the written name; the longest written name inside the built one wins. */
function matchWritten(candidates: readonly DesiredObject[], built: DesiredObject): DesiredObject | undefined {
  const sameKind = candidates.filter(
    (candidate) =>
      candidate.ref.kind === built.ref.kind &&
      candidate.ref.group === built.ref.group &&
      built.ref.name.includes(candidate.ref.name),
  );
  return sameKind.sort((a, b) => b.ref.name.length - a.ref.name.length)[0];
}

interface Origin {
  readonly path?: string;
  readonly configuredIn?: string;
}

function parseOrigin(text: string): Origin {
  const parsed: unknown = parseDocument(text).toJS();
  if (typeof parsed !== "object" || parsed === null) return {};
  const fields = parsed as Record<string, unknown>;
  // Objects from a remote base name a path inside that repository, not on this disk.
  if (fields["repo"] !== undefined) return {};
  return {
    ...(typeof fields["path"] === "string" ? { path: fields["path"] } : {}),
    ...(typeof fields["configuredIn"] === "string" ? { configuredIn: fields["configuredIn"] } : {}),
  };
}

/** A generated ConfigMap or Secret points at its generator's entry in the kustomization that configured it. */
async function generatorLine(absolute: string, built: DesiredObject): Promise<number> {
  try {
    const lineCounter = new LineCounter();
    const document = parseDocument(await readFile(absolute, "utf8"), yamlOptions(lineCounter));
    const config: unknown = document.toJS();
    const lines =
      document.contents === null
        ? new Map<string, number>()
        : collectFieldLines(document.contents, lineCounter);
    const key = built.ref.kind === "Secret" ? "secretGenerator" : "configMapGenerator";
    const generators =
      typeof config === "object" && config !== null ? (config as Record<string, unknown>)[key] : undefined;
    const index = Array.isArray(generators)
      ? generators.findIndex(
          (generator: unknown) =>
            typeof generator === "object" &&
            generator !== null &&
            "name" in generator &&
            typeof generator.name === "string" &&
            built.ref.name.includes(generator.name),
        )
      : -1;
    return lines.get(index < 0 ? `/${key}` : `/${key}/${index}`) ?? 1;
  } catch {
    return 1;
  }
}

async function locate(built: DesiredObject, origin: Origin, context: OriginContext): Promise<DesiredObject> {
  if (origin.path !== undefined) {
    const absolute = path.resolve(context.wrapper, origin.path);
    const written = matchWritten((await originFile(absolute, context)) ?? [], built);
    if (written === undefined)
      return {
        ref: built.ref,
        object: built.object,
        source: { file: shownPath(absolute, context), line: 1 },
      };
    return {
      ref: built.ref,
      object: built.object,
      source: written.source,
      fieldLines: transferFieldLines(written, built.object),
    };
  }
  if (origin.configuredIn !== undefined) {
    const absolute = path.resolve(context.wrapper, origin.configuredIn);
    return {
      ref: built.ref,
      object: built.object,
      source: { file: shownPath(absolute, context), line: await generatorLine(absolute, built) },
    };
  }
  return { ref: built.ref, object: built.object, source: context.fallback };
}

async function findKustomization(directory: string, absolute: string): Promise<string> {
  for (const name of kustomizationFileNames) {
    try {
      await access(path.join(absolute, name));
      return name;
    } catch {
      // try the next spelling
    }
  }
  try {
    await access(absolute);
  } catch (error: unknown) {
    throw fileSystemError(directory, error);
  }
  throw new SourceError(`cannot build ${directory}: it has no kustomization.yaml`);
}

async function buildOutput(
  builder: Builder,
  directory: string,
  kustomizationPath: string,
): Promise<{ readonly stdout: string; readonly wrapper?: string }> {
  const absolute = path.dirname(kustomizationPath);
  const kustomization = await readFile(kustomizationPath, "utf8");
  // A kustomization that asks for origin annotations itself wants them in the cluster: leave them, and it, alone.
  if (!kustomization.includes("originAnnotations")) {
    const { result, wrapper } = await buildWithOrigins(builder, absolute);
    if (result.ok) return { stdout: result.stdout, wrapper };
    await rm(wrapper, { recursive: true, force: true });
  }
  // Built directly, the error names the user's paths rather than our wrapper's.
  const direct = await runBuild(builder, absolute);
  if (!direct.ok) {
    const entries = await generatorEntries(absolute, path.normalize(directory));
    throw new SourceError(`cannot build ${directory}: ${withoutGeneratorValues(direct.message, entries)}`);
  }
  return { stdout: direct.stdout };
}

/**
 * The objects that `kubectl kustomize DIR` (or `kustomize build DIR`) renders. Each points at the file
 * and line it was written in when kustomize's origin annotation and a match by kind and name find it,
 * with the lines of the fields the build did not change; else at the kustomization.
 */
export async function buildKustomization(
  directory: string,
  options: KustomizeOptions,
): Promise<readonly DesiredObject[]> {
  const absolute = path.resolve(options.cwd, directory);
  const kustomizationName = await findKustomization(directory, absolute);
  const builder = await findBuilder(directory, options);
  const { stdout, wrapper } = await buildOutput(builder, directory, path.join(absolute, kustomizationName));
  try {
    const kustomizationFile = path.join(path.normalize(directory), kustomizationName);
    const fallback = { file: kustomizationFile, line: 1 };
    const context: OriginContext = {
      wrapper: wrapper ?? absolute,
      cwd: options.cwd,
      absoluteShown: path.isAbsolute(directory),
      files: new Map(),
      fallback,
    };
    const built = parseManifests(stdout, kustomizationFile, ReadModes.named).objects;
    return await Promise.all(
      built.map(async (object) => {
        const { object: cleaned, origin } =
          wrapper === undefined ? { object: object.object } : withoutOrigin(object.object);
        const withoutPositions: DesiredObject = { ref: object.ref, object: cleaned, source: fallback };
        return origin === undefined
          ? withoutPositions
          : await locate(withoutPositions, parseOrigin(origin), context);
      }),
    );
  } finally {
    if (wrapper !== undefined) await rm(wrapper, { recursive: true, force: true });
  }
}
