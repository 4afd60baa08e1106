/**
 * The views across resources (issue 16): the combined diff (`#/diff?…`, every drifted field of
 * every resource the filters select, from `GET /api/diff`, exportable as Markdown for a ticket)
 * and the history page (`#/history?…`, the episodes of the estate from `GET /api/episodes`, paged,
 * exportable as CSV). Their filters live in the hash, so a view can be bookmarked and shared, and
 * the export links carry the same query: the session cookie authorizes them like the page.
 */
import { element, failure, getJson, main, show } from "./dom.js";
import type { DriftRow, Episode, Resource } from "./model.js";
import { driftCells, episodeCells, fieldCell } from "./model.js";

interface DiffAnswer {
  readonly matched: number;
  readonly resources: readonly { readonly resource: Resource; readonly drifts: readonly DriftRow[] }[];
  readonly truncated?: true;
}

interface EpisodePage {
  readonly episodes: readonly Episode[];
  readonly continue?: string;
}

/** A filter input: its query parameter, its label, and a hint of what it takes. */
interface FilterField {
  readonly name: string;
  readonly label: string;
  readonly placeholder?: string;
}

const diffFilters: readonly FilterField[] = [
  { name: "namespace", label: "Namespace" },
  { name: "kind", label: "Kind" },
  { name: "manager", label: "Manager" },
  { name: "user", label: "User" },
  { name: "status", label: "Status", placeholder: "Drifted,Missing" },
  { name: "field", label: "Field", placeholder: "image" },
];

const historyFilters: readonly FilterField[] = [
  { name: "namespace", label: "Namespace" },
  { name: "kind", label: "Kind" },
  { name: "manager", label: "Manager" },
  { name: "user", label: "User" },
  { name: "since", label: "Since", placeholder: "24h or 7d" },
];

/** The query a view's hash carries (`#/history?kind=Deployment`), empty values dropped. */
export function hashParams(): URLSearchParams {
  const hash = window.location.hash;
  const at = hash.indexOf("?");
  const params = new URLSearchParams(at === -1 ? "" : hash.slice(at + 1));
  for (const [name, value] of [...params]) if (value.trim() === "") params.delete(name);
  return params;
}

function withParams(path: string, params: URLSearchParams, more: Readonly<Record<string, string>>): string {
  const all = new URLSearchParams(params);
  for (const [name, value] of Object.entries(more)) all.set(name, value);
  const text = all.toString();
  return text === "" ? path : `${path}?${text}`;
}

function textInput(field: FilterField, params: URLSearchParams, view: string): HTMLElement {
  const input = element("input", {
    type: "search",
    name: field.name,
    id: `${view}-${field.name}`,
    autocomplete: "off",
    ...(field.placeholder === undefined ? {} : { placeholder: field.placeholder }),
  });
  input.value = params.get(field.name) ?? "";
  return element("div", { class: "field" }, element("label", { for: input.id }, field.label), input);
}

function openBox(params: URLSearchParams): HTMLElement {
  const box = element("input", { type: "checkbox", name: "open", id: "history-open", value: "true" });
  box.checked = params.get("open") === "true";
  return element("div", { class: "field check" }, box, element("label", { for: box.id }, "Open only"));
}

/** Submitting writes the filters into the hash: the route re-renders the view from it. */
function filterForm(
  view: string,
  fields: readonly FilterField[],
  extra: readonly HTMLElement[],
): HTMLFormElement {
  const params = hashParams();
  const form = element(
    "form",
    { class: "filters", role: "search", "aria-label": `${view} filters` },
    ...fields.map((field) => textInput(field, params, view)),
    ...extra,
    element("button", { type: "submit" }, "Filter"),
  );
  form.addEventListener("submit", (event) => {
    event.preventDefault();
    const query = new URLSearchParams();
    for (const [name, entry] of new FormData(form))
      if (typeof entry === "string" && entry.trim() !== "") query.set(name, entry.trim());
    const text = query.toString();
    window.location.hash = `#/${view}${text === "" ? "" : `?${text}`}`;
  });
  return form;
}

function head(...names: readonly string[]): HTMLTableSectionElement {
  return element(
    "thead",
    {},
    element("tr", {}, ...names.map((name) => element("th", { scope: "col" }, name))),
  );
}

/** `#/resource/{group}/{kind}/{namespace}/{name}`, the API's own segments (core, `_`). */
function resourceLink(ref: NonNullable<Episode["resource"]>): HTMLAnchorElement {
  const parts = [ref.group === "" ? "core" : ref.group, ref.kind, ref.namespace ?? "_", ref.name];
  const where =
    ref.namespace === undefined || ref.namespace === "" ? ref.name : `${ref.namespace}/${ref.name}`;
  return element(
    "a",
    { href: `#/resource/${parts.map(encodeURIComponent).join("/")}` },
    `${ref.kind} ${where}`,
  );
}

function exportLink(href: string, text: string, file: string): HTMLAnchorElement {
  return element("a", { href, class: "export", download: file }, text);
}

// ---- the combined diff ----

function combinedRows(answer: DiffAnswer): readonly HTMLTableRowElement[] {
  return answer.resources.flatMap(({ resource, drifts }) =>
    drifts.map((drift) =>
      element(
        "tr",
        { "data-path": drift.path, "data-kind": resource.kind, "data-name": resource.name },
        element("td", { class: "resource" }, resourceLink(resource)),
        fieldCell(drift),
        ...driftCells(drift),
      ),
    ),
  );
}

function combinedSummary(answer: DiffAnswer, rows: number): string {
  const cut = answer.truncated === true ? " (the first 1,000 resources only)" : "";
  return `${rows} drifted field${rows === 1 ? "" : "s"} in ${answer.matched} resource${answer.matched === 1 ? "" : "s"}${cut}`;
}

async function loadCombined(params: URLSearchParams): Promise<void> {
  try {
    const answer = await getJson<DiffAnswer>(withParams("/api/diff", params, {}));
    const body = main().querySelector("table.combined tbody");
    if (body === null) return;
    const rows = combinedRows(answer);
    body.replaceChildren(...rows);
    const summary = main().querySelector(".matched");
    if (summary !== null) summary.textContent = combinedSummary(answer, rows.length);
  } catch (error: unknown) {
    failure(error);
  }
}

/** Shows the combined diff for the hash's filters; answers how to re-read it when the stream says. */
export function renderCombined(): () => void {
  const params = hashParams();
  document.title = "kubedrift — combined diff";
  const heads = ["Resource", "Field", "Desired (source)", "Live", "Manager", "User", "When"];
  show(
    element("h1", {}, "Combined diff"),
    filterForm("diff", diffFilters, []),
    element(
      "p",
      { class: "toolbar" },
      element("span", { class: "matched", "aria-live": "polite" }),
      exportLink(withParams("/api/diff", params, { format: "markdown" }), "Export Markdown", "drift.md"),
    ),
    element(
      "div",
      { class: "scroll" },
      element(
        "table",
        { class: "combined" },
        element("caption", {}, "Every drifted field of the matching resources"),
        head(...heads),
        element("tbody", {}),
      ),
    ),
  );
  const load = (): void => void loadCombined(params);
  load();
  return load;
}

// ---- the history page ----

function historyRow(episode: Episode): HTMLTableRowElement {
  const ref = episode.resource;
  return element(
    "tr",
    { "data-episode": episode.id },
    element("td", {}, episode.id),
    element("td", { class: "resource" }, ref === undefined ? "—" : resourceLink(ref)),
    ...episodeCells(episode),
  );
}

/** The continue token of the last page read: "Show more" asks for the page after it. */
let historyNext: string | undefined;

async function loadHistory(params: URLSearchParams, more: boolean): Promise<void> {
  try {
    const next = more && historyNext !== undefined ? { continue: historyNext } : {};
    const page = await getJson<EpisodePage>(withParams("/api/episodes", params, next));
    historyNext = page.continue;
    const body = main().querySelector("table.history tbody");
    if (body === null) return;
    const rows = page.episodes.map(historyRow);
    if (more) body.append(...rows);
    else body.replaceChildren(...rows);
    const shown = body.querySelectorAll("tr").length;
    const summary = main().querySelector(".matched");
    if (summary !== null) summary.textContent = `${shown} episode${shown === 1 ? "" : "s"} shown`;
    main()
      .querySelector("button.more")
      ?.toggleAttribute("hidden", historyNext === undefined);
  } catch (error: unknown) {
    failure(error);
  }
}

/** Shows the history for the hash's filters; the stream re-reads the first page (new episodes lead). */
export function renderHistory(): () => void {
  const params = hashParams();
  document.title = "kubedrift — history";
  const more = element("button", { type: "button", class: "more", hidden: "" }, "Show more");
  more.addEventListener("click", () => void loadHistory(params, true));
  const heads = ["Episode", "Resource", "Started", "Ended", "How", "Fields", "Users"];
  show(
    element("h1", {}, "History"),
    filterForm("history", historyFilters, [openBox(params)]),
    element(
      "p",
      { class: "toolbar" },
      element("span", { class: "matched", "aria-live": "polite" }),
      exportLink(withParams("/api/episodes", params, { format: "csv" }), "Export CSV", "episodes.csv"),
    ),
    element(
      "div",
      { class: "scroll" },
      element(
        "table",
        { class: "history" },
        element("caption", {}, "Drift episodes across the estate, newest first"),
        head(...heads),
        element("tbody", {}),
      ),
    ),
    more,
  );
  void loadHistory(params, false);
  return () => void loadHistory(params, false);
}
