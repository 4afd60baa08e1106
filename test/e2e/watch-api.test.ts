/**
 * Issue 16, the dashboard's JSON API without a browser: `kubedrift watch --ui-token-file` (the
 * built CLI) against the sandbox. Without the token `/api/resources` is 401; a real `kubectl scale`
 * makes the Deployment Drifted there with its manager, and its resource page shows the replica diff
 * and the open episode; a Secret edited out of band shows only keyed hashes, never its value.
 */
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { kubectlOk, writeManifest } from "../support/kubectl.js";
import { useSandbox } from "../support/sandbox.js";
import { dbSecret, until, useWatchProcesses, webDeployment } from "../support/watch.js";

const fixture = useSandbox();
const startWatch = useWatchProcesses();
const namespace = "watch-api";
const uiToken = "ui-token-0123456789abcdef";
const desiredPassword = "desired-password-0123";
const livePassword = "live-password-4567";

async function fetchJson(
  url: string,
  token: string | null = uiToken,
): Promise<{ status: number; body: Record<string, unknown>; text: string }> {
  const response = await fetch(url, token === null ? {} : { headers: { authorization: `Bearer ${token}` } });
  const text = await response.text();
  return { status: response.status, body: JSON.parse(text) as Record<string, unknown>, text };
}

describe("kubedrift watch --ui-token-file", () => {
  it("serves the estate, a resource's diff and its episodes as JSON behind the token, and no Secret value", async () => {
    const sandbox = fixture.sandbox();
    const directory = fixture.directory();
    const file = writeManifest(
      directory,
      "app.yaml",
      `${webDeployment(namespace)}---\n${dbSecret(namespace, desiredPassword)}`,
    );
    const tokenFile = writeManifest(directory, "ui-token", `${uiToken}\n`);
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
        "--ui-token-file",
        tokenFile,
      ],
      directory,
    );
    const url = await until(
      () => watch.lines().find((line) => line["msg"] === "listening")?.["url"] as string | undefined,
      `the listening line (stderr: ${watch.stderr()})`,
      60_000,
    );
    const refused = await fetchJson(`${url}/api/resources`, null);
    expect(refused.status).toBe(401);
    expect(refused.body).toEqual({ error: "unauthorized" });

    await kubectlOk(sandbox, ["scale", "deployment", "web", "-n", namespace, "--replicas=5"]);
    await kubectlOk(sandbox, [
      "patch",
      "secret",
      "db",
      "-n",
      namespace,
      "-p",
      JSON.stringify({ stringData: { password: livePassword } }),
    ]);
    const listed = await until(async () => {
      const answer = await fetchJson(`${url}/api/resources?status=Drifted`);
      return (answer.body["resources"] as unknown[]).length === 2 ? answer : undefined;
    }, "both resources drifted in the API");
    expect(listed.body["resources"]).toEqual([
      expect.objectContaining({ kind: "Deployment", namespace, name: "web", managers: ["kubectl"] }),
      expect.objectContaining({ kind: "Secret", namespace, name: "db", status: "Drifted" }),
    ]);

    const web = await until(async () => {
      const answer = await fetchJson(`${url}/api/resources/apps/Deployment/${namespace}/web`);
      return (answer.body["episodes"] as unknown[]).length === 1 ? answer : undefined;
    }, "web's episode");
    expect(web.body["drifts"]).toEqual([
      expect.objectContaining({
        path: "/spec/replicas",
        type: "Changed",
        desired: 2,
        live: 5,
        manager: "kubectl",
        subresource: "scale",
      }),
    ]);
    expect(web.body["resource"]).toMatchObject({ status: "Drifted", since: expect.any(String) as string });
    // The resource page carries its Kubernetes Events: the DriftDetected that watch itself wrote.
    const withEvents = await until(async () => {
      const answer = await fetchJson(`${url}/api/resources/apps/Deployment/${namespace}/web`);
      const events = (answer.body["events"] ?? []) as { reason: string; type: string }[];
      return events.some((event) => event.reason === "DriftDetected") ? events : undefined;
    }, "web's DriftDetected Event on its page");
    expect(withEvents).toContainEqual(expect.objectContaining({ type: "Warning", reason: "DriftDetected" }));

    const answers = [
      listed.text,
      (await fetchJson(`${url}/api/resources/core/Secret/${namespace}/db`)).text,
      (await fetchJson(`${url}/api/episodes`)).text,
    ].join("\n");
    expect(answers).toContain('"redacted":true');
    for (const value of [desiredPassword, livePassword])
      for (const shown of [value, Buffer.from(value).toString("base64")])
        expect(answers).not.toContain(shown);

    watch.child.kill("SIGTERM");
    expect(await watch.exited).toBe(0);
  }, 180_000);
});
