import { isAbsolute, relative, sep } from "node:path";
import type { SourceLocation } from "../model/index.js";

/**
 * Reports name files as the user would type them: an absolute path under `cwd` becomes relative to
 * it; anything else (already relative, stdin, outside `cwd`) is kept as the sources gave it.
 */
export function relativeFile(file: string, cwd: string | undefined): string {
  if (cwd === undefined || !isAbsolute(file)) return file;
  const relativePath = relative(cwd, file);
  if (
    relativePath === "" ||
    relativePath === ".." ||
    relativePath.startsWith(`..${sep}`) ||
    isAbsolute(relativePath)
  )
    return file;
  return relativePath.split(sep).join("/");
}

export function relativeLocation(location: SourceLocation, cwd: string | undefined): SourceLocation {
  return { file: relativeFile(location.file, cwd), line: location.line };
}

export function formatLocation(location: SourceLocation, cwd: string | undefined): string {
  return `${relativeFile(location.file, cwd)}:${location.line}`;
}
