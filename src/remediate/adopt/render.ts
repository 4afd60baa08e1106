import { createTwoFilesPatch } from "diff";

import type { RedactionConfig } from "../../engine/redact.js";
import { scrubText, withheldTexts } from "../../engine/redact.js";
import { describeRef } from "../../model/index.js";
import type { AdoptPlan } from "./types.js";
import type { KubeObject } from "../../kube/value/json.js";
import type { ObjectRef } from "../../kube/object.js";

export interface AdoptionRenderOptions {
  readonly color: boolean;
  /**
   * The engine config and the compared objects (desired and live). A file diff shows the lines
   * around each change, and a Secret or a redacted value may stand there: their values are
   * blanked out of what is printed. The files themselves are written with their real values.
   */
  readonly redaction?: {
    readonly config: RedactionConfig;
    readonly objects: readonly { readonly ref: ObjectRef; readonly object: KubeObject }[];
  };
}

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

function withheldValues(options: AdoptionRenderOptions): readonly string[] {
  const redaction = options.redaction;
  if (redaction === undefined) return [];
  return [
    ...new Set(redaction.objects.flatMap((item) => withheldTexts(redaction.config, item.ref, item.object))),
  ];
}

/** File names in the `---`/`+++`/`@@` headers stay as they are; every line of file content is scrubbed. */
function shownLine(line: string, withheld: readonly string[]): string {
  return /^(---|\+\+\+|@@) /.test(line) ? line : scrubText(line, withheld);
}

/** The unified diff of every file adopt would write, then the fields it would not write and why. */
export function renderAdoption(plan: AdoptPlan, options: AdoptionRenderOptions): string {
  const withheld = withheldValues(options);
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
    const lines = patch
      .split("\n")
      .filter((line) => !/^=+$/.test(line) && line !== "")
      .map((line) => shownLine(line, withheld));
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
