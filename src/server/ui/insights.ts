/**
 * The overview's drawings from `GET /api/overview` (docs/api.md): a bar per namespace (in sync
 * against out of sync), the causes behind the out-of-sync objects, and the timeline of episodes
 * opened. Every bar is decoration beside numbers written as text, so a screen reader (and a
 * phone) gets the same facts. Widths and heights are set through the CSSOM: the content security
 * policy forbids style attributes, not `element.style`.
 */
import { element, getJson } from "./dom.js";

interface NamespaceBar {
  readonly namespace: string;
  readonly inSync: number;
  readonly outOfSync: number;
}

export interface Cause {
  readonly by: "manager" | "user" | "field";
  readonly value: string;
  readonly resources: number;
}

interface Bucket {
  readonly at: string;
  readonly opened: number;
}

interface Overview {
  readonly namespaces: readonly NamespaceBar[];
  readonly causes: readonly Cause[];
  readonly timeline: { readonly lastDay: readonly Bucket[]; readonly lastWeek: readonly Bucket[] };
}

/** What a cause's button does: the overview applies it as a filter (or opens the combined diff). */
export type CauseAction = (cause: Cause) => void;

/** The section the overview places above its table; `loadInsights` fills it. */
export function insightsSection(): HTMLElement {
  return element("section", { class: "insights", "aria-label": "overview" });
}

function percent(part: number, whole: number): string {
  return whole === 0 ? "0%" : `${((part / whole) * 100).toFixed(1)}%`;
}

function namespaceRow(bar: NamespaceBar): HTMLLIElement {
  const total = bar.inSync + bar.outOfSync;
  const out = element("span", { class: "out" });
  out.style.width = percent(bar.outOfSync, total);
  const visual = element("span", { class: "bar", "aria-hidden": "true" }, out);
  return element(
    "li",
    { "data-namespace": bar.namespace },
    element("span", { class: "name" }, bar.namespace),
    visual,
    element("span", { class: "numbers" }, `${bar.inSync} in sync, ${bar.outOfSync} out of sync`),
  );
}

function namespacesView(bars: readonly NamespaceBar[]): HTMLElement {
  return element(
    "div",
    { class: "namespaces" },
    element("h2", {}, "By namespace"),
    bars.length === 0
      ? element("p", { class: "note" }, "No resources in scope.")
      : element("ul", { class: "ns-bars" }, ...bars.map(namespaceRow)),
  );
}

function causeText(cause: Cause): string {
  return `${cause.resources} object${cause.resources === 1 ? "" : "s"}: ${cause.by} ${cause.value}`;
}

function causesView(causes: readonly Cause[], act: CauseAction): HTMLElement {
  const items = causes.map((cause) => {
    const button = element(
      "button",
      { type: "button", class: "cause", "data-by": cause.by, "data-value": cause.value },
      causeText(cause),
    );
    button.addEventListener("click", () => act(cause));
    return element("li", {}, button);
  });
  return element(
    "div",
    { class: "causes" },
    element("h2", {}, "Causes"),
    items.length === 0
      ? element("p", { class: "note" }, "Nothing out of sync.")
      : element("ul", { class: "cause-list" }, ...items),
  );
}

/** `09h` for an hour, `Nov 26` for a day: UTC, as the API counts. */
function bucketLabel(at: string, byDay: boolean): string {
  const date = new Date(at);
  if (!byDay) return `${date.toISOString().slice(11, 13)}h`;
  return date.toLocaleDateString("en", { month: "short", day: "numeric", timeZone: "UTC" });
}

function column(bucket: Bucket, highest: number, byDay: boolean): HTMLLIElement {
  const label = bucketLabel(bucket.at, byDay);
  const bar = element("span", { class: "bar", "aria-hidden": "true" });
  bar.style.height = percent(bucket.opened, highest);
  return element(
    "li",
    { "aria-label": `${label}: ${bucket.opened} opened`, title: `${bucket.at}: ${bucket.opened} opened` },
    element("span", { class: "opened" }, String(bucket.opened)),
    element("span", { class: "track" }, bar),
    element("span", { class: "when" }, label),
  );
}

function chart(title: string, buckets: readonly Bucket[], byDay: boolean): HTMLElement {
  const highest = Math.max(1, ...buckets.map((bucket) => bucket.opened));
  const total = buckets.reduce((sum, bucket) => sum + bucket.opened, 0);
  return element(
    "figure",
    { class: "timeline", "data-span": byDay ? "week" : "day" },
    element("figcaption", {}, `${title}: ${total} opened`),
    element("ol", {}, ...buckets.map((bucket) => column(bucket, highest, byDay))),
  );
}

function timelineView(timeline: Overview["timeline"]): HTMLElement {
  return element(
    "div",
    { class: "timelines" },
    element("h2", {}, "Episodes opened (UTC)"),
    chart("Last 24 hours, by hour", timeline.lastDay, false),
    chart("Last 7 days, by day", timeline.lastWeek, true),
  );
}

/** Re-reads `/api/overview` into the section, if it is still on screen. */
export async function loadInsights(act: CauseAction): Promise<void> {
  const overview = await getJson<Overview>("/api/overview");
  const section = document.querySelector("section.insights");
  if (section === null) return;
  section.replaceChildren(
    namespacesView(overview.namespaces),
    causesView(overview.causes, act),
    timelineView(overview.timeline),
  );
}
