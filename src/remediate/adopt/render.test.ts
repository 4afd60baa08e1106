import { stripVTControlCharacters, styleText } from "node:util";
import { describe, expect, it } from "vitest";
import { renderAdoption } from "./render.js";
import type { AdoptPlan } from "./types.js";
import type { ObjectRef } from "../../kube/object.js";

const ref: ObjectRef = {
  group: "",
  version: "v1",
  kind: "ConfigMap",
  namespace: "shop",
  name: "credentials",
};
const secretRef: ObjectRef = { ...ref, kind: "Secret", name: "db" };
// Kept short so that every line is within the diff's three lines of context.
const before = `kind: Secret
metadata: { name: db }
data:
  token: dG9rLTQ3MTE=
---
data:
  user: app
  password: "493817"
kind: ConfigMap
`;
const plan: AdoptPlan = {
  edits: [
    {
      file: "credentials.yaml",
      absolute: "/work/credentials.yaml",
      before,
      after: before.replace("user: app", "user: admin"),
      adopted: [{ ref, path: "/data/user" }],
    },
  ],
  refused: [{ ref, path: "/data/password", reason: "the value is withheld by a redaction rule" }],
};

describe("adopt's file diff", () => {
  it("blanks out Secret and redacted values that stand around a change; the change itself shows", () => {
    const output = renderAdoption(plan, {
      color: false,
      redaction: {
        config: { redact: [{ path: "/data/password", kinds: ["ConfigMap"] }], redactionKey: "k".repeat(32) },
        objects: [
          { ref, object: { kind: "ConfigMap", data: { user: "app", password: "493817" } } },
          { ref: secretRef, object: { kind: "Secret", data: { token: "dG9rLTQ3MTE=" } } },
        ],
      },
    });
    expect(output).toContain("-  user: app\n+  user: admin\n");
    expect(output).toContain(' password: "(value hidden)"\n');
    expect(output).toContain(" token: (value hidden)\n");
    expect(output).not.toContain("493817");
    expect(output).not.toContain("dG9rLTQ3MTE=");
    expect(output).toContain("--- a/credentials.yaml\n+++ b/credentials.yaml\n");
  });
});

describe("adopt's file diff in colour", () => {
  it("colours through styleText when asked, and names refused fields as the diff does", () => {
    const style = (format: Parameters<typeof styleText>[0], value: string): string =>
      styleText(format, value, { validateStream: false });
    const coloured = renderAdoption(plan, { color: true });
    expect(coloured).toContain(`${style("red", "-  user: app")}\n${style("green", "+  user: admin")}\n`);
    expect(coloured).toContain(style("bold", "--- a/credentials.yaml"));
    expect(coloured).toContain(
      `${style("bold", "Not adopted:")}\n  ConfigMap shop/credentials data.password: the value is withheld`,
    );
    const plain = renderAdoption(plan, { color: false });
    expect(stripVTControlCharacters(plain)).toBe(plain);
  });
});
