/**
 * The dashboard's write actions (issue 16), served only with `watch --ui-actions`:
 * `POST /api/resources/{group}/{kind}/{namespace}/{name}/heal` puts the resource's drifted fields
 * back now, through the watch's healer (the same server-side apply as its heal policy), and the
 * episode records who asked. `GET /api/session` tells the page who it is, whether actions are on,
 * and the CSRF token its writes must carry. Documented in docs/api.md, "Actions".
 *
 * A write needs a browser's credentials (the session cookie, or the auth proxy's header) AND the
 * header `X-CSRF-Token`: a cross-site form can make the browser send the cookie, never a custom
 * header (OWASP's synchronizer-token pattern). The bearer token alone reads; it does not write.
 */
import type { ManualHeal } from "../controller/healer.js";
import type { ResourceKey } from "../store/index.js";
import { sameText } from "./session.js";
import type { Dashboard } from "./dashboard.js";
import { actorOf } from "./dashboard.js";
import type { EndpointRequest } from "./http.js";

/** What the write actions do; absent (no `--ui-actions`), every action is a 404. */
export interface Actions {
  /** Heals the drifted fields of one resource now; `user` is recorded with the heal. */
  readonly heal: (resource: ResourceKey, user: string) => Promise<ManualHeal>;
}

/** A status and a JSON body; http.ts adds the headers. */
export interface ActionAnswer {
  readonly status: number;
  readonly body: unknown;
}

const healPath = /^\/api\/resources\/([^/]+)\/([^/]+)\/([^/]+)\/([^/]+)\/heal$/;

/** A path of an action (whether or not actions are on): a POST elsewhere under `/api/` is a 405. */
export function isActionPath(path: string): boolean {
  return healPath.test(path);
}

function decoded(segment: string): string | undefined {
  try {
    return decodeURIComponent(segment);
  } catch {
    return undefined;
  }
}

/** `{group}/{kind}/{namespace}/{name}` as api.ts reads them: `core` is the core group, `_` no namespace. */
function healTarget(path: string): ResourceKey | undefined {
  const segments = healPath.exec(path)?.slice(1).map(decoded);
  if (segments === undefined || segments.some((segment) => segment === undefined || segment === ""))
    return undefined;
  const [group = "", kind = "", namespace = "", name = ""] = segments as readonly string[];
  return { group: group === "core" ? "" : group, kind, namespace: namespace === "_" ? "" : namespace, name };
}

function describe(resource: ResourceKey): string {
  return `${resource.group === "" ? "core" : resource.group}/${resource.kind}/${resource.namespace || "_"}/${resource.name}`;
}

/** The heal's outcome as the page shows it: 200 when healed or nothing to do, else why not. */
function healAnswer(resource: ResourceKey, outcome: ManualHeal, user: string): ActionAnswer {
  const named = describe(resource);
  switch (outcome.result) {
    case "healed":
      return { status: 200, body: { result: "healed", resource: named, fields: outcome.fields, user } };
    case "inSync":
      return {
        status: 200,
        body: { result: "inSync", resource: named, fields: [], message: "nothing drifted" },
      };
    case "contested":
      return {
        status: 409,
        body: {
          result: "contested",
          resource: named,
          fields: outcome.fields,
          error: `a fight loop: ${outcome.managers.join(", ")} keeps putting ${outcome.fields.join(", ")} back; healing would feed it`,
        },
      };
    case "failed":
      return {
        status: 502,
        body: { result: "failed", resource: named, fields: outcome.fields, error: outcome.error },
      };
    case "notFound":
      return { status: 404, body: { error: `no resource ${named} in scope` } };
  }
}

/**
 * A POST under `/api/`: 404 without actions or for another path, 403 without a browser's
 * credentials and the matching CSRF token, else the action's outcome.
 */
export async function answerAction(
  actions: Actions | undefined,
  dashboard: Dashboard | undefined,
  request: EndpointRequest,
  path: string,
): Promise<ActionAnswer> {
  const resource = healTarget(path);
  if (actions === undefined)
    return { status: 404, body: { error: "not found: actions are off (watch --ui-actions)" } };
  if (resource === undefined) return { status: 400, body: { error: "invalid URL segment" } };
  const actor = dashboard === undefined ? undefined : actorOf(dashboard, request);
  if (actor === undefined)
    return { status: 403, body: { error: "forbidden: actions need a signed-in browser session" } };
  const given = request.headers?.["x-csrf-token"] ?? "";
  if (!sameText(given, actor.csrf))
    return { status: 403, body: { error: "forbidden: missing or wrong X-CSRF-Token (GET /api/session)" } };
  return healAnswer(resource, await actions.heal(resource, actor.user), actor.user);
}

/** `GET /api/session`: who the page acts as, whether it may act, and the token its writes carry. */
export function answerSession(
  actions: Actions | undefined,
  dashboard: Dashboard | undefined,
  request: EndpointRequest,
): ActionAnswer {
  const actor = dashboard === undefined ? undefined : actorOf(dashboard, request);
  // Behind a proxy there is no session to sign out of: the page leaves out its Sign out button.
  const auth = dashboard?.proxy === undefined ? "token" : "proxy";
  // The bearer token reads the API but is no browser session: it gets no CSRF token to write with.
  if (actor === undefined) return { status: 200, body: { user: "ui:token", auth, actions: false } };
  return { status: 200, body: { csrf: actor.csrf, user: actor.user, auth, actions: actions !== undefined } };
}
