import { createInterface } from "node:readline/promises";
import { CliError } from "./errors.js";

/**
 * Writes that change files or the cluster ask first on a terminal; scripts say --yes. Without a
 * terminal and without --yes nothing is written: a pipeline that forgot the flag must not act.
 */
export async function confirm(
  question: string,
  options: { readonly yes: boolean; readonly command: string },
): Promise<boolean> {
  if (options.yes) return true;
  if (process.stdin.isTTY !== true || process.stderr.isTTY !== true) {
    throw new CliError(`${options.command}: not a terminal, so not asking: pass --yes to go ahead`);
  }
  const prompt = createInterface({ input: process.stdin, output: process.stderr });
  try {
    const answer = await prompt.question(`${question} [y/N] `);
    return /^y(es)?$/i.test(answer.trim());
  } finally {
    prompt.close();
  }
}
