/** The handful of SGR codes the text report uses; the CLI decides whether colour is on (TTY, no NO_COLOR). */
const codes = {
  bold: "1",
  dim: "2",
  red: "31",
  green: "32",
  yellow: "33",
} as const;

export type Style = keyof typeof codes;

export type Paint = (style: Style, text: string) => string;

export function painter(color: boolean): Paint {
  return color
    ? (style, text) => (text === "" ? text : `\u001b[${codes[style]}m${text}\u001b[0m`)
    : (_style, text) => text;
}
