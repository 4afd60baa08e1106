import { createRequire } from "node:module";

import { SourceError } from "../types.js";

// Loaded without its type declarations: they pull the DOM library into every compilation unit,
// which changes Node's own types (webcrypto, fetch) throughout the project.
const { parse } = createRequire(import.meta.url)("@cdktf/hcl2json") as {
  readonly parse: (fileName: string, text: string) => Promise<Record<string, unknown>>;
};

/** What hcl2json makes of a file: blocks become arrays of bodies, attributes keep their value, expressions stay `${…}` strings. */
export type HclBody = Readonly<Record<string, unknown>>;

export function isPlainObject(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

/** A repeated or single block as hcl2json (and Terraform state) write it: a list of bodies. */
export function isBlockList(value: unknown): value is readonly HclBody[] {
  return Array.isArray(value) && value.length > 0 && value.every((item) => isPlainObject(item));
}

/** `parse config: [main.tf:2,7-3,1: Invalid expression; Expected …]` → `main.tf:2:7: Invalid expression; Expected …`. */
export function hclErrorMessage(file: string, raw: string): string {
  const match = /\[[^\]]*?:(\d+),(\d+)(?:-[\d,]+)?: ([^\]]*)\]/.exec(raw);
  if (match === null) return `${file}: ${raw.replace(/\s+/g, " ").trim()}`;
  return `${file}:${match[1]}:${match[2]}: ${match[3].replace(/\s+/g, " ").trim()}`;
}

/** Parses HCL; a syntax error becomes one SourceError line naming the file, line and column. */
export async function parseHcl(file: string, text: string): Promise<HclBody> {
  try {
    const parsed: unknown = await parse(file, text);
    return isPlainObject(parsed) ? parsed : {};
  } catch (error: unknown) {
    const raw = error instanceof Error ? error.message : String(error);
    throw new SourceError(hclErrorMessage(file, raw), { cause: error });
  }
}
