import type { Dirent, Stats } from "node:fs";
import { readFile, readdir, realpath, stat } from "node:fs/promises";
import path from "node:path";

import { parse } from "yaml";

import { ReadModes } from "./manifest.js";
import type { ReadMode } from "./manifest.js";
import { decodeUtf8 } from "./text.js";
import { SourceError } from "./types.js";

/** A file to read: its path as the user sees it (relative to the working directory as given), and how to read it. */
export interface ManifestFile {
  readonly file: string;
  readonly absolute: string;
  readonly mode: ReadMode;
}

export interface ExpandedFiles {
  readonly files: readonly ManifestFile[];
  readonly notes: readonly string[];
}

const manifestExtensions = new Set([".yaml", ".yml", ".json"]);
export const kustomizationFileNames = ["kustomization.yaml", "kustomization.yml", "Kustomization"] as const;

/** One line naming the path, for the errors a file system gives; never a stack trace. */
export function fileSystemError(file: string, error: unknown): SourceError {
  const code = typeof error === "object" && error !== null && "code" in error ? String(error.code) : "";
  const messages: Readonly<Record<string, string>> = {
    ENOENT: `no such file or directory: ${file}`,
    EACCES: `permission denied: ${file}`,
    EPERM: `permission denied: ${file}`,
    EISDIR: `is a directory: ${file}`,
    ENOTDIR: `not a directory: ${file}`,
  };
  return new SourceError(messages[code] ?? `cannot read ${file}: ${code === "" ? String(error) : code}`, {
    cause: error,
  });
}

async function readText(file: string, absolute: string): Promise<string> {
  let bytes: Buffer;
  try {
    bytes = await readFile(absolute);
  } catch (error: unknown) {
    throw fileSystemError(file, error);
  }
  return decodeUtf8(bytes, file);
}

/** What a FIFO, socket or device is, for the message that refuses to open it (a FIFO would block forever). */
function specialFileKind(stats: Stats): string {
  if (stats.isFIFO()) return "a FIFO; read a pipe with -f -";
  if (stats.isSocket()) return "a socket";
  if (stats.isCharacterDevice()) return "a character device";
  if (stats.isBlockDevice()) return "a block device";
  return "not a file or directory";
}

/** The real path, so that a file or directory reached through several symbolic links is read once. */
async function realPathOf(absolute: string): Promise<string> {
  try {
    return await realpath(absolute);
  } catch {
    // A dangling link: reading it later names it.
    return absolute;
  }
}

function pathsIn(entries: unknown): readonly string[] {
  if (!Array.isArray(entries)) return [];
  return entries.flatMap((entry: unknown) => {
    if (typeof entry === "string") return entry.includes("\n") ? [] : [entry];
    if (typeof entry === "object" && entry !== null && "path" in entry && typeof entry.path === "string")
      return [entry.path];
    return [];
  });
}

/**
 * Patches in an overlay are fragments of objects that the base declares; read as objects they would
 * collide with the base. The Kustomization says which files they are.
 */
async function kustomizePatchFiles(kustomization: string): Promise<readonly string[]> {
  let config: unknown;
  try {
    config = parse(await readFile(kustomization, "utf8"));
  } catch {
    return [];
  }
  if (typeof config !== "object" || config === null) return [];
  const fields = config as Record<string, unknown>;
  const directory = path.dirname(kustomization);
  const patches = [
    ...pathsIn(fields["patchesStrategicMerge"]),
    ...pathsIn(fields["patches"]),
    ...pathsIn(fields["patchesJson6902"]),
  ];
  return patches.map((patch) => path.resolve(directory, patch));
}

interface DirectoryListing {
  readonly entries: readonly Dirent[];
  readonly names: ReadonlySet<string>;
}

async function listDirectory(shown: string, absolute: string): Promise<DirectoryListing> {
  try {
    const entries = (await readdir(absolute, { withFileTypes: true })).sort((a, b) =>
      a.name < b.name ? -1 : a.name > b.name ? 1 : 0,
    );
    return { entries, names: new Set(entries.map((entry) => entry.name)) };
  } catch (error: unknown) {
    throw fileSystemError(shown, error);
  }
}

interface Walk {
  readonly files: ManifestFile[];
  readonly notes: string[];
  /** Real paths of the directories and files already taken: links back up the tree, or to a sibling, add nothing. */
  readonly visited: Set<string>;
}

type EntryKind = "directory" | "file" | "special";

async function entryKind(entry: Dirent, absolute: string): Promise<EntryKind> {
  if (!entry.isSymbolicLink()) return entry.isDirectory() ? "directory" : entry.isFile() ? "file" : "special";
  try {
    const target = await stat(absolute);
    return target.isDirectory() ? "directory" : target.isFile() ? "file" : "special";
  } catch {
    // A dangling link is a file that cannot be read: reading it names it.
    return "file";
  }
}

/** Patch files by absolute path → the directory, as shown, of the kustomization that patches with them. */
type PatchFiles = ReadonlyMap<string, string>;

function classifyFile(shown: string, absolute: string, patches: PatchFiles): ManifestFile | string {
  const name = path.basename(shown);
  if ((kustomizationFileNames as readonly string[]).includes(name)) {
    return `not a Kubernetes object (a Kustomization; build it with -k ${path.dirname(shown)}): ${shown}`;
  }
  if (!manifestExtensions.has(path.extname(name).toLowerCase())) return `not a manifest: ${shown}`;
  const overlay = patches.get(absolute);
  if (overlay !== undefined)
    return `not a Kubernetes object (a Kustomize patch; build the overlay with -k ${overlay}): ${shown}`;
  return { file: shown, absolute, mode: ReadModes.discovered };
}

/** Patches may sit below the kustomization that names them, so what a directory's kustomization patches applies to its subdirectories. */
async function walkDirectory(
  shown: string,
  absolute: string,
  walk: Walk,
  inheritedPatches: PatchFiles,
): Promise<void> {
  // Symbolic links may loop back up the tree or lead to a directory already walked.
  const real = await realPathOf(absolute);
  if (walk.visited.has(real)) return;
  walk.visited.add(real);
  const listing = await listDirectory(shown, absolute);
  if (listing.names.has("Chart.yaml")) {
    walk.notes.push(`not rendered (a Helm chart; compare the release with --helm-release): ${shown}`);
    return;
  }
  const kustomization = kustomizationFileNames.find((name) => listing.names.has(name));
  const patches =
    kustomization === undefined
      ? inheritedPatches
      : new Map([
          ...inheritedPatches,
          ...(await kustomizePatchFiles(path.join(absolute, kustomization))).map(
            (patch): [string, string] => [patch, shown],
          ),
        ]);
  for (const entry of listing.entries) {
    if (entry.name.startsWith(".") || entry.name === "node_modules") continue;
    const entryShown = path.join(shown, entry.name);
    const entryAbsolute = path.join(absolute, entry.name);
    const kind = await entryKind(entry, entryAbsolute);
    // A regular file's real path is its real directory's and its name: no system call for each of
    // thousands of files. Only a link needs resolving.
    const realFile = entry.isSymbolicLink() ? undefined : path.join(real, entry.name);
    if (kind === "directory") await walkDirectory(entryShown, entryAbsolute, walk, patches);
    else if (kind === "special") walk.notes.push(`not a regular file: ${entryShown}`);
    else await takeFile(classifyFile(entryShown, entryAbsolute, patches), walk, realFile);
  }
}

async function takeFile(classified: ManifestFile | string, walk: Walk, realFile?: string): Promise<void> {
  if (typeof classified === "string") {
    walk.notes.push(classified);
    return;
  }
  const real = realFile ?? (await realPathOf(classified.absolute));
  if (walk.visited.has(real)) return;
  walk.visited.add(real);
  walk.files.push(classified);
}

/**
 * A -f argument as files: itself, or every manifest under it in a stable order. `visited` (real paths)
 * is shared by the -f arguments of one run, so that each file is read once however it is reached.
 */
export async function expandFilename(
  filename: string,
  cwd: string,
  visited: Set<string> = new Set(),
): Promise<ExpandedFiles> {
  const absolute = path.resolve(cwd, filename);
  let stats: Stats;
  try {
    stats = await stat(absolute);
  } catch (error: unknown) {
    throw fileSystemError(filename, error);
  }
  const walk: Walk = { files: [], notes: [], visited };
  if (stats.isDirectory()) await walkDirectory(path.normalize(filename), absolute, walk, new Map());
  else if (stats.isFile()) await takeFile({ file: filename, absolute, mode: ReadModes.named }, walk);
  else throw new SourceError(`not a regular file (${specialFileKind(stats)}): ${filename}`);
  return { files: walk.files, notes: walk.notes };
}

/** Reads files a few at a time: all at once would exhaust file descriptors on large trees. */
export async function readFiles(files: readonly ManifestFile[]): Promise<readonly string[]> {
  const batchSize = 64;
  const texts: string[] = [];
  for (let start = 0; start < files.length; start += batchSize) {
    const batch = files.slice(start, start + batchSize);
    texts.push(...(await Promise.all(batch.map((file) => readText(file.file, file.absolute)))));
  }
  return texts;
}
