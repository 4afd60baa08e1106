import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { LineCounter, parseAllDocuments, stringify } from "yaml";
import { yamlOptions } from "./yaml-options.js";
import { readPlainDocuments, type YamlVersion } from "./yaml-values.js";

/** What `yaml`, the reference, reads: one value per document (YAML 1.1 as kubectl, or yaml's default 1.2). */
function reference(text: string, version: YamlVersion = "1.1"): unknown[] {
  const options = version === "1.1" ? yamlOptions(new LineCounter()) : {};
  return parseAllDocuments(text, options).map((document): unknown => document.toJS() as unknown);
}

/** Spellings whose YAML 1.1 meaning kubectl's go-yaml and yaml agree on, and a reader could get wrong. */
const plainSpellings = [
  "yes",
  "No",
  "on",
  "OFF",
  "y",
  "n",
  "Y",
  "~",
  "null",
  "Null",
  "",
  "0644",
  "0o644",
  "0x1F",
  "0b101",
  "1_000",
  "+12",
  "-0",
  "1.5",
  "1e3",
  "1.0e+3",
  ".5",
  ".inf",
  "-.Inf",
  ".NaN",
  "12:30",
  "1:30:00",
  "2001-12-14",
  "2001-12-14t21:59:43.10-05:00",
  "true",
  "False",
  "08",
  "0.",
  "1.",
  "0777",
  "+0x10",
  "9007199254740993",
  "1e400",
  "=",
  "abc:def",
  "nginx:1.27",
  "10.96.0.1",
  "128Mi",
  "0.25",
  "1/2",
];

describe("reading plain YAML fast", () => {
  it("resolves plain scalars as yaml does, with kubectl's YAML 1.1 tags or YAML 1.2's core schema", () => {
    for (const version of ["1.1", "1.2"] as const)
      for (const spelling of plainSpellings) {
        const text = `k: ${spelling}\nl: [${spelling === "" ? "''" : spelling}]\n`;
        const fast = readPlainDocuments(text, version);
        if (fast !== undefined)
          expect(fast.values, `${version} ${spelling}`).toEqual(reference(text, version));
      }
    expect(readPlainDocuments("mode: 0644\nflag: yes\n", "1.1")?.values).toEqual([{ mode: 420, flag: true }]);
    expect(readPlainDocuments("mode: 0644\nflag: yes\n", "1.2")?.values).toEqual([
      { mode: 644, flag: "yes" },
    ]);
  });

  it("gives each document's first line, empty documents as null", () => {
    const text = "# head\n\napiVersion: v1\nkind: ConfigMap\n---\n---\n# note\n\n  a: 1\n...\n";
    expect(readPlainDocuments(text)).toEqual({
      values: [{ apiVersion: "v1", kind: "ConfigMap" }, null, { a: 1 }],
      lines: [3, 3, 9],
    });
  });

  it("leaves to yaml what only yaml reads as kubectl does, and every error", () => {
    for (const text of [
      "a: &x 1\nb: *x\n", // anchors and aliases
      "base: &b {x: 1}\nderived:\n  <<: *b\n", // merge keys
      "<<: {x: 1}\n",
      "a: !!binary aGk=\n", // tags
      "yes: 1\n", // a key that is not a string
      "? [a]\n: 1\n", // a complex key
      "a: 1\na: 2\n", // a duplicate key
      "a: [1\n", // malformed
      "k: -\n",
    ])
      expect(readPlainDocuments(text), text).toBeUndefined();
  });

  it("reads what yaml reads, for any JSON value written in any of yaml's styles", () => {
    const scalar = fc.oneof(
      fc.constantFrom(...plainSpellings),
      fc.string(),
      fc.integer(),
      fc.double({ noNaN: true }),
      fc.boolean(),
      fc.constant(null),
    );
    const value = fc.letrec((tie) => ({
      node: fc.oneof({ depthSize: "small" }, scalar, tie("list"), tie("map")),
      list: fc.array(tie("node"), { maxLength: 4 }),
      map: fc.dictionary(fc.oneof(fc.constantFrom(...plainSpellings), fc.string()), tie("node"), {
        maxKeys: 4,
      }),
    })).node;
    const styles = fc.record({
      flow: fc.boolean(),
      block: fc.constantFrom<"literal" | "folded">("literal", "folded"),
      quote: fc.boolean(),
      lineWidth: fc.constantFrom(0, 20, 80),
    });
    let readFast = 0;
    fc.assert(
      fc.property(
        fc.array(value, { minLength: 1, maxLength: 3 }),
        styles,
        fc.constantFrom<YamlVersion>("1.1", "1.2"),
        (documents, style, version) => {
          const text = documents
            .map((document) =>
              stringify(document, {
                version: "1.1",
                collectionStyle: style.flow ? "flow" : "block",
                blockQuote: style.block,
                singleQuote: style.quote,
                lineWidth: style.lineWidth,
              }),
            )
            .join("---\n");
          const fast = readPlainDocuments(text, version);
          if (fast === undefined) return;
          readFast += 1;
          expect(fast.values).toEqual(reference(text, version));
        },
      ),
      { numRuns: 500 },
    );
    // Most texts are plain: the property is about the fast reader, not its fallback.
    expect(readFast).toBeGreaterThan(250);
  });
});
