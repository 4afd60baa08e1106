import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import type { ResultRow } from "./checks.test-helper.js";
import { badDirectory, desiredFromDirectory, goodDirectory, resultRows } from "./checks.test-helper.js";

describe("the lint corpus (test/fixtures/lint)", () => {
  it("finds nothing in the well-configured application", () => {
    expect(resultRows(desiredFromDirectory(goodDirectory))).toEqual([]);
  });

  it("finds exactly the expected findings in the bad manifests", () => {
    const expected = JSON.parse(
      readFileSync(`${badDirectory}../bad.expected.json`, "utf8"),
    ) as readonly ResultRow[];
    const key = (row: ResultRow) => `${row.check} ${row.kind} ${row.namespace}/${row.name} ${row.path}`;
    const actual = resultRows(desiredFromDirectory(badDirectory)).map(key).sort();
    expect(actual).toEqual(expected.map(key).sort());
  });
});
