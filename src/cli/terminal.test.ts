import { stripVTControlCharacters } from "node:util";
import { describe, expect, it } from "vitest";
import { colorDecision, wantsColor } from "./terminal.js";
import { renderReport } from "../report/index.js";
import { renderApplyResult, renderPlan } from "../remediate/index.js";
import { renderAdoption } from "../remediate/adopt/index.js";
import { designExample, now } from "../report/fixtures.test-helper.js";

const tty = { env: {}, isTTY: true } as const;
const pipe = { env: {}, isTTY: false } as const;

describe("the colour decision", () => {
  it("colours a terminal and not a pipe or file by default", () => {
    expect(colorDecision(tty)).toBe(true);
    expect(colorDecision(pipe)).toBe(false);
  });

  it("--no-color turns it off, whatever the environment (flag false); the flag's default true decides nothing", () => {
    expect(colorDecision({ ...tty, flag: false })).toBe(false);
    expect(colorDecision({ env: { FORCE_COLOR: "1" }, isTTY: true, flag: false })).toBe(false);
    expect(colorDecision({ ...tty, flag: true })).toBe(true);
    expect(colorDecision({ ...pipe, flag: true })).toBe(false);
  });

  it("NO_COLOR with any non-empty value turns it off; empty is as unset", () => {
    for (const value of ["1", "0", "false", "yes"])
      expect(colorDecision({ env: { NO_COLOR: value }, isTTY: true })).toBe(false);
    expect(colorDecision({ env: { NO_COLOR: "" }, isTTY: true })).toBe(true);
  });

  it("FORCE_COLOR turns it on even into a pipe, and off with 0 or false even on a terminal", () => {
    for (const value of ["1", "2", "3", "true"])
      expect(colorDecision({ env: { FORCE_COLOR: value }, isTTY: false })).toBe(true);
    expect(colorDecision({ env: { FORCE_COLOR: "0" }, isTTY: true })).toBe(false);
    expect(colorDecision({ env: { FORCE_COLOR: "false" }, isTTY: true })).toBe(false);
    expect(colorDecision({ env: { FORCE_COLOR: "" }, isTTY: false })).toBe(false);
    // As in Node: FORCE_COLOR, the more specific wish, overrides NO_COLOR and TERM=dumb.
    expect(colorDecision({ env: { FORCE_COLOR: "1", NO_COLOR: "1" }, isTTY: false })).toBe(true);
    expect(colorDecision({ env: { FORCE_COLOR: "1", TERM: "dumb" }, isTTY: true })).toBe(true);
  });

  it("TERM=dumb turns it off on a terminal; other terminals colour", () => {
    expect(colorDecision({ env: { TERM: "dumb" }, isTTY: true })).toBe(false);
    expect(colorDecision({ env: { TERM: "xterm-256color" }, isTTY: true })).toBe(true);
  });

  it("wantsColor reads the process's environment and the stream it is given", () => {
    const saved = { ...process.env };
    try {
      delete process.env["NO_COLOR"];
      delete process.env["FORCE_COLOR"];
      process.env["TERM"] = "xterm";
      expect(wantsColor(undefined, { isTTY: true })).toBe(true);
      expect(wantsColor(false, { isTTY: true })).toBe(false);
      expect(wantsColor(true, { isTTY: false })).toBe(false);
      process.env["FORCE_COLOR"] = "1";
      expect(wantsColor(undefined, { isTTY: false })).toBe(true);
    } finally {
      for (const key of ["NO_COLOR", "FORCE_COLOR", "TERM"]) {
        if (saved[key] === undefined) delete process.env[key];
        else process.env[key] = saved[key];
      }
    }
  });
});

describe("renderers given colour off", () => {
  it("write no escape sequence, whatever the environment", () => {
    const saved = process.env["FORCE_COLOR"];
    process.env["FORCE_COLOR"] = "3";
    try {
      const outputs = [
        renderReport(designExample, "text", { color: false, now }),
        renderPlan({ cluster: "c", changes: [], withheld: [], validated: true }, "text", { color: false }),
        renderApplyResult(
          {
            dryRun: false,
            outcomes: [],
            summary: { applied: 0, unchanged: 0, skipped: 0, stale: 0, rejected: 0, failed: 0 },
          },
          "text",
          { color: false },
        ),
        renderAdoption(
          {
            edits: [{ file: "a.yaml", absolute: "/a.yaml", before: "a: 1\n", after: "a: 2\n", adopted: [] }],
            refused: [],
          },
          { color: false },
        ),
      ];
      for (const output of outputs) expect(stripVTControlCharacters(output)).toBe(output);
      const coloured = renderReport(designExample, "text", { color: true, now });
      expect(stripVTControlCharacters(coloured)).not.toBe(coloured);
    } finally {
      if (saved === undefined) delete process.env["FORCE_COLOR"];
      else process.env["FORCE_COLOR"] = saved;
    }
  });
});
