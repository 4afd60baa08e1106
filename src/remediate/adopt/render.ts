import { createTwoFilesPatch } from "diff";

import type { RedactionConfig } from "../../engine/redact.js";
import { scrubText, withheldTexts } from "../../engine/redact.js";
import { describeRef, refKey } from "../../model/index.js";
import type { AdoptPlan, Refusal } from "./types.js";
import type { KubeObject } from "../../kube/value/json.js";
import type { ObjectRef } from "../../kube/object.js";
import { readablePath } from "../../kube/fieldpath/readable.js";
import { valueAtPointer } from "../../kube/value/pointer.js";
import type { Paint } from "../paint.js";
import { painter } from "../paint.js";

export interface AdoptionRenderOptions {
  readonly color: boolean;
  /**
   * The engine config and the compared objects (desired and live). A file diff shows the lines
   * around each change, and a Secret or a redacted value may stand there: their values are
   * blanked out of what is printed. The files themselves are written with their real values.
   * The objects also name the fields that are not adopted as the diff names them.
   */
  readonly redaction?: {
    readonly config: RedactionConfig;
    readonly objects: readonly { readonly ref: ObjectRef; readonly object: KubeObject }[];
  };
}

function colorLine(line: string, paint: Paint): string {
  if (line.startsWith("+++") || line.startsWith("---")) return paint("bold", line);
  if (line.startsWith("+")) return paint("green", line);
  if (line.startsWith("-")) return paint("red", line);
  return line.startsWith("@@") ? paint("cyan", line) : line;
}

/**
 * A refused field in the diff's notation, named in the first compared object of its resource where
 * the pointer leads somewhere (the desired object, or the live one for a field only live has).
 */
function refusedField(refusal: Refusal, options: AdoptionRenderOptions): string {
  if (refusal.path === "") return "";
  const objects = (options.redaction?.objects ?? []).filter(
    (item) => refKey(item.ref) === refKey(refusal.ref),
  );
  const within = objects.find((item) => valueAtPointer(item.object, refusal.path) !== undefined)?.object;
  return ` ${readablePath(refusal.path, within)}`;
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
  const paint = painter(options.color);
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
    parts.push(lines.map((line) => colorLine(line, paint)).join("\n"));
  }
  if (plan.edits.length === 0) parts.push("Nothing to write.");
  if (plan.refused.length > 0) {
    parts.push(
      [
        paint("bold", "Not adopted:"),
        ...plan.refused.map(
          (refusal) => `  ${describeRef(refusal.ref)}${refusedField(refusal, options)}: ${refusal.reason}`,
        ),
      ].join("\n"),
    );
  }
  return `${parts.join("\n\n")}\n`;
}
