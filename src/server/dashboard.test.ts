/**
 * The dashboard's sign-in, pages and live stream: `handle()` without sockets for the routes, a real
 * socket for the server-sent events (an answer that never ends is not a body).
 */
import { afterEach, describe, expect, it } from "vitest";
import { Registry } from "prom-client";
import type { Endpoints } from "./http.js";
import { handle, serve, type RunningEndpoints } from "./http.js";
import { LiveEvents } from "./live.js";
import { Sessions } from "./session.js";

const token = "ui-token-0123456789abcdef";

function endpoints(now = () => 1000): Endpoints {
  return {
    registry: new Registry(),
    ready: () => true,
    api: {
      token,
      resources: () => new Map(),
      store: { query: () => Promise.resolve([]) },
      now: () => new Date(now()),
    },
    dashboard: {
      sessions: new Sessions({
        token,
        now,
        random: (() => {
          let n = 0;
          return () => `id${(n += 1)}`;
        })(),
      }),
      live: new LiveEvents(),
      asset: (path) =>
        path === "/" || path === "/ui/dashboard.js"
          ? { status: 200, headers: { "content-type": "text/html" }, body: `asset ${path}` }
          : undefined,
      secure: false,
    },
  };
}

function signIn(given: Endpoints, value: string): ReturnType<typeof handle> {
  return handle(given, {
    method: "POST",
    url: "/login",
    headers: { "content-type": "application/x-www-form-urlencoded" },
    body: Buffer.from(new URLSearchParams({ token: value }).toString()),
  });
}

describe("the dashboard's sign-in", () => {
  it("sends the page to /login without a session, and lets it in with one", async () => {
    const given = endpoints();
    expect(await handle(given, { method: "GET", url: "/" })).toMatchObject({
      status: 303,
      headers: { location: "/login" },
    });
    const form = await handle(given, { method: "GET", url: "/login" });
    expect(form.status).toBe(200);
    expect(form.body).toContain('<form method="post" action="/login">');
    expect(form.headers["content-security-policy"]).toContain("default-src 'none'");

    expect((await signIn(given, "wrong-token-0123456789")).status).toBe(401);
    const signed = await signIn(given, token);
    expect(signed.status).toBe(303);
    const cookie = signed.headers["set-cookie"] ?? "";
    expect(cookie).toMatch(/^kubedrift_session=id1; Path=\/; HttpOnly; SameSite=Strict; Max-Age=43200$/);
    const session = { cookie: cookie.split(";")[0] ?? "" };
    expect(await handle(given, { method: "GET", url: "/", headers: session })).toMatchObject({
      status: 200,
      body: "asset /",
    });
    // The API takes the session as it takes the bearer token.
    expect((await handle(given, { method: "GET", url: "/api/resources", headers: session })).status).toBe(
      200,
    );
    expect((await handle(given, { method: "GET", url: "/api/resources" })).status).toBe(401);

    const out = await handle(given, { method: "POST", url: "/logout", headers: session });
    expect(out).toMatchObject({ status: 303, headers: { location: "/login" } });
    expect((await handle(given, { method: "GET", url: "/api/resources", headers: session })).status).toBe(
      401,
    );
  });

  it("ends a session when it expires, and serves the assets to anyone", async () => {
    let now = 1000;
    const given = endpoints(() => now);
    const cookie = ((await signIn(given, token)).headers["set-cookie"] ?? "").split(";")[0] ?? "";
    now += 12 * 60 * 60 * 1000;
    expect((await handle(given, { method: "GET", url: "/", headers: { cookie } })).status).toBe(303);
    expect((await handle(given, { method: "GET", url: "/ui/dashboard.js" })).body).toBe(
      "asset /ui/dashboard.js",
    );
    expect((await handle(given, { method: "GET", url: "/ui/nothing.js" })).status).toBe(404);
  });

  it("refuses a sign-in that is not the form", async () => {
    const refused = await handle(endpoints(), {
      method: "POST",
      url: "/login",
      headers: { "content-type": "application/json" },
      body: Buffer.from(JSON.stringify({ token })),
    });
    expect(refused.status).toBe(415);
  });
});

describe("/api/stream", () => {
  let running: RunningEndpoints | undefined;
  afterEach(async () => {
    await running?.close();
    running = undefined;
  });

  it("streams the watch's news as server-sent events to a signed-in page, and refuses others", async () => {
    const given = endpoints();
    running = await serve(given, { host: "127.0.0.1", port: 0 });
    const url = new URL("/api/stream", running.url);
    expect((await fetch(url)).status).toBe(401);

    const response = await fetch(url, { headers: { authorization: `Bearer ${token}` } });
    expect(response.headers.get("content-type")).toBe("text/event-stream");
    const reader = (response.body as ReadableStream<Uint8Array>).getReader();
    const decoder = new TextDecoder();
    let received = decoder.decode((await reader.read()).value);
    const live = given.dashboard?.live as LiveEvents;
    live
      .listener()
      .onStatus?.(
        { group: "apps", version: "v1", kind: "Deployment", namespace: "shop", name: "web" },
        "Drifted",
        1,
      );
    while (!received.includes("\n\nevent: status")) received += decoder.decode((await reader.read()).value);
    while (!received.endsWith("\n\n")) received += decoder.decode((await reader.read()).value);
    expect(received).toContain(
      'event: status\ndata: {"group":"apps","kind":"Deployment","namespace":"shop","name":"web","status":"Drifted","drifts":1}\n\n',
    );
    await reader.cancel();
    // The closed stream leaves no subscriber behind.
    for (let wait = 0; wait < 100 && live.subscribers > 0; wait += 1)
      await new Promise((resolve) => setTimeout(resolve, 10));
    expect(live.subscribers).toBe(0);
  });
});
