/**
 * The drift dashboard (issue 16): plain DOM over the JSON API (docs/api.md), no framework, no
 * build step beyond tsc (ADR 0022). Views chosen by the URL's hash: the overview (`#/`, with the
 * drawings of insights.ts), a resource page (`#/resource/{group}/{kind}/{namespace}/{name}`, the
 * API's own path segments), the combined diff (`#/diff?…`) and the history (`#/history?…`) of
 * across.ts.
 * Everything is written with textContent, never HTML strings: the values come from a cluster.
 * A value the API marks redacted is shown as its keyed hash only.
 */

import { badge, element, failure, fieldName, getJson, list, main, show, when } from "./dom.js";
import type { DriftRow, Episode, Resource } from "./model.js";
import { driftCells, episodeCells, fieldCell } from "./model.js";
import { renderCombined, renderHistory } from "./across.js";
import type { Cause } from "./insights.js";
import { insightsSection, loadInsights } from "./insights.js";

interface ResourceList {
  /** The cluster this watch sees (its kubeconfig context). */
  readonly cluster?: string;
  readonly summary: Readonly<Record<string, number>>;
  /** Every cluster in view (a store a fleet shares, or a watch of several contexts). */
  readonly clusters?: readonly { readonly name: string }[];
  readonly matched: number;
  readonly resources: readonly Resource[];
  readonly continue?: string;
}

interface ResourceDetail {
  readonly resource: Resource;
  readonly drifts: readonly DriftRow[];
  readonly episodes: readonly Episode[];
  /** The object's Kubernetes Events, newest first, where watch has the cluster at hand. */
  readonly events?: readonly KubeEvent[];
  /** Why the Events could not be read (the page still shows the drift). */
  readonly eventsError?: string;
}

/** A Kubernetes Event about the resource, as the API gives it. */
interface KubeEvent {
  readonly type: string;
  readonly reason: string;
  readonly message: string;
  readonly count: number;
  readonly lastSeen?: string;
  readonly source?: string;
}

/** What a stream event names: enough to tell whether the open view shows it. */
interface StreamRef {
  readonly group?: string;
  readonly kind?: string;
  readonly namespace?: string;
  readonly name?: string;
  readonly resource?: StreamRef;
}

const statuses = ["Drifted", "Missing", "Error", "Extra", "InSync"] as const;
const summaryKeys: Readonly<Record<string, string>> = {
  Drifted: "drifted",
  Missing: "missing",
  Error: "errors",
  Extra: "extra",
  InSync: "inSync",
};
const filterNames = [
  "cluster",
  "namespace",
  "kind",
  "manager",
  "user",
  "file",
  "status",
  "driftedFor",
] as const;

type Filters = Partial<Record<(typeof filterNames)[number], string>>;

/** The overview's filters survive a visit to a resource page and back. */
let filters: Filters = {};
/** The clusters the API answered with: a column and a filter of their own once there are two. */
let knownClusters: readonly string[] = [];
const fleet = (): boolean => knownClusters.length > 1;
/** The view on screen re-reads its data when the stream says something changed. */
let refresh: () => void = () => undefined;

function resourceHash(resource: Resource): string {
  return `#/resource/${resource.href.slice("/api/resources/".length)}`;
}

// ---- overview ----

function query(more: Readonly<Record<string, string>> = {}): string {
  const params = new URLSearchParams();
  for (const name of filterNames) {
    const value = filters[name]?.trim();
    if (value !== undefined && value !== "") params.set(name, value);
  }
  for (const [name, value] of Object.entries(more)) params.set(name, value);
  return `/api/resources?${params.toString()}`;
}

function counts(summary: Readonly<Record<string, number>>): HTMLElement {
  const items = statuses.map((status) => {
    const count = summary[summaryKeys[status] ?? ""] ?? 0;
    const button = element(
      "button",
      { type: "button", class: `count ${status.toLowerCase()}`, "data-status": status },
      element("span", { class: "number" }, String(count)),
      element("span", { class: "label" }, status),
    );
    button.setAttribute("aria-pressed", String(filters.status === status));
    button.addEventListener("click", () => {
      filters = { ...filters, status: filters.status === status ? "" : status };
      renderOverview();
    });
    return element("li", {}, button);
  });
  return element(
    "section",
    { "aria-label": "counts by status" },
    element("ul", { class: "counts" }, ...items),
    element("p", { class: "total" }, `${summary["total"] ?? 0} resources in scope`),
  );
}

function textFilter(name: string, label: string): HTMLElement {
  const input = element("input", { type: "search", name, id: `filter-${name}`, autocomplete: "off" });
  input.value = filters[name as keyof Filters] ?? "";
  return element("div", { class: "field" }, element("label", { for: input.id }, label), input);
}

/** How long out of sync: the API's `driftedFor` durations, the choices an on-call engineer makes. */
const ages: readonly (readonly [string, string])[] = [
  ["", "any time"],
  ["5m", "5 minutes or more"],
  ["1h", "an hour or more"],
  ["24h", "a day or more"],
  ["7d", "a week or more"],
];

function ageFilter(): HTMLElement {
  const select = element(
    "select",
    { name: "driftedFor", id: "filter-driftedFor" },
    ...ages.map(([value, label]) => element("option", { value }, label)),
  );
  select.value = filters.driftedFor ?? "";
  return element("div", { class: "field" }, element("label", { for: select.id }, "Out of sync for"), select);
}

/** The cluster filter: hidden while the page sees one cluster, its choices those the API named. */
function clusterFilter(): HTMLElement {
  const select = element("select", { name: "cluster", id: "filter-cluster" });
  fillClusters(select);
  const field = element(
    "div",
    { class: "field cluster-filter" },
    element("label", { for: select.id }, "Cluster"),
    select,
  );
  field.hidden = !fleet();
  return field;
}

function fillClusters(select: HTMLSelectElement): void {
  select.replaceChildren(
    element("option", { value: "" }, "all clusters"),
    ...knownClusters.map((name) => element("option", { value: name }, name)),
  );
  select.value = filters.cluster ?? "";
}

/** The clusters of the latest answer: the filter's choices and the table's column follow them. */
function updateClusters(page: ResourceList): void {
  const names = (page.clusters ?? []).map(({ name }) => name);
  if (names.join("\u0000") === knownClusters.join("\u0000")) return;
  knownClusters = names;
  const field = main().querySelector<HTMLElement>(".cluster-filter");
  const select = field?.querySelector("select");
  if (field !== null && field !== undefined && select !== null && select !== undefined) {
    fillClusters(select);
    field.hidden = !fleet();
  }
  main().querySelector("table.resources thead")?.replaceWith(tableHead());
}

function statusFilter(): HTMLElement {
  const select = element(
    "select",
    { name: "status", id: "filter-status" },
    element("option", { value: "" }, "any"),
    ...statuses.map((status) => element("option", { value: status }, status)),
  );
  select.value = filters.status ?? "";
  return element("div", { class: "field" }, element("label", { for: select.id }, "Status"), select);
}

/** A form field's text (the form has no file inputs). */
function fieldText(entry: FormDataEntryValue | null): string {
  return typeof entry === "string" ? entry : "";
}

function filterForm(): HTMLFormElement {
  const form = element(
    "form",
    { class: "filters", role: "search", "aria-label": "filters" },
    clusterFilter(),
    textFilter("namespace", "Namespace"),
    textFilter("kind", "Kind"),
    textFilter("manager", "Manager"),
    textFilter("user", "User"),
    textFilter("file", "Source file"),
    statusFilter(),
    ageFilter(),
    element("button", { type: "submit" }, "Filter"),
  );
  const apply = (): void => {
    const data = new FormData(form);
    filters = Object.fromEntries(filterNames.map((name) => [name, fieldText(data.get(name))]));
    void loadRows(false);
    updateNav();
  };
  form.addEventListener("submit", (event) => {
    event.preventDefault();
    apply();
  });
  // A select changes on one action; text fields wait for Enter (or the button) not to query per key.
  for (const select of form.querySelectorAll("select")) select.addEventListener("change", apply);
  return form;
}

function row(resource: Resource): HTMLTableRowElement {
  const name = element("a", { href: resourceHash(resource) }, resource.name);
  const fields = resource.status === "Drifted" ? String(resource.driftedFields) : "—";
  const tr = element(
    "tr",
    {
      "data-key": `${resource.group}/${resource.kind}/${resource.namespace ?? ""}/${resource.name}`,
      "data-cluster": resource.cluster ?? "",
    },
    ...(fleet() ? [element("td", { class: "cluster" }, resource.cluster ?? "—")] : []),
    element("td", {}, resource.kind),
    element("td", {}, resource.namespace ?? "—"),
    element("th", { scope: "row" }, name),
    element("td", {}, badge(resource.status)),
    element("td", { class: "number" }, fields),
    element("td", {}, list(resource.managers)),
    element("td", {}, list(resource.users)),
    element("td", {}, when(resource.since)),
  );
  if (resource.error !== undefined) tr.title = resource.error;
  return tr;
}

function tableHead(): HTMLTableSectionElement {
  const heads = [
    ...(fleet() ? ["Cluster"] : []),
    "Kind",
    "Namespace",
    "Name",
    "Status",
    "Drifted fields",
    "Managers",
    "Users",
    "Since",
  ];
  return element(
    "thead",
    {},
    element("tr", {}, ...heads.map((head) => element("th", { scope: "col" }, head))),
  );
}

function table(): HTMLTableElement {
  return element(
    "table",
    { class: "resources" },
    element("caption", {}, "Resources, out of sync first"),
    tableHead(),
    element("tbody", {}),
  );
}

/** The current page of rows; `more` appends the next page instead of starting over. */
let nextPage: string | undefined;

async function loadRows(more: boolean): Promise<void> {
  try {
    const page = await getJson<ResourceList>(
      query(more && nextPage !== undefined ? { continue: nextPage } : {}),
    );
    nextPage = page.continue;
    const body = main().querySelector("table.resources tbody");
    const countsNow = main().querySelector("section[aria-label='counts by status']");
    if (body === null || countsNow === null) return;
    updateClusters(page);
    const rows = page.resources.map(row);
    if (more) body.append(...rows);
    else body.replaceChildren(...rows);
    countsNow.replaceWith(counts(page.summary));
    showTotals(page);
    main()
      .querySelector("button.more")
      ?.toggleAttribute("hidden", nextPage === undefined);
  } catch (error: unknown) {
    failure(error);
  }
}

/** The overview's filters as a query for another view (the combined diff starts from them). */
function filterQuery(more: Readonly<Record<string, string>> = {}): string {
  return query(more).slice("/api/resources?".length);
}

/** A cause's button: a manager or user filters the table; a field opens the combined diff of it. */
function applyCause(cause: Cause): void {
  if (cause.by === "field") {
    window.location.hash = `#/diff?${filterQuery({ field: cause.value })}`;
    return;
  }
  filters = { ...filters, [cause.by]: cause.value };
  renderOverview();
}

function loadOverview(): void {
  void loadRows(false);
  loadInsights(applyCause).catch(failure);
}

/** How many rows match, and which cluster this is. */
function showTotals(page: ResourceList): void {
  const matched = main().querySelector(".matched");
  if (matched !== null) matched.textContent = `${page.matched} matching`;
  const cluster = main().querySelector("h1 .cluster");
  if (cluster !== null) cluster.textContent = page.cluster === undefined ? "" : ` — ${page.cluster}`;
}

function renderOverview(): void {
  document.title = "kubedrift — overview";
  const more = element("button", { type: "button", class: "more", hidden: "" }, "Show more");
  more.addEventListener("click", () => void loadRows(true));
  show(
    element("h1", {}, "Drift overview", element("span", { class: "cluster" })),
    counts({}),
    insightsSection(),
    filterForm(),
    element("p", { class: "matched", "aria-live": "polite" }),
    element("div", { class: "scroll" }, table()),
    more,
  );
  updateNav();
  // The drawings re-read with the table, on the same debounced stream events.
  refresh = loadOverview;
  loadOverview();
}

// ---- resource page ----

function driftRow(drift: DriftRow): HTMLTableRowElement {
  return element("tr", { "data-path": drift.path }, fieldCell(drift), ...driftCells(drift));
}

function episodeRow(episode: Episode): HTMLTableRowElement {
  return element("tr", {}, element("td", {}, episode.id), ...episodeCells(episode));
}

function driftTable(drifts: readonly DriftRow[]): HTMLElement {
  if (drifts.length === 0) return element("p", {}, "No drifted fields: live matches desired.");
  const heads = ["Field", "Desired (source)", "Live", "Manager", "User", "When"];
  return element(
    "div",
    { class: "scroll" },
    element(
      "table",
      { class: "diff" },
      element("caption", {}, "Drifted fields, desired against live"),
      element("thead", {}, element("tr", {}, ...heads.map((head) => element("th", { scope: "col" }, head)))),
      element("tbody", {}, ...drifts.map(driftRow)),
    ),
  );
}

function episodeTable(episodes: readonly Episode[]): HTMLElement {
  if (episodes.length === 0) return element("p", {}, "No drift recorded for this resource.");
  const heads = ["Episode", "Started", "Ended", "How", "Fields", "Users"];
  return element(
    "div",
    { class: "scroll" },
    element(
      "table",
      { class: "episodes" },
      element("caption", {}, "Episode history, newest first"),
      element("thead", {}, element("tr", {}, ...heads.map((head) => element("th", { scope: "col" }, head)))),
      element("tbody", {}, ...episodes.map(episodeRow)),
    ),
  );
}

function eventRow(event: KubeEvent): HTMLTableRowElement {
  return element(
    "tr",
    { "data-reason": event.reason },
    element("td", {}, element("span", { class: `event-type ${event.type.toLowerCase()}` }, event.type)),
    element("th", { scope: "row" }, event.reason),
    element("td", { class: "message" }, event.message),
    element("td", { class: "number" }, String(event.count)),
    element("td", {}, when(event.lastSeen)),
    element("td", {}, event.source ?? "—"),
  );
}

/** The Events under the diff: what Kubernetes itself said about the object (a failed rollout, a heal). */
function eventsSection(detail: ResourceDetail): HTMLElement {
  // A one-line note: missing Events (RBAC, no cluster) must not hide the drift above.
  if (detail.eventsError !== undefined)
    return element("p", { class: "note events-error" }, `Events unavailable: ${detail.eventsError}`);
  const events = detail.events ?? [];
  if (events.length === 0) return element("p", { class: "note" }, "No Kubernetes Events for this object.");
  const heads = ["Type", "Reason", "Message", "Count", "Last seen", "Source"];
  return element(
    "div",
    { class: "scroll" },
    element(
      "table",
      { class: "events" },
      element("caption", {}, "Kubernetes Events, newest first"),
      element("thead", {}, element("tr", {}, ...heads.map((head) => element("th", { scope: "col" }, head)))),
      element("tbody", {}, ...events.map(eventRow)),
    ),
  );
}

function resourceView(detail: ResourceDetail): readonly Node[] {
  const { resource } = detail;
  const title = `${resource.kind} ${resource.namespace === undefined ? "" : `${resource.namespace}/`}${resource.name}`;
  document.title = `kubedrift — ${title}`;
  const facts = element(
    "dl",
    { class: "facts" },
    ...(fleet() || (resource.href.includes("?cluster=") && resource.cluster !== undefined)
      ? [element("dt", {}, "Cluster"), element("dd", { class: "cluster" }, resource.cluster ?? "—")]
      : []),
    element("dt", {}, "Status"),
    element("dd", {}, badge(resource.status)),
    element("dt", {}, "Since"),
    element("dd", {}, when(resource.since)),
    element("dt", {}, "Managers"),
    element("dd", {}, list(resource.managers)),
    element("dt", {}, "Users"),
    element("dd", {}, list(resource.users)),
  );
  return [
    element("nav", { "aria-label": "breadcrumb" }, element("a", { href: "#/" }, "← Overview")),
    element("h1", {}, title),
    facts,
    ...(resource.error === undefined ? [] : [element("p", { class: "problem" }, resource.error)]),
    element("h2", {}, "Drifted fields"),
    driftTable(detail.drifts),
    element("h2", {}, "Events"),
    eventsSection(detail),
    element("h2", {}, "History"),
    episodeTable(detail.episodes),
  ];
}

// ---- actions: Heal (with --ui-actions) and Copy adopt command ----

/** `GET /api/session`: who the page acts as, whether it may write, and the CSRF token to write with. */
interface SessionInfo {
  readonly csrf?: string;
  readonly user: string;
  readonly auth?: "token" | "proxy";
  readonly actions: boolean;
}

/** The answer of `POST …/heal`. */
interface HealAnswer {
  readonly result?: string;
  readonly fields?: readonly string[];
  readonly user?: string;
  readonly message?: string;
  readonly error?: string;
}

/** Asked once: a session's token and rights do not change while it lasts. */
let sessionInfo: Promise<SessionInfo | undefined> | undefined;

function session(): Promise<SessionInfo | undefined> {
  sessionInfo ??= getJson<SessionInfo>("/api/session").catch(() => undefined);
  return sessionInfo;
}

/** The latest action's outcome on a resource page, kept across the re-renders the stream causes. */
let outcome: { readonly path: string; readonly text: string; readonly ok: boolean } | undefined;

/** `kubedrift adopt` of this one object into the file that declares it (docs/adopt). */
function adoptCommand(resource: Resource): string {
  const ref = [
    resource.kind,
    ...(resource.namespace === undefined ? [] : [resource.namespace]),
    resource.name,
  ];
  const file = resource.source?.file ?? "<source file>";
  return `kubedrift adopt --only ${ref.join("/")} -f ${file}`;
}

function healText(status: number, answer: HealAnswer): string {
  if (answer.result === "healed")
    return `Healed ${(answer.fields ?? []).map(fieldName).join(", ")} (recorded as ${answer.user ?? "you"}).`;
  if (answer.result === "inSync") return "Nothing drifted: nothing to heal.";
  return `Not healed: ${answer.error ?? `${status}`}`;
}

async function postHeal(path: string): Promise<void> {
  const csrf = (await session())?.csrf ?? "";
  try {
    const response = await fetch(`/api/resources/${path}/heal`, {
      method: "POST",
      headers: { accept: "application/json", "x-csrf-token": csrf },
      credentials: "same-origin",
    });
    const answer = (await response.json()) as HealAnswer;
    outcome = { path, text: healText(response.status, answer), ok: response.ok };
  } catch (error: unknown) {
    outcome = {
      path,
      text: `Not healed: ${error instanceof Error ? error.message : String(error)}`,
      ok: false,
    };
  }
  refresh();
}

/** A real modal: Escape or Cancel closes it without a write; only the Heal button sends one. */
function confirmHeal(path: string, resource: Resource): HTMLDialogElement {
  const dialog = element(
    "dialog",
    { class: "confirm", "aria-labelledby": "confirm-title" },
    element("h2", { id: "confirm-title" }, "Heal this resource?"),
    element(
      "p",
      {},
      `Put back the ${resource.driftedFields} drifted field(s) of ${resource.kind} ${resource.name} by server-side apply as kubedrift. The change is recorded in the history with your name.`,
    ),
  );
  const cancel = element("button", { type: "button", class: "cancel" }, "Cancel");
  const heal = element("button", { type: "button", class: "danger" }, "Heal");
  cancel.addEventListener("click", () => dialog.close());
  heal.addEventListener("click", () => {
    dialog.close();
    void postHeal(path);
  });
  dialog.append(element("p", { class: "buttons" }, cancel, heal));
  dialog.addEventListener("close", () => dialog.remove());
  return dialog;
}

function healButton(path: string, resource: Resource): HTMLButtonElement {
  const button = element("button", { type: "button", class: "heal" }, "Heal");
  if (resource.status !== "Drifted" && resource.status !== "Missing") button.disabled = true;
  button.addEventListener("click", () => {
    const dialog = confirmHeal(path, resource);
    document.body.append(dialog);
    dialog.showModal();
  });
  return button;
}

function copyButton(resource: Resource, note: HTMLElement): HTMLButtonElement {
  const command = adoptCommand(resource);
  const button = element("button", { type: "button", class: "copy" }, "Copy adopt command");
  button.addEventListener("click", () => {
    // The clipboard needs a secure context (HTTPS or loopback): elsewhere the command is shown to copy by hand.
    navigator.clipboard.writeText(command).then(
      () => (note.textContent = "Copied."),
      () => (note.textContent = "Copy it from the box above."),
    );
  });
  return button;
}

/** The resource page's buttons: `Heal` only when the server lets this session write. */
function actionsView(path: string, resource: Resource): HTMLElement {
  const note = element("span", { class: "copied", role: "status" });
  const section = element(
    "section",
    { class: "actions", "aria-label": "actions" },
    element("code", { class: "adopt-command" }, adoptCommand(resource)),
    element("p", { class: "buttons" }, copyButton(resource, note), note),
  );
  if (outcome?.path === path)
    section.append(
      element("p", { class: outcome.ok ? "outcome" : "outcome problem", role: "status" }, outcome.text),
    );
  void session().then((info) => {
    if (info?.actions === true && info.csrf !== undefined)
      section.querySelector("p.buttons")?.prepend(healButton(path, resource));
  });
  return section;
}

async function loadResource(path: string): Promise<void> {
  try {
    const detail = await getJson<ResourceDetail>(`/api/resources/${path}`);
    // The user may have navigated away while this was in flight.
    if (routePath() !== path) return;
    const view = [...resourceView(detail)];
    // The buttons right under the facts (status, since, who): what the engineer came to act on;
    // another cluster's resource (`?cluster=`, from the shared store) is not this watch's to act on.
    if (!path.includes("?cluster=")) view.splice(3, 0, actionsView(path, detail.resource));
    show(...view);
  } catch (error: unknown) {
    failure(error);
  }
}

// ---- routing and the stream ----

/** The resource page's `{group}/{kind}/{namespace}/{name}`, or undefined for the overview. */
function routePath(): string | undefined {
  const match = /^#\/resource\/([^/?]+\/[^/?]+\/[^/?]+\/[^/?]+(?:\?cluster=[^/?]+)?)$/.exec(
    window.location.hash,
  );
  return match?.[1];
}

/** The header's links: the current view marked for screen readers, the diff carrying the filters. */
function updateNav(): void {
  const view = /^#\/(diff|history|resource)\b/.exec(window.location.hash)?.[1] ?? "overview";
  for (const link of document.querySelectorAll<HTMLAnchorElement>("nav.views a[data-view]")) {
    if (link.dataset["view"] === view) link.setAttribute("aria-current", "page");
    else link.removeAttribute("aria-current");
    if (link.dataset["view"] === "diff" && view !== "diff") link.href = `#/diff?${filterQuery()}`;
  }
}

function route(): void {
  updateNav();
  if (window.location.hash.startsWith("#/diff")) return void (refresh = renderCombined());
  if (window.location.hash.startsWith("#/history")) return void (refresh = renderHistory());
  const path = routePath();
  if (path === undefined) return renderOverview();
  show(element("p", { class: "loading" }, "Loading…"));
  refresh = () => void loadResource(path);
  void loadResource(path);
  main().focus();
}

/** Many objects change in one sync: one re-read per burst, not per event. */
function debounced(run: () => void, ms: number): () => void {
  let timer: ReturnType<typeof setTimeout> | undefined;
  return () => {
    if (timer !== undefined) clearTimeout(timer);
    timer = setTimeout(run, ms);
  };
}

function setLive(text: string): void {
  const live = document.getElementById("live");
  if (live !== null) live.textContent = text;
}

/** Whether a stream event is about the resource page on screen (the overview takes every event). */
function concernsView(data: string): boolean {
  const path = routePath();
  if (path === undefined) return true;
  try {
    const parsed = JSON.parse(data) as StreamRef;
    const ref = parsed.resource ?? parsed;
    const [group, kind, namespace, name] = path.split("/").map(decodeURIComponent);
    return (
      (ref.group === "" ? "core" : ref.group) === group &&
      ref.kind === kind &&
      ((ref.namespace ?? "") === "" ? "_" : ref.namespace) === namespace &&
      ref.name === name
    );
  } catch {
    return true;
  }
}

/**
 * Server-sent events from `/api/stream` re-read the view on screen. Should the stream be refused
 * (a server without it), the page polls instead, so it still never needs a reload.
 */
function listen(): void {
  const update = debounced(() => refresh(), 250);
  const stream = new EventSource("/api/stream");
  const onEvent = (event: MessageEvent<string>): void => {
    if (concernsView(event.data)) update();
  };
  stream.addEventListener("open", () => setLive("live"));
  stream.addEventListener("status", onEvent);
  stream.addEventListener("episode", onEvent);
  stream.addEventListener("error", () => {
    if (stream.readyState !== EventSource.CLOSED) return setLive("reconnecting…");
    setLive("polling");
    setInterval(() => refresh(), 3000);
  });
}

/** Behind an auth proxy there is no session to end: the proxy signs people out, not kubedrift. */
function hideSignOut(): void {
  void session().then((info) => {
    if (info?.auth === "proxy") document.querySelector("form[action='/logout']")?.remove();
  });
}

window.addEventListener("hashchange", route);
hideSignOut();
route();
listen();
