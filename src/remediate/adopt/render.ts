import { createTwoFilesPatch } from "diff";

import { describeRef } from "../../model/index.js";
import type { AdoptPlan } from "./types.js";

const colors = {
  red: "\u001b[31m",
  green: "\u001b[32m",
  cyan: "\u001b[36m",
  bold: "\u001b[1m",
  reset: "\u001b[0m",
} as const;

function colorLine(line: string): string {
  if (line.startsWith("+++") || line.startsWith("---")) return `${colors.bold}${line}${colors.reset}`;
  if (line.startsWith("+")) return `${colors.green}${line}${colors.reset}`;
  if (line.startsWith("-")) return `${colors.red}${line}${colors.reset}`;
  return line.startsWith("@@") ? `${colors.cyan}${line}${colors.reset}` : line;
}

/** The unified diff of every file adopt would write, then the fields it would not write and why. */
export function renderAdoption(plan: AdoptPlan, options: { readonly color: boolean }): string {
  const parts: string[] = [];
  for (const edit of plan.edits) {
    const patch = createTwoFilesPatch(
      `a/${edit.file}`,
      `b/${edit.file}`,
      edit.before,
      edit.after,
      undefined,
      undefined,
      {
        context: 3,
      },
    );
    // The header's "=====" line says nothing a reader needs.
    const lines = patch.split("\n").filter((line) => !/^=+$/.test(line) && line !== "");
    parts.push((options.color ? lines.map(colorLine) : lines).join("\n"));
  }
  if (plan.edits.length === 0) parts.push("Nothing to write.");
  if (plan.refused.length > 0) {
    parts.push(
      [
        "Not adopted:",
        ...plan.refused.map(
          (refusal) =>
            `  ${describeRef(refusal.ref)}${refusal.path === "" ? "" : ` ${refusal.path}`}: ${refusal.reason}`,
        ),
      ].join("\n"),
    );
  }
  return `${parts.join("\n\n")}\n`;
}
