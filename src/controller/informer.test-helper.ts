/**
 * What the informer tests share: a clock that records the sleeps asked of it (and can hold them),
 * writes over plain HTTPS, a record of delivered events checked against a model, and the truth
 * (a fresh LIST) to converge to.
 */
import { setTimeout as delay } from "node:timers/promises";
import { expect } from "vitest";
import type { Cluster, ServedResource } from "../cluster/index.js";
import type { LiveObject } from "../model/index.js";
import type { KubeObject } from "../kube/value/json.js";
import { resourceVersionOf } from "../kube/object.js";
import type { RunningSandbox } from "../sandbox/index.js";
import { answered } from "../sandbox/https-client.test-helper.js";
import type { Clock, Informer, InformerEvent } from "./informer.js";
import { objectKey } from "./informer.js";

export const configMaps: ServedResource = {
  group: "",
  version: "v1",
  kind: "ConfigMap",
  resource: "configmaps",
  namespaced: true,
  verbs: ["list", "watch", "create", "patch", "delete"],
};

/** Every object the tests write carries it; informers and truth select by it (not the namespace's kube-root-ca.crt). */
export const testLabel = "test=informer";

export interface TestClock {
  readonly clock: Clock;
  /** Every sleep asked for, in order (backoff decisions, never wall time). */
  readonly sleeps: number[];
  /** While held, sleeps do not end until released (the informer waits in its backoff). */
  hold(): void;
  release(): void;
  /** Called with the number of sleeps so far, as each sleep starts. */
  onSleep: ((count: number) => void) | undefined;
}

/** Time moves only by the sleeps asked for; a sleep takes 1 ms of real time (an I/O pause, not a decision). */
export function testClock(): TestClock {
  let now = 0;
  let gate: { promise: Promise<void>; open: () => void } | undefined;
  const state: TestClock = {
    sleeps: [],
    onSleep: undefined,
    clock: {
      now: () => now,
      sleep: async (ms, signal) => {
        state.sleeps.push(ms);
        now += ms;
        state.onSleep?.(state.sleeps.length);
        const aborted = new Promise<void>((resolve) => signal.addEventListener("abort", () => resolve()));
        if (gate !== undefined) await Promise.race([gate.promise, aborted]);
        await delay(1);
      },
    },
    hold: () => {
      let open = (): void => undefined;
      const promise = new Promise<void>((resolve) => (open = resolve));
      gate = { promise, open };
    },
    release: () => {
      gate?.open();
      gate = undefined;
    },
  };
  return state;
}

/** Polls `condition` (an I/O wait, not a timing assertion) until it holds, else fails naming `what`. */
export async function until(
  condition: () => boolean | Promise<boolean>,
  what: string,
  ms = 20_000,
): Promise<void> {
  for (let waited = 0; waited < ms; waited += 10) {
    if (await condition()) return;
    await delay(10);
  }
  throw new Error(`timed out waiting for ${what}`);
}

type Target = Pick<RunningSandbox, "url" | "token" | "certificateAuthority">;

/** Writes through plain HTTPS (not the code under test); each returns the new resourceVersion. */
export class Writer {
  /** Every resourceVersion written per object key, deletions as `deleted@RV`. */
  readonly written = new Map<string, string[]>();

  constructor(private readonly sandbox: () => Target) {}

  async namespace(name: string): Promise<void> {
    const answer = await answered(this.sandbox(), "/api/v1/namespaces", {
      method: "POST",
      body: { apiVersion: "v1", kind: "Namespace", metadata: { name } },
    });
    expect([201, 409]).toContain(answer.status);
  }

  async create(namespace: string, name: string, value: string): Promise<string> {
    const answer = await answered(this.sandbox(), `/api/v1/namespaces/${namespace}/configmaps`, {
      method: "POST",
      body: {
        apiVersion: "v1",
        kind: "ConfigMap",
        metadata: { name, namespace, labels: { test: "informer" } },
        data: { v: value },
      },
    });
    expect(answer.status, JSON.stringify(answer.body)).toBe(201);
    return this.#record(`${namespace}/${name}`, answer.body);
  }

  async modify(namespace: string, name: string, value: string): Promise<string> {
    const answer = await answered(this.sandbox(), `/api/v1/namespaces/${namespace}/configmaps/${name}`, {
      method: "PATCH",
      body: { data: { v: value } },
      contentType: "application/merge-patch+json",
    });
    expect(answer.status, JSON.stringify(answer.body)).toBe(200);
    return this.#record(`${namespace}/${name}`, answer.body);
  }

  async remove(namespace: string, name: string): Promise<void> {
    const answer = await answered(this.sandbox(), `/api/v1/namespaces/${namespace}/configmaps/${name}`, {
      method: "DELETE",
    });
    expect(answer.status, JSON.stringify(answer.body)).toBe(200);
    const key = `${namespace}/${name}`;
    this.written.set(key, [...(this.written.get(key) ?? []), "deleted"]);
  }

  #record(key: string, body: unknown): string {
    const resourceVersion = resourceVersionOf(body as KubeObject);
    this.written.set(key, [...(this.written.get(key) ?? []), resourceVersion]);
    return resourceVersion;
  }
}

function versionOf(object: LiveObject): string {
  return resourceVersionOf(object.object);
}

/**
 * The delivered events, replayed on a model as they come: an add of a present object, an update
 * from another state than the model's, a delete of an absent one (duplicates and losses) fail.
 */
export class EventLog {
  readonly events: InformerEvent[] = [];
  readonly problems: string[] = [];
  readonly model = new Map<string, string>();
  readonly #delivered = new Set<string>();

  readonly record = (event: InformerEvent): void => {
    this.events.push(event);
    const key = objectKey(event.object);
    const known = this.model.get(key);
    const version = versionOf(event.object);
    if (event.type !== "delete") {
      // One state of an object is delivered once: a resumed watch must not replay what was seen.
      if (this.#delivered.has(`${key}@${version}`)) this.problems.push(`${key}@${version} delivered again`);
      this.#delivered.add(`${key}@${version}`);
    }
    if (event.type === "add") {
      if (known !== undefined) this.problems.push(`add of ${key}@${version} already at ${known}`);
      this.model.set(key, version);
    } else if (event.type === "update") {
      if (known !== versionOf(event.previous))
        this.problems.push(`update of ${key} from ${versionOf(event.previous)} but the model has ${known}`);
      if (known === version) this.problems.push(`update of ${key} to the same ${version}`);
      this.model.set(key, version);
    } else {
      if (known === undefined) this.problems.push(`delete of ${key}, never added`);
      this.model.delete(key);
    }
  };

  /** Per object, the states delivered in order: resourceVersions, `deleted` for a deletion. */
  statesOf(key: string, origin?: InformerEvent["origin"]): string[] {
    return this.events
      .filter((event) => objectKey(event.object) === key && (origin === undefined || event.origin === origin))
      .map((event) => (event.type === "delete" ? "deleted" : versionOf(event.object)));
  }

  summary(origin?: InformerEvent["origin"]): string[] {
    return this.events
      .filter((event) => origin === undefined || event.origin === origin)
      .map((event) => `${event.type} ${objectKey(event.object)} ${event.origin}`);
  }
}

/** The server's state: key → resourceVersion, from a fresh LIST. */
export async function truth(cluster: Cluster, namespace: string | undefined): Promise<Map<string, string>> {
  const items = await cluster.list(configMaps, namespace, { labelSelector: testLabel });
  return new Map(items.map((item) => [objectKey(item), versionOf(item)]));
}

export function cached(informer: Informer): Map<string, string> {
  return new Map(informer.list().map((item) => [objectKey(item), versionOf(item)]));
}

function same(left: ReadonlyMap<string, string>, right: ReadonlyMap<string, string>): boolean {
  if (left.size !== right.size) return false;
  for (const [key, value] of left) if (right.get(key) !== value) return false;
  return true;
}

/** Waits until the cache (and the model of delivered events) equal a fresh LIST. */
export async function converged(
  informer: Informer,
  log: EventLog,
  read: () => Promise<Map<string, string>>,
): Promise<void> {
  await until(async () => {
    const server = await read();
    return same(cached(informer), server) && same(log.model, server);
  }, "the cache to converge to the server's state");
  expect(log.problems).toEqual([]);
}
