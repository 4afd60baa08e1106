import { describe, expect, it } from "vitest";
import { buildProgram, commandsFor, invokedAs } from "./program.js";
import { parseVerbosity, verbosityOf } from "./verbosity.js";
import { completionScript } from "./completion.js";

describe("the name in usage lines", () => {
  it("is 'kubectl drift' when the launcher says so or the script's own name is kubectl-drift", async () => {
    const main = ["/usr/bin/node", "/opt/kubedrift/dist/cli/main.js"];
    expect(invokedAs({}, main)).toBe("kubedrift");
    expect(invokedAs({ KUBEDRIFT_INVOKED_AS: "kubectl-drift" }, main)).toBe("kubectl drift");
    expect(invokedAs({ KUBEDRIFT_INVOKED_AS: "/usr/local/bin/kubectl-drift" }, main)).toBe("kubectl drift");
    expect(invokedAs({ KUBEDRIFT_INVOKED_AS: "" }, main)).toBe("kubedrift");
    expect(invokedAs({}, ["/usr/bin/node", "/home/me/bin/kubectl-drift"])).toBe("kubectl drift");
    expect(
      (await buildProgram("kubectl drift")).commands.find((c) => c.name() === "diff")?.helpInformation(),
    ).toMatch(/^Usage: kubectl drift diff \[options\]\n/);
  });
});

describe("-v levels", () => {
  it("reads -v alone and kubectl's numbers", () => {
    expect(parseVerbosity("1")).toBe(1);
    expect(parseVerbosity("6")).toBe(1);
    expect(parseVerbosity("=6")).toBe(1);
    expect(parseVerbosity("7")).toBe(2);
    expect(parseVerbosity("9")).toBe(2);
    expect(parseVerbosity("0")).toBe(0);
    expect(() => parseVerbosity("loud")).toThrow(/expected a level/);
    expect(verbosityOf({})).toBe(0);
    expect(verbosityOf({ verbose: 1, debug: true })).toBe(2);
  });
});

describe("completion scripts", () => {
  it("follow the program: a new option shows up in every shell's script", async () => {
    const program = await buildProgram("kubedrift");
    program.commands.find((c) => c.name() === "diff")?.option("--brand-new <file>", "a new flag; repeatable");
    expect(completionScript(program, "bash")).toContain("--brand-new) return ;;");
    expect(completionScript(program, "zsh")).toContain(
      "'*'--brand-new'[a new flag; repeatable]:path:_files'",
    );
    expect(completionScript(program, "fish")).toContain(
      "complete -c kubedrift -n '__fish_seen_subcommand_from diff' -l brand-new -r -F -d 'a new flag; repeatable'",
    );
  });
});

describe("the commands a run loads", () => {
  it("are the one it names, or all of them when it names none, help, completion or an unknown one", async () => {
    expect(commandsFor(["diff", "-f", "deploy/"])).toEqual(["diff"]);
    expect(commandsFor(["watch", "--help"])).toEqual(["watch"]);
    expect(commandsFor(["--help"])).toHaveLength(13);
    expect(commandsFor(["--version"])).toEqual([]);
    expect(commandsFor(["help", "diff"])).toHaveLength(13);
    expect(commandsFor(["dif"])).toHaveLength(13);
    expect(commandsFor(["completion", "bash"])).toHaveLength(13);
    const program = await buildProgram("kubedrift", ["plan", "-f", "x"]);
    expect(program.commands.map((command) => command.name())).toEqual(["plan"]);
  });
});
