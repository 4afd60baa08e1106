/**
 * plan, apply and adopt as users run them: the built CLI as a process, after real kubectl changes.
 */
import { cpSync, mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";
import { kubectlJson, kubectlOk } from "../support/kubectl.js";
import { runKubedrift } from "../support/kubedrift.js";
import { useSandbox } from "../support/sandbox.js";

const fixture = useSandbox();
const examples = fileURLToPath(new URL("../../examples/shop", import.meta.url));

/** A copy of examples/shop, applied, then scaled and re-imaged by hand. */
async function driftedShop(name: string): Promise<string> {
  const directory = join(fixture.directory(), name);
  mkdirSync(directory, { recursive: true });
  cpSync(examples, join(directory, "shop"), { recursive: true });
  await kubectlOk(fixture.sandbox(), ["apply", "-f", join(directory, "shop", "namespace.yaml")]);
  await kubectlOk(fixture.sandbox(), ["apply", "-f", join(directory, "shop")]);
  await kubectlOk(fixture.sandbox(), ["-n", "shop", "scale", "deployment/web", "--replicas=4"]);
  await kubectlOk(fixture.sandbox(), ["-n", "shop", "set", "image", "deployment/web", "web=nginx:1.28"]);
  return directory;
}

function kubedrift(directory: string, args: readonly string[]): ReturnType<typeof runKubedrift> {
  return runKubedrift([...args, "-f", "shop", "--kubeconfig", fixture.sandbox().kubeconfigPath], {
    cwd: directory,
  });
}

describe("kubedrift plan, apply and adopt", () => {
  it("plans (exit 2), refuses to apply without a terminal or --yes, applies with --yes, and then finds nothing to do", async () => {
    const directory = await driftedShop("apply");
    const plan = await kubedrift(directory, ["plan", "-o", "json"]);
    expect(plan.stderr).toBe("");
    expect(plan.code).toBe(2);
    const document = JSON.parse(plan.stdout) as { kind: string; changes: readonly { action: string }[] };
    expect(document.kind).toBe("Plan");
    expect(document.changes.map((change) => change.action)).toEqual(["apply"]);

    const unconfirmed = await kubedrift(directory, ["apply"]);
    expect(unconfirmed.code).toBe(1);
    expect(unconfirmed.stderr).toContain("pass --yes");

    const applied = await kubedrift(directory, ["apply", "--yes"]);
    expect(applied.code).toBe(0);
    expect(applied.stdout).toContain("Apply: 1 applied, 0 unchanged, 0 skipped, 0 failed.");
    const diff = await kubedrift(directory, ["diff"]);
    expect(diff.code).toBe(0);
    const after = await kubedrift(directory, ["plan"]);
    expect(after.code).toBe(0);
  });

  it("a change the server rejects makes plan exit 1, counted once; apply writes the rest, reports it and exits 1", async () => {
    const directory = await driftedShop("rejected");
    writeFileSync(
      join(directory, "shop", "settings.yaml"),
      "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: settings\n  namespace: shop\ndata:\n  mode: fast\n",
    );
    await kubectlOk(fixture.sandbox(), ["apply", "-f", join(directory, "shop", "settings.yaml")]);
    await kubectlOk(fixture.sandbox(), [
      "-n",
      "shop",
      "patch",
      "configmap",
      "settings",
      "-p",
      '{"data":{"mode":"slow"}}',
    ]);
    // Git now asks for something the API server refuses.
    const web = join(directory, "shop", "web.yaml");
    writeFileSync(web, readFileSync(web, "utf8").replace("replicas: 2", "replicas: -1"));

    const plan = await kubedrift(directory, ["plan"]);
    expect(plan.code).toBe(1);
    expect(plan.stdout).toContain(
      "Plan: 1 to update, 0 to create, 0 to delete, 1 rejected by the server's dry run.",
    );
    expect(plan.stdout).toContain("[dry run: REJECTED (422)");

    const applied = await kubedrift(directory, ["apply", "--yes"]);
    expect(applied.code).toBe(1);
    expect(applied.stderr).toContain("[dry run: REJECTED (422)");
    expect(applied.stdout).toMatch(
      /^rejected +apply +Deployment shop\/web: rejected by the server's dry run \(422\): /m,
    );
    expect(applied.stdout).toContain("Apply: 1 applied, 0 unchanged, 0 skipped, 1 rejected, 0 failed.");
    const settings = await kubectlJson(fixture.sandbox(), ["-n", "shop", "get", "configmap", "settings"]);
    expect(settings["data"]).toEqual({ mode: "fast" });
    const deployment = await kubectlJson(fixture.sandbox(), ["-n", "shop", "get", "deployment", "web"]);
    expect((deployment["spec"] as Record<string, unknown>)["replicas"]).toBe(4);
    // The other tests share the namespace: leave it as the shop's manifests describe it.
    await kubectlOk(fixture.sandbox(), ["-n", "shop", "delete", "configmap", "settings"]);
  });

  it("--only that names no object is an error, not a silent success", async () => {
    const directory = await driftedShop("only");
    const result = await kubedrift(directory, ["apply", "--yes", "--only", "Deployment/shop/wbe"]);
    expect(result.code).toBe(1);
    expect(result.stderr).toBe(
      "error: apply: --only Deployment/shop/wbe: no such object in the desired state or the cluster\n",
    );
    const plan = await kubedrift(directory, ["plan", "--only", "configmap/shop/web"]);
    expect(plan.code).toBe(1);
  });

  it("adopts the live values into the manifest, changing only those lines, and diff is then clean", async () => {
    const directory = await driftedShop("adopt");
    const before = readFileSync(join(directory, "shop", "web.yaml"), "utf8");
    const adopted = await kubedrift(directory, ["adopt", "--yes"]);
    expect(adopted.code).toBe(0);
    expect(adopted.stdout).toContain("wrote shop/web.yaml");
    const after = readFileSync(join(directory, "shop", "web.yaml"), "utf8");
    expect(after).toBe(
      before.replace("replicas: 2", "replicas: 4").replace("image: nginx:1.27", "image: nginx:1.28"),
    );
    const diff = await kubedrift(directory, ["diff"]);
    expect(diff.code).toBe(0);
  });
});
