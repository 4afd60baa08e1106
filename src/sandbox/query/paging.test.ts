import { describe, expect, it } from "vitest";
import type { KubeObject } from "../../kube/value/json.js";
import { ApiError } from "../api/status.js";
import { createMemoryStore } from "../store/memory-store.js";
import type { MemoryObjectStore } from "../store/memory-store.js";
import {
  ContinueExpiredError,
  decodeContinue,
  encodeContinue,
  listPage,
  parseListOptions,
  storeListSource,
} from "./paging.js";
import type { ListOptions, Page } from "./paging.js";

const configmaps = { group: "", resource: "configmaps" } as const;

function seed(store: MemoryObjectStore, entries: readonly (readonly [string, string])[]): void {
  for (const [namespace, name] of entries) {
    store.create(
      { ...configmaps, namespace, name },
      { metadata: { namespace, name }, data: { tier: name.startsWith("w") ? "web" : "db" } },
    );
  }
}

function options(query: Record<string, string>): ListOptions {
  return parseListOptions(new URLSearchParams(query));
}

function names(page: Page): string[] {
  return page.items.map((item) => {
    const metadata = item["metadata"] as { namespace: string; name: string };
    return `${metadata.namespace}/${metadata.name}`;
  });
}

function tokenJson(token: string | undefined): unknown {
  return JSON.parse(Buffer.from(token ?? "", "base64url").toString("utf8"));
}

function thrown(action: () => unknown): ApiError {
  try {
    action();
  } catch (error: unknown) {
    if (error instanceof ApiError) return error;
    throw error;
  }
  throw new Error("expected an ApiError");
}

const ALL = [
  ["a", "w1"],
  ["a", "d1"],
  ["b", "w2"],
  ["b", "d2"],
  ["c", "w3"],
] as const;

describe("listPage", () => {
  it("pages through a list with continue tokens and remainingItemCount, none twice, none skipped", () => {
    const store = createMemoryStore();
    seed(store, ALL);
    const source = storeListSource(store, configmaps, undefined);
    const first = listPage(source, { options: options({ limit: "2" }), namespace: undefined });
    expect(names(first)).toEqual(["a/d1", "a/w1"]);
    expect(first.resourceVersion).toBe(5);
    expect(first.remainingItemCount).toBe(3);
    expect(tokenJson(first.continueToken)).toEqual({ v: "meta.k8s.io/v1", rv: 5, start: "a/w1\u0000" });

    store.create({ ...configmaps, namespace: "a", name: "x9" }, { metadata: { namespace: "a", name: "x9" } });
    const second = listPage(source, {
      options: options({ limit: "2", continue: first.continueToken ?? "" }),
      namespace: undefined,
    });
    // Served at the first page's resourceVersion, as etcd does: the later create is not seen.
    expect(names(second)).toEqual(["b/d2", "b/w2"]);
    expect(second.resourceVersion).toBe(5);
    const third = listPage(source, {
      options: options({ limit: "2", continue: second.continueToken ?? "" }),
      namespace: undefined,
    });
    expect(names(third)).toEqual(["c/w3"]);
    expect(third.continueToken).toBeUndefined();
    expect(third.remainingItemCount).toBeUndefined();
  });

  it("uses keys relative to the namespace for a namespaced list", () => {
    const store = createMemoryStore();
    seed(store, ALL);
    const page = listPage(storeListSource(store, configmaps, "a"), {
      options: options({ limit: "1" }),
      namespace: "a",
    });
    expect(names(page)).toEqual(["a/d1"]);
    expect(tokenJson(page.continueToken)).toEqual({ v: "meta.k8s.io/v1", rv: 5, start: "d1\u0000" });
  });

  it("filters before counting and leaves out remainingItemCount when a selector is given", () => {
    const store = createMemoryStore();
    seed(store, ALL);
    const web = (item: KubeObject): boolean => (item["data"] as { tier: string }).tier === "web";
    const source = storeListSource(store, configmaps, undefined);
    const first = listPage(source, { options: options({ limit: "2" }), namespace: undefined, matches: web });
    expect(names(first)).toEqual(["a/w1", "b/w2"]);
    expect(first.remainingItemCount).toBeUndefined();
    const second = listPage(source, {
      options: options({ limit: "2", continue: first.continueToken ?? "" }),
      namespace: undefined,
      matches: web,
    });
    expect(names(second)).toEqual(["c/w3"]);
    expect(second.continueToken).toBeUndefined();
  });

  it("ignores the limit for resourceVersion=0, as the watch cache does", () => {
    const store = createMemoryStore();
    seed(store, ALL);
    const page = listPage(storeListSource(store, configmaps, undefined), {
      options: options({ limit: "1", resourceVersion: "0" }),
      namespace: undefined,
    });
    expect(page.items.length).toBe(5);
    expect(page.continueToken).toBeUndefined();
  });

  it("answers 410 with a fresh token when the continue token's revision is gone", () => {
    const store = createMemoryStore({ historySize: 1 });
    seed(store, ALL);
    const source = storeListSource(store, configmaps, undefined);
    const first = listPage(source, { options: options({ limit: "2" }), namespace: undefined });
    store.delete({ ...configmaps, namespace: "b", name: "d2" });
    store.delete({ ...configmaps, namespace: "b", name: "w2" });
    const error = thrown(() =>
      listPage(source, {
        options: options({ limit: "2", continue: first.continueToken ?? "" }),
        namespace: undefined,
      }),
    );
    expect(error).toBeInstanceOf(ContinueExpiredError);
    expect(error.code).toBe(410);
    expect(error.message).toBe(
      "The provided continue parameter is too old to display a consistent list result. You can start a new list without the continue parameter, or use the continue token in this response to retrieve the remainder of the results. Continuing with the provided token results in an inconsistent list - objects that were created, modified, or deleted between the time the first chunk was returned and now may show up in the list.",
    );
    const status = error.toStatus() as { metadata: { continue: string }; reason: string };
    expect(status.reason).toBe("Expired");
    expect(tokenJson(status.metadata.continue)).toEqual({ v: "meta.k8s.io/v1", rv: -1, start: "a/w1\u0000" });
    const rest = listPage(source, {
      options: options({ limit: "5", continue: status.metadata.continue }),
      namespace: undefined,
    });
    expect(names(rest)).toEqual(["c/w3"]);
    expect(rest.resourceVersion).toBe(7);
  });

  it("rejects malformed continue tokens with 400", () => {
    const source = storeListSource(createMemoryStore(), configmaps, undefined);
    const page = (token: string): string =>
      thrown(() => listPage(source, { options: options({ continue: token }), namespace: undefined })).message;
    expect(page("%%%")).toBe(
      "invalid continue token: continue key is not valid: illegal base64 data at input byte 0",
    );
    expect(page(Buffer.from('{"v":"meta.k8s.io/v1","rv":0,"start":"a"}').toString("base64url"))).toBe(
      "invalid continue token: continue key is not valid: incorrect encoded start resourceVersion (version meta.k8s.io/v1)",
    );
    expect(page(Buffer.from('{"v":"meta.k8s.io/v1","rv":3,"start":""}').toString("base64url"))).toBe(
      "invalid continue token: continue key is not valid: encoded start key empty (version meta.k8s.io/v1)",
    );
    expect(page(Buffer.from('{"v":"meta.k8s.io/v1","rv":3,"start":"../x"}').toString("base64url"))).toBe(
      "invalid continue token: continue key is not valid: ../x",
    );
    expect(page(Buffer.from('{"v":"v2","rv":3,"start":"x"}').toString("base64url"))).toBe(
      "invalid continue token: continue key is not valid: server does not recognize this encoded version v2",
    );
    const error = thrown(() =>
      listPage(source, {
        options: options({ continue: encodeContinue(1, "a"), resourceVersion: "5" }),
        namespace: undefined,
      }),
    );
    expect([error.code, error.message]).toEqual([
      400,
      "specifying resource version is not allowed when using continue",
    ]);
  });

  it("serves resourceVersion and resourceVersionMatch as kube-apiserver does", () => {
    const store = createMemoryStore();
    seed(store, ALL);
    const source = storeListSource(store, configmaps, undefined);
    const exactPast = listPage(source, {
      options: options({ resourceVersion: "2", resourceVersionMatch: "Exact" }),
      namespace: undefined,
    });
    expect([exactPast.resourceVersion, names(exactPast)]).toEqual([2, ["a/d1", "a/w1"]]);
    const notOlder = listPage(source, {
      options: options({ resourceVersion: "2", resourceVersionMatch: "NotOlderThan" }),
      namespace: undefined,
    });
    expect([notOlder.resourceVersion, notOlder.items.length]).toEqual([5, 5]);
    const future = thrown(() =>
      listPage(source, { options: options({ resourceVersion: "9" }), namespace: undefined }),
    );
    expect([future.code, future.reason, future.message]).toEqual([
      504,
      "Timeout",
      "Too large resource version: 9, current: 5",
    ]);
    expect(future.details).toEqual({
      causes: [{ reason: "ResourceVersionTooLarge", message: "Too large resource version" }],
      retryAfterSeconds: 1,
    });
  });
});

describe("parseListOptions", () => {
  it("reads limit, continue and resourceVersion", () => {
    expect(options({ limit: "500", resourceVersion: "3", resourceVersionMatch: "NotOlderThan" })).toEqual({
      limit: 500,
      continueToken: "",
      resourceVersion: "3",
      resourceVersionMatch: "NotOlderThan",
    });
    expect(options({ limit: "-1" }).limit).toBe(0);
    expect(thrown(() => options({ limit: "ten" })).message).toBe(
      'strconv.ParseInt: parsing "ten": invalid syntax',
    );
  });

  it("validates resourceVersionMatch as ValidateListOptions does", () => {
    const alone = thrown(() => options({ resourceVersionMatch: "Exact" }));
    expect([alone.code, alone.message]).toEqual([
      422,
      'ListOptions.meta.k8s.io "" is invalid: resourceVersionMatch: Forbidden: resourceVersionMatch is forbidden unless resourceVersion is provided',
    ]);
    expect(thrown(() => options({ resourceVersion: "1", resourceVersionMatch: "Newest" })).message).toBe(
      'ListOptions.meta.k8s.io "" is invalid: resourceVersionMatch: Unsupported value: "Newest": supported values: "Exact", "NotOlderThan", ""',
    );
    expect(thrown(() => options({ resourceVersion: "0", resourceVersionMatch: "Exact" })).message).toBe(
      'ListOptions.meta.k8s.io "" is invalid: resourceVersionMatch: Forbidden: resourceVersionMatch "exact" is forbidden for resourceVersion "0"',
    );
  });

  it("round-trips continue tokens", () => {
    expect(decodeContinue(encodeContinue(42, "ns/name\u0000"))).toEqual({
      resourceVersion: 42,
      start: "ns/name\u0000",
    });
  });
});
