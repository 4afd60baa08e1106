/**
 * The dashboard's API at estate size (issue 16): 10,000 objects evaluated by the engine, 2,000 of
 * them drifted with an open episode each in a SQLite store; the time `watch` takes to answer the
 * overview's first request (`/api/resources`, one page) and a resource page's, and their payloads.
 * In process, through `handle()`: what the page waits for before it can render, less the network.
 */
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { performance } from "node:perf_hooks";
import { Registry } from "prom-client";
import { evaluateObject, observedDrifts } from "../src/controller/evaluate.js";
import { refOf } from "../src/kube/object.js";
import { builtinSchema } from "../src/kube/schema/builtin.js";
import type { KubeObject } from "../src/kube/value/json.js";
import type { ResourceDrift } from "../src/model/index.js";
import { refKey } from "../src/model/index.js";
import { openStore } from "../src/store/index.js";
import { existsSync } from "node:fs";
import { fileURLToPath } from "node:url";
import type { Page } from "playwright-core";
import { chromiumPath, launchChromium } from "../test/support/chromium.js";
import type { Endpoints } from "../src/server/http.js";
import { handle, serve } from "../src/server/http.js";
import { LiveEvents } from "../src/server/live.js";
import { Sessions } from "../src/server/session.js";
import { uiAssetsFrom } from "../src/server/ui-assets.js";
import { benchManifest } from "./manifests.js";

const token = "bench-ui-token-0123456789";

function drifted(object: KubeObject): KubeObject {
  const spec = object["spec"] as Record<string, unknown>;
  return { ...object, spec: { ...spec, replicas: 7 } };
}

function percentiles(samples: number[]): string {
  samples.sort((a, b) => a - b);
  const at = (q: number): string =>
    (samples[Math.min(samples.length - 1, Math.floor(q * samples.length))] ?? 0).toFixed(2);
  return `p50 ${at(0.5)} ms   p99 ${at(0.99)} ms`;
}

async function measure(
  label: string,
  url: string,
  answer: (url: string) => Promise<{ body: string }>,
): Promise<void> {
  const samples: number[] = [];
  let size = 0;
  for (let run = 0; run < 30; run += 1) {
    const started = performance.now();
    size = (await answer(url)).body.length;
    if (run >= 5) samples.push(performance.now() - started);
  }
  console.log(
    `${label.padEnd(44)} ${percentiles(samples)}   payload ${(size / 1024).toFixed(1)} kB   (aim: under 1 s)`,
  );
}

/** Milliseconds from navigation until `selector` is on the page, the median of `runs`. */
async function renderTime(page: Page, url: string, selector: string, runs: number): Promise<number> {
  const times: number[] = [];
  for (let run = 0; run < runs; run += 1) {
    const started = performance.now();
    await page.goto("about:blank");
    await page.goto(url);
    await page.locator(selector).first().waitFor({ timeout: 30_000 });
    times.push(performance.now() - started);
  }
  times.sort((a, b) => a - b);
  return times[Math.floor(times.length / 2)] ?? 0;
}

/**
 * The page itself in Debian's Chromium, served by `serve` over loopback from the built assets
 * (`npm run build`): from navigation to the overview's first row, and to a resource's diff row.
 */
async function measureRender(endpoints: Endpoints): Promise<void> {
  if (!existsSync(chromiumPath)) {
    console.log("dashboard: first render                      skipped (no Chromium at /usr/bin/chromium)");
    return;
  }
  const running = await serve(endpoints, { host: "127.0.0.1", port: 0 });
  const context = await launchChromium();
  try {
    const page = context.pages()[0] ?? (await context.newPage());
    await page.goto(`${running.url}/login`);
    await page.fill("input[name=token]", token);
    await Promise.all([page.waitForURL(`${running.url}/`), page.click("button[type=submit]")]);
    const overview = await renderTime(page, `${running.url}/`, "table.resources tbody tr", 5);
    const resource = await renderTime(
      page,
      `${running.url}/#/resource/apps/Deployment/bench/web-17`,
      'table.diff tr[data-path="/spec/replicas"]',
      5,
    );
    console.log(
      `dashboard: first render of the overview     ${overview.toFixed(0)} ms   (Chromium, median of 5; aim: under 1 s)`,
    );
    console.log(
      `dashboard: first render of a resource page  ${resource.toFixed(0)} ms   (Chromium, median of 5; aim: under 1 s)`,
    );
  } finally {
    await context.close();
    await running.close();
  }
}

export async function benchDashboard(objects = 10_000, drifting = 2_000): Promise<void> {
  const context = {
    scope: { kinds: ["apps/Deployment"], namespaces: ["bench"] },
    schema: builtinSchema,
    config: { trustedManagers: [], ignore: [], redact: [] },
    cluster: "bench",
  };
  const directory = await mkdtemp(join(tmpdir(), "kubedrift-bench-dashboard-"));
  const store = await openStore(`sqlite:${join(directory, "kubedrift.db")}`, { writer: true });
  try {
    const results = new Map<string, ResourceDrift>();
    for (let index = 0; index < objects; index += 1) {
      const object = benchManifest("Deployment", `web-${index}`, "bench");
      const live = index < drifting ? drifted(object) : object;
      const result = evaluateObject(
        context,
        { ref: refOf(object), object, source: { file: "deploy.yaml", line: 1 + index * 30 } },
        { ref: refOf(live), object: live },
      );
      if (result === undefined) continue;
      results.set(refKey(result.ref), result);
      const observed = observedDrifts(result) ?? [];
      if (observed.length > 0)
        await store.recordObservation(
          result.ref,
          observed,
          new Date(Date.UTC(2026, 11, 2, 8, 0, 0, index)).toISOString(),
        );
    }
    const endpoints: Endpoints = {
      registry: new Registry(),
      ready: () => true,
      api: { token, resources: () => results, store, now: () => new Date() },
      dashboard: {
        sessions: new Sessions({ token, now: () => Date.now() }),
        live: new LiveEvents(),
        // The compiled page: the source folder holds its TypeScript, `npm run build` the script.
        asset: uiAssetsFrom(fileURLToPath(new URL("../dist/server/ui", import.meta.url))),
        secure: false,
      },
    };
    const answer = (url: string) =>
      handle(endpoints, { method: "GET", url, headers: { authorization: `Bearer ${token}` } });
    console.log(
      `${objects.toLocaleString("en")} objects, ${drifting.toLocaleString("en")} drifted with an open episode each`,
    );
    await measure("dashboard: overview (/api/resources, 100)", "/api/resources", answer);
    await measure(
      "dashboard: resource page (one drifted)",
      "/api/resources/apps/Deployment/bench/web-17",
      answer,
    );
    await measureRender(endpoints);
  } finally {
    await store.close();
    await rm(directory, { recursive: true, force: true });
  }
}
