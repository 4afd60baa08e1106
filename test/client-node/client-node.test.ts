import {
  AppsV1Api,
  CoreV1Api,
  KubeConfig,
  KubernetesObjectApi,
  PatchStrategy,
  makeInformer,
  type KubernetesObject,
  type V1ConfigMap,
} from "@kubernetes/client-node";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startSandbox, type RunningSandbox } from "../../src/sandbox/index.js";

let sandbox: RunningSandbox;
let config: KubeConfig;

beforeAll(async () => {
  sandbox = await startSandbox();
  config = new KubeConfig();
  config.loadFromFile(sandbox.kubeconfigPath);
});

afterAll(async () => {
  await sandbox.stop();
});

async function until<T>(probe: () => T | undefined, what: string): Promise<T> {
  for (let attempt = 0; attempt < 600; attempt += 1) {
    const value = probe();
    if (value !== undefined) return value;
    await new Promise((resolve) => setTimeout(resolve, 25));
  }
  throw new Error(`timed out waiting for ${what}`);
}

describe("@kubernetes/client-node against the sandbox", () => {
  it("lists namespaces with the system ones and pages through a list with limit/continue", async () => {
    const core = config.makeApiClient(CoreV1Api);
    const namespaces = await core.listNamespace();
    expect(namespaces.items.map((item) => item.metadata?.name)).toEqual([
      "default",
      "kube-node-lease",
      "kube-public",
      "kube-system",
    ]);
    for (let index = 0; index < 5; index += 1) {
      await core.createNamespacedConfigMap({
        namespace: "default",
        body: { metadata: { name: `paged-${index}` }, data: { index: String(index) } },
      });
    }
    const first = await core.listNamespacedConfigMap({ namespace: "default", limit: 3 });
    expect(first.items.map((item) => item.metadata?.name)).toEqual([
      "kube-root-ca.crt",
      "paged-0",
      "paged-1",
    ]);
    expect(first.metadata?._continue).toBeTruthy();
    expect(first.metadata?.remainingItemCount).toBe(3);
    const second = await core.listNamespacedConfigMap({
      namespace: "default",
      limit: 3,
      _continue: first.metadata?._continue ?? "",
    });
    expect(second.items.map((item) => item.metadata?.name)).toEqual(["paged-2", "paged-3", "paged-4"]);
    expect(second.metadata?._continue ?? "").toBe("");
  });

  it("server-side applies through KubernetesObjectApi.patch and records the Apply manager", async () => {
    const client = KubernetesObjectApi.makeApiClient(config);
    const deployment = {
      apiVersion: "apps/v1",
      kind: "Deployment",
      metadata: { name: "ssa", namespace: "default" },
      spec: {
        replicas: 2,
        selector: { matchLabels: { app: "ssa" } },
        template: {
          metadata: { labels: { app: "ssa" } },
          spec: { containers: [{ name: "web", image: "nginx:1.27" }] },
        },
      },
    };
    const applied = await client.patch(
      deployment,
      undefined,
      undefined,
      "kubedrift-test",
      true,
      PatchStrategy.ServerSideApply,
    );
    const entries =
      (applied as { metadata?: { managedFields?: { manager?: string; operation?: string }[] } }).metadata
        ?.managedFields ?? [];
    expect(entries.map((entry) => [entry.manager, entry.operation])).toEqual([["kubedrift-test", "Apply"]]);
    const apps = config.makeApiClient(AppsV1Api);
    const read = await apps.readNamespacedDeployment({ name: "ssa", namespace: "default" });
    expect(read.spec?.strategy?.type).toBe("RollingUpdate");
    expect(read.spec?.template.spec?.containers[0]?.imagePullPolicy).toBe("IfNotPresent");
    expect(read.metadata?.generation).toBe(1);
  });

  it("keeps an informer in sync across a forced 410 Gone by relisting", async () => {
    const core = config.makeApiClient(CoreV1Api);
    await core.createNamespace({ body: { metadata: { name: "informed" } } });
    let relists = 0;
    const informer = makeInformer<V1ConfigMap>(config, "/api/v1/namespaces/informed/configmaps", () => {
      relists += 1;
      return core.listNamespacedConfigMap({ namespace: "informed" });
    });
    const errors: unknown[] = [];
    informer.on("error", (error) => {
      errors.push(error);
      // The informer stops on error; restarting it relists, as controllers built on it do.
      setTimeout(() => void informer.start(), 10);
    });
    await informer.start();
    await core.createNamespacedConfigMap({ namespace: "informed", body: { metadata: { name: "one" } } });
    await until(
      () => (informer.list("informed").some((item) => item.metadata?.name === "one") ? true : undefined),
      "one in the cache",
    );
    // Changes the informer will only learn about by relisting: the history it resumes from is gone.
    await core.createNamespacedConfigMap({ namespace: "informed", body: { metadata: { name: "two" } } });
    await until(
      () => (informer.list("informed").some((item) => item.metadata?.name === "two") ? true : undefined),
      "two before the cut",
    );
    // The watch is cut and cannot reconnect (watches fail) while "three" is written and the history is
    // compacted past the resourceVersion the informer resumes from: then the server answers 410 Gone.
    sandbox.faults.set({ errorRate: { watch: 1 } });
    expect(sandbox.faults.dropWatches()).toBeGreaterThan(0);
    await core.createNamespacedConfigMap({ namespace: "informed", body: { metadata: { name: "three" } } });
    await until(() => (errors.length > 0 ? true : undefined), "a failed reconnect");
    sandbox.faults.expireWatchHistory();
    sandbox.faults.set({});
    await until(
      () => (informer.list("informed").some((item) => item.metadata?.name === "three") ? true : undefined),
      "three after the relist",
    );
    expect(relists).toBeGreaterThanOrEqual(2);
    await core.deleteNamespacedConfigMap({ name: "one", namespace: "informed" });
    await until(
      () => (informer.list("informed").some((item) => item.metadata?.name === "one") ? undefined : true),
      "one gone from the cache",
    );
    await informer.stop();
    const names = informer
      .list("informed")
      .map((item: KubernetesObject) => item.metadata?.name)
      .sort();
    expect(names).toEqual(["kube-root-ca.crt", "three", "two"]);
    // Only the injected failures surfaced; the 410 was handled inside the informer by relisting.
    expect(errors.length).toBeGreaterThan(0);
    expect(errors.filter((error) => !String(error).includes("Internal Server Error"))).toEqual([]);
  });
});
