import { readdir, stat } from "node:fs/promises";
import { join } from "node:path";

/** The regular files of a directory (links followed): a FIFO named `x.tf` is never opened. */
export async function regularFiles(directory: string): Promise<readonly string[]> {
  const names = (await readdir(directory)).sort();
  const kinds = await Promise.all(
    names.map(async (name) => {
      try {
        return (await stat(join(directory, name))).isFile();
      } catch {
        return false;
      }
    }),
  );
  return names.filter((_, index) => kinds[index]);
}
