import { describe, expect, it } from "vitest";
import type { KubeObject } from "../../kube/value/json.js";
import { ApiError } from "../api/status.js";
import { createMemoryStore } from "./memory-store.js";
import type { ObjectKey, StoreEvent } from "./types.js";

const deployments = { group: "apps", resource: "deployments" } as const;

function key(namespace: string, name: string): ObjectKey {
  return { ...deployments, namespace, name };
}

function deployment(namespace: string, name: string, replicas = 1): KubeObject {
  return { apiVersion: "apps/v1", kind: "Deployment", metadata: { namespace, name }, spec: { replicas } };
}

function names(items: readonly KubeObject[]): string[] {
  return items.map((item) => {
    const metadata = item["metadata"] as { namespace: string; name: string };
    return `${metadata.namespace}/${metadata.name}`;
  });
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

describe("memory store writes", () => {
  it("numbers writes with one global counter and freezes what it stores", () => {
    const store = createMemoryStore();
    const first = store.create(key("a", "web"), deployment("a", "web"));
    const second = store.create(
      { group: "", resource: "configmaps", namespace: "a", name: "c" },
      { metadata: { name: "c" } },
    );
    expect(first["metadata"]).toEqual({ namespace: "a", name: "web", resourceVersion: "1" });
    expect((second["metadata"] as { resourceVersion: string }).resourceVersion).toBe("2");
    expect(store.resourceVersion).toBe(2);
    expect(Object.isFrozen(first["spec"] as object)).toBe(true);
    expect(store.get(key("a", "web"))).toBe(first);
  });

  it("rejects a second create with AlreadyExists", () => {
    const store = createMemoryStore();
    store.create(key("a", "web"), deployment("a", "web"));
    const error = thrown(() => store.create(key("a", "web"), deployment("a", "web")));
    expect(error.code).toBe(409);
    expect(error.message).toBe('deployments.apps "web" already exists');
  });

  it("rejects an update against a stale resourceVersion with kube-apiserver's Conflict message", () => {
    const store = createMemoryStore();
    store.create(key("a", "web"), deployment("a", "web"));
    store.update(key("a", "web"), deployment("a", "web", 2), "1");
    const error = thrown(() => store.update(key("a", "web"), deployment("a", "web", 3), "1"));
    expect(error.code).toBe(409);
    expect(error.reason).toBe("Conflict");
    expect(error.message).toBe(
      'Operation cannot be fulfilled on deployments.apps "web": the object has been modified; please apply your changes to the latest version and try again',
    );
  });

  it("reports NotFound for updates and deletes of absent objects", () => {
    const store = createMemoryStore();
    expect(thrown(() => store.update(key("a", "x"), deployment("a", "x"))).message).toBe(
      'deployments.apps "x" not found',
    );
    expect(thrown(() => store.delete(key("a", "x"))).code).toBe(404);
  });

  it("does not write an update that changes nothing", () => {
    const store = createMemoryStore();
    const created = store.create(key("a", "web"), deployment("a", "web"));
    const events: StoreEvent[] = [];
    store.watch({ resource: deployments, onEvent: (event) => events.push(event) });
    expect(store.update(key("a", "web"), deployment("a", "web"))).toBe(created);
    expect(store.resourceVersion).toBe(1);
    expect(events).toEqual([]);
  });

  it("returns a deleted object with the resourceVersion of the deletion", () => {
    const store = createMemoryStore();
    store.create(key("a", "web"), deployment("a", "web"));
    const deleted = store.delete(key("a", "web"), "1");
    expect((deleted["metadata"] as { resourceVersion: string }).resourceVersion).toBe("2");
    expect(store.get(key("a", "web"))).toBeUndefined();
    expect(store.list(deployments).items).toEqual([]);
  });
});

describe("memory store lists", () => {
  it("sorts like etcd keys: by namespace/name", () => {
    const store = createMemoryStore();
    for (const [namespace, name] of [
      ["b", "z"],
      ["a", "y"],
      ["a-b", "x"],
      ["a", "b"],
      ["b", "a"],
    ] as const) {
      store.create(key(namespace, name), deployment(namespace, name));
    }
    // "a-b/…" sorts before "a/…" because '-' < '/', as etcd compares the keys byte by byte.
    expect(names(store.list(deployments).items)).toEqual(["a-b/x", "a/b", "a/y", "b/a", "b/z"]);
    expect(names(store.list(deployments, "a").items)).toEqual(["a/b", "a/y"]);
    expect(store.list(deployments, "none").items).toEqual([]);
    expect(store.list({ group: "", resource: "pods" }).resourceVersion).toBe(5);
  });

  it("keeps the list current after writes and hands out the same array until then", () => {
    const store = createMemoryStore();
    store.create(key("a", "one"), deployment("a", "one"));
    const first = store.list(deployments, "a").items;
    expect(store.list(deployments, "a").items).toBe(first);
    store.create(key("a", "two"), deployment("a", "two"));
    store.delete(key("a", "one"));
    expect(names(store.list(deployments, "a").items)).toEqual(["a/two"]);
    expect(names(store.list(deployments).items)).toEqual(["a/two"]);
  });

  it("rebuilds a past list from the history, and answers 410 once that history is gone", () => {
    const store = createMemoryStore({ historySize: 3 });
    store.create(key("a", "one"), deployment("a", "one")); // 1
    store.create(key("a", "two"), deployment("a", "two")); // 2
    store.update(key("a", "one"), deployment("a", "one", 5)); // 3
    store.delete(key("a", "two")); // 4
    const past = store.listAt(deployments, undefined, 2);
    expect(past.resourceVersion).toBe(2);
    expect(names(past.items)).toEqual(["a/one", "a/two"]);
    expect((past.items[0]?.["spec"] as { replicas: number }).replicas).toBe(1);
    const error = thrown(() => store.listAt(deployments, undefined, 0));
    expect(error.code).toBe(410);
    expect(error.message).toBe("The resourceVersion for the provided list is too old.");
    expect(store.oldestResourceVersion(deployments)).toBe(1);
  });
});

describe("memory store watches", () => {
  it("delivers live events in resourceVersion order, filtered by namespace", () => {
    const store = createMemoryStore();
    const all: string[] = [];
    const inA: string[] = [];
    store.watch({
      resource: deployments,
      onEvent: (event) => all.push(`${event.type} ${event.key.name} ${event.resourceVersion}`),
    });
    store.watch({
      resource: deployments,
      namespace: "a",
      onEvent: (event) => inA.push(`${event.type} ${event.key.name}`),
    });
    store.create(key("a", "web"), deployment("a", "web"));
    store.create(key("b", "api"), deployment("b", "api"));
    store.update(key("a", "web"), deployment("a", "web", 2));
    store.delete(key("a", "web"));
    store.create({ group: "", resource: "pods", namespace: "a", name: "p" }, { metadata: { name: "p" } });
    expect(all).toEqual(["ADDED web 1", "ADDED api 2", "MODIFIED web 3", "DELETED web 4"]);
    expect(inA).toEqual(["ADDED web", "MODIFIED web", "DELETED web"]);
  });

  it("gives DELETED the object as it was with the deletion's resourceVersion", () => {
    const store = createMemoryStore();
    const events: StoreEvent[] = [];
    store.create(key("a", "web"), deployment("a", "web", 4));
    store.watch({ resource: deployments, onEvent: (event) => events.push(event) });
    store.delete(key("a", "web"));
    expect(events).toEqual([
      {
        type: "DELETED",
        key: key("a", "web"),
        resourceVersion: 2,
        object: {
          apiVersion: "apps/v1",
          kind: "Deployment",
          metadata: { namespace: "a", name: "web", resourceVersion: "2" },
          spec: { replicas: 4 },
        },
      },
    ]);
  });

  it("replays the events after sinceResourceVersion before live ones", () => {
    const store = createMemoryStore();
    store.create(key("a", "one"), deployment("a", "one"));
    store.create(key("b", "two"), deployment("b", "two"));
    store.update(key("a", "one"), deployment("a", "one", 2));
    const seen: string[] = [];
    store.watch({
      resource: deployments,
      namespace: "a",
      sinceResourceVersion: 1,
      onEvent: (event) => seen.push(`${event.type} ${event.resourceVersion}`),
    });
    store.delete(key("a", "one"));
    expect(seen).toEqual(["MODIFIED 3", "DELETED 4"]);
  });

  it("replays nothing from the current resourceVersion", () => {
    const store = createMemoryStore();
    store.create(key("a", "one"), deployment("a", "one"));
    const seen: number[] = [];
    store.watch({
      resource: deployments,
      sinceResourceVersion: 1,
      onEvent: (event) => seen.push(event.resourceVersion),
    });
    expect(seen).toEqual([]);
  });

  it("answers 410 Expired with the watch cache's wording when the history no longer reaches back", () => {
    const store = createMemoryStore({ historySize: 2 });
    for (let index = 0; index < 5; index += 1)
      store.create(key("a", `d${index}`), deployment("a", `d${index}`));
    // Retained: RV 4 and 5; every event after RV 3 is known.
    const error = thrown(() =>
      store.watch({ resource: deployments, sinceResourceVersion: 2, onEvent: () => undefined }),
    );
    expect(error.code).toBe(410);
    expect(error.reason).toBe("Expired");
    expect(error.message).toBe("too old resource version: 2 (3)");
    const seen: number[] = [];
    store.watch({
      resource: deployments,
      sinceResourceVersion: 3,
      onEvent: (event) => seen.push(event.resourceVersion),
    });
    expect(seen).toEqual([4, 5]);
  });

  it("keeps per-resource histories, so busy resources do not expire quiet ones", () => {
    const store = createMemoryStore({ historySize: 2 });
    store.create(key("a", "web"), deployment("a", "web"));
    for (let index = 0; index < 5; index += 1)
      store.create({ group: "", resource: "events", namespace: "a", name: `e${index}` }, {});
    const seen: number[] = [];
    store.watch({
      resource: deployments,
      sinceResourceVersion: 0,
      onEvent: (event) => seen.push(event.resourceVersion),
    });
    expect(seen).toEqual([1]);
  });

  it("stops delivering after close, and drops a listener that throws without failing the write", () => {
    const store = createMemoryStore();
    const seen: number[] = [];
    const subscription = store.watch({
      resource: deployments,
      onEvent: (event) => seen.push(event.resourceVersion),
    });
    let failures = 0;
    store.watch({
      resource: deployments,
      onEvent: () => {
        failures += 1;
        throw new Error("socket closed");
      },
    });
    store.create(key("a", "one"), deployment("a", "one"));
    subscription.close();
    subscription.close();
    store.create(key("a", "two"), deployment("a", "two"));
    expect(seen).toEqual([1]);
    expect(failures).toBe(1);
    expect(store.resourceVersion).toBe(2);
  });

  it("keeps resourceVersion order when a listener writes while being notified", () => {
    const store = createMemoryStore();
    const order: string[] = [];
    store.watch({
      resource: deployments,
      onEvent: (event) => {
        order.push(`first ${event.resourceVersion}`);
        if (event.key.name === "one") store.create(key("a", "two"), deployment("a", "two"));
      },
    });
    store.watch({ resource: deployments, onEvent: (event) => order.push(`second ${event.resourceVersion}`) });
    store.create(key("a", "one"), deployment("a", "one"));
    expect(order).toEqual(["first 1", "second 1", "first 2", "second 2"]);
  });
});
