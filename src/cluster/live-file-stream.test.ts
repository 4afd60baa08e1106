import { writeFileSync } from "node:fs";
import { join } from "node:path";
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
      expect(read?.itemLines).toEqual([4, 15, 26]);
    }
    const one = write("one.json", JSON.stringify(items[0]));
    expect(await streamList(one, 5)).toEqual({ header: items[0], items: [], itemLines: [] });
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
