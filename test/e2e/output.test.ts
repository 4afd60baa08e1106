/**
 * What people read (issue 11, items 6–8), from the built CLI after real kubectl changes: the diff's
 * legend, one notation for field paths in diff, plan and apply (JSON keeps JSON Pointers), colour
 * by the environment's rules, and "time unknown" where kube-apiserver records no time (a /scale
 * write).
 */
import { cpSync, mkdirSync } from "node:fs";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { stripVTControlCharacters } from "node:util";
import { beforeAll, describe, expect, it } from "vitest";
import { kubectlOk } from "../support/kubectl.js";
import { runKubedrift } from "../support/kubedrift.js";
import { useSandbox } from "../support/sandbox.js";

const fixture = useSandbox();
const examples = fileURLToPath(new URL("../../examples/shop", import.meta.url));
let directory = "";

function kubedrift(
  args: readonly string[],
  env: Readonly<Record<string, string>> = {},
): ReturnType<typeof runKubedrift> {
  return runKubedrift([...args, "-f", "shop", "--kubeconfig", fixture.sandbox().kubeconfigPath], {
    cwd: directory,
    env,
  });
}

/** Lines that name a field by JSON Pointer (` /spec/…`), which no text output should have. */
const pointerInText = / \/(spec|metadata|data)\//;

beforeAll(async () => {
  directory = join(fixture.directory(), "output");
  mkdirSync(directory, { recursive: true });
  cpSync(examples, join(directory, "shop"), { recursive: true });
  const sandbox = fixture.sandbox();
  await kubectlOk(sandbox, ["apply", "--server-side", "-f", join(directory, "shop", "namespace.yaml")]);
  await kubectlOk(sandbox, ["apply", "--server-side", "-f", join(directory, "shop")]);
  await kubectlOk(sandbox, ["-n", "shop", "scale", "deployment/web", "--replicas=4"]);
  await kubectlOk(sandbox, ["-n", "shop", "set", "image", "deployment/web", "web=nginx:1.28"]);
  await kubectlOk(sandbox, ["-n", "shop", "set", "env", "deployment/web", "DEBUG=1"]);
  await kubectlOk(sandbox, ["-n", "shop", "label", "deployment/web", "team=payments"]);
});

describe("the text diff", () => {
  it("has the legend under the verdict, names fields as one notation, and says 'time unknown' for /scale", async () => {
    const { code, stdout, stderr } = await kubedrift(["diff"]);
    expect(stderr).toBe("");
    expect(code).toBe(2);
    expect(
      stdout.startsWith(
        "4 resources in sandbox: 1 drifted, 3 in sync\n- desired (Git)  + live (cluster)\n\n",
      ),
    ).toBe(true);
    expect(stdout).toContain(`  - spec.replicas: 2
  + spec.replicas: 4
    shop/web.yaml:10, changed by kubectl (Update, subresource scale), time unknown
`);
    expect(stdout).toContain("  + spec.template.spec.containers[name=web].env[name=DEBUG]:\n");
    expect(stdout).toContain("  + metadata.labels.team: payments\n");
    expect(stdout).not.toMatch(pointerInText);
    // Not a terminal, no FORCE_COLOR: no colour.
    expect(stripVTControlCharacters(stdout)).toBe(stdout);
  });

  it("colours by the environment's rules, the same text underneath", async () => {
    // Ages ("2s ago") move between runs: compared as <age>.
    const diff = async (args: readonly string[], env: Readonly<Record<string, string>>): Promise<string> =>
      (await kubedrift(["diff", ...args], env)).stdout.replace(/\d+[smhd] ago|just now/g, "<age>");
    const plain = await diff([], {});
    const forced = await diff([], { FORCE_COLOR: "1" });
    expect(forced).not.toBe(plain);
    expect(stripVTControlCharacters(forced)).toBe(plain);
    expect(await diff([], { FORCE_COLOR: "1", NO_COLOR: "1" })).toBe(forced);
    for (const env of [{ NO_COLOR: "1" }, { FORCE_COLOR: "0" }, { TERM: "dumb" }])
      expect(await diff([], env)).toBe(plain);
    expect(await diff(["--no-color"], { FORCE_COLOR: "1" })).toBe(plain);
  });

  it("keeps JSON Pointers in -o json", async () => {
    const { stdout } = await kubedrift(["diff", "-o", "json"]);
    const paths = (
      JSON.parse(stdout) as { resources: readonly { drifts?: readonly { path: string }[] }[] }
    ).resources.flatMap((resource) => (resource.drifts ?? []).map((drift) => drift.path));
    expect(paths).toContain("/spec/replicas");
    expect(paths).toContain("/metadata/labels/team");
    expect(paths).toContain("/spec/template/spec/containers/0/image");
  });
});

describe("plan and apply", () => {
  it("name fields as the diff does in text, and keep pointers and the server's names in -o json", async () => {
    const plan = await kubedrift(["plan"]);
    expect(plan.stderr).toBe("");
    expect(plan.code).toBe(2);
    expect(plan.stdout).toContain(
      "[dry run: ok, takes over spec.replicas, spec.template.spec.containers[name=web].image]",
    );
    expect(plan.stdout).toContain("    remove metadata.labels.team\n");
    expect(plan.stdout).toMatch(
      / {4}remove spec\.template\.spec\.containers\[(0|name=web)\]\.env\[name=DEBUG\]\n/,
    );
    expect(plan.stdout).not.toMatch(pointerInText);
    expect(plan.stdout).not.toContain('[name="web"]');
    expect(stripVTControlCharacters(plan.stdout)).toBe(plan.stdout);

    const json = JSON.parse((await kubedrift(["plan", "-o", "json"])).stdout) as {
      changes: readonly {
        patch: readonly { op: string; path: string }[];
        dryRun: { takesOver: readonly string[] };
      }[];
    };
    const change = json.changes[0];
    expect(
      change?.patch.filter((operation) => operation.op === "remove").map((operation) => operation.path),
    ).toEqual(expect.arrayContaining(["/metadata/labels/team"]));
    expect(change?.dryRun.takesOver).toEqual([
      ".spec.replicas",
      '.spec.template.spec.containers[name="web"].image',
    ]);
  });

  it("apply says which fields it took over in the same notation", async () => {
    const applied = await kubedrift(["apply", "--yes"]);
    expect(applied.code).toBe(0);
    expect(applied.stdout).toMatch(
      /^applied +apply +Deployment shop\/web: took over spec\.replicas, spec\.template\.spec\.containers\[name=web\]\.image$/m,
    );
    expect(applied.stdout).not.toMatch(pointerInText);
    expect((await kubedrift(["diff"])).code).toBe(0);
  });
});
