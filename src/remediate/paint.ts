import { styleText } from "node:util";

/*
 * The plan's, apply's and adopt's colours. The same few lines as src/report/ansi.ts: the layering
 * keeps remediate from importing report, and these are too small to give a shared home of their own.
 */

export type Style = "bold" | "dim" | "red" | "green" | "yellow" | "cyan";

export type Paint = (style: Style, text: string) => string;

/**
 * `color` is the CLI's one decision (`wantsColor`); `validateStream: false` keeps `styleText` from
 * second-guessing it by looking at process.stdout (the plan may go to stderr, FORCE_COLOR to a pipe).
 */
export function painter(color: boolean): Paint {
  return color
    ? (style, text) => (text === "" ? text : styleText(style, text, { validateStream: false }))
    : (_style, text) => text;
}
