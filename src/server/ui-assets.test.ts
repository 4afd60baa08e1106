import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { contentSecurityPolicy, uiAsset, uiAssetsFrom } from "./ui-assets.js";

function folder(): string {
  const directory = mkdtempSync(join(tmpdir(), "kubedrift-ui-"));
  writeFileSync(join(directory, "index.html"), "<!doctype html><title>t</title>");
  writeFileSync(join(directory, "dashboard.js"), "export {};");
  writeFileSync(join(directory, "dashboard.css"), "body{}");
  writeFileSync(join(directory, "dashboard.ts"), "export {};");
  return directory;
}

describe("uiAsset", () => {
  const asset = uiAssetsFrom(folder());

  it("serves / as the page, and the script and stylesheet under /ui/ with their types", () => {
    expect(asset("/")).toMatchObject({ status: 200, body: "<!doctype html><title>t</title>" });
    expect(asset("/")?.headers["content-type"]).toBe("text/html; charset=utf-8");
    expect(asset("/ui/dashboard.js")?.headers["content-type"]).toBe("text/javascript; charset=utf-8");
    expect(asset("/ui/dashboard.css")?.headers["content-type"]).toBe("text/css; charset=utf-8");
  });

  it("pins every answer: a strict policy without inline script, nosniff, no framing, revalidated", () => {
    for (const path of ["/", "/ui/dashboard.js", "/ui/dashboard.css"])
      expect(asset(path)?.headers).toMatchObject({
        "content-security-policy": contentSecurityPolicy,
        "x-content-type-options": "nosniff",
        "x-frame-options": "DENY",
        "cache-control": "no-cache",
      });
    expect(contentSecurityPolicy).toContain("default-src 'none'");
    expect(contentSecurityPolicy).toContain("script-src 'self'");
    expect(contentSecurityPolicy).not.toContain("unsafe-inline");
    expect(contentSecurityPolicy).not.toContain("unsafe-eval");
  });

  it("answers undefined for anything that is not one of its files", () => {
    for (const path of [
      "/ui/missing.js",
      "/ui/dashboard.ts",
      "/ui/../package.json",
      "/ui/%2e%2e/x.js",
      "/ui/sub/dashboard.js",
      "/ui/",
      "/ui",
      "/index.htm",
      "/api/resources",
      "/login",
    ])
      expect(asset(path), path).toBeUndefined();
  });

  it("serves the page of the source tree: one module script and one stylesheet of its own, nothing inline", () => {
    // Beside the sources, ./ui is src/server/ui: the page and stylesheet are there as built.
    const page = uiAsset("/");
    expect(page?.status).toBe(200);
    const html = page?.body ?? "";
    expect(html).toContain('<script type="module" src="/ui/dashboard.js"></script>');
    expect(html).toContain('<link rel="stylesheet" href="/ui/dashboard.css" />');
    expect(html.match(/<script/g)).toHaveLength(1);
    expect(html).not.toMatch(/\sstyle=|<style|\son[a-z]+=/i);
    expect(uiAsset("/ui/dashboard.css")?.status).toBe(200);
  });
});
