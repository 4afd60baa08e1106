import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { driftChecks } from "../drift/index.js";
import { bestPracticeChecks } from "./index.js";
import { kubeLinterDefaultChecks, kubeScoreChecks, peerTools, polarisChecks } from "./peers.js";

const document = readFileSync(new URL("../../../docs/lint-checks.md", import.meta.url), "utf8");
const ourIds = new Set(bestPracticeChecks.map((check) => check.id));
/** A peer check may map to a drift check (kube-score's HPA-and-replicas check is one). */
const mappableIds = new Set([...ourIds, ...driftChecks.map((check) => check.id)]);

/** The body of a `## heading` section. */
function section(heading: string): string {
  const start = document.indexOf(`\n## ${heading}\n`);
  if (start < 0) throw new Error(`docs/lint-checks.md has no section "${heading}"`);
  const end = document.indexOf("\n## ", start + 1);
  return document.slice(start, end < 0 ? undefined : end);
}

/** Table rows of a section, first cell's code id → the other cells. */
function tableRows(text: string): ReadonlyMap<string, readonly string[]> {
  const rows = new Map<string, readonly string[]>();
  for (const line of text.split("\n")) {
    const match = /^\| `([^`]+)` \|(.*)\|$/.exec(line);
    if (match === null) continue;
    if (rows.has(match[1])) throw new Error(`${match[1]} is listed twice`);
    rows.set(
      match[1],
      match[2].split(" | ").map((cell) => cell.trim()),
    );
  }
  return rows;
}

describe("docs/lint-checks.md and the peer check lists", () => {
  it("lists the peers' checks as counted (kube-score 39, Polaris 44 + 11 newer, kube-linter defaults)", () => {
    expect(kubeScoreChecks).toHaveLength(39);
    expect(polarisChecks).toHaveLength(55);
    expect(kubeLinterDefaultChecks).toHaveLength(30);
    for (const tool of peerTools) expect(new Set(tool.checks).size).toBe(tool.checks.length);
  });

  describe.each(peerTools.map((tool) => [tool.name, tool] as const))("%s", (_name, tool) => {
    const rows = tableRows(section(tool.heading));

    it.each(tool.checks.map((id) => [id]))("maps %s to kubedrift checks or says why it is left out", (id) => {
      const cells = rows.get(id);
      expect(cells, `${id} is not in the ${tool.heading} table`).toBeDefined();
      const mapping = cells?.[0] ?? "";
      if (mapping.startsWith("left out:")) {
        expect(mapping.slice("left out:".length).trim().length).toBeGreaterThan(10);
        return;
      }
      const named = [...mapping.matchAll(/`([^`]+)`/g)].map((match) => match[1]);
      expect(named.length).toBeGreaterThan(0);
      for (const ours of named)
        expect(mappableIds.has(ours), `${id} → ${ours}, which is not a kubedrift check`).toBe(true);
    });

    it("has no row for a check the list does not name", () => {
      expect([...rows.keys()].filter((id) => !tool.checks.includes(id))).toEqual([]);
    });
  });

  it("documents every kubedrift check with its severity, summary and hint", () => {
    const rows = tableRows(section("kubedrift's checks"));
    for (const check of bestPracticeChecks) {
      const cells = rows.get(check.id);
      expect(cells, `${check.id} is not documented`).toBeDefined();
      expect(cells?.[0]).toBe(check.severity);
      expect(cells?.[2]).toBe(check.summary.replaceAll("|", "\\|"));
      expect(cells?.[3]).toBe(check.hint.replaceAll("|", "\\|"));
    }
    expect([...rows.keys()].filter((id) => !ourIds.has(id))).toEqual([]);
  });

  it("has unique kebab-case ids and one-line summaries and hints", () => {
    expect(ourIds.size).toBe(bestPracticeChecks.length);
    for (const check of bestPracticeChecks) {
      expect(check.id).toMatch(/^[a-z0-9]+(-[a-z0-9]+)*$/);
      for (const text of [check.summary, check.hint]) {
        expect(text.trim()).toBe(text);
        expect(text).not.toMatch(/[\r\n]/);
        expect(text.length).toBeGreaterThan(10);
      }
    }
  });
});
