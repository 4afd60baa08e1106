/**
 * Debian's Chromium driven by playwright-core, for the dashboard's browser test and its bench.
 * These machines' network is closed: without the background-networking flags Chromium keeps
 * reaching for Google's hosts and gets refused, many connections at a time.
 */
import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { chromium, type BrowserContext } from "playwright-core";

export const chromiumPath = process.env["CHROMIUM"] ?? "/usr/bin/chromium";

/** Headless, 1280×800, in a fresh profile of its own. */
export function launchChromium(): Promise<BrowserContext> {
  return chromium.launchPersistentContext(mkdtempSync(join(tmpdir(), "kubedrift-chromium-")), {
    executablePath: chromiumPath,
    headless: true,
    viewport: { width: 1280, height: 800 },
    args: [
      "--headless",
      "--no-sandbox",
      "--disable-gpu",
      "--disable-quic",
      "--no-first-run",
      "--disable-background-networking",
      "--disable-component-update",
      "--disable-sync",
    ],
  });
}
