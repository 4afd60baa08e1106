import {
  closeSync,
  fchmodSync,
  fsyncSync,
  openSync,
  readFileSync,
  realpathSync,
  renameSync,
  rmSync,
  statSync,
  writeFileSync,
} from "node:fs";
import path from "node:path";

import type { AdoptPlan, FileEdit } from "./types.js";

/** A file and, in plain words, why it was not written. */
export interface AdoptWriteProblem {
  readonly file: string;
  readonly reason: string;
}

export interface AdoptWriteFailure extends AdoptWriteProblem {
  /** Files renamed into place before the failure and then put back to the text the plan read. */
  readonly restored: readonly string[];
}

/**
 * All planned files are written or none: `written` lists every planned file, or is empty. The one
 * exception is a rename that fails midway and a rollback that fails too: `written` then lists the
 * files left holding the adopted text, and every other file is as the plan read it.
 */
export interface AdoptWriteOutcome {
  readonly written: readonly string[];
  /** Files changed on disk since the plan read them; when any is, nothing is written. */
  readonly refused: readonly AdoptWriteProblem[];
  /** Why the write stopped; absent when every file was written or some were refused. */
  readonly failed?: AdoptWriteFailure;
}

/** The file operations the writer needs; tests substitute failures the real file system cannot be made to produce. */
export interface AdoptFileSystem {
  readonly realpath: (file: string) => string;
  readonly read: (file: string) => string;
  /** Permission bits of `file`. */
  readonly mode: (file: string) => number;
  /** Creates `file`, which must not exist, holding `text` with exactly `mode`, flushed to disk. */
  readonly create: (file: string, text: string, mode: number) => void;
  readonly rename: (from: string, to: string) => void;
  readonly remove: (file: string) => void;
}

export const nodeFileSystem: AdoptFileSystem = {
  realpath: (file) => realpathSync(file),
  read: (file) => readFileSync(file, "utf8"),
  mode: (file) => statSync(file).mode & 0o7777,
  create: (file, text, mode) => {
    // "wx": never follow or reuse something already at the temporary name; it is not ours to replace.
    const descriptor = openSync(file, "wx", mode);
    try {
      // The umask narrowed the mode given to open; the target's mode is what the file must keep.
      fchmodSync(descriptor, mode);
      writeFileSync(descriptor, text);
      fsyncSync(descriptor);
    } catch (error: unknown) {
      closeSync(descriptor);
      rmSync(file, { force: true });
      throw error;
    }
    closeSync(descriptor);
  },
  rename: (from, to) => renameSync(from, to),
  remove: (file) => rmSync(file, { force: true }),
};

/** One planned file with its new text already on disk beside it, waiting to be renamed into place. */
interface Staged {
  readonly edit: FileEdit;
  /** The file a symlinked manifest points to: written in place so the link stays a link. */
  readonly target: string;
  readonly temporary: string;
  readonly mode: number;
}

/** Node's `CODE: description, syscall 'path'` reduced to its description; `file already exists` names what is in the way. */
function plainCause(error: unknown): string {
  if (!(error instanceof Error)) return String(error);
  if ("code" in error && error.code === "EEXIST" && "path" in error && typeof error.path === "string")
    return `${path.basename(error.path)} already exists beside it`;
  return /^[A-Z0-9_]+: ([^,]+)/.exec(error.message)?.[1] ?? error.message;
}

function removeQuietly(file: string, system: AdoptFileSystem): void {
  try {
    system.remove(file);
  } catch {
    // A leftover hidden temporary file is harmless; the outcome still says which files changed.
  }
}

/** Resolves the real file and writes its new text beside it (same directory, so the rename is atomic). */
function stage(
  edit: FileEdit,
  staged: readonly Staged[],
  system: AdoptFileSystem,
): Staged | AdoptWriteProblem {
  try {
    const target = system.realpath(edit.absolute);
    const same = staged.find((other) => other.target === target);
    // Two renames onto one file would keep only the second edit.
    if (same !== undefined) return { file: edit.file, reason: `it is the same file as ${same.edit.file}` };
    const temporary = path.join(path.dirname(target), `.${path.basename(target)}.kubedrift-${process.pid}`);
    const mode = system.mode(target);
    system.create(temporary, edit.after, mode);
    return { edit, target, temporary, mode };
  } catch (error: unknown) {
    return { file: edit.file, reason: plainCause(error) };
  }
}

function stillAsPlanned(item: Staged, system: AdoptFileSystem): boolean {
  try {
    return system.read(item.target) === item.edit.before;
  } catch {
    return false;
  }
}

/** Puts back the text the plan read, through a temporary file again so no reader sees half of it. */
function restore(item: Staged, system: AdoptFileSystem): boolean {
  try {
    system.create(item.temporary, item.edit.before, item.mode);
  } catch {
    return false;
  }
  try {
    system.rename(item.temporary, item.target);
    return true;
  } catch {
    removeQuietly(item.temporary, system);
    return false;
  }
}

/** Renames every staged file into place; if one rename fails, the files already renamed are restored. */
function commit(staged: readonly Staged[], system: AdoptFileSystem): AdoptWriteOutcome {
  for (const [index, item] of staged.entries()) {
    try {
      system.rename(item.temporary, item.target);
    } catch (error: unknown) {
      for (const pending of staged.slice(index)) removeQuietly(pending.temporary, system);
      const renamed = staged.slice(0, index);
      const restored = new Set(renamed.filter((done) => restore(done, system)));
      return {
        written: renamed.filter((done) => !restored.has(done)).map((done) => done.edit.file),
        refused: [],
        failed: {
          file: item.edit.file,
          reason: plainCause(error),
          restored: [...restored].map((done) => done.edit.file),
        },
      };
    }
  }
  return { written: staged.map((item) => item.edit.file), refused: [] };
}

/**
 * Writes every planned file or none. Each new text is first written to a temporary file beside the
 * real file (through symlinks), and each file is checked to still hold the text the plan read; only
 * then are the temporary files renamed into place. A file changed since the plan is refused, not
 * overwritten, and then nothing is written.
 */
export function writeAdoption(plan: AdoptPlan, system: AdoptFileSystem = nodeFileSystem): AdoptWriteOutcome {
  const staged: Staged[] = [];
  for (const edit of plan.edits) {
    const result = stage(edit, staged, system);
    if (!("edit" in result)) {
      for (const item of staged) removeQuietly(item.temporary, system);
      return { written: [], refused: [], failed: { ...result, restored: [] } };
    }
    staged.push(result);
  }
  const refused = staged
    .filter((item) => !stillAsPlanned(item, system))
    .map((item) => ({ file: item.edit.file, reason: "changed on disk since the plan was made" }));
  if (refused.length > 0) {
    for (const item of staged) removeQuietly(item.temporary, system);
    return { written: [], refused };
  }
  return commit(staged, system);
}

/** After a write that stopped: which files changed, if any. */
function changedLine(written: readonly string[], restored: readonly string[]): string {
  const undone = restored.length === 0 ? [] : [`restored to their original text: ${restored.join(", ")}`];
  if (written.length === 0)
    return `adopt: nothing was changed${undone.length === 0 ? "" : ` (${undone[0]})`}\n`;
  const parts = [`not restored, so holding the adopted text: ${written.join(", ")}`, ...undone];
  return `adopt: ${[...parts, "every other file is unchanged"].join("; ")}\n`;
}

/** What `kubedrift adopt` prints after writing, and its exit status: every file named, with its state. */
export function describeWriteOutcome(outcome: AdoptWriteOutcome): {
  readonly stdout: string;
  readonly stderr: string;
  readonly exitCode: number;
} {
  const stdout = outcome.written.map((file) => `wrote ${file}\n`).join("");
  const problems = [...outcome.refused, ...(outcome.failed === undefined ? [] : [outcome.failed])];
  if (problems.length === 0) return { stdout, stderr: "", exitCode: 0 };
  const errors = problems.map((problem) => `error: cannot write ${problem.file}: ${problem.reason}\n`);
  const line = changedLine(outcome.written, outcome.failed?.restored ?? []);
  return { stdout, stderr: errors.join("") + line, exitCode: 1 };
}
