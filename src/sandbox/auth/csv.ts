/** One record of a CSV file and the line it starts on (1-based). */
export interface CsvRecord {
  readonly line: number;
  readonly fields: readonly string[];
}

export class CsvError extends Error {
  constructor(
    readonly line: number,
    message: string,
  ) {
    super(message);
  }
}

interface Cursor {
  readonly text: string;
  position: number;
  line: number;
}

/** A quoted field: `""` is a quote; it may span lines, as Go's encoding/csv allows. */
function quotedField(cursor: Cursor): string {
  const start = cursor.line;
  let value = "";
  cursor.position += 1;
  for (;;) {
    const char = cursor.text[cursor.position];
    if (char === undefined) throw new CsvError(start, `extraneous or missing " in quoted-field`);
    cursor.position += 1;
    if (char === '"') {
      if (cursor.text[cursor.position] !== '"') return value;
      cursor.position += 1;
    } else if (char === "\n") cursor.line += 1;
    value += char;
  }
}

function bareField(cursor: Cursor): string {
  let value = "";
  for (;;) {
    const char = cursor.text[cursor.position];
    if (char === undefined || char === "," || char === "\n") return value.replace(/\r$/, "");
    if (char === '"') throw new CsvError(cursor.line, `bare " in non-quoted-field`);
    value += char;
    cursor.position += 1;
  }
}

function afterQuoted(cursor: Cursor): void {
  const next = cursor.text[cursor.position];
  if (next === "\r") cursor.position += 1;
  const after = cursor.text[cursor.position];
  if (after !== undefined && after !== "," && after !== "\n")
    throw new CsvError(cursor.line, `extraneous or missing " in quoted-field`);
}

function field(cursor: Cursor): string {
  if (cursor.text[cursor.position] !== '"') return bareField(cursor);
  const value = quotedField(cursor);
  afterQuoted(cursor);
  return value;
}

function record(cursor: Cursor): readonly string[] {
  const fields: string[] = [];
  for (;;) {
    fields.push(field(cursor));
    const separator = cursor.text[cursor.position];
    cursor.position += 1;
    if (separator !== ",") {
      cursor.line += 1;
      return fields;
    }
  }
}

function isBlankLine(cursor: Cursor): boolean {
  const rest = cursor.text.slice(cursor.position);
  return /^\r?(\n|$)/.test(rest);
}

function skipLine(cursor: Cursor): void {
  const end = cursor.text.indexOf("\n", cursor.position);
  cursor.position = end === -1 ? cursor.text.length : end + 1;
  cursor.line += 1;
}

/** Records as Go's encoding/csv reads them (any number of fields per record, empty lines skipped). */
export function parseCsv(text: string): readonly CsvRecord[] {
  const cursor: Cursor = { text, position: 0, line: 1 };
  const records: CsvRecord[] = [];
  while (cursor.position < text.length) {
    if (isBlankLine(cursor)) {
      skipLine(cursor);
      continue;
    }
    const line = cursor.line;
    records.push({ line, fields: record(cursor) });
  }
  return records;
}
