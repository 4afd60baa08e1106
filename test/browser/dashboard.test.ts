/**
 * Issue 16, the dashboard in a browser: `playwright-core` drives Debian's Chromium against the
 * built `kubedrift watch --ui-token-file` and a sandbox (a process, with a static token file for
 * alice and its audit webhook sending to watch's `/audit`, so the page can name who did it).
 * Signed in through the login form, the overview shows the estate; alice's real `kubectl scale`
 * makes the Deployment's row Drifted on the open page without a reload (server-sent events); its
 * resource page shows `spec.replicas` desired (with file:line) against live, the manager and the
 * user; the filters re-query; `/api/resources` without credentials is 401; and no response or
 * stream message the page receives holds the value of a managed Secret patched live. With
 * `--ui-actions`, the resource page's `Heal` (confirmed in a dialog) scales the Deployment back and
 * the history records the heal with the user; `Copy adopt command` names the object and its file.
 * Screenshots go to test-output/ (git-ignored).
 *
 * Depends on the other half of issue 16 (`POST /login`, the session cookie, `GET /api/stream`,
 * and `/`, `/ui/*` routed to `uiAsset`): marked "needs /login" and "needs /api/stream" below.
 */
import { execFileSync } from "node:child_process";
import { existsSync, mkdirSync } from "node:fs";
import { join } from "node:path";
import type { BrowserContext, Page } from "playwright-core";
import { afterAll, describe, expect, it } from "vitest";
import { chromiumPath, launchChromium } from "../support/chromium.js";
import { auditWebhookFlags } from "../support/audit-webhook.js";
import { runKubedrift } from "../support/kubedrift.js";
import { freePort, useKubedriftProcesses } from "../support/kubedrift-process.js";
import type { SandboxConnection } from "../support/kubectl.js";
import { kubectlOk, runKubectl, scratchDirectory, writeManifest } from "../support/kubectl.js";
import { dbSecret, until, untilSynced, useWatchProcesses, webDeployment } from "../support/watch.js";

const output = new URL("../../test-output/", import.meta.url);
const namespace = "dashboard";
const uiToken = "ui-token-0123456789abcdef";
const auditToken = "audit-token-0123456789abcdef";
const aliceToken = "alice-token-0123456789abcdef";
const desiredPassword = "desired-password-0123";
const livePassword = "live-password-4567";
/** Generous: the page must show it, how fast is not this test's question (2 shared cores). */
const pageTimeout = 30_000;

const scratch = scratchDirectory();
const processes = useKubedriftProcesses();
const startWatch = useWatchProcesses();
let context: BrowserContext | undefined;
afterAll(async () => {
  await context?.close();
  scratch.remove();
});

/** The sandbox with alice (who may edit in the namespace) and the audit webhook to watch on `port`. */
async function startCluster(port: number): Promise<{ sandbox: SandboxConnection; file: string }> {
  const directory = scratch.path;
  const tokens = writeManifest(directory, "tokens.csv", `${aliceToken},alice,u-alice,"devs"\n`);
  const sandbox = await processes.startSandbox(directory, [
    "--token-auth-file",
    tokens,
    ...auditWebhookFlags(
      directory,
      { port, token: auditToken },
      '[{group: apps, resources: [deployments, deployments/scale]}, {group: "", resources: [secrets]}]',
    ),
  ]);
  const file = writeManifest(
    directory,
    "app.yaml",
    `${webDeployment(namespace)}---\n${dbSecret(namespace, desiredPassword)}`,
  );
  // The sources are a Git repository: the resource page (watch --ui-blame) names the commit.
  const git = (...args: readonly string[]): void => {
    execFileSync("git", ["-c", "user.name=Dana Deployer", "-c", "user.email=dana@example.org", ...args], {
      cwd: directory,
      stdio: "ignore",
    });
  };
  git("init", "-q");
  git("add", "app.yaml");
  git("commit", "-q", "-m", "web: two replicas");
  await kubectlOk(sandbox, ["create", "namespace", namespace]);
  await kubectlOk(sandbox, ["apply", "-f", file]);
  await kubectlOk(sandbox, [
    "create",
    "rolebinding",
    "alice-edit",
    "--clusterrole=edit",
    "--user=alice",
    "-n",
    namespace,
  ]);
  return { sandbox, file };
}

async function asAlice(sandbox: SandboxConnection, args: readonly string[]): Promise<void> {
  const done = await runKubectl(sandbox, ["--token", aliceToken, ...args]);
  expect(done.code, done.stderr).toBe(0);
}

/** Every body the page receives, and every server-sent event's data (CDP sees the stream's messages). */
async function recordEverything(page: Page): Promise<() => string> {
  const seen: string[] = [];
  const pending: Promise<void>[] = [];
  page.on("response", (response) => {
    // A stream's body never ends: its messages come through CDP below.
    if ((response.headers()["content-type"] ?? "").startsWith("text/event-stream")) return;
    pending.push(
      response
        .text()
        .then((text) => void seen.push(text))
        .catch(() => undefined),
    );
  });
  const cdp = await page.context().newCDPSession(page);
  await cdp.send("Network.enable");
  cdp.on("Network.eventSourceMessageReceived", (message) => void seen.push(message.data));
  return () => seen.join("\n");
}

function rowOf(page: Page, kind: string, name: string): ReturnType<Page["locator"]> {
  const group = kind === "Deployment" ? "apps" : "";
  return page.locator(`tr[data-key="${group}/${kind}/${namespace}/${name}"]`);
}

describe("the dashboard in Chromium", () => {
  it.runIf(existsSync(chromiumPath))(
    "signs in, turns a scaled Deployment Drifted live, shows its diff with manager and user, and never a Secret value",
    async () => {
      const port = await freePort();
      const { sandbox, file } = await startCluster(port);
      const directory = scratch.path;
      const watch = startWatch(
        [
          "-f",
          file,
          "--kubeconfig",
          sandbox.kubeconfigPath,
          "--store",
          `sqlite:${join(directory, "kubedrift.db")}`,
          "--listen",
          `127.0.0.1:${port}`,
          "--audit-token-file",
          writeManifest(directory, "audit-token", `${auditToken}\n`),
          "--attribution-wait",
          "5s",
          "--ui-token-file",
          writeManifest(directory, "ui-token", `${uiToken}\n`),
          "--ui-actions",
          "--ui-blame",
        ],
        directory,
      );
      await untilSynced(watch, 60_000);
      const url = `http://127.0.0.1:${port}`;

      // Without credentials, the API is closed.
      const refused = await fetch(`${url}/api/resources`);
      expect(refused.status).toBe(401);
      expect(await refused.json()).toEqual({ error: "unauthorized" });

      context = await launchChromium();
      const page = context.pages()[0] ?? (await context.newPage());
      const received = await recordEverything(page);
      const problems: string[] = [];
      page.on("console", (message) => {
        if (message.type() === "error") problems.push(`${message.text()} (${message.location().url})`);
      });
      page.on("pageerror", (error) => problems.push(error.message));

      // needs /login: an unauthenticated page is sent to the form, which sets the session cookie.
      await page.goto(`${url}/`);
      await page.waitForURL(`${url}/login`);
      await page.fill("input[name=token]", uiToken);
      await Promise.all([page.waitForURL(`${url}/`), page.click("button[type=submit]")]);
      const cookies = await context.cookies(url);
      expect(cookies.find((cookie) => cookie.name === "kubedrift_session")).toMatchObject({ httpOnly: true });

      // The overview: every resource in scope, in sync.
      const web = rowOf(page, "Deployment", "web");
      await web.getByText("InSync").waitFor({ timeout: pageTimeout });
      await rowOf(page, "Secret", "db").waitFor({ timeout: pageTimeout });
      await expect(page.locator("button.count.insync .number").textContent()).resolves.toBe("2");
      // The heading names the one cluster this watch sees (its kubeconfig context).
      await expect(page.locator("h1").textContent()).resolves.toMatch(/^Drift overview — \S+$/);

      // needs /api/stream: alice scales, and the open page shows it without a reload.
      // (The test's tsconfig has no DOM types: what runs in the page is given as text.)
      await page.evaluate("window.notReloaded = true");
      await asAlice(sandbox, ["scale", "deployment", "web", "-n", namespace, "--replicas=5"]);
      await asAlice(sandbox, [
        "patch",
        "secret",
        "db",
        "-n",
        namespace,
        "-p",
        JSON.stringify({ stringData: { password: livePassword } }),
      ]);
      await web.getByText("Drifted").waitFor({ timeout: pageTimeout });
      await rowOf(page, "Secret", "db").getByText("Drifted").waitFor({ timeout: pageTimeout });
      expect(await page.evaluate<boolean>("window.notReloaded === true")).toBe(true);
      await expect(page.locator("#live").textContent()).resolves.toBe("live");
      // Drifted first; the row names the manager.
      await expect(page.locator("table.resources tbody tr").first().getAttribute("data-key")).resolves.toBe(
        `apps/Deployment/${namespace}/web`,
      );
      await web.getByText("kubectl").waitFor({ timeout: pageTimeout });

      // The overview's drawings (/api/overview): the namespace's bar with its numbers as text, the
      // causes, and the timeline of the episodes just opened.
      await page
        .locator(`section.insights .ns-bars li[data-namespace="${namespace}"] .numbers`)
        .getByText("0 in sync, 2 out of sync")
        .waitFor({ timeout: pageTimeout });
      const kubectlCause = page.locator('button.cause[data-by="manager"][data-value="kubectl"]');
      await kubectlCause.waitFor({ timeout: pageTimeout });
      await expect(kubectlCause.textContent()).resolves.toMatch(/^1 object: manager kubectl$/);
      await page
        .locator('figure.timeline[data-span="day"] li[aria-label$=": 2 opened"]')
        .waitFor({ timeout: pageTimeout });
      await expect(page.locator('figure.timeline[data-span="week"] figcaption').textContent()).resolves.toBe(
        "Last 7 days, by day: 2 opened",
      );

      mkdirSync(output, { recursive: true });
      await page.screenshot({ path: new URL("dashboard-overview.png", output).pathname, fullPage: true });

      // A cause applies its filter to the table: manager kubectl leaves the Deployment.
      await kubectlCause.click();
      await until(
        async () => (await page.locator("table.resources tbody tr").count()) === 1,
        "the table filtered by the cause",
        pageTimeout,
      );
      await expect(page.locator("#filter-manager").inputValue()).resolves.toBe("kubectl");
      await expect(web.count()).resolves.toBe(1);
      await page.fill("#filter-manager", "");
      await page.press("#filter-manager", "Enter");
      await until(
        async () => (await page.locator("table.resources tbody tr").count()) === 2,
        "the table without the cause",
        pageTimeout,
      );

      // The filters re-query /api/resources: kind Secret leaves the Secret only.
      await page.fill("#filter-kind", "Secret");
      await page.press("#filter-kind", "Enter");
      await until(
        async () => (await page.locator("table.resources tbody tr").count()) === 1,
        "the filtered table",
        pageTimeout,
      );
      await expect(rowOf(page, "Secret", "db").count()).resolves.toBe(1);
      await page.fill("#filter-kind", "");
      await page.press("#filter-kind", "Enter");
      await until(
        async () => (await page.locator("table.resources tbody tr").count()) === 2,
        "the unfiltered table",
        pageTimeout,
      );
      // The age of drift: both went out of sync a moment ago, none an hour ago.
      await page.selectOption("#filter-driftedFor", "1h");
      await until(
        async () => (await page.locator("table.resources tbody tr").count()) === 0,
        "no resource out of sync for an hour",
        pageTimeout,
      );
      await page.selectOption("#filter-driftedFor", "");
      await until(
        async () => (await page.locator("table.resources tbody tr").count()) === 2,
        "the table again",
        pageTimeout,
      );

      // The combined diff, from the header's nav: field=replicas lists the Deployment's
      // spec.replicas, and its Markdown export (the page's cookie authorizes it) is a ticket's table.
      await page
        .getByRole("navigation", { name: "views" })
        .getByRole("link", { name: "Combined diff" })
        .click();
      await page.waitForURL(/#\/diff/);
      await page.fill("#diff-field", "replicas");
      await page.press("#diff-field", "Enter");
      await page.waitForURL(`${url}/#/diff?field=replicas`);
      const combined = page.locator('table.combined tr[data-path="/spec/replicas"][data-kind="Deployment"]');
      await combined.waitFor({ timeout: pageTimeout });
      await expect(combined.locator("td.resource").textContent()).resolves.toBe(
        `Deployment ${namespace}/web`,
      );
      await expect(combined.locator("td.live code").textContent()).resolves.toBe("5");
      await expect(page.locator("table.combined tbody tr").count()).resolves.toBe(1);
      const markdownHref = await page.getByRole("link", { name: "Export Markdown" }).getAttribute("href");
      expect(markdownHref).toBe("/api/diff?field=replicas&format=markdown");
      const markdown = await page.request.get(`${url}${markdownHref ?? ""}`);
      expect(markdown.status()).toBe(200);
      expect(await markdown.text()).toContain(`| Deployment ${namespace}/web | spec.replicas`);

      // The history page lists the episodes; its CSV export is `kubedrift history -o csv`'s.
      await page.getByRole("navigation", { name: "views" }).getByRole("link", { name: "History" }).click();
      await page.waitForURL(`${url}/#/history`);
      await page
        .locator("table.history tbody td.resource")
        .getByText(`Deployment ${namespace}/web`)
        .waitFor({ timeout: pageTimeout });
      await page.check("#history-open");
      await page.fill("#history-kind", "Deployment");
      await page.press("#history-kind", "Enter");
      await page.waitForURL(`${url}/#/history?kind=Deployment&open=true`);
      await until(
        async () => (await page.locator("table.history tbody tr").count()) === 1,
        "the filtered history",
        pageTimeout,
      );
      const csvHref = await page.getByRole("link", { name: "Export CSV" }).getAttribute("href");
      expect(csvHref).toBe("/api/episodes?kind=Deployment&open=true&format=csv");
      const csv = await page.request.get(`${url}${csvHref ?? ""}`);
      expect(csv.status()).toBe(200);
      expect(await csv.text()).toMatch(/^episode,group,kind,/);
      await page.screenshot({ path: new URL("dashboard-history.png", output).pathname, fullPage: true });
      await page.getByRole("navigation", { name: "views" }).getByRole("link", { name: "Overview" }).click();
      await until(
        async () => (await page.locator("table.resources tbody tr").count()) === 2,
        "the overview again",
        pageTimeout,
      );

      // Dark by the system setting.
      await page.emulateMedia({ colorScheme: "dark" });
      await expect(page.evaluate<string>("getComputedStyle(document.body).backgroundColor")).resolves.toBe(
        "rgb(13, 17, 23)",
      );
      await page.screenshot({
        path: new URL("dashboard-overview-dark.png", output).pathname,
        fullPage: true,
      });
      await page.emulateMedia({ colorScheme: "light" });

      // The resource page, by the keyboard: Tab from the filters reaches the row's link (a real <a href>), Enter follows it.
      await page.focus("#filter-kind");
      for (let presses = 0; presses < 20; presses += 1) {
        if ((await page.evaluate<string>("document.activeElement?.textContent ?? ''")) === "web") break;
        await page.keyboard.press("Tab");
      }
      await expect(page.evaluate<string>("document.activeElement?.getAttribute('href') ?? ''")).resolves.toBe(
        `#/resource/apps/Deployment/${namespace}/web`,
      );
      await page.keyboard.press("Enter");
      await page.waitForURL(`${url}/#/resource/apps/Deployment/${namespace}/web`);
      const replicas = page.locator('table.diff tr[data-path="/spec/replicas"]');
      await replicas.waitFor({ timeout: pageTimeout });
      await expect(replicas.locator("th code").textContent()).resolves.toBe("spec.replicas");
      await expect(replicas.locator("td.desired code").textContent()).resolves.toBe("2");
      await expect(replicas.locator("td.desired .source").textContent()).resolves.toMatch(/app\.yaml:\d+$/);
      await expect(replicas.locator("td.desired .blame").textContent()).resolves.toMatch(
        /^[0-9a-f]{8} Dana Deployer, \d{4}-\d{2}-\d{2}$/,
      );
      await expect(replicas.locator("td.live code").textContent()).resolves.toBe("5");
      await expect(replicas.locator("td").nth(2).textContent()).resolves.toBe("kubectl (scale)");
      await expect(replicas.locator("td").nth(3).textContent()).resolves.toBe("alice");
      await page.locator("table.episodes tbody tr").first().waitFor({ timeout: pageTimeout });
      // Its Kubernetes Events, under the diff: watch's own DriftDetected about the scale.
      const detected = page.locator('table.events tbody tr[data-reason="DriftDetected"]').first();
      await detected.waitFor({ timeout: pageTimeout });
      await expect(detected.locator("td").nth(0).textContent()).resolves.toMatch(/^(Normal|Warning)$/);
      await expect(detected.locator("td.message").textContent()).resolves.toMatch(/\S/);
      await page.screenshot({ path: new URL("dashboard-resource.png", output).pathname, fullPage: true });
      await page.setViewportSize({ width: 390, height: 844 });
      await page.screenshot({
        path: new URL("dashboard-resource-phone.png", output).pathname,
        fullPage: true,
      });
      await page.setViewportSize({ width: 1280, height: 800 });

      // Heal (--ui-actions): confirmed in a <dialog>, posted with the session's CSRF token; the page
      // returns to InSync, the cluster has 2 replicas again, and the history names who asked.
      await expect(page.locator("code.adopt-command").textContent()).resolves.toBe(
        `kubedrift adopt --only Deployment/${namespace}/web -f ${file}`,
      );
      const heal = page.locator("section.actions button.heal");
      await heal.waitFor({ timeout: pageTimeout });
      await heal.click();
      const dialog = page.locator("dialog.confirm");
      await dialog.waitFor({ timeout: pageTimeout });
      await dialog.getByRole("button", { name: "Heal" }).click();
      await page
        .locator("section.actions .outcome")
        .getByText(/^Healed spec\.replicas/)
        .waitFor({
          timeout: pageTimeout,
        });
      await page.locator("dl.facts .badge").getByText("InSync").waitFor({ timeout: pageTimeout });
      const scaled = await kubectlOk(sandbox, [
        "get",
        "deployment",
        "web",
        "-n",
        namespace,
        "-o",
        "jsonpath={.spec.replicas}",
      ]);
      expect(scaled.stdout).toBe("2");
      const history = await runKubedrift(
        ["history", "--store", `sqlite:${join(directory, "kubedrift.db")}`, "-o", "json"],
        { cwd: directory },
      );
      expect(history.code, history.stderr).toBe(0);
      const { episodes } = JSON.parse(history.stdout) as {
        readonly episodes: readonly Record<string, unknown>[];
      };
      expect(episodes.find((episode) => episode["endedBy"] === "healed")).toMatchObject({
        resource: { kind: "Deployment", name: "web" },
        healedBy: "ui:token",
      });
      await page.screenshot({
        path: new URL("dashboard-resource-healed.png", output).pathname,
        fullPage: true,
      });

      // The Secret's page: its drift is shown as hashes only.
      await page.getByRole("link", { name: "← Overview" }).click();
      await rowOf(page, "Secret", "db").getByRole("link", { name: "db" }).click();
      const password = page.locator("table.diff tbody tr").first();
      await password.waitFor({ timeout: pageTimeout });
      await expect(password.getAttribute("data-path")).resolves.toBe("/stringData/password");
      for (const side of ["td.desired", "td.live"])
        await expect(password.locator(`${side} .redacted`).textContent()).resolves.toMatch(
          /^redacted, hash [0-9a-f]{16}$/,
        );
      await page.screenshot({ path: new URL("dashboard-secret.png", output).pathname, fullPage: true });

      // Nothing the page received holds the Secret's value, plain or base64.
      const everything = received();
      expect(everything).toContain("/spec/replicas");
      for (const value of [desiredPassword, livePassword])
        for (const shown of [value, Buffer.from(value).toString("base64")])
          expect(everything).not.toContain(shown);
      expect(problems).toEqual([]);

      // Signing out ends the session: the page's own cookie no longer opens the API.
      await Promise.all([
        page.waitForURL(`${url}/login`),
        page.getByRole("button", { name: "Sign out" }).click(),
      ]);
      expect((await page.request.get(`${url}/api/resources`)).status()).toBe(401);

      watch.child.kill("SIGTERM");
      expect(await watch.exited).toBe(0);
    },
    240_000,
  );
});
