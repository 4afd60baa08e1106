import { describe, expect, it } from "vitest";
import type { DriftReport } from "../model/index.js";
import { renderReport } from "./index.js";
import { escapeXmlAttribute, escapeXmlText } from "./junit.js";
import { inSyncOnly, mixed, mixedObjects, now, provenanced, ref, report } from "./fixtures.test-helper.js";

function junit(value: DriftReport, cwd?: string): string {
  return renderReport(value, "junit", {
    color: true,
    now,
    ...(cwd !== undefined && { cwd }),
    objects: mixedObjects,
  });
}

/*
 * A reader for the documents junit.ts writes, enough to check them: elements without namespaces,
 * double-quoted attributes, the five predefined entities and numeric references. A stray `<`, `&` or
 * quote in the output breaks it, which is the point.
 */
function unescape(text: string): string {
  const named: Record<string, string> = { lt: "<", gt: ">", amp: "&", quot: '"', apos: "'" };
  return text.replace(/&(lt|gt|amp|quot|apos|#\d+);/g, (_match, entity: string) =>
    entity.startsWith("#") ? String.fromCodePoint(Number(entity.slice(1))) : named[entity],
  );
}

function attributes(text: string): Record<string, string> {
  expect(text).not.toMatch(/[<&](?!(lt|gt|amp|quot|apos|#\d+);)/);
  const pairs = [...text.matchAll(/\s([\w.:-]+)="([^"]*)"/g)].map(([, key, value]): [string, string] => [
    key,
    unescape(value),
  ]);
  expect(text.replace(/\s([\w.:-]+)="([^"]*)"/g, "").trim()).toBe("");
  return Object.fromEntries(pairs);
}

interface ParsedCase {
  readonly attributes: Record<string, string>;
  readonly outcome?: {
    readonly element: string;
    readonly attributes: Record<string, string>;
    readonly text: string;
  };
}

function parseJunit(xml: string) {
  expect(xml.startsWith('<?xml version="1.0" encoding="UTF-8"?>\n')).toBe(true);
  const suites = /<testsuites([^>]*)>\n([\s\S]*)<\/testsuites>\n$/.exec(xml);
  expect(suites).not.toBeNull();
  const suite = /^ {2}<testsuite([^>]*)>\n([\s\S]*) {2}<\/testsuite>\n$/.exec(suites![2]);
  expect(suite).not.toBeNull();
  const body = suite![2];
  const properties = Object.fromEntries(
    [...body.matchAll(/<property([^>]*)\/>/g)].map(([, text]) => {
      const { name, value } = attributes(text);
      return [name, value];
    }),
  );
  const cases: ParsedCase[] = [...body.matchAll(/<testcase([^>]*?)(?:\/>|>([\s\S]*?)<\/testcase>)/g)].map(
    ([, caseAttributes, inner]) => {
      const found =
        inner === undefined ? null : /<(failure|error|skipped)([^>]*?)(?:\/>|>([\s\S]*?)<\/\1>)/.exec(inner);
      if (inner !== undefined)
        expect(inner.replace(/<(failure|error|skipped)([^>]*?)(?:\/>|>([\s\S]*?)<\/\1>)/, "").trim()).toBe(
          "",
        );
      return {
        attributes: attributes(caseAttributes),
        ...(found !== null && {
          outcome: { element: found[1], attributes: attributes(found[2]), text: unescape(found[3] ?? "") },
        }),
      };
    },
  );
  return { testsuites: attributes(suites![1]), testsuite: attributes(suite![1]), properties, cases };
}

describe("junit report", () => {
  it("is one test suite with a test case per resource, failures for drift and an error for an unreadable object", () => {
    expect(junit(mixed, "/repo")).toBe(`<?xml version="1.0" encoding="UTF-8"?>
<testsuites name="kubedrift" tests="7" failures="5" errors="1" skipped="0">
  <testsuite name="kubedrift" tests="7" failures="5" errors="1" skipped="0" timestamp="2026-11-22T12:00:00">
    <properties>
      <property name="cluster" value="kind-dev"/>
    </properties>
    <testcase classname="shop" name="Deployment/web" file="deploy/web.yaml">
      <failure message="4 fields drifted" type="Drifted">- spec.replicas: 3
+ spec.replicas: 5
  deploy/web.yaml:7, changed by kubectl (Update, subresource scale) at 2026-11-22T11:57:00Z
- spec.template.spec.containers[name=web].image: nginx:1.27
+ spec.template.spec.containers[name=web].image: nginx:1.28
  deploy/web.yaml:18, changed by kubectl-set (Update) at 2026-11-22T10:00:00Z
- spec.template.spec.containers[name=web].ports[containerPort=8080]:
-   containerPort: 8080
-   protocol: TCP
  deploy/web.yaml:20
+ metadata.labels.team: payments
  added by kubectl-label (Update) at 2026-11-17T09:00:00Z</failure>
    </testcase>
    <testcase classname="shop" name="Secret/db-credentials" file="deploy/secret.yaml">
      <failure message="1 field drifted" type="Drifted">- data.password: (redacted a1b2c3d4a1b2c3d4)
+ data.password: (redacted e5f6a7b8e5f6a7b8)
  deploy/secret.yaml:8, changed by kubectl-edit (Update) at 2026-11-22T11:59:30Z</failure>
    </testcase>
    <testcase classname="shop" name="ConfigMap/settings" file="deploy/settings.yaml">
      <failure message="1 field drifted" type="Drifted">- data["app.conf"]: |
-   mode=fast
-   workers=2
+ data["app.conf"]: |
+   mode=fast
+   workers=4
  deploy/settings.yaml:6</failure>
    </testcase>
    <testcase classname="(cluster)" name="Namespace/shop" file="deploy/ns.yaml"/>
    <testcase classname="shop" name="Service/api" file="deploy/api.yaml">
      <failure message="not in the cluster" type="Missing"/>
    </testcase>
    <testcase classname="shop" name="ConfigMap/leftover">
      <failure message="in the cluster, not in the sources" type="Extra"/>
    </testcase>
    <testcase classname="shop" name="Widget.example.com/w1" file="deploy/widget.yaml">
      <error message="example.com/v1 Widget is not served by the cluster" type="Error"/>
    </testcase>
  </testsuite>
</testsuites>
`);
  });

  it("parses back to the report's resources, counts and diff text", () => {
    const parsed = parseJunit(junit(mixed, "/repo"));
    expect(parsed.testsuites).toEqual({
      name: "kubedrift",
      tests: "7",
      failures: "5",
      errors: "1",
      skipped: "0",
    });
    expect(parsed.testsuite).toEqual({
      name: "kubedrift",
      tests: "7",
      failures: "5",
      errors: "1",
      skipped: "0",
      timestamp: "2026-11-22T12:00:00",
    });
    expect(parsed.properties).toEqual({ cluster: "kind-dev" });
    expect(
      parsed.cases.map((testCase) => [
        testCase.attributes.classname,
        testCase.attributes.name,
        testCase.outcome?.element ?? "passed",
        testCase.outcome?.attributes.type ?? "",
      ]),
    ).toEqual([
      ["shop", "Deployment/web", "failure", "Drifted"],
      ["shop", "Secret/db-credentials", "failure", "Drifted"],
      ["shop", "ConfigMap/settings", "failure", "Drifted"],
      ["(cluster)", "Namespace/shop", "passed", ""],
      ["shop", "Service/api", "failure", "Missing"],
      ["shop", "ConfigMap/leftover", "failure", "Extra"],
      ["shop", "Widget.example.com/w1", "error", "Error"],
    ]);
    expect(parsed.cases[2].outcome?.text).toBe(`- data["app.conf"]: |
-   mode=fast
-   workers=2
+ data["app.conf"]: |
+   mode=fast
+   workers=4
  deploy/settings.yaml:6`);
  });

  it("names origins, blame, the revision and skipped sources", () => {
    expect(junit(provenanced, "/repo")).toBe(`<?xml version="1.0" encoding="UTF-8"?>
<testsuites name="kubedrift" tests="5" failures="3" errors="0" skipped="1">
  <testsuite name="kubedrift" tests="5" failures="3" errors="0" skipped="1" timestamp="2026-11-22T12:00:00">
    <properties>
      <property name="cluster" value="kind-dev"/>
      <property name="revision.ref" value="origin/main"/>
      <property name="revision.commit" value="0123456789abcdef0123456789abcdef01234567"/>
    </properties>
    <testcase classname="default" name="Deployment/example-deployment" file="infra/main.tf">
      <failure message="1 field drifted" type="Drifted">terraform kubernetes_deployment.example
- spec.replicas: 3
+ spec.replicas: 5
  infra/main.tf:6, changed by kubectl (Update, subresource scale) at 2026-11-22T11:57:00Z
  last changed in abc1234 by Jane Doe, 2026-11-20: "Scale web to 3"</failure>
    </testcase>
    <testcase classname="default" name="ConfigMap/stray">
      <failure message="in the cluster, not in the sources" type="Extra"/>
    </testcase>
    <testcase classname="monitoring" name="Service/grafana" file="helm:monitoring/grafana@4:templates/service.yaml">
      <failure message="not in the cluster" type="Missing">helm release grafana, chart grafana-8.5.1, revision 4</failure>
    </testcase>
    <testcase classname="(cluster)" name="ClusterRole/grafana-reader" file="helm:monitoring/grafana@4:templates/clusterrole.yaml"/>
    <testcase classname="infra/storage.tf" name="kubernetes_persistent_volume.data" file="infra/storage.tf">
      <skipped message="infra/storage.tf:3: resource type kubernetes_persistent_volume is not supported"/>
    </testcase>
  </testsuite>
</testsuites>
`);
    const parsed = parseJunit(junit(provenanced, "/repo"));
    expect(parsed.properties).toEqual({
      cluster: "kind-dev",
      "revision.ref": "origin/main",
      "revision.commit": "0123456789abcdef0123456789abcdef01234567",
    });
  });

  it("escapes markup, quotes and line breaks, and replaces characters XML cannot carry", () => {
    const hostile = report(
      [
        {
          ref: ref("v1", "ConfigMap", "a&b", "x<y>"),
          status: "Error",
          source: { file: "deploy/\"odd\" & 'quoted'.yaml", line: 1 },
          drifts: [],
          error: `forbidden: <user "ci"> can't\nread & list\tconfigmaps`,
        },
        {
          ref: ref("v1", "ConfigMap", "shop", "html"),
          status: "Drifted",
          drifts: [
            {
              path: "/data/page",
              type: "Changed",
              desired: "<b>&amp;</b>]]>",
              live: "bell\u0007 nul\u0000 emoji \u{1F600} lone \uD800 end",
            },
          ],
        },
      ],
      "ctx&<'\">",
    );
    const parsed = parseJunit(junit(hostile));
    expect(parsed.properties).toEqual({ cluster: "ctx&<'\">" });
    expect(parsed.cases[0].attributes).toEqual({
      classname: "a&b",
      name: "ConfigMap/x<y>",
      file: "deploy/\"odd\" & 'quoted'.yaml",
    });
    expect(parsed.cases[0].outcome?.attributes).toEqual({
      message: `forbidden: <user "ci"> can't\nread & list\tconfigmaps`,
      type: "Error",
    });
    expect(parsed.cases[1].outcome?.text).toBe(
      `- data.page: <b>&amp;</b>]]>\n+ data.page: "bell\\a nul\\0 emoji \u{1F600} lone \\ud800 end"`,
    );
    expect(escapeXmlText("a\u0001b\uDC00c\u{1F600}\r\n")).toBe("a\uFFFDb\uFFFDc\u{1F600}\r\n");
    expect(escapeXmlAttribute(`<"&'>\r\n\t`)).toBe("&lt;&quot;&amp;&apos;&gt;&#13;&#10;&#9;");
  });

  it("counts an all-in-sync run and an empty one", () => {
    const parsed = parseJunit(junit(inSyncOnly));
    expect(parsed.testsuite.tests).toBe("3");
    expect(parsed.testsuite.failures).toBe("0");
    expect(parsed.cases.every((testCase) => testCase.outcome === undefined)).toBe(true);
    expect(junit(report([], "prod"))).toBe(`<?xml version="1.0" encoding="UTF-8"?>
<testsuites name="kubedrift" tests="0" failures="0" errors="0" skipped="0">
  <testsuite name="kubedrift" tests="0" failures="0" errors="0" skipped="0" timestamp="2026-11-22T12:00:00">
    <properties>
      <property name="cluster" value="prod"/>
    </properties>
  </testsuite>
</testsuites>
`);
  });
});
