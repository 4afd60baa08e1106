import {
  chmodSync,
  lstatSync,
  mkdirSync,
  mkdtempSync,
  readFileSync,
  readdirSync,
  renameSync,
  rmSync,
  statSync,
  symlinkSync,
  writeFileSync,
} from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { afterAll, describe, expect, it } from "vitest";

import { describeWriteOutcome, nodeFileSystem, writeAdoption } from "./write.js";
import type { AdoptFileSystem } from "./write.js";
import type { FileEdit } from "./types.js";

const root = mkdtempSync(path.join(tmpdir(), "kubedrift-adopt-write-"));
afterAll(() => rmSync(root, { recursive: true, force: true }));

/** A directory holding `a.yaml`, `b.yaml` and `c.yaml`, and the edits that change each one's value from 1 to 2. */
function threeFiles(name: string): { readonly directory: string; readonly edits: readonly FileEdit[] } {
  const directory = path.join(root, name);
  mkdirSync(directory);
  const edits = ["a", "b", "c"].map((key) => {
    writeFileSync(path.join(directory, `${key}.yaml`), `${key}: 1\n`);
    return {
      file: `${key}.yaml`,
      absolute: path.join(directory, `${key}.yaml`),
      before: `${key}: 1\n`,
      after: `${key}: 2\n`,
      adopted: [],
    };
  });
  return { directory, edits };
}

const texts = (directory: string): readonly string[] =>
  ["a", "b", "c"].map((key) => readFileSync(path.join(directory, `${key}.yaml`), "utf8"));

/**
 * The real file system, except that the renames `fails` picks fail. No real failure strikes between
 * two renames of one synchronous call, so this one is injected.
 */
function renamesFailing(fails: (count: number) => boolean): AdoptFileSystem {
  let renames = 0;
  return {
    ...nodeFileSystem,
    rename: (from, to) => {
      renames += 1;
      // A real ENOENT from Node, so the error has the shape the writer sees in production.
      renameSync(fails(renames) ? `${from}.gone` : from, to);
    },
  };
}

describe("writeAdoption", () => {
  it("writes through a symlink into its target, keeping the link a link and the target's mode", () => {
    const directory = path.join(root, "symlink");
    mkdirSync(path.join(directory, "shared"), { recursive: true });
    mkdirSync(path.join(directory, "deploy"));
    const target = path.join(directory, "shared", "web.yaml");
    writeFileSync(target, "replicas: 2\n");
    chmodSync(target, 0o664);
    const link = path.join(directory, "deploy", "web.yaml");
    symlinkSync("../shared/web.yaml", link);
    const outcome = writeAdoption({
      edits: [
        {
          file: "deploy/web.yaml",
          absolute: link,
          before: "replicas: 2\n",
          after: "replicas: 4\n",
          adopted: [],
        },
      ],
      refused: [],
    });
    expect(outcome).toEqual({ written: ["deploy/web.yaml"], refused: [] });
    expect(lstatSync(link).isSymbolicLink()).toBe(true);
    expect(readFileSync(target, "utf8")).toBe("replicas: 4\n");
    // 0664 survives the usual umask of 022 only if the writer sets the mode after creating the file.
    expect(statSync(target).mode & 0o777).toBe(0o664);
    expect(readdirSync(path.join(directory, "shared"))).toEqual(["web.yaml"]);
    expect(readdirSync(path.join(directory, "deploy"))).toEqual(["web.yaml"]);
  });

  it("writes nothing when a file changed on disk since the plan, and names it", () => {
    const { directory, edits } = threeFiles("refused");
    writeFileSync(path.join(directory, "b.yaml"), "b: 7\n");
    expect(writeAdoption({ edits, refused: [] })).toEqual({
      written: [],
      refused: [{ file: "b.yaml", reason: "changed on disk since the plan was made" }],
    });
    expect(texts(directory)).toEqual(["a: 1\n", "b: 7\n", "c: 1\n"]);
    expect(readdirSync(directory).sort()).toEqual(["a.yaml", "b.yaml", "c.yaml"]);
  });

  it("changes nothing when the second of three files cannot be written, and names the file and the cause", () => {
    const { directory, edits } = threeFiles("unwritable");
    // Tests run as root, which ignores permissions: a directory where b.yaml's temporary file goes fails for anyone.
    const blocker = `.b.yaml.kubedrift-${process.pid}`;
    mkdirSync(path.join(directory, blocker));
    const outcome = writeAdoption({ edits, refused: [] });
    expect(outcome).toEqual({
      written: [],
      refused: [],
      failed: { file: "b.yaml", reason: `${blocker} already exists beside it`, restored: [] },
    });
    expect(texts(directory)).toEqual(["a: 1\n", "b: 1\n", "c: 1\n"]);
    expect(readdirSync(directory).sort()).toEqual([blocker, "a.yaml", "b.yaml", "c.yaml"]);
  });

  it("restores the files already renamed when a later rename fails", () => {
    const { directory, edits } = threeFiles("rollback");
    const outcome = writeAdoption(
      { edits, refused: [] },
      renamesFailing((count) => count === 2),
    );
    expect(outcome).toEqual({
      written: [],
      refused: [],
      failed: { file: "b.yaml", reason: "no such file or directory", restored: ["a.yaml"] },
    });
    expect(texts(directory)).toEqual(["a: 1\n", "b: 1\n", "c: 1\n"]);
    expect(readdirSync(directory).sort()).toEqual(["a.yaml", "b.yaml", "c.yaml"]);
  });

  it("names a file left holding the adopted text when restoring it fails too", () => {
    const { directory, edits } = threeFiles("rollback-fails");
    const outcome = writeAdoption(
      { edits, refused: [] },
      renamesFailing((count) => count >= 2),
    );
    expect(outcome).toEqual({
      written: ["a.yaml"],
      refused: [],
      failed: { file: "b.yaml", reason: "no such file or directory", restored: [] },
    });
    expect(texts(directory)).toEqual(["a: 2\n", "b: 1\n", "c: 1\n"]);
    expect(readdirSync(directory).sort()).toEqual(["a.yaml", "b.yaml", "c.yaml"]);
  });
});

describe("describeWriteOutcome", () => {
  it("lists the files written, exit 0", () => {
    expect(describeWriteOutcome({ written: ["a.yaml", "b.yaml"], refused: [] })).toEqual({
      stdout: "wrote a.yaml\nwrote b.yaml\n",
      stderr: "",
      exitCode: 0,
    });
  });

  it("names each refused file and says nothing was changed, exit 1", () => {
    expect(
      describeWriteOutcome({
        written: [],
        refused: [{ file: "b.yaml", reason: "changed on disk since the plan was made" }],
      }),
    ).toEqual({
      stdout: "",
      stderr:
        "error: cannot write b.yaml: changed on disk since the plan was made\nadopt: nothing was changed\n",
      exitCode: 1,
    });
  });

  it("names the file and the cause of a failure, and which files were restored or not", () => {
    const failed = { file: "examples/x.yaml", reason: "permission denied" };
    expect(describeWriteOutcome({ written: [], refused: [], failed: { ...failed, restored: [] } })).toEqual({
      stdout: "",
      stderr: "error: cannot write examples/x.yaml: permission denied\nadopt: nothing was changed\n",
      exitCode: 1,
    });
    expect(
      describeWriteOutcome({ written: [], refused: [], failed: { ...failed, restored: ["a.yaml"] } }).stderr,
    ).toBe(
      "error: cannot write examples/x.yaml: permission denied\nadopt: nothing was changed (restored to their original text: a.yaml)\n",
    );
    expect(
      describeWriteOutcome({ written: ["a.yaml"], refused: [], failed: { ...failed, restored: ["b.yaml"] } }),
    ).toEqual({
      stdout: "wrote a.yaml\n",
      stderr:
        "error: cannot write examples/x.yaml: permission denied\nadopt: not restored, so holding the adopted text: a.yaml; restored to their original text: b.yaml; every other file is unchanged\n",
      exitCode: 1,
    });
  });
});
