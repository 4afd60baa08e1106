import { createRequire } from "node:module";

import { SourceError } from "../types.js";
import { isRecord } from "../../kube/value/json.js";

// Loaded without its type declarations: they pull the DOM library into every compilation unit,
// which changes Node's own types (webcrypto, fetch) throughout the project.
const { parse } = createRequire(import.meta.url)("@cdktf/hcl2json") as {
  readonly parse: (fileName: string, text: string) => Promise<Record<string, unknown>>;
};

/** What hcl2json makes of a file: blocks become arrays of bodies, attributes keep their value, expressions stay `${…}` strings. */
export type HclBody = Readonly<Record<string, unknown>>;

/** A repeated or single block as hcl2json (and Terraform state) write it: a list of bodies. */
export function isBlockList(value: unknown): value is readonly HclBody[] {
  return Array.isArray(value) && value.length > 0 && value.every((item) => isRecord(item));
}

const longest = 300;

function escapeRegExp(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");
}

/**
 * `parse config: [main.tf:2,7-3,1: Invalid expression; Expected …. main.tf:3,1-2: …]` → the first
 * diagnostic, `main.tf:2:7: Invalid expression; Expected …`, with how many more there are. Garbage
 * yields one diagnostic per character: hcl2json's message then runs to megabytes.
 */
export function hclErrorMessage(file: string, raw: string): string {
  const position = new RegExp(`${escapeRegExp(file)}:(\\d+),(\\d+)(?:-\\d+(?:,\\d+)?)?: `, "g");
  const first = position.exec(raw);
  if (first === null) return `${file}: ${cap(raw.replace(/\s+/g, " ").trim())}`;
  const start = first.index + first[0].length;
  let more = 0;
  let end = raw.length;
  for (let next = position.exec(raw); next !== null; next = position.exec(raw)) {
    if (more === 0) end = next.index;
    more += 1;
  }
  const message = cap(
    raw
      .slice(start, end)
      .replace(/\]$|\s+$/g, "")
      .replace(/\s+/g, " ")
      .trim(),
  );
  const others = more === 0 ? "" : ` (and ${more} more error${more === 1 ? "" : "s"})`;
  return `${file}:${first[1]}:${first[2]}: ${message}${others}`;
}

function cap(text: string): string {
  return text.length > longest ? `${text.slice(0, longest)}…` : text;
}

/** Parses HCL; a syntax error becomes one SourceError line naming the file, line and column. */
export async function parseHcl(file: string, text: string): Promise<HclBody> {
  try {
    const parsed: unknown = await parse(file, text);
    return isRecord(parsed) ? parsed : {};
  } catch (error: unknown) {
    const raw = error instanceof Error ? error.message : String(error);
    throw new SourceError(hclErrorMessage(file, raw), { cause: error });
  }
}
