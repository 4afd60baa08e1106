/**
 * The README, read top to bottom by a newcomer, works as written (issue 11). Every command it shows
 * — the `$ ` lines of ```console blocks and the lines of ```sh / ```bash blocks — is either run here,
 * as written, with the output the README shows, or listed in `coveredElsewhere` with the test or CI
 * step that runs it. A command added to the README without either fails this test.
 *
 * How commands run: each block is one shell session, in a scratch directory standing in for /tmp.
 * `npx kubedrift …` and `kubedrift …` are the built CLI (bin/kubedrift, what npx resolves to in a
 * checkout), `kubectl …` the real kubectl; both run in the repository root, so `examples/` is the
 * repository's. `npx kubedrift sandbox … &` starts the README's sandbox and waits for its line;
 * `export KUBECONFIG=…` sets the session's kubeconfig; `kubectl edit` gets an editor that makes the
 * change the README's comment asks for; `echo $?` prints the previous command's exit status;
 * `kill %1` stops the sandbox with SIGTERM, and it must exit 0 (so must one still running when the
 * block ends). Stdout and stderr share one pipe, so output reads in the order a terminal shows it.
 *
 * A command must exit 0 unless the README shows its status with `echo $?` right after it.
 */
import { spawn, type ChildProcessWithoutNullStreams } from "node:child_process";
import { existsSync, mkdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";
import { parseEngineConfig } from "../../src/engine/config.js";
import { kubectlBinary, scratchDirectory, writeEditorScript } from "../support/kubectl.js";
import { kubedriftBinary } from "../support/kubedrift.js";

const root = fileURLToPath(new URL("../..", import.meta.url));
const readmeText = readFileSync(join(root, "README.md"), "utf8");

/**
 * Commands the README shows that this test does not run, by section, and what runs them instead.
 * Keyed by the command as written (each part of an `a && b` line on its own, without comments), so
 * that the same command in another section is still run here.
 */
const coveredElsewhere: Readonly<Record<string, Readonly<Record<string, string>>>> = {
  // The set-up and the test run are what CI does: .ci/run is `npm ci`, then `npm test`, whose first
  // step is the build. This test needs the build (it runs bin/kubedrift) and runs inside `npm test`.
  // `npx kubedrift demo` on the same line is run here.
  "Two commands": {
    "npm ci": ".ci/run, CI's first step",
    "npm run build": ".ci/run, as the first step of `npm test` (tsc -p tsconfig.build.json)",
    "npm test": ".ci/run, which runs exactly this (and so this test: it cannot run itself)",
  },
  // Installing is tested from the packed package in a fresh npm prefix, with a local registry, on a
  // Node too old and after `npm i -g node@24`; `deploy/` stands for the reader's manifests, which
  // that test replaces with examples/shop against its sandbox.
  Install: {
    "npm i -g kubedrift": "test/install/packed-install.test.ts",
    "kubedrift --version": "test/install/packed-install.test.ts",
    "kubedrift diff -f deploy/":
      "test/install/packed-install.test.ts (with examples/shop, against a sandbox)",
    "npm i -g node@24": "test/install/packed-install.test.ts (after a run on a Node older than 22.19)",
    "kubectl drift --version": "test/install/packed-install.test.ts",
    "kubectl drift diff -f deploy/":
      "test/install/packed-install.test.ts (with examples/shop, against a sandbox)",
    "npm ci": ".ci/run, CI's first step",
    "npm run build": ".ci/run, as the first step of `npm test`",
    "npx kubedrift --version": "test/install/packed-install.test.ts (from a checkout)",
    "npx kubedrift diff -f examples/shop":
      "test/install/packed-install.test.ts (from a checkout, against its sandbox as the current context)",
  },
  // Two clusters need two sandboxes behind one kubeconfig: the e2e test builds that (contexts eu and us).
  "Several clusters at once": {
    "kubedrift diff -f deploy/ --context prod-eu --context prod-us":
      "test/e2e/clusters.test.ts (two sandboxes as the contexts eu and us; the text report's verdicts and total)",
  },
  // The phase lines and their names; their times are the machine's.
  Speed: {
    "kubedrift diff -f deploy/ -v 2>&1 >/dev/null | grep phase":
      "test/e2e/kubectl-habits.test.ts (-v prints each phase, start-up first and render last)",
  },
};

function coveredBy(section: string, part: string): string | undefined {
  const entries = Object.hasOwn(coveredElsewhere, section) ? coveredElsewhere[section] : undefined;
  return entries !== undefined && Object.hasOwn(entries, part) ? entries[part] : undefined;
}

// ---------------------------------------------------------------------------
// reading the README

interface ShownCommand {
  /** The command as written, without its comment. */
  readonly text: string;
  /** The comment after it (`# …`), for commands that need the reader to do something. */
  readonly comment: string;
  readonly line: number;
  /** What the README shows it printing (```console only); undefined where nothing is shown. */
  readonly output: readonly string[] | undefined;
}

interface CommandBlock {
  readonly language: string;
  readonly line: number;
  readonly section: string;
  readonly commands: readonly ShownCommand[];
}

interface ParsedReadme {
  readonly blocks: readonly CommandBlock[];
  /** Other fenced blocks (yaml, json, ts), by language. */
  readonly others: readonly { readonly language: string; readonly line: number; readonly text: string }[];
  /** What a reader or a Markdown renderer would trip over: bad fences, commands outside command blocks. */
  readonly problems: readonly string[];
}

const commandLanguages = new Set(["console", "sh", "bash", "shell", "zsh", "shell-session"]);

/** A `#` that starts a comment: at the start or after a blank, outside quotes. */
function splitComment(line: string): { readonly code: string; readonly comment: string } {
  let quote: string | undefined;
  for (let i = 0; i < line.length; i++) {
    const c = line[i];
    if (quote !== undefined) {
      if (c === quote) quote = undefined;
      else if (c === "\\" && quote === '"') i++;
    } else if (c === "'" || c === '"') quote = c;
    else if (c === "#" && (i === 0 || /\s/.test(line[i - 1] ?? ""))) {
      return { code: line.slice(0, i).trimEnd(), comment: line.slice(i + 1).trim() };
    }
  }
  return { code: line.trimEnd(), comment: "" };
}

/** Lines ending in `\` continue on the next. */
function joinContinuations(
  lines: readonly { text: string; line: number }[],
): { text: string; line: number }[] {
  const joined: { text: string; line: number }[] = [];
  let pending: { text: string; line: number } | undefined;
  for (const entry of lines) {
    const text = pending === undefined ? entry.text : `${pending.text} ${entry.text.trimStart()}`;
    const line = pending?.line ?? entry.line;
    if (text.endsWith("\\")) pending = { text: text.slice(0, -1).trimEnd(), line };
    else {
      joined.push({ text, line });
      pending = undefined;
    }
  }
  if (pending !== undefined) joined.push(pending);
  return joined;
}

function consoleCommands(body: readonly { text: string; line: number }[]): ShownCommand[] {
  const commands: { text: string; comment: string; line: number; output: string[] }[] = [];
  for (const entry of body) {
    if (entry.text.startsWith("$ ")) {
      const { code, comment } = splitComment(entry.text.slice(2));
      commands.push({ text: code, comment, line: entry.line, output: [] });
    } else if (commands.length > 0) commands[commands.length - 1]?.output.push(entry.text);
  }
  return commands;
}

function shellCommands(body: readonly { text: string; line: number }[]): ShownCommand[] {
  return joinContinuations(body)
    .map((entry) => ({ ...splitComment(entry.text), line: entry.line }))
    .filter((entry) => entry.code.trim() !== "")
    .map((entry) => ({
      text: entry.code.trim(),
      comment: entry.comment,
      line: entry.line,
      output: undefined,
    }));
}

/** What would make a reader run a command from a block this test does not read as commands. */
const looksLikeCommand = /^\s*(\$ |npx |npm |kubedrift |kubectl |export |curl )/;

function parseReadme(markdown: string): ParsedReadme {
  const lines = markdown.split("\n");
  const blocks: CommandBlock[] = [];
  const others: { language: string; line: number; text: string }[] = [];
  const problems: string[] = [];
  let section = "";
  let open: { language: string; line: number; body: { text: string; line: number }[] } | undefined;
  lines.forEach((text, index) => {
    const line = index + 1;
    const fence = /^ {0,3}```(.*)$/.exec(text);
    if (open === undefined) {
      if (/^#{1,6} /.test(text)) section = text.replace(/^#+ /, "");
      if (fence === null) return;
      const language = (fence[1] ?? "").trim();
      if (language === "")
        problems.push(`README.md:${line}: a code block without a language (console or sh for commands)`);
      open = { language, line, body: [] };
      return;
    }
    if (fence === null) {
      open.body.push({ text, line });
      return;
    }
    // CommonMark: a closing fence has nothing after it; "``` text" would not close the block.
    if ((fence[1] ?? "").trim() !== "")
      problems.push(`README.md:${line}: text after a code fence: "${text}" does not close the block`);
    const { language, body } = open;
    if (commandLanguages.has(language)) {
      const commands = language === "console" ? consoleCommands(body) : shellCommands(body);
      blocks.push({ language, line: open.line, section, commands });
    } else {
      for (const entry of body)
        if (language !== "" && looksLikeCommand.test(entry.text))
          problems.push(
            `README.md:${entry.line}: a command in a \`${language}\` block: show commands in console or sh blocks`,
          );
      others.push({ language, line: open.line, text: body.map((entry) => entry.text).join("\n") });
    }
    open = undefined;
  });
  if (open !== undefined) problems.push(`README.md:${open.line}: a code block that is never closed`);
  return { blocks, others, problems };
}

// ---------------------------------------------------------------------------
// running a command as a shell would

/** Words of a command line: blanks split, single and double quotes group (no expansion but `$?`). */
function words(command: string): string[] {
  const out: string[] = [];
  let current: string | undefined;
  let quote: string | undefined;
  for (const c of command) {
    if (quote !== undefined) {
      if (c === quote) quote = undefined;
      else current = (current ?? "") + c;
    } else if (c === "'" || c === '"') {
      quote = c;
      current ??= "";
    } else if (/\s/.test(c)) {
      if (current !== undefined) out.push(current);
      current = undefined;
    } else current = (current ?? "") + c;
  }
  if (quote !== undefined) throw new Error(`unbalanced quote in: ${command}`);
  if (current !== undefined) out.push(current);
  return out;
}

/** Splits `a && b` into its commands; other shell syntax is refused where it is run. */
function parts(command: string): string[] {
  return command.split(/\s+&&\s+/).map((part) => part.trim());
}

/** What varies between the README and a run, and nothing else. */
function normalize(text: string, scratch: string): string {
  return (
    text
      // The README's /tmp is this test's scratch directory.
      .replaceAll(`${scratch}/`, "/tmp/")
      // Ages of changes: "3m ago" in the README, seconds here.
      .replace(/\b(\d+[smhd] ago|just now)\b/g, "<age>")
      // The sandbox listens on a free port.
      .replace(/https:\/\/127\.0\.0\.1:\d+/g, "https://127.0.0.1:<port>")
  );
}

interface Outcome {
  readonly code: number;
  readonly output: string;
}

interface Session {
  readonly scratch: string;
  readonly env: Record<string, string>;
  readonly background: ChildProcessWithoutNullStreams[];
  last: number;
}

/** The README's /tmp paths, inside this session's scratch directory. */
function inScratch(session: Session, word: string): string {
  return word.startsWith("/tmp/") ? join(session.scratch, word.slice("/tmp/".length)) : word;
}

/**
 * Runs a program with stdout and stderr on one pipe (`2>&1`), so that its output reads in the order
 * a terminal shows it: `apply` prints its plan on stderr before the outcome on stdout.
 */
function runAsInTerminal(
  program: string,
  args: readonly string[],
  env: Readonly<Record<string, string>>,
): Promise<Outcome> {
  const child = spawn("/bin/sh", ["-c", 'exec "$@" 2>&1', "sh", program, ...args], { cwd: root, env });
  child.stdin.end();
  let output = "";
  child.stdout.on("data", (chunk: Buffer) => (output += chunk.toString()));
  child.stderr.on("data", (chunk: Buffer) => (output += chunk.toString()));
  return new Promise((resolve, reject) => {
    child.on("error", reject);
    child.on("close", (code) => resolve({ code: code ?? -1, output }));
  });
}

/** The built CLI as test/support/kubedrift.ts runs it, in the session's environment. */
function runKubedrift(session: Session, args: readonly string[]): Promise<Outcome> {
  if (!existsSync(join(root, "dist/cli/main.js")))
    throw new Error("dist/cli/main.js is missing: run `npm run build` (npm test does it first)");
  return runAsInTerminal(kubedriftBinary, args, {
    PATH: process.env["PATH"] ?? "/usr/bin:/bin",
    HOME: session.scratch,
    TZ: "UTC",
    // As in every test: hashes of withheld values under a fixed key, no key file made.
    KUBEDRIFT_REDACTION_KEY: "kubedrift-tests-0123456789abcdef0123456789",
    ...session.env,
  });
}

function kubectlEnv(session: Session, home: string, extra: Record<string, string>): Record<string, string> {
  return {
    PATH: process.env["PATH"] ?? "/usr/bin:/bin",
    HOME: home,
    KUBECACHEDIR: join(home, "cache"),
    TERM: "dumb",
    TZ: "UTC",
    ...session.env,
    ...extra,
  };
}

/**
 * `kubectl edit` opens an editor: the README's comment says what to change there
 * (`# in the editor, change "replicas: 2" to "replicas: 5"`), and this editor does exactly that.
 */
function editorFor(session: Session, shown: ShownCommand): Record<string, string> {
  const change = /change "([^"]+)" to "([^"]+)"/.exec(shown.comment);
  if (change === null)
    throw new Error(
      `README.md:${shown.line}: kubectl edit needs a comment saying what to change: # change "A" to "B"`,
    );
  const escape = (text: string): string => text.replace(/[/\\.*[\]^$&]/g, "\\$&");
  const editor = writeEditorScript(
    session.scratch,
    `s/${escape(change[1] ?? "")}/${escape(change[2] ?? "")}/`,
  );
  return { KUBE_EDITOR: editor };
}

function runKubectl(session: Session, args: readonly string[], shown: ShownCommand): Promise<Outcome> {
  const home = join(session.scratch, `kubectl-home-${shown.line}`);
  mkdirSync(home, { recursive: true });
  const extra = args.includes("edit") ? editorFor(session, shown) : {};
  return runAsInTerminal(kubectlBinary, args, kubectlEnv(session, home, extra));
}

/** `npx kubedrift sandbox … &`: started in the background; its output is the line it prints when ready. */
async function startSandbox(session: Session, args: readonly string[]): Promise<Outcome> {
  const child = spawn(kubedriftBinary, [...args], {
    cwd: root,
    env: { PATH: process.env["PATH"] ?? "/usr/bin:/bin", HOME: session.scratch, ...session.env },
  });
  session.background.push(child);
  child.stdin.end();
  let stderr = "";
  child.stderr.on("data", (chunk: Buffer) => (stderr += chunk.toString()));
  const line = await new Promise<string>((resolve, reject) => {
    let stdout = "";
    child.stdout.on("data", (chunk: Buffer) => {
      stdout += chunk.toString();
      if (stdout.includes("\n")) resolve(stdout.slice(0, stdout.indexOf("\n") + 1));
    });
    child.once("exit", (code) => reject(new Error(`the sandbox exited with ${String(code)}: ${stderr}`)));
  });
  return { code: 0, output: line + stderr };
}

async function runPart(session: Session, part: string, shown: ShownCommand): Promise<Outcome> {
  if (/[|;<>`]|\$\(/.test(part.replace(/'[^']*'/g, "''")))
    throw new Error(
      `README.md:${shown.line}: this test does not run pipes, redirections or substitutions: ${part}`,
    );
  if (part === "echo $?") return { code: 0, output: `${session.last}\n` };
  const job = /^kill %(\d+)$/.exec(part);
  if (job !== null) return stopJob(session, Number(job[1]), shown);
  const background = part.endsWith(" &");
  const argv = words(background ? part.slice(0, -2) : part).map((word) => inScratch(session, word));
  const [program, ...args] = argv;
  const assignment = program === "export" && args.length === 1 ? /^(\w+)=(.*)$/.exec(args[0] ?? "") : null;
  if (assignment !== null) {
    session.env[assignment[1] ?? ""] = inScratch(session, assignment[2] ?? "");
    return { code: 0, output: "" };
  }
  const kubedriftArgs =
    program === "npx" && args[0] === "kubedrift" ? args.slice(1) : program === "kubedrift" ? args : undefined;
  if (kubedriftArgs !== undefined && background && kubedriftArgs[0] === "sandbox")
    return startSandbox(session, kubedriftArgs);
  if (background)
    throw new Error(`README.md:${shown.line}: only the sandbox runs in the background here: ${part}`);
  if (kubedriftArgs !== undefined) return runKubedrift(session, kubedriftArgs);
  if (program === "kubectl") return runKubectl(session, args, shown);
  throw new Error(
    `README.md:${shown.line}: \`${part}\` is neither run by test/readme/readme.test.ts nor in its coveredElsewhere list`,
  );
}

/** `kill %1`: the background job ends on SIGTERM; its exit status counts as the command's. */
async function stopJob(session: Session, job: number, shown: ShownCommand): Promise<Outcome> {
  const child = session.background[job - 1];
  if (child === undefined) throw new Error(`README.md:${shown.line}: there is no job %${job}`);
  const [code] = await stopChildren([child]);
  return { code: code ?? -1, output: "" };
}

/** Whether this test knows how to run a command (without running it). */
function isRunnable(part: string): boolean {
  if (part === "echo $?" || /^kill %\d+$/.test(part)) return true;
  if (/^export \w+=\S+$/.test(part) || /^kubectl /.test(part)) return true;
  return /^(npx )?kubedrift( |$)/.test(part);
}

/** Ends background processes with SIGTERM (those still running); their exit codes, null if a signal ended them. */
function stopChildren(children: readonly ChildProcessWithoutNullStreams[]): Promise<(number | null)[]> {
  return Promise.all(
    children.map(
      (child) =>
        new Promise<number | null>((resolve) => {
          if (child.exitCode !== null || child.signalCode !== null) resolve(child.exitCode);
          else {
            child.once("exit", (code) => resolve(code));
            child.kill("SIGTERM");
          }
        }),
    ),
  );
}

// ---------------------------------------------------------------------------

function commandParts(parsed: ParsedReadme) {
  return parsed.blocks.flatMap((block) =>
    block.commands.flatMap((command) => parts(command.text).map((part) => ({ part, command, block }))),
  );
}

/** Commands that are neither run here nor listed in `coveredElsewhere`. */
function uncoveredCommands(parsed: ParsedReadme): string[] {
  return commandParts(parsed)
    .filter(({ part, block }) => coveredBy(block.section, part) === undefined && !isRunnable(part))
    .map(({ part, command }) => `README.md:${command.line}: ${part}`);
}

const readme = parseReadme(readmeText);

describe("the README", () => {
  it("shows its commands in console and sh blocks, with fences a Markdown renderer reads as meant", () => {
    expect(readme.problems).toEqual([]);
    expect(readme.blocks.length).toBeGreaterThan(1);
  });

  it("runs every command it shows here, or names what runs it", () => {
    expect(uncoveredCommands(readme)).toEqual([]);
    // An entry for a command the README no longer shows would cover nothing.
    const shown = new Set(commandParts(readme).map(({ part, block }) => `${block.section}: ${part}`));
    const listed = Object.entries(coveredElsewhere).flatMap(([section, entries]) =>
      Object.keys(entries).map((part) => `${section}: ${part}`),
    );
    expect(listed.filter((entry) => !shown.has(entry))).toEqual([]);
    // And the tests it names exist.
    const named = Object.values(coveredElsewhere).flatMap((entries) =>
      Object.values(entries).flatMap((reason) => reason.match(/\S+\.test\.ts|\.ci\/run/g) ?? []),
    );
    expect(named.filter((file) => !existsSync(join(root, file)))).toEqual([]);
  });

  it("has a kubedrift.yaml example that kubedrift accepts", () => {
    const configs = readme.others.filter(
      (block) => block.language === "yaml" && block.text.includes("apiVersion: kubedrift.dev/v1"),
    );
    expect(configs.length).toBe(1);
    for (const config of configs)
      expect(() => parseEngineConfig(config.text, "kubedrift.yaml")).not.toThrow();
  });

  const runnable = readme.blocks.filter((block) =>
    block.commands.some((command) =>
      parts(command.text).some((part) => coveredBy(block.section, part) === undefined),
    ),
  );
  for (const block of runnable) {
    it(`${block.section}: the ${block.language} block at line ${block.line} runs as written`, async () => {
      const scratch = scratchDirectory();
      const session: Session = { scratch: scratch.path, env: {}, background: [], last: 0 };
      try {
        for (const [index, command] of block.commands.entries()) {
          const outputs: string[] = [];
          for (const part of parts(command.text)) {
            if (coveredBy(block.section, part) !== undefined) continue;
            const outcome = await runPart(session, part, command);
            session.last = outcome.code;
            outputs.push(outcome.output);
            const statusShown = block.commands[index + 1]?.text === "echo $?";
            if (!statusShown)
              expect(outcome.code, `README.md:${command.line}: ${part}\n${outcome.output}`).toBe(0);
          }
          if (command.output !== undefined) {
            const shown = command.output.length === 0 ? "" : `${command.output.join("\n")}\n`;
            expect(
              normalize(outputs.join(""), scratch.path),
              `README.md:${command.line}: ${command.text}`,
            ).toBe(normalize(shown, scratch.path));
          }
        }
      } finally {
        const codes = await stopChildren(session.background);
        scratch.remove();
        expect(
          codes.every((code) => code === 0),
          `background exit codes ${codes.join(", ")}`,
        ).toBe(true);
      }
    });
  }
});

describe("the README test itself", () => {
  it("finds a command added without coverage, in any command block, and one hidden in another block", () => {
    const added = parseReadme(
      [
        "## Install",
        "```sh",
        "npm i -g kubedrift",
        "helm plugin install kubedrift   # not run anywhere",
        "```",
        "## Two commands",
        "```console",
        "$ npm ci && make all",
        "```",
        "```yaml",
        "$ kubedrift lint",
        "```",
      ].join("\n"),
    );
    expect(uncoveredCommands(added)).toEqual([
      "README.md:4: helm plugin install kubedrift",
      "README.md:8: make all",
    ]);
    expect(added.problems).toEqual([
      "README.md:11: a command in a `yaml` block: show commands in console or sh blocks",
    ]);
  });

  it("finds fences that do not close and blocks without a language", () => {
    const broken = parseReadme(
      ["```json", "{}", "``` Secret values …", "```", "$ kubedrift diff", "```"].join("\n"),
    );
    expect(broken.problems).toEqual([
      'README.md:3: text after a code fence: "``` Secret values …" does not close the block',
      "README.md:4: a code block without a language (console or sh for commands)",
    ]);
  });

  it("reads console output up to the next prompt, and comments apart from commands", () => {
    const session = parseReadme(
      ["```console", '$ kubectl edit x   # change "a" to "b"', "edited", "", "$ echo $?", "0", "```"].join(
        "\n",
      ),
    );
    expect(session.blocks[0]?.commands).toEqual([
      { text: "kubectl edit x", comment: 'change "a" to "b"', line: 2, output: ["edited", ""] },
      { text: "echo $?", comment: "", line: 5, output: ["0"] },
    ]);
  });

  it("normalizes ages, the sandbox's port and the scratch directory, and nothing else", () => {
    expect(
      normalize(
        "changed by kubectl-edit (Update) 12s ago\nhttps://127.0.0.1:41234 /scratch/x/sandbox.kubeconfig 2026-12-02T05:55:00Z\n",
        "/scratch/x",
      ),
    ).toBe(
      "changed by kubectl-edit (Update) <age>\nhttps://127.0.0.1:<port> /tmp/sandbox.kubeconfig 2026-12-02T05:55:00Z\n",
    );
    expect(normalize("changed by kubectl (Update, subresource scale), time unknown", "/x")).toBe(
      "changed by kubectl (Update, subresource scale), time unknown",
    );
  });
});
