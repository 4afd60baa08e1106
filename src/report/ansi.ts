import { styleText } from "node:util";

/** The styles the reports use; `styleText` writes the escape codes, nothing here spells them out. */
export type Style = "bold" | "dim" | "red" | "green" | "yellow" | "cyan";

export type Paint = (style: Style, text: string) => string;

/**
 * Colour is decided once, by the CLI (`wantsColor` in src/cli/terminal.ts: `--no-color`, NO_COLOR,
 * FORCE_COLOR, TERM=dumb, a terminal), and passed down as `color`. `validateStream: false` keeps
 * `styleText` from deciding a second time by looking at process.stdout itself: the report may be
 * written elsewhere (a file, stderr, a test's string), and FORCE_COLOR must colour a pipe.
 */
export function painter(color: boolean): Paint {
  return color
    ? (style, text) => (text === "" ? text : styleText(style, text, { validateStream: false }))
    : (_style, text) => text;
}
