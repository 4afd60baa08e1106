import { writeFileSync } from "node:fs";
import { join } from "node:path";
import fc from "fast-check";
import { afterAll, describe, expect, it } from "vitest";
import { scratchDirectory } from "../../test/support/kubectl.js";
import { streamList } from "./live-file-stream.js";

const scratch = scratchDirectory();
afterAll(() => scratch.remove());

function write(name: string, text: string): string {
  const path = join(scratch.path, name);
  writeFileSync(path, text);
  return path;
}

const items = [
  {
    apiVersion: "v1",
    kind: "ConfigMap",
    metadata: { name: "a" },
    data: { "x{": 'quote " and \\ and }', y: "[]" },
  },
  { apiVersion: "v1", kind: "Secret", metadata: { name: "b", annotations: { note: "ünïcödé ✓" } }, data: {} },
  {
    apiVersion: "apps/v1",
    kind: "Deployment",
    metadata: { name: "c" },
    spec: { replicas: 2, list: [1, [2, {}]] },
  },
];

describe("a live file's List read in pieces", () => {
  it("reads kubectl's JSON item by item, whatever the chunk boundaries, with each item's line", async () => {
    const list = { apiVersion: "v1", items, kind: "List", metadata: { resourceVersion: "" } };
    const path = write("list.json", `${JSON.stringify(list, null, 4)}\n`);
    for (const chunkBytes of [1, 7, 64, 1 << 20]) {
      const read = await streamList(path, chunkBytes);
      expect(read?.items, `chunks of ${chunkBytes}`).toEqual(items);
      expect(read?.header).toEqual({
        apiVersion: "v1",
        items: [],
        kind: "List",
        metadata: { resourceVersion: "" },
      });
      // kubectl's layout is split by its closing lines: no lines are counted (an error re-reads the file).
      expect(read?.itemLines).toEqual([]);
    }
    // Any other layout is scanned character by character, with each item's line.
    const compact = write("list2.json", `${JSON.stringify(list, null, 2)}\n`);
    for (const chunkBytes of [1, 7, 1 << 20]) {
      const read = await streamList(compact, chunkBytes);
      expect(read?.items).toEqual(items);
      expect(read?.itemLines).toEqual([4, 15, 26]);
    }
    const one = write("one.json", JSON.stringify(items[0]));
    expect(await streamList(one, 5)).toEqual({ header: items[0], items: [], itemLines: [] });
  });

  it("reads any List of JSON objects as JSON.parse does, whatever the chunks", async () => {
    const path = join(scratch.path, "random.json");
    await fc.assert(
      fc.asyncProperty(
        fc.array(fc.dictionary(fc.string(), fc.jsonValue()), { maxLength: 5 }),
        fc.integer({ min: 1, max: 40 }),
        fc.boolean(),
        async (objects, chunkBytes, pretty) => {
          writeFileSync(path, JSON.stringify({ kind: "List", items: objects }, null, pretty ? 4 : 0));
          const read = await streamList(path, chunkBytes);
          expect(read?.items).toEqual(JSON.parse(JSON.stringify(objects)));
          expect(read?.header).toEqual({ kind: "List", items: [] });
        },
      ),
      { numRuns: 200 },
    );
  });

  it("reads kubectl's YAML item by item, block scalars and comments inside items included", async () => {
    const path = write(
      "list.yaml",
      `apiVersion: v1
items:
- apiVersion: v1
  data:
    script: |
      #!/bin/sh

      echo "- not an item"
  kind: ConfigMap
  metadata:
    name: a
# between items
- apiVersion: v1
  kind: ConfigMap
  metadata:
    name: b
kind: List
metadata:
  resourceVersion: ""
`,
    );
    for (const chunkBytes of [3, 1 << 20]) {
      const read = await streamList(path, chunkBytes);
      expect(read?.items).toEqual([
        {
          apiVersion: "v1",
          data: { script: '#!/bin/sh\n\necho "- not an item"\n' },
          kind: "ConfigMap",
          metadata: { name: "a" },
        },
        { apiVersion: "v1", kind: "ConfigMap", metadata: { name: "b" } },
      ]);
      expect(read?.header).toEqual({
        apiVersion: "v1",
        items: [],
        kind: "List",
        metadata: { resourceVersion: "" },
      });
      expect(read?.itemLines).toEqual([3, 13]);
    }
  });

  it("leaves other YAML to be read whole, and refuses broken JSON", async () => {
    for (const text of [
      "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: a\n", // one object
      "apiVersion: v1\nkind: ConfigMap\n---\napiVersion: v1\nkind: Secret\n", // several documents
      "items:\n  - apiVersion: v1\n    kind: ConfigMap\n  - apiVersion: v1\n    kind: Secret\n", // indented items
      "items:\n- &a {kind: ConfigMap}\n- *a\n", // beyond the fast reader
    ])
      expect(await streamList(write("other.yaml", text)), text).toBeUndefined();
    await expect(streamList(write("bad.json", '{"items": [{"a": 1,}]}'))).rejects.toThrow(/not JSON/);
    await expect(streamList(write("short.json", '{"items": [{"a": 1}'))).rejects.toThrow(/ends early/);
  });
});
