/**
 * The dashboard's pages beside its API: `/login` (a form that trades the UI token for a session
 * cookie), `/logout`, `/` and `/ui/*` (the page's assets, behind the session). The API accepts the
 * session cookie as well as the bearer token; the stream (`/api/stream`) is served by `serve`.
 */
import type { EndpointRequest, EndpointResponse } from "./http.js";
import type { LiveEvents } from "./live.js";
import type { Session, Sessions } from "./session.js";

export interface Dashboard {
  readonly sessions: Sessions;
  readonly live: LiveEvents;
  /** The page's files: `/` and `/ui/…`; undefined for anything else. */
  readonly asset: (path: string) => EndpointResponse | undefined;
  /** Served over HTTPS: the cookie is `Secure`. */
  readonly secure: boolean;
}

const pageHeaders = {
  "content-type": "text/html; charset=utf-8",
  "cache-control": "no-store",
  "content-security-policy":
    "default-src 'none'; style-src 'self'; form-action 'self'; frame-ancestors 'none'",
  "x-content-type-options": "nosniff",
  "referrer-policy": "no-referrer",
} as const;

function loginPage(status: number, problem?: string): EndpointResponse {
  const note = problem === undefined ? "" : `<p role="alert">${problem}</p>`;
  return {
    status,
    headers: pageHeaders,
    body: `<!doctype html>
<html lang="en">
<head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
<title>kubedrift — sign in</title><link rel="stylesheet" href="/ui/dashboard.css"></head>
<body><main class="login">
<h1>kubedrift</h1>
<form method="post" action="/login">
<label for="token">UI token</label>
<input id="token" name="token" type="password" autocomplete="current-password" required autofocus>
<button type="submit">Sign in</button>
</form>${note}
</main></body>
</html>
`,
  };
}

function redirect(location: string, more: Record<string, string> = {}): EndpointResponse {
  return { status: 303, headers: { location, "cache-control": "no-store", ...more }, body: "" };
}

function signIn(dashboard: Dashboard, request: EndpointRequest): EndpointResponse {
  const type = request.headers?.["content-type"] ?? "";
  if (!type.startsWith("application/x-www-form-urlencoded")) return loginPage(415, "Sign in with the form.");
  const token = new URLSearchParams(request.body?.toString("utf8") ?? "").get("token") ?? "";
  const session = dashboard.sessions.login(token);
  if (session === undefined) return loginPage(401, "That is not the UI token.");
  return redirect("/", { "set-cookie": dashboard.sessions.cookie(session, dashboard.secure) });
}

/** The session a request carries, if any. */
export function sessionOf(dashboard: Dashboard, request: EndpointRequest): Session | undefined {
  return dashboard.sessions.fromCookie(request.headers?.["cookie"]);
}

function signOut(dashboard: Dashboard, request: EndpointRequest): EndpointResponse {
  dashboard.sessions.logout(request.headers?.["cookie"]);
  return redirect("/login", {
    "set-cookie": `kubedrift_session=; Path=/; HttpOnly; SameSite=Strict; Max-Age=0${dashboard.secure ? "; Secure" : ""}`,
  });
}

function page(dashboard: Dashboard, request: EndpointRequest, path: string): EndpointResponse | undefined {
  // The assets are the same for everyone and name no one; the page itself needs a session.
  if (path.startsWith("/ui/")) return dashboard.asset(path);
  if (path !== "/") return undefined;
  if (sessionOf(dashboard, request) === undefined) return redirect("/login");
  return dashboard.asset(path);
}

/** The dashboard's answer to a request, or undefined when the path is not the dashboard's. */
export function answerDashboard(
  dashboard: Dashboard,
  request: EndpointRequest,
  path: string,
): EndpointResponse | undefined {
  const method = request.method;
  if (path === "/login") return method === "POST" ? signIn(dashboard, request) : loginPage(200);
  if (path === "/logout" && method === "POST") return signOut(dashboard, request);
  if (method !== "GET" && method !== "HEAD") return undefined;
  return page(dashboard, request, path);
}
