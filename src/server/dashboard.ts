/**
 * The dashboard's pages beside its API: `/login` (a form that trades the UI token for a session
 * cookie), `/logout`, `/` and `/ui/*` (the page's assets, behind the session). The API accepts the
 * session cookie as well as the bearer token; the stream (`/api/stream`) is served by `serve`.
 */
import { createHmac } from "node:crypto";
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
  /**
   * `--ui-auth proxy`: a reverse proxy has authenticated the user and names them in `header`
   * (lower case); no sign-in form. `key` (random per process) keys each user's CSRF token.
   */
  readonly proxy?: { readonly header: string; readonly key: Buffer };
}

/** Who a browser request acts as, and the CSRF token their writes must carry. */
export interface Actor {
  readonly user: string;
  readonly csrf: string;
}

/** With the UI token's sessions, everyone is the one token: recorded as such. */
export const tokenUser = "ui:token";

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

const unauthorized: EndpointResponse = {
  status: 401,
  headers: { "content-type": "text/plain; charset=utf-8", "cache-control": "no-store" },
  body: "unauthorized: the auth proxy named no user\n",
};

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

/**
 * The request's actor: the proxy's user (the CSRF token an HMAC of the name, so that it needs no
 * session to keep), or the session cookie's; undefined for neither.
 */
export function actorOf(dashboard: Dashboard, request: EndpointRequest): Actor | undefined {
  const proxy = dashboard.proxy;
  if (proxy !== undefined) {
    const user = request.headers?.[proxy.header]?.trim() ?? "";
    if (user === "") return undefined;
    return { user, csrf: createHmac("sha256", proxy.key).update(user).digest("base64url") };
  }
  const session = sessionOf(dashboard, request);
  return session === undefined ? undefined : { user: tokenUser, csrf: session.csrf };
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
  if (actorOf(dashboard, request) !== undefined) return dashboard.asset(path);
  // Behind the auth proxy there is no form to send anyone to: the proxy should have named them.
  if (dashboard.proxy !== undefined) return unauthorized;
  return redirect("/login");
}

/** The dashboard's answer to a request, or undefined when the path is not the dashboard's. */
export function answerDashboard(
  dashboard: Dashboard,
  request: EndpointRequest,
  path: string,
): EndpointResponse | undefined {
  const method = request.method;
  if (dashboard.proxy !== undefined && (path === "/login" || path === "/logout")) return undefined;
  if (path === "/login") return method === "POST" ? signIn(dashboard, request) : loginPage(200);
  if (path === "/logout" && method === "POST") return signOut(dashboard, request);
  if (method !== "GET" && method !== "HEAD") return undefined;
  return page(dashboard, request, path);
}
