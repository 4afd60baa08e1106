import type { Blame } from "../../model/index.js";
import { formatTime } from "../../kube/time.js";
import { runGit } from "./run.js";

export interface BlameOptions {
  readonly cwd: string;
  /** The revision the line is read at; the working tree's file when absent. */
  readonly ref?: string;
  readonly gitPath?: string;
}

const shortCommitLength = 12;

/** `+0130` → `+01:30`; UTC as `Z`. */
function rfc3339(seconds: number, zone: string): string {
  const match = /^([+-])(\d{2})(\d{2})$/.exec(zone);
  if (match === null || (match[2] === "00" && match[3] === "00")) return formatTime(new Date(seconds * 1000));
  const offsetMinutes = (match[1] === "-" ? -1 : 1) * (Number(match[2]) * 60 + Number(match[3]));
  const local = formatTime(new Date((seconds + offsetMinutes * 60) * 1000)).slice(0, -1);
  return `${local}${match[1]}${match[2]}:${match[3]}`;
}

function porcelainHeaders(output: string): ReadonlyMap<string, string> {
  const headers = new Map<string, string>();
  for (const line of output.split("\n")) {
    if (line.startsWith("\t")) break;
    const space = line.indexOf(" ");
    if (space > 0 && !headers.has(line.slice(0, space)))
      headers.set(line.slice(0, space), line.slice(space + 1));
  }
  return headers;
}

function parsePorcelain(output: string): Blame | undefined {
  const commit = /^([0-9a-f]{40,64}) /.exec(output)?.[1];
  // All zeros: a line not committed yet, which no commit can be named for.
  if (commit === undefined || /^0+$/.test(commit)) return undefined;
  const headers = porcelainHeaders(output);
  const time = Number(headers.get("author-time"));
  return {
    commit: commit.slice(0, shortCommitLength),
    author: headers.get("author") ?? "",
    date: Number.isFinite(time) ? rfc3339(time, headers.get("author-tz") ?? "+0000") : "",
    summary: headers.get("summary") ?? "",
  };
}

/**
 * The commit that last changed one line of a file (`git blame --porcelain`): undefined where Git
 * cannot say (a file or line not in the revision, a line not committed yet, no repository), since a
 * missing blame must not fail a drift report.
 */
export async function blameLine(
  file: string,
  line: number,
  options: BlameOptions,
): Promise<Blame | undefined> {
  // git blame takes no --end-of-options (2.39): a revision that looks like an option is refused here.
  if (options.ref?.startsWith("-") === true) return undefined;
  const revision = options.ref === undefined ? [] : [options.ref];
  const result = await runGit(
    ["blame", "--porcelain", "-L", `${line},${line}`, ...revision, "--", file],
    options,
  );
  return result.ok ? parsePorcelain(result.stdout) : undefined;
}
