import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { LineCounter, parseAllDocuments, stringify } from "yaml";
import { yamlOptions } from "../kube/yaml-options.js";
import { plainFieldLines, readPlainDocuments } from "../kube/yaml-values.js";
import { collectFieldLines } from "./field-lines.js";

/** The reference: `yaml`'s trees walked by collectFieldLines, one map per document (none for an empty one, which manifests skip). */
function reference(text: string): readonly ReadonlyMap<string, number>[] {
  const lineCounter = new LineCounter();
  return parseAllDocuments(text, yamlOptions(lineCounter)).map((document) =>
    document.contents === null || document.toJS() === null
      ? new Map()
      : collectFieldLines(document.contents, lineCounter),
  );
}

describe("field lines from js-yaml's events", () => {
  it("are the lines yaml's trees give: a key's line, an item's first line, a block scalar's header", () => {
    const text = `# web
apiVersion: apps/v1
kind: Deployment
metadata:
  name: web
  labels: { app: web, "quoted key": x }
spec:
  template:
    spec:
      containers:
        - name: web
          args:
            - |
              echo hi
            - "--flag"
          env: [{ name: A, value: "1" }]
---
# only a comment
---
a/b: ~1
`;
    expect(plainFieldLines(text)).toEqual(reference(text));
    expect(plainFieldLines(text)?.[0]?.get("/spec/template/spec/containers/0/args/0")).toBe(13);
    expect(plainFieldLines(text)?.[2]?.get("/a~1b")).toBe(20);
  });

  it("agree with yaml's for any JSON value written in any of yaml's styles", () => {
    const scalar = fc.oneof(
      fc.string(),
      fc.integer(),
      fc.boolean(),
      fc.constant(null),
      fc.constantFrom("a\nb\n", "x: y"),
    );
    const value = fc.letrec((tie) => ({
      node: fc.oneof({ depthSize: "small" }, scalar, tie("list"), tie("map")),
      list: fc.array(tie("node"), { maxLength: 4 }),
      map: fc.dictionary(fc.string(), tie("node"), { maxKeys: 4 }),
    })).node;
    let compared = 0;
    fc.assert(
      fc.property(
        fc.array(value, { minLength: 1, maxLength: 3 }),
        fc.boolean(),
        fc.constantFrom<"literal" | "folded">("literal", "folded"),
        (documents, flow, blockQuote) => {
          const text = documents
            .map((document) =>
              stringify(document, { version: "1.1", collectionStyle: flow ? "flow" : "block", blockQuote }),
            )
            .join("---\n");
          // Only texts the fast reader reads are read with these lines, and empty documents are skipped.
          const plain = readPlainDocuments(text);
          if (plain === undefined) return;
          compared += 1;
          const kept = (lines: readonly ReadonlyMap<string, number>[] | undefined): unknown =>
            lines?.filter((_, index) => plain.values[index] !== null);
          expect(kept(plainFieldLines(text))).toEqual(kept(reference(text)));
        },
      ),
      { numRuns: 400 },
    );
    expect(compared).toBeGreaterThan(200);
  });
});
