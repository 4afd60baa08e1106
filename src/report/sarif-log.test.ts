import { describe, expect, it } from "vitest";
import { checkSarif } from "./sarif-log.js";
import { sarifSchemaErrors } from "./sarif-schema.test-helper.js";

const ref = { group: "apps", version: "v1", kind: "Deployment", namespace: "shop", name: "web" };

describe("checkSarif", () => {
  it("writes valid SARIF: rules with help, results at the manifest line, suppressions kept", () => {
    const log = checkSarif(
      [
        {
          id: "image-tag-pinned",
          level: "warning",
          summary: "Images are pinned",
          help: "Use a tag",
          tags: ["lint"],
        },
      ],
      [
        {
          ruleId: "image-tag-pinned",
          level: "warning",
          message: "Deployment shop/web: container web uses nginx:latest",
          ref,
          source: { file: "/repo/deploy/web.yaml", line: 12 },
          detail: "/spec/template/spec/containers/0/image",
        },
        {
          ruleId: "image-tag-pinned",
          level: "warning",
          message: "accepted",
          ref: { ...ref, name: "api" },
          source: { file: "<stdin>", line: 1 },
          detail: "/spec/template/spec/containers/0/image",
          suppressed: { justification: "legacy image", inSource: true },
        },
      ],
      { cwd: "/repo", fingerprintKey: "kubedriftLint/v1", toolVersion: "0.1.0" },
    );
    expect(sarifSchemaErrors(log)).toEqual([]);
    const run = (log["runs"] as { results: Record<string, unknown>[] }[])[0];
    expect(run?.results[0]).toMatchObject({
      ruleIndex: 0,
      locations: [
        {
          physicalLocation: {
            artifactLocation: { uri: "deploy/web.yaml", uriBaseId: "%SRCROOT%" },
            region: { startLine: 12 },
          },
        },
      ],
    });
    expect(run?.results[1]).toMatchObject({
      suppressions: [{ kind: "inSource", justification: "legacy image" }],
    });
    expect(run?.results[1]?.["locations"]).toEqual([
      { logicalLocations: [{ name: "api", fullyQualifiedName: "Deployment/shop/api", kind: "object" }] },
    ]);
  });
});
