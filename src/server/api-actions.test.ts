/**
 * The dashboard's write actions through `handle()` (no sockets): off without `--ui-actions` (404),
 * refused without a browser's session and its CSRF token (403), `/api/session`, the auth proxy's
 * user, each outcome's status. The heal itself against the sandbox: src/controller/heal-now.test.ts,
 * and through the built CLI and a browser: test/browser/dashboard.test.ts.
 */
import { Registry } from "prom-client";
import { describe, expect, it } from "vitest";
import type { ResourceKey } from "../store/index.js";
import type { ManualHeal } from "../controller/healer.js";
import type { Actions } from "./api-actions.js";
import type { Endpoints, EndpointResponse } from "./http.js";
import { handle } from "./http.js";
import { LiveEvents } from "./live.js";
import { Sessions } from "./session.js";

const token = "ui-token-0123456789abcdef";
const healUrl = "/api/resources/core/ConfigMap/actions/settings/heal";

function endpoints(parts: { readonly actions?: Actions; readonly proxy?: string } = {}): Endpoints {
  return {
    registry: new Registry(),
    ready: () => true,
    api: {
      token,
      resources: () => new Map(),
      store: { query: () => Promise.resolve([]) },
      now: () => new Date(),
    },
    dashboard: {
      sessions: new Sessions({ token, now: () => Date.now() }),
      live: new LiveEvents(),
      asset: () => undefined,
      secure: false,
      ...(parts.proxy === undefined ? {} : { proxy: { header: parts.proxy, key: Buffer.from("key") } }),
    },
    ...(parts.actions === undefined ? {} : { actions: parts.actions }),
  };
}

/** Signs in with the form, as the page's user does: the session cookie and its CSRF token. */
async function signIn(served: Endpoints): Promise<{ readonly cookie: string; readonly csrf: string }> {
  const login = await handle(served, {
    method: "POST",
    url: "/login",
    headers: { "content-type": "application/x-www-form-urlencoded" },
    body: Buffer.from(`token=${token}`),
  });
  const cookie = (login.headers["set-cookie"] ?? "").split(";")[0] ?? "";
  const session = await handle(served, { method: "GET", url: "/api/session", headers: { cookie } });
  const { csrf } = JSON.parse(session.body) as { readonly csrf: string };
  return { cookie, csrf };
}

function post(served: Endpoints, headers: Record<string, string>, url = healUrl): Promise<EndpointResponse> {
  return handle(served, { method: "POST", url, headers });
}

/** Scripted actions: what was asked, and a fixed answer. */
function scripted(answer: ManualHeal): {
  readonly actions: Actions;
  readonly asked: [ResourceKey, string][];
} {
  const asked: [ResourceKey, string][] = [];
  return {
    asked,
    actions: {
      heal: (resource, user) => {
        asked.push([resource, user]);
        return Promise.resolve(answer);
      },
    },
  };
}

describe("actions", () => {
  it("are a 404 without --ui-actions, and /api/session says actions: false", async () => {
    const served = endpoints();
    const { cookie, csrf } = await signIn(served);
    const refused = await post(served, { cookie, "x-csrf-token": csrf });
    expect(refused.status).toBe(404);
    expect(refused.headers["content-type"]).toBe("application/json");
    const session = await handle(served, { method: "GET", url: "/api/session", headers: { cookie } });
    expect(JSON.parse(session.body)).toEqual({ csrf, user: "ui:token", auth: "token", actions: false });
  });

  it("are a 403 with the bearer token alone, without the CSRF token, or with another", async () => {
    const { actions, asked } = scripted({ result: "healed", fields: ["/data/v"] });
    const served = endpoints({ actions });
    const { cookie, csrf } = await signIn(served);
    const bearer = await post(served, { authorization: `Bearer ${token}`, "x-csrf-token": csrf });
    expect(bearer.status).toBe(403);
    expect(JSON.parse(bearer.body)).toEqual({ error: expect.stringMatching(/session/) as unknown });
    expect((await post(served, { cookie })).status).toBe(403);
    expect((await post(served, { cookie, "x-csrf-token": `${csrf}x` })).status).toBe(403);
    expect(asked).toEqual([]);
  });

  it("heal with the session and its CSRF token, recording the user; each outcome has its status", async () => {
    const healed = scripted({ result: "healed", fields: ["/data/v"] });
    const served = endpoints({ actions: healed.actions });
    const { cookie, csrf } = await signIn(served);
    const answer = await post(served, { cookie, "x-csrf-token": csrf });
    expect(answer.status).toBe(200);
    expect(JSON.parse(answer.body)).toEqual({
      result: "healed",
      resource: "core/ConfigMap/actions/settings",
      fields: ["/data/v"],
      user: "ui:token",
    });
    expect(healed.asked).toEqual([
      [{ group: "", kind: "ConfigMap", namespace: "actions", name: "settings" }, "ui:token"],
    ]);
    const outcomes: readonly [ManualHeal, number][] = [
      [{ result: "inSync" }, 200],
      [{ result: "contested", fields: ["/spec/replicas"], managers: ["hpa"] }, 409],
      [{ result: "failed", fields: ["/data/v"], error: "403 Forbidden: no" }, 502],
      [{ result: "notFound" }, 404],
    ];
    for (const [outcome, status] of outcomes) {
      const other = endpoints({ actions: scripted(outcome).actions });
      const signed = await signIn(other);
      const answered = await post(other, { cookie: signed.cookie, "x-csrf-token": signed.csrf });
      expect(answered.status, outcome.result).toBe(status);
      expect(answered.body).not.toContain("\n");
    }
  });

  it("a POST elsewhere under /api/ is still a 405", async () => {
    const served = endpoints({ actions: scripted({ result: "inSync" }).actions });
    const { cookie, csrf } = await signIn(served);
    expect((await post(served, { cookie, "x-csrf-token": csrf }, "/api/resources")).status).toBe(405);
  });

  it("behind the auth proxy: the header's user reads, gets a CSRF token of their own and heals as themselves", async () => {
    const { actions, asked } = scripted({ result: "healed", fields: ["/data/v"] });
    const served = endpoints({ actions, proxy: "x-forwarded-user" });
    const bare = await handle(served, { method: "GET", url: "/api/session" });
    expect(bare.status).toBe(401);
    expect((await handle(served, { method: "GET", url: "/login" })).status).toBe(404);
    const page = await handle(served, { method: "GET", url: "/" });
    expect(page.status).toBe(401);
    const as = (user: string): Promise<EndpointResponse> =>
      handle(served, { method: "GET", url: "/api/session", headers: { "x-forwarded-user": user } });
    const alice = JSON.parse((await as("alice")).body) as { csrf: string; user: string; actions: boolean };
    const bob = JSON.parse((await as("bob")).body) as { csrf: string };
    expect(alice).toMatchObject({ user: "alice", auth: "proxy", actions: true });
    expect(alice.csrf).not.toBe(bob.csrf);
    expect((await post(served, { "x-forwarded-user": "alice", "x-csrf-token": bob.csrf })).status).toBe(403);
    const healed = await post(served, { "x-forwarded-user": "alice", "x-csrf-token": alice.csrf });
    expect(healed.status).toBe(200);
    expect(asked.map(([, user]) => user)).toEqual(["alice"]);
  });
});
