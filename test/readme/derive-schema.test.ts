/**
 * `npm run derive-schema` needs the Kubernetes OpenAPI v2 document, which is not committed: without
 * it the script says in one line which path it read and where the document comes from.
 */
import { spawnSync } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { afterAll, describe, expect, it } from "vitest";

const root = fileURLToPath(new URL("../..", import.meta.url));
const sourceUrl =
  "https://raw.githubusercontent.com/kubernetes/kubernetes/v1.32.0/api/openapi-spec/swagger.json";
const scratch = mkdtempSync(join(tmpdir(), "kubedrift-derive-schema-"));
afterAll(() => rmSync(scratch, { recursive: true, force: true }));

/** The script as `npm run derive-schema` runs it (node --import tsx), without npm's own lines around it. */
function deriveSchema(args: readonly string[], env: Readonly<Record<string, string>> = {}) {
  const result = spawnSync(process.execPath, ["--import", "tsx", "scripts/derive-schema.ts", ...args], {
    cwd: root,
    env: { PATH: process.env["PATH"] ?? "/usr/bin:/bin", ...env },
    encoding: "utf8",
  });
  return { code: result.status, stdout: result.stdout, stderr: result.stderr };
}

describe("npm run derive-schema", () => {
  it("fails in one line, naming the missing document and where to get it, when given a path that does not exist", () => {
    const missing = join(scratch, "openapi-v2-v1.32.0.json");
    expect(deriveSchema([missing])).toEqual({
      code: 1,
      stdout: "",
      stderr: `derive-schema: ${missing} not found: it is the Kubernetes OpenAPI v2 document of v1.32.0; download ${sourceUrl} and pass its path (npm run derive-schema -- PATH, or KUBEDRIFT_OPENAPI_V2=PATH)\n`,
    });
  });

  it("takes the path from KUBEDRIFT_OPENAPI_V2 when no argument is given", () => {
    const missing = join(scratch, "from-env.json");
    const result = deriveSchema([], { KUBEDRIFT_OPENAPI_V2: missing });
    expect(result.code).toBe(1);
    expect(result.stderr.split("\n")).toEqual([
      `derive-schema: ${missing} not found: it is the Kubernetes OpenAPI v2 document of v1.32.0; download ${sourceUrl} and pass its path (npm run derive-schema -- PATH, or KUBEDRIFT_OPENAPI_V2=PATH)`,
      "",
    ]);
  });

  it("says in --help where its input comes from, and writes nothing", () => {
    const result = deriveSchema(["--help"]);
    expect(result.code).toBe(0);
    expect(result.stderr).toBe("");
    expect(result.stdout).toContain("Usage: npm run derive-schema [-- PATH]");
    expect(result.stdout).toContain(`curl -fsSLo openapi-v2-v1.32.0.json ${sourceUrl}`);
  });
});
