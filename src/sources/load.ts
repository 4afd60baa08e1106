import { describeRef, refKey } from "../model/index.js";
import type { DesiredObject } from "../model/index.js";
import { expandFilename, readFiles } from "./files.js";
import type { ManifestFile } from "./files.js";
import { buildKustomization } from "./kustomize.js";
import { ReadModes, parseManifests } from "./manifest.js";
import { decodeUtf8 } from "./text.js";
import { SourceError } from "./types.js";
import type { LoadedSources, SourceSpec } from "./types.js";

export interface LoadOptions {
  /** What `-f -` reads; process.stdin unless given. */
  readonly stdin?: NodeJS.ReadableStream | string;
  /** Paths are resolved against it and shown as given; process.cwd() unless given. */
  readonly cwd?: string;
  /** kubectl for `-k`; the one on PATH unless given. */
  readonly kubectlPath?: string;
}

/** The file name objects read from standard input are reported under. */
export const stdinFileName = "<stdin>";

async function readStream(stream: NodeJS.ReadableStream): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const chunk of stream) chunks.push(typeof chunk === "string" ? Buffer.from(chunk) : chunk);
  return decodeUtf8(Buffer.concat(chunks), stdinFileName);
}

/**
 * Every object must be declared once. The CLI should call this again once it has filled in default
 * namespaces: `web` without a namespace and `web` in `default` are only then seen to be the same.
 */
export function assertNoDuplicates(objects: readonly DesiredObject[]): void {
  const seen = new Map<string, DesiredObject>();
  for (const object of objects) {
    const key = refKey(object.ref);
    const first = seen.get(key);
    if (first !== undefined) {
      throw new SourceError(
        `duplicate object ${describeRef(object.ref)}: ${first.source.file}:${first.source.line} and ${object.source.file}:${object.source.line}`,
      );
    }
    seen.set(key, object);
  }
}

interface Collected {
  readonly objects: DesiredObject[];
  readonly notes: string[];
  /** Real paths already read, across -f arguments. */
  readonly visited: Set<string>;
}

async function loadFiles(files: readonly ManifestFile[], collected: Collected): Promise<void> {
  const texts = await readFiles(files);
  files.forEach((file, index) => {
    const parsed = parseManifests(texts[index], file.file, file.mode);
    collected.objects.push(...parsed.objects);
    collected.notes.push(...parsed.notes);
  });
}

async function loadFilename(filename: string, options: LoadOptions, collected: Collected): Promise<void> {
  if (filename === "-") {
    const stdin = options.stdin ?? process.stdin;
    const text = typeof stdin === "string" ? stdin : await readStream(stdin);
    collected.objects.push(...parseManifests(text, stdinFileName, ReadModes.named).objects);
    return;
  }
  const expanded = await expandFilename(filename, options.cwd ?? process.cwd(), collected.visited);
  collected.notes.push(...expanded.notes);
  await loadFiles(expanded.files, collected);
}

/**
 * The desired state that -f and -k name, in a stable order: -f arguments first, in order, each directory
 * sorted by name, then each -k. Throws a SourceError (one line, naming file and line) at the first problem.
 */
export async function loadSources(
  spec: Pick<SourceSpec, "filenames" | "kustomize">,
  options: LoadOptions = {},
): Promise<LoadedSources> {
  if (spec.filenames.filter((filename) => filename === "-").length > 1)
    throw new SourceError("standard input (-f -) can be read only once");
  const collected: Collected = { objects: [], notes: [], visited: new Set() };
  for (const filename of spec.filenames) await loadFilename(filename, options, collected);
  const cwd = options.cwd ?? process.cwd();
  for (const directory of spec.kustomize) {
    const kustomizeOptions =
      options.kubectlPath === undefined ? { cwd } : { cwd, kubectlPath: options.kubectlPath };
    collected.objects.push(...(await buildKustomization(directory, kustomizeOptions)));
  }
  assertNoDuplicates(collected.objects);
  return { objects: collected.objects, notes: collected.notes };
}
