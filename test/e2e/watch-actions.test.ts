/**
 * Issue 16, the dashboard's Heal without a browser, behind an auth proxy: `kubedrift watch
 * --ui-auth proxy --ui-actions` (the built CLI, no token file) against the sandbox. Without the
 * proxy's header the API is 401 and there is no sign-in form; with it, `/api/session` gives alice a
 * CSRF token of her own; a heal without it is 403, with bob's 403, with hers it scales the
 * Deployment back and `kubedrift history` records the heal by alice.
 */
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { runKubedrift } from "../support/kubedrift.js";
import { kubectlOk, writeManifest } from "../support/kubectl.js";
import { useSandbox } from "../support/sandbox.js";
import { until, useWatchProcesses, webDeployment } from "../support/watch.js";

const fixture = useSandbox();
const startWatch = useWatchProcesses();
const namespace = "watch-actions";
const header = "X-Auth-Request-User";

async function call(
  url: string,
  init: { readonly method?: string; readonly headers?: Record<string, string> } = {},
): Promise<{ readonly status: number; readonly body: Record<string, unknown> }> {
  const response = await fetch(url, init);
  return { status: response.status, body: JSON.parse(await response.text()) as Record<string, unknown> };
}

describe("kubedrift watch --ui-auth proxy --ui-actions", () => {
  it("heals as the proxy's user, with that user's CSRF token only, and records who", async () => {
    const sandbox = fixture.sandbox();
    const directory = fixture.directory();
    const file = writeManifest(directory, "app.yaml", webDeployment(namespace));
    await kubectlOk(sandbox, ["create", "namespace", namespace]);
    await kubectlOk(sandbox, ["apply", "-f", file]);
    const store = `sqlite:${join(directory, "kubedrift.db")}`;
    const watch = startWatch(
      [
        "-f",
        file,
        "--kubeconfig",
        sandbox.kubeconfigPath,
        "--store",
        store,
        "--listen",
        "127.0.0.1:0",
        "--ui-auth",
        "proxy",
        "--ui-proxy-header",
        header,
        "--ui-actions",
      ],
      directory,
    );
    const url = await until(
      () => watch.lines().find((line) => line["msg"] === "listening")?.["url"] as string | undefined,
      `the listening line (stderr: ${watch.stderr()})`,
      60_000,
    );
    expect((await call(`${url}/api/session`)).status).toBe(401);
    expect((await fetch(`${url}/login`)).status).toBe(404);
    const as = (user: string): Record<string, string> => ({ [header]: user });
    const alice = await call(`${url}/api/session`, { headers: as("alice") });
    expect(alice.body).toMatchObject({ user: "alice", actions: true, csrf: expect.any(String) as string });
    const bob = await call(`${url}/api/session`, { headers: as("bob") });

    await kubectlOk(sandbox, ["scale", "deployment", "web", "-n", namespace, "--replicas=5"]);
    const heal = `${url}/api/resources/apps/Deployment/${namespace}/web/heal`;
    await until(async () => {
      const answer = await call(`${url}/api/resources/apps/Deployment/${namespace}/web`, {
        headers: as("alice"),
      });
      return (answer.body["episodes"] as unknown[]).length === 1 ? answer : undefined;
    }, "web's episode");
    expect((await call(heal, { method: "POST", headers: as("alice") })).status).toBe(403);
    const wrong = { ...as("alice"), "x-csrf-token": String(bob.body["csrf"]) };
    expect((await call(heal, { method: "POST", headers: wrong })).status).toBe(403);
    const right = { ...as("alice"), "x-csrf-token": String(alice.body["csrf"]) };
    const healed = await call(heal, { method: "POST", headers: right });
    expect(healed).toEqual({
      status: 200,
      body: {
        result: "healed",
        resource: `apps/Deployment/${namespace}/web`,
        fields: ["/spec/replicas"],
        user: "alice",
      },
    });
    const replicas = await kubectlOk(sandbox, [
      "get",
      "deployment",
      "web",
      "-n",
      namespace,
      "-o",
      "jsonpath={.spec.replicas}",
    ]);
    expect(replicas.stdout).toBe("2");
    const history = await until(async () => {
      const done = await runKubedrift(["history", "--store", store], { cwd: directory });
      return done.stdout.includes("healed by alice") ? done : undefined;
    }, "the heal in the history");
    expect(history.code).toBe(0);
    watch.child.kill("SIGTERM");
    expect(await watch.exited).toBe(0);
  }, 120_000);
});
