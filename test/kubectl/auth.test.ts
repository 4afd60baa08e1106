/**
 * Users, service accounts and RBAC, as kube-apiserver does them, driven with the real kubectl:
 * a `--token-auth-file` user bound to `edit` in one namespace, a ServiceAccount token from
 * `kubectl create token`, `kubectl auth can-i`, and the kubeconfig's own user, a cluster admin.
 */
import { spawn, type ChildProcessWithoutNullStreams } from "node:child_process";
import { writeFileSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startSandbox, type RunningSandbox } from "../../src/sandbox/index.js";
import {
  kubectlJson,
  kubectlOk,
  runKubectl,
  scratchDirectory,
  type KubectlResult,
} from "../support/kubectl.js";

const scratch = scratchDirectory();
let running: RunningSandbox | undefined;

function sandbox(): RunningSandbox {
  if (running === undefined) throw new Error("the sandbox is not running");
  return running;
}

const asAlice = (...args: readonly string[]): readonly string[] => ["--token", "alice-token", ...args];

beforeAll(async () => {
  const tokenFile = join(scratch.path, "tokens.csv");
  writeFileSync(tokenFile, 'alice-token,alice,1001,"devs"\nbob-token,bob,1002\n');
  running = await startSandbox({
    kubeconfigPath: join(scratch.path, "kubeconfig"),
    tokenAuthFile: tokenFile,
  });
  for (const namespace of ["shop", "other"]) {
    await kubectlOk(sandbox(), ["create", "namespace", namespace]);
    await kubectlOk(sandbox(), ["create", "deployment", "web", "--image=nginx:1.25", "-n", namespace]);
  }
  await kubectlOk(sandbox(), [
    "create",
    "rolebinding",
    "alice-edit",
    "--clusterrole=edit",
    "--user=alice",
    "-n",
    "shop",
  ]);
});

afterAll(async () => {
  await running?.stop();
  scratch.remove();
});

describe("a user of the token file, bound to edit in shop", () => {
  it("scales a Deployment in shop", async () => {
    const result = await runKubectl(
      sandbox(),
      asAlice("scale", "deployment", "web", "--replicas=3", "-n", "shop"),
    );
    expect(result).toEqual({ code: 0, stdout: "deployment.apps/web scaled\n", stderr: "" });
    const web = await kubectlJson(sandbox(), ["get", "deployment", "web", "-n", "shop"]);
    expect(web["spec"]).toMatchObject({ replicas: 3 });
  });

  it("is forbidden in another namespace, with kube-apiserver's message", async () => {
    // kubectl scale reads the object first; the 403 of that GET is what it reports.
    const result = await runKubectl(
      sandbox(),
      asAlice("scale", "deployment", "web", "--replicas=3", "-n", "other"),
    );
    expect(result).toEqual({
      code: 1,
      stdout: "",
      stderr:
        'error: no objects passed to scale deployments.apps "web" is forbidden: User "alice" cannot get resource "deployments" in API group "apps" in the namespace "other"\n',
    });
    const patch = await runKubectl(
      sandbox(),
      asAlice(
        "patch",
        "deployment",
        "web",
        "-n",
        "other",
        "--subresource=scale",
        "-p",
        '{"spec":{"replicas":3}}',
      ),
    );
    expect(patch).toMatchObject({ code: 1, stdout: "" });
    expect(patch.stderr).toContain(
      'deployments.apps "web" is forbidden: User "alice" cannot get resource "deployments/scale" in API group "apps" in the namespace "other"',
    );
  });

  it("is forbidden at the cluster scope: namespaces, nodes", async () => {
    expect(await runKubectl(sandbox(), asAlice("get", "namespaces"))).toEqual({
      code: 1,
      stdout: "",
      stderr:
        'Error from server (Forbidden): namespaces is forbidden: User "alice" cannot list resource "namespaces" in API group "" at the cluster scope\n',
    });
    // The sandbox serves no Node kind; authorization comes first, so the answer is still a 403.
    const nodes = await runKubectl(sandbox(), asAlice("get", "--raw", "/api/v1/nodes"));
    expect(nodes.code).toBe(1);
    expect(nodes.stderr).toBe(
      'Error from server (Forbidden): nodes is forbidden: User "alice" cannot list resource "nodes" in API group "" at the cluster scope\n',
    );
  });

  it("asks `kubectl auth can-i`: yes (exit 0) in shop, no (exit 1) elsewhere", async () => {
    expect(
      await runKubectl(sandbox(), asAlice("auth", "can-i", "create", "deployments", "-n", "shop")),
    ).toEqual({
      code: 0,
      stdout: "yes\n",
      stderr: "",
    });
    expect(
      await runKubectl(sandbox(), asAlice("auth", "can-i", "create", "deployments", "-n", "other")),
    ).toEqual({
      code: 1,
      stdout: "no\n",
      stderr: "",
    });
    const bob = await runKubectl(sandbox(), [
      "--token",
      "bob-token",
      "auth",
      "can-i",
      "list",
      "pods",
      "-n",
      "shop",
    ]);
    expect(bob).toMatchObject({ code: 1, stdout: "no\n" });
  });

  it("lists what she may do in shop (`kubectl auth can-i --list`)", async () => {
    const list = await kubectlOk(sandbox(), asAlice("auth", "can-i", "--list", "-n", "shop"));
    const lines = list.stdout.split("\n").map((line) => line.replace(/\s+/g, " ").trim());
    expect(lines[0]).toBe("Resources Non-Resource URLs Resource Names Verbs");
    expect(lines).toContain(
      "deployments.apps/scale [] [] [create delete deletecollection patch update get list watch]",
    );
    expect(lines).toContain("selfsubjectaccessreviews.authorization.k8s.io [] [] [create]");
    expect(lines).toContain("[/api/*] [] [get]");
  });

  it("is alice, with her groups and system:authenticated (`kubectl auth whoami`)", async () => {
    const whoami = await kubectlOk(sandbox(), asAlice("auth", "whoami", "-o", "json"));
    expect((JSON.parse(whoami.stdout) as { status: unknown }).status).toEqual({
      userInfo: { username: "alice", uid: "1001", groups: ["devs", "system:authenticated"] },
    });
  });

  it("gains what a ClusterRole labelled aggregate-to-view grants, through view, edit's aggregation", async () => {
    const rolesLister = {
      apiVersion: "rbac.authorization.k8s.io/v1",
      kind: "ClusterRole",
      metadata: { name: "roles-lister", labels: { "rbac.authorization.k8s.io/aggregate-to-view": "true" } },
      rules: [{ apiGroups: ["rbac.authorization.k8s.io"], resources: ["roles"], verbs: ["list"] }],
    };
    await kubectlOk(sandbox(), ["apply", "-f", "-"], { input: JSON.stringify(rolesLister) });
    const edit = await kubectlJson(sandbox(), ["get", "clusterrole", "edit"]);
    expect(edit["rules"]).toContainEqual({
      apiGroups: ["rbac.authorization.k8s.io"],
      resources: ["roles"],
      verbs: ["list"],
    });
    const canI = await runKubectl(sandbox(), asAlice("auth", "can-i", "list", "roles", "-n", "shop"));
    expect(canI).toMatchObject({ code: 0, stdout: "yes\n" });
  });
});

describe("a user who may write RBAC objects in a namespace (admin in team)", () => {
  it("grants what she holds, and is refused what she does not (no privilege escalation)", async () => {
    await kubectlOk(sandbox(), ["create", "namespace", "team"]);
    await kubectlOk(sandbox(), [
      "create",
      "rolebinding",
      "alice-admin",
      "--clusterrole=admin",
      "--user=alice",
      "-n",
      "team",
    ]);
    expect(
      await runKubectl(
        sandbox(),
        asAlice("create", "rolebinding", "bob-view", "--clusterrole=view", "--user=bob", "-n", "team"),
      ),
    ).toEqual({ code: 0, stdout: "rolebinding.rbac.authorization.k8s.io/bob-view created\n", stderr: "" });
    expect(
      await runKubectl(
        sandbox(),
        asAlice(
          "create",
          "rolebinding",
          "bob-admin",
          "--clusterrole=cluster-admin",
          "--user=bob",
          "-n",
          "team",
        ),
      ),
    ).toEqual({
      code: 1,
      stdout: "",
      stderr: [
        'error: failed to create rolebinding: rolebindings.rbac.authorization.k8s.io "bob-admin" is forbidden: user "alice" (groups=["devs" "system:authenticated"]) is attempting to grant RBAC permissions not currently held:',
        '{APIGroups:["*"], Resources:["*"], Verbs:["*"]}',
        '{NonResourceURLs:["*"], Verbs:["*"]}',
        "",
      ].join("\n"),
    });
  });
});

describe("a ServiceAccount token from `kubectl create token`", () => {
  it("authenticates as the ServiceAccount until it is deleted", async () => {
    await kubectlOk(sandbox(), ["create", "serviceaccount", "deployer", "-n", "shop"]);
    await kubectlOk(sandbox(), [
      "create",
      "rolebinding",
      "deployer-view",
      "--clusterrole=view",
      "--serviceaccount=shop:deployer",
      "-n",
      "shop",
    ]);
    const token = (await kubectlOk(sandbox(), ["create", "token", "deployer", "-n", "shop"])).stdout.trim();
    const withToken = (...args: readonly string[]): Promise<KubectlResult> =>
      runKubectl(sandbox(), ["--token", token, ...args]);
    expect(await withToken("get", "deployments", "-n", "shop", "-o", "name")).toEqual({
      code: 0,
      stdout: "deployment.apps/web\n",
      stderr: "",
    });
    expect(await withToken("scale", "deployment", "web", "--replicas=1", "-n", "shop")).toEqual({
      code: 1,
      stdout: "",
      stderr:
        'Error from server (Forbidden): deployments.apps "web" is forbidden: User "system:serviceaccount:shop:deployer" cannot patch resource "deployments/scale" in API group "apps" in the namespace "shop"\n',
    });
    const whoami = await withToken("auth", "whoami", "-o", "json");
    expect(JSON.parse(whoami.stdout)).toMatchObject({
      status: {
        userInfo: {
          username: "system:serviceaccount:shop:deployer",
          groups: ["system:serviceaccounts", "system:serviceaccounts:shop", "system:authenticated"],
          extra: { "authentication.kubernetes.io/credential-id": [expect.stringMatching(/^JTI=/)] },
        },
      },
    });
    await kubectlOk(sandbox(), ["delete", "serviceaccount", "deployer", "-n", "shop"]);
    const refused = await withToken("get", "deployments", "-n", "shop");
    expect(refused.code).toBe(1);
    expect(refused.stderr).toContain("error: You must be logged in to the server");
  });

  it("refuses a duration under ten minutes and an unknown ServiceAccount, as kube-apiserver", async () => {
    expect(
      await runKubectl(sandbox(), ["create", "token", "default", "-n", "shop", "--duration=1m"]),
    ).toEqual({
      code: 1,
      stdout: "",
      stderr:
        'error: failed to create token: TokenRequest.authentication.k8s.io "default" is invalid: spec.expirationSeconds: Invalid value: 60: may not specify a duration less than 10 minutes\n',
    });
    expect(await runKubectl(sandbox(), ["create", "token", "nobody", "-n", "shop"])).toEqual({
      code: 1,
      stdout: "",
      stderr: 'error: failed to create token: serviceaccounts "nobody" not found\n',
    });
  });
});

describe("the kubeconfig's own user", () => {
  it("may act as alice with --as, and alice may not act as anyone", async () => {
    // Discovery is impersonated too: `--raw` shows the 403 that kubectl's discovery reports as "unknown".
    expect(
      await runKubectl(sandbox(), ["--as", "alice", "auth", "can-i", "create", "deployments", "-n", "shop"]),
    ).toEqual({ code: 0, stdout: "yes\n", stderr: "" });
    expect(await runKubectl(sandbox(), ["--as", "alice", "get", "namespaces"])).toMatchObject({ code: 1 });
    expect(
      await runKubectl(sandbox(), asAlice("--as", "bob", "get", "--raw", "/api/v1/namespaces/shop/pods")),
    ).toEqual({
      code: 1,
      stdout: "",
      stderr:
        'Error from server (Forbidden): users "bob" is forbidden: User "alice" cannot impersonate resource "users" in API group "" at the cluster scope\n',
    });
  });

  it("stays a cluster admin in system:masters", async () => {
    const whoami = await kubectlOk(sandbox(), ["auth", "whoami", "-o", "json"]);
    expect((JSON.parse(whoami.stdout) as { status: unknown }).status).toEqual({
      userInfo: { username: "kubedrift-sandbox-admin", groups: ["system:masters", "system:authenticated"] },
    });
    expect(await runKubectl(sandbox(), ["auth", "can-i", "*", "*", "--all-namespaces"])).toMatchObject({
      code: 0,
      stdout: "yes\n",
    });
    await kubectlOk(sandbox(), ["get", "namespaces"]);
  });

  it("sees the bootstrap roles and binding of kube-apiserver", async () => {
    const binding = await kubectlJson(sandbox(), ["get", "clusterrolebinding", "cluster-admin"]);
    expect(binding["subjects"]).toEqual([
      { apiGroup: "rbac.authorization.k8s.io", kind: "Group", name: "system:masters" },
    ]);
    const names = await kubectlOk(sandbox(), ["get", "clusterroles", "-o", "name"]);
    for (const role of ["admin", "cluster-admin", "edit", "view"])
      expect(names.stdout).toContain(`clusterrole.rbac.authorization.k8s.io/${role}\n`);
  });
});

/** `kubedrift sandbox ARGS` from the checkout; resolves with its ready line, or its exit code and stderr. */
function startCli(
  args: readonly string[],
): Promise<
  | { readonly ready: { readonly kubeconfig: string }; readonly child: ChildProcessWithoutNullStreams }
  | { readonly code: number | null; readonly stderr: string }
> {
  const root = fileURLToPath(new URL("../..", import.meta.url));
  const child = spawn(process.execPath, ["--import", "tsx", "src/cli/main.ts", "sandbox", ...args], {
    cwd: root,
    env: { ...process.env, NO_COLOR: "1" },
  });
  let stdout = "";
  let stderr = "";
  child.stderr.on("data", (chunk: Buffer) => (stderr += chunk.toString()));
  return new Promise((resolve) => {
    child.stdout.on("data", (chunk: Buffer) => {
      stdout += chunk.toString();
      const [line] = stdout.split("\n");
      if (stdout.includes("\n")) resolve({ ready: JSON.parse(line ?? "") as { kubeconfig: string }, child });
    });
    child.once("close", (code) => resolve({ code, stderr }));
  });
}

describe("kubedrift sandbox --token-auth-file", () => {
  it("serves the file's users", async () => {
    const tokenFile = join(scratch.path, "cli-tokens.csv");
    writeFileSync(tokenFile, "carol-token,carol,2001,ops\n");
    const started = await startCli(["--token-auth-file", tokenFile]);
    if (!("ready" in started)) throw new Error(`the sandbox did not start: ${started.stderr}`);
    try {
      const connection = { url: "", token: "", kubeconfigPath: started.ready.kubeconfig };
      const whoami = await kubectlOk(connection, ["--token", "carol-token", "auth", "whoami", "-o", "json"]);
      expect((JSON.parse(whoami.stdout) as { status: unknown }).status).toEqual({
        userInfo: { username: "carol", uid: "2001", groups: ["ops", "system:authenticated"] },
      });
    } finally {
      const exited = new Promise((resolve) => started.child.once("close", resolve));
      started.child.kill("SIGTERM");
      await exited;
    }
  });

  it("refuses to start with a malformed line: one line naming the file and line, exit status 1", async () => {
    const tokenFile = join(scratch.path, "bad.csv");
    writeFileSync(tokenFile, "alice-token,alice,1001\nbob-token,bob\n");
    expect(await startCli(["--token-auth-file", tokenFile])).toEqual({
      code: 1,
      stderr: `error: sandbox: cannot start: ${tokenFile}:2: token file must have at least 3 columns (token, user name, user uid), found 2\n`,
    });
    await expect(startSandbox({ tokenAuthFile: tokenFile })).rejects.toThrow(
      `${tokenFile}:2: token file must have at least 3 columns (token, user name, user uid), found 2`,
    );
  });
});
