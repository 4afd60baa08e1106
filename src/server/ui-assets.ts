/**
 * The dashboard's page and its files (issue 16, ADR 0022): `/` is index.html, `/ui/NAME` a file of
 * the built `dist/server/ui/` (the compiled script, the stylesheet), read once and kept. What the page may
 * load is pinned by a content security policy without inline script: values shown on the page come
 * from a cluster, and a policy that allows only our own files is what keeps one of them from
 * ever running as script.
 */
import { readFileSync } from "node:fs";
import { fileURLToPath } from "node:url";
import type { EndpointResponse } from "./http.js";

const types: Readonly<Record<string, string>> = {
  html: "text/html; charset=utf-8",
  js: "text/javascript; charset=utf-8",
  css: "text/css; charset=utf-8",
  svg: "image/svg+xml",
};

/** Same origin only, nothing inline, no framing: the page reads `/api/*` and `/api/stream`, nothing else. */
export const contentSecurityPolicy = [
  "default-src 'none'",
  "script-src 'self'",
  "style-src 'self'",
  "img-src 'self' data:",
  "connect-src 'self'",
  "form-action 'self'",
  "base-uri 'none'",
  "frame-ancestors 'none'",
].join("; ");

/**
 * The file names are not versioned, so a browser must ask again each time (an upgrade's new script
 * is never mixed with an old page); the files are small.
 */
const securityHeaders: Readonly<Record<string, string>> = {
  "cache-control": "no-cache",
  "content-security-policy": contentSecurityPolicy,
  "x-content-type-options": "nosniff",
  "x-frame-options": "DENY",
  "referrer-policy": "no-referrer",
};

/** A plain file name of a served type: no directories, so no `..` and no path outside the folder. */
function fileOf(path: string): { readonly name: string; readonly type: string } | undefined {
  if (path === "/" || path === "/index.html") return { name: "index.html", type: types["html"] ?? "" };
  const match = /^\/ui\/([a-z0-9][a-z0-9._-]*)\.([a-z]+)$/.exec(path);
  const type = types[match?.[2] ?? ""];
  if (match === null || type === undefined) return undefined;
  return { name: `${match[1]}.${match[2]}`, type };
}

/** Serves the files of one folder; the default is the built `dist/server/ui/` beside this module. */
export function uiAssetsFrom(directory: string): (path: string) => EndpointResponse | undefined {
  const cache = new Map<string, string | undefined>();
  const read = (name: string): string | undefined => {
    if (!cache.has(name)) {
      try {
        cache.set(name, readFileSync(`${directory}/${name}`, "utf8"));
      } catch {
        cache.set(name, undefined);
      }
    }
    return cache.get(name);
  };
  return (path) => {
    const file = fileOf(path);
    const body = file === undefined ? undefined : read(file.name);
    if (file === undefined || body === undefined) return undefined;
    return { status: 200, headers: { "content-type": file.type, ...securityHeaders }, body };
  };
}

const builtAssets = uiAssetsFrom(fileURLToPath(new URL("ui", import.meta.url)));

/**
 * `GET /` and `GET /ui/*` (a path, without the query): the page's file with its headers, or
 * undefined for a file that is not one of the dashboard's (http.ts answers 404).
 */
export function uiAsset(path: string): EndpointResponse | undefined {
  return builtAssets(path);
}
