import { mkdir, mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";

import { describe, expect, it } from "vitest";

import { buildFailureMessage, generatorEntries, withoutGeneratorValues } from "./kustomize-errors.js";

const failed = new Error("Command failed");

describe("kustomize build errors", () => {
  it("keeps the message of klog's one-line and multi-line forms, and of kustomize's own", () => {
    expect(
      buildFailureMessage(
        'E1202 02:40:42.329327    7353 run.go:72] "command failed" err="configmap db illegally repeats the key `password`"\n',
        failed,
      ),
    ).toBe("configmap db illegally repeats the key `password`");
    expect(
      buildFailureMessage(
        'E1202 02:40:53.658852    7859 run.go:72] "command failed" err=<\n\tmap[string]interface {}(nil): yaml: unmarshal errors:\n\t  line 7: mapping key "password" already defined at line 6\n >\n',
        failed,
      ),
    ).toBe('yaml: unmarshal errors: line 7: mapping key "password" already defined at line 6');
    expect(
      buildFailureMessage(
        "# Warning: 'bases' is deprecated\nError: accumulating resources: boom\n\nmore\n",
        failed,
      ),
    ).toBe("accumulating resources: boom");
    expect(buildFailureMessage(`err="${"x".repeat(5000)}"`, failed)).toHaveLength(1001);
  });

  it("replaces generator literals by their position and Secret values by a placeholder", async () => {
    const root = await mkdtemp(path.join(tmpdir(), "kubedrift-kustomize-errors-"));
    try {
      await mkdir(path.join(root, "base"));
      await writeFile(
        path.join(root, "kustomization.yaml"),
        "resources:\n  - base\n  - web.yaml\nconfigMapGenerator:\n  - name: c\n    literals: [mode=on]\n",
      );
      await writeFile(
        path.join(root, "base", "kustomization.yaml"),
        "secretGenerator:\n  - name: db\n    literals:\n      - password=hunter2\n      - hunter3\n    envs: [db.env]\n",
      );
      await writeFile(path.join(root, "base", "db.env"), "# comment\nTOKEN=t0ps3cret\n");
      const entries = await generatorEntries(root, "app");
      expect(entries).toEqual([
        { text: "mode=on", secret: "", position: "app/kustomization.yaml:6" },
        { text: "password=hunter2", secret: "hunter2", position: "app/base/kustomization.yaml:4" },
        { text: "hunter3", secret: "hunter3", position: "app/base/kustomization.yaml:5" },
        { text: "TOKEN=t0ps3cret", secret: "t0ps3cret", position: "app/base/db.env:2" },
      ]);
      expect(
        withoutGeneratorValues(
          "literal sources [password=hunter2 hunter3]: invalid literal source hunter3; value hunter2 or t0ps3cret; mode=on",
          entries,
        ),
      ).toBe(
        "literal sources [app/base/kustomization.yaml:4 app/base/kustomization.yaml:5]: invalid literal source app/base/kustomization.yaml:5; value <value at app/base/kustomization.yaml:4> or <value at app/base/db.env:2>; app/kustomization.yaml:6",
      );
    } finally {
      await rm(root, { recursive: true, force: true });
    }
  });
});
