import type { Command } from "commander";
import { diffExitCode } from "./diff.js";
import { wantsColor } from "./terminal.js";

export function registerDemo(program: Command): void {
  program
    .command("demo")
    .description(
      "Start the built-in sandbox, deploy an example app, change it out of band, and show what happened",
    )
    .option(
      "--keep",
      "keep the sandbox running afterwards (prints its kubeconfig; stop with Ctrl-C, which removes it)",
    )
    .option("--no-color", "no colour, whatever the terminal")
    .action(async (flags: { readonly keep?: boolean; readonly color?: boolean }) => {
      const { runDemo } = await import("../demo/demo.js");
      await runDemo({
        color: wantsColor(flags.color),
        cwd: process.cwd(),
        keep: flags.keep === true,
        write: (line) => process.stdout.write(`${line}\n`),
        exitStatus: diffExitCode,
      });
    });
}
