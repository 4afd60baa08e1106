import { readFileSync } from "node:fs";
import { CsvError, parseCsv } from "./csv.js";
import type { UserInfo } from "./user.js";

/** The users of a `--token-auth-file`, by token. */
export type StaticTokens = ReadonlyMap<string, UserInfo>;

function userOf(fields: readonly string[]): UserInfo {
  const [, username = "", uid = "", groups] = fields;
  // kube-apiserver splits the fourth column on commas, untrimmed: `"devs,ops"` is two groups.
  const groupList = groups === undefined ? [] : groups.split(",").filter((group) => group !== "");
  return { username, uid, groups: groupList };
}

/**
 * kube-apiserver's static token file (`--token-auth-file`): CSV lines `token,user,uid,"group1,group2"`,
 * the groups optional. A line with fewer than three columns stops the server from starting; a line
 * with an empty token is skipped and a repeated token takes the later line, as in tokenfile.NewCSV.
 */
export function parseTokenFile(path: string, text: string): StaticTokens {
  const tokens = new Map<string, UserInfo>();
  let records;
  try {
    records = parseCsv(text);
  } catch (error: unknown) {
    if (error instanceof CsvError)
      throw new Error(`${path}:${error.line}: ${error.message}`, { cause: error });
    throw error;
  }
  for (const { line, fields } of records) {
    if (fields.length < 3) {
      throw new Error(
        `${path}:${line}: token file must have at least 3 columns (token, user name, user uid), found ${fields.length}`,
      );
    }
    const token = fields[0] ?? "";
    if (token !== "") tokens.set(token, userOf(fields));
  }
  return tokens;
}

export function readTokenFile(path: string): StaticTokens {
  let text: string;
  try {
    text = readFileSync(path, "utf8");
  } catch (error: unknown) {
    throw new Error(
      `cannot read token file ${path}: ${error instanceof Error ? error.message : String(error)}`,
      {
        cause: error,
      },
    );
  }
  return parseTokenFile(path, text);
}
