import { afterEach, beforeEach } from "vitest";
/**
 * Live objects as kube-apiserver would hold them, made by running kubectl-shaped writes through
 * the sandbox (in-process, no sockets): its defaults and managedFields are the real ones.
 * Test-only: production engine code never imports the sandbox.
 */
import { createSandboxCore, type SandboxCore } from "../sandbox/index.js";
import type { DesiredObject, LiveObject } from "../model/index.js";
import { builtinSchema } from "../kube/schema/builtin.js";
import type { CompareInput, EngineConfig, Scope } from "./types.js";
import { defaultEngineConfig } from "./config.js";
import type { JsonObject, KubeObject } from "../kube/value/json.js";
import { metadataOf, refOf } from "../kube/object.js";
import type { ObjectRef } from "../kube/object.js";

const token = "engine-test-token";
const kubectlAgent = "kubectl/v1.32.4 (linux/amd64) kubernetes/4cb5f07";

const plurals: Readonly<Record<string, string>> = {
  Deployment: "deployments",
  Service: "services",
  ConfigMap: "configmaps",
  Secret: "secrets",
  ServiceAccount: "serviceaccounts",
  Namespace: "namespaces",
};

export { refOf };

function collectionUrl(ref: Pick<ObjectRef, "group" | "version" | "kind" | "namespace">): string {
  const base = ref.group === "" ? `/api/${ref.version}` : `/apis/${ref.group}/${ref.version}`;
  const namespace = ref.namespace === "" ? "" : `/namespaces/${ref.namespace}`;
  return `${base}${namespace}/${plurals[ref.kind]}`;
}

function objectUrl(ref: ObjectRef): string {
  return `${collectionUrl(ref)}/${ref.name}`;
}

export interface Write {
  readonly manager?: string;
  readonly subresource?: string;
  readonly patchType?: "strategic" | "merge" | "json" | "apply";
}

const contentTypes = {
  strategic: "application/strategic-merge-patch+json",
  merge: "application/merge-patch+json",
  json: "application/json-patch+json",
  apply: "application/apply-patch+yaml",
} as const;

export class LiveCluster {
  private readonly core: SandboxCore;
  private clock = new Date("2026-11-22T10:00:00Z");

  constructor() {
    this.core = createSandboxCore({ token, rootCA: "CA", now: () => this.clock, random: () => 0 });
  }

  /** Lets the namespace controller finish (default ServiceAccount, kube-root-ca.crt) before reading or closing. */
  async settle(): Promise<void> {
    for (let round = 0; round < 5; round++) await new Promise((resolve) => setImmediate(resolve));
  }

  async close(): Promise<void> {
    await this.settle();
    this.core.close();
  }

  /** Moves the sandbox clock, so that each write has its own managedFields time. */
  at(time: string): this {
    this.clock = new Date(time);
    return this;
  }

  private send(method: string, url: string, body: unknown, contentType = "application/json"): JsonObject {
    const response = this.core.app.handle({
      method,
      url,
      headers: {
        authorization: `Bearer ${token}`,
        "user-agent": kubectlAgent,
        ...(body === undefined ? {} : { "content-type": contentType }),
      },
      ...(body === undefined ? {} : { body: Buffer.from(JSON.stringify(body)) }),
    });
    if (response.kind !== "json") throw new Error(`expected JSON, got ${response.kind}`);
    if (response.status >= 300)
      throw new Error(`${method} ${url}: ${response.status} ${JSON.stringify(response.body)}`);
    return response.body as JsonObject;
  }

  namespace(name: string): this {
    this.send("POST", "/api/v1/namespaces?fieldManager=kubectl-create", {
      apiVersion: "v1",
      kind: "Namespace",
      metadata: { name },
    });
    return this;
  }

  /** `kubectl apply` (client-side): a create with the last-applied annotation, as kubectl-client-side-apply. */
  applyClientSide(object: KubeObject): this {
    const metadata = metadataOf(object);
    const annotations = metadata["annotations"] as JsonObject | undefined;
    const annotated = {
      ...object,
      metadata: {
        ...metadata,
        annotations: {
          ...annotations,
          "kubectl.kubernetes.io/last-applied-configuration": `${JSON.stringify(object)}\n`,
        },
      },
    };
    this.send(
      "POST",
      `${collectionUrl(refOf(object))}?fieldManager=kubectl-client-side-apply&fieldValidation=Strict`,
      annotated,
    );
    return this;
  }

  /** `kubectl apply --server-side`. */
  applyServerSide(object: KubeObject, manager = "kubectl"): this {
    this.send(
      "PATCH",
      `${objectUrl(refOf(object))}?fieldManager=${manager}&force=true`,
      object,
      contentTypes.apply,
    );
    return this;
  }

  /** A kubectl PATCH (set, label, edit, patch, scale): the manager comes from the query, else the User-Agent ("kubectl"). */
  patch(ref: ObjectRef, body: unknown, write: Write = {}): this {
    const url = `${objectUrl(ref)}${write.subresource === undefined ? "" : `/${write.subresource}`}`;
    const query = write.manager === undefined ? "" : `?fieldManager=${write.manager}`;
    this.send("PATCH", `${url}${query}`, body, contentTypes[write.patchType ?? "strategic"]);
    return this;
  }

  create(object: KubeObject, manager = "kubectl-create"): this {
    this.send("POST", `${collectionUrl(refOf(object))}?fieldManager=${manager}`, object);
    return this;
  }

  get(ref: ObjectRef): LiveObject {
    const object = this.send("GET", objectUrl(ref), undefined);
    return { ref: refOf(object), object };
  }

  /** Every object of these kinds in a namespace, as the CLI's LIST would give them. */
  list(
    namespace: string,
    kinds: readonly (readonly [group: string, version: string, kind: string])[],
  ): readonly LiveObject[] {
    return kinds.flatMap(([group, version, kind]) => {
      const body = this.send("GET", collectionUrl({ group, version, kind, namespace }), undefined);
      return (body["items"] as readonly JsonObject[]).map((item) => {
        const object: KubeObject = {
          apiVersion: group === "" ? version : `${group}/${version}`,
          kind,
          ...item,
        };
        return { ref: refOf(object), object };
      });
    });
  }
}

export function desiredOf(object: KubeObject, lines?: Readonly<Record<string, number>>): DesiredObject {
  return {
    ref: refOf(object),
    object,
    source: { file: "deploy/app.yaml", line: 1 },
    ...(lines === undefined ? {} : { fieldLines: new Map(Object.entries(lines)) }),
  };
}

export function input(
  desired: readonly DesiredObject[],
  live: readonly LiveObject[],
  options: { readonly config?: Partial<EngineConfig>; readonly scope?: Scope } = {},
): CompareInput {
  return {
    desired,
    live,
    scope: options.scope ?? { kinds: [], namespaces: [] },
    schema: builtinSchema,
    config: { ...defaultEngineConfig, ...options.config },
    cluster: "sandbox",
    generatedAt: "2026-11-22T12:00:00Z",
  };
}

/**
 * A fresh cluster with the namespace `shop` for each test of the file: `cluster()` inside a test
 * gives it.
 */
export function useLiveCluster(namespace = "shop"): () => LiveCluster {
  let cluster: LiveCluster | undefined;
  beforeEach(async () => {
    cluster = new LiveCluster().namespace(namespace);
    await cluster.settle();
  });
  afterEach(async () => {
    await cluster?.close();
  });
  return () => {
    if (cluster === undefined) throw new Error("the live cluster is only there inside a test");
    return cluster;
  };
}
