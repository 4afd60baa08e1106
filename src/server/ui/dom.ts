/**
 * The page's small shared helpers (ADR 0022): building DOM nodes from text only (never HTML
 * strings: the values come from a cluster), reading the API with the session cookie, and the
 * few formats every view uses.
 */

export type Json = null | boolean | number | string | readonly Json[] | { readonly [key: string]: Json };

export interface Source {
  readonly file: string;
  readonly line: number;
}

/** The session ended (or never was): the page sends the user to the login form. */
export class Unauthorized extends Error {}

export function element<K extends keyof HTMLElementTagNameMap>(
  tag: K,
  attributes: Readonly<Record<string, string>> = {},
  ...children: readonly (Node | string)[]
): HTMLElementTagNameMap[K] {
  const node = document.createElement(tag);
  for (const [name, value] of Object.entries(attributes)) node.setAttribute(name, value);
  node.append(...children);
  return node;
}

export async function getJson<T>(path: string): Promise<T> {
  // Same origin: the session cookie goes along; a bearer token is for scripts, not the page.
  const response = await fetch(path, { headers: { accept: "application/json" }, credentials: "same-origin" });
  if (response.status === 401) throw new Unauthorized("unauthorized");
  const body = (await response.json()) as T & { readonly error?: string };
  if (!response.ok) throw new Error(body.error ?? `${response.status} ${response.statusText}`);
  return body;
}

export function main(): HTMLElement {
  const found = document.getElementById("main");
  if (found === null) throw new Error("no <main id=main>");
  return found;
}

export function show(...children: readonly Node[]): void {
  main().replaceChildren(...children);
}

export function failure(error: unknown): void {
  // The session ended (or never was): the login form is the way back in.
  if (error instanceof Unauthorized) return void window.location.assign("/login");
  show(
    element("p", { class: "problem", role: "alert" }, error instanceof Error ? error.message : String(error)),
  );
}

export function when(iso: string | undefined | null): Node {
  if (iso === undefined || iso === null || iso === "") return document.createTextNode("—");
  const date = new Date(iso);
  return element("time", { datetime: iso, title: iso }, date.toISOString().replace("T", " ").slice(0, 19));
}

export function badge(status: string): HTMLElement {
  return element("span", { class: `badge ${status.toLowerCase()}` }, status);
}

export function list(values: readonly string[]): string {
  return values.length === 0 ? "—" : values.join(", ");
}

/** `/spec/replicas` → `spec.replicas`, as people say it; the pointer stays in the row's data-path. */
export function fieldName(pointer: string): string {
  if (pointer === "") return "(the whole object)";
  return pointer
    .slice(1)
    .split("/")
    .map((part) => part.replaceAll("~1", "/").replaceAll("~0", "~"))
    .join(".");
}
