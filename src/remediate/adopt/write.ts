import { readFileSync, renameSync, statSync, writeFileSync, rmSync } from "node:fs";
import path from "node:path";

import type { AdoptPlan, FileEdit } from "./types.js";

export interface AdoptWriteOutcome {
  readonly written: readonly string[];
  /** Files left alone because they changed on disk since the plan read them. */
  readonly refused: readonly { readonly file: string; readonly reason: string }[];
}

function currentText(file: string): string | undefined {
  try {
    return readFileSync(file, "utf8");
  } catch {
    return undefined;
  }
}

/** Temp file beside the target, then rename: a reader sees the old text or the new, never half of it. */
function writeAtomically(edit: FileEdit): void {
  const temporary = path.join(
    path.dirname(edit.absolute),
    `.${path.basename(edit.absolute)}.kubedrift-${process.pid}`,
  );
  try {
    writeFileSync(temporary, edit.after, { mode: statSync(edit.absolute).mode });
    renameSync(temporary, edit.absolute);
  } catch (error: unknown) {
    rmSync(temporary, { force: true });
    throw new Error(`cannot write ${edit.file}`, { cause: error });
  }
}

/** Writes each planned file whose text is still what the plan read; a file changed since is refused, not overwritten. */
export function writeAdoption(plan: AdoptPlan): AdoptWriteOutcome {
  const written: string[] = [];
  const refused: { file: string; reason: string }[] = [];
  for (const edit of plan.edits) {
    if (currentText(edit.absolute) !== edit.before) {
      refused.push({ file: edit.file, reason: "changed on disk since the plan was made" });
      continue;
    }
    writeAtomically(edit);
    written.push(edit.file);
  }
  return { written, refused };
}
