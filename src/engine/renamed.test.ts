/**
 * Rule 5: an item of a keyed list whose key changed but that is otherwise the same item is one
 * change of that item's fields — not a removed item and an added one. Objects are written to a
 * real sandbox as `kubectl apply` and `kubectl edit` write them.
 */
import { describe, expect, it } from "vitest";
import type { KubeObject } from "../kube/value/json.js";
import { compare } from "./compare.js";
import { desiredOf, useLiveCluster, input, refOf } from "./live.test-helper.js";

const cluster = useLiveCluster();

const service: KubeObject = {
  apiVersion: "v1",
  kind: "Service",
  metadata: { name: "web", namespace: "shop" },
  spec: {
    selector: { app: "web" },
    ports: [
      { name: "http", port: 80, targetPort: 8080 },
      { name: "metrics", port: 9090 },
    ],
  },
};

const container = {
  name: "web",
  image: "nginx:1.27",
  ports: [{ containerPort: 80 }, { containerPort: 443 }],
  env: [
    { name: "MODE", value: "prod" },
    { name: "LEVEL", value: "debug" },
  ],
  volumeMounts: [{ name: "cache", mountPath: "/var/cache/nginx" }],
};

const deployment: KubeObject = {
  apiVersion: "apps/v1",
  kind: "Deployment",
  metadata: { name: "web", namespace: "shop" },
  spec: {
    selector: { matchLabels: { app: "web" } },
    template: {
      metadata: { labels: { app: "web" } },
      spec: { containers: [container], volumes: [{ name: "cache", emptyDir: {} }] },
    },
  },
};

function verdict(desired: KubeObject) {
  const live = cluster().get(refOf(desired));
  return compare(input([desiredOf(desired)], [live])).resources.flatMap((resource) =>
    resource.drifts.map((drift) => ({
      path: drift.path,
      type: drift.type,
      desired: drift.desired,
      live: drift.live,
      livePath: drift.livePath,
      manager: drift.attribution?.manager,
    })),
  );
}

describe("a keyed-list item whose key changed", () => {
  it("a Service port edited from 80 to 8080 is one changed field, by the editor", () => {
    cluster().applyClientSide(service);
    cluster().patch(refOf(service), [{ op: "replace", path: "/spec/ports/0/port", value: 8080 }], {
      manager: "kubectl-edit",
      patchType: "json",
    });
    expect(verdict(service)).toEqual([
      {
        path: "/spec/ports/0/port",
        type: "Changed",
        desired: 80,
        live: 8080,
        livePath: "/spec/ports/0/port",
        manager: "kubectl-edit",
      },
    ]);
  });

  it("is found by name where the live list has it at another index", () => {
    cluster().applyClientSide(service);
    cluster().patch(
      refOf(service),
      [
        { op: "remove", path: "/spec/ports/0" },
        { op: "add", path: "/spec/ports/-", value: { name: "http", port: 8080, targetPort: 8080 } },
      ],
      { manager: "kubectl-edit", patchType: "json" },
    );
    expect(verdict(service)).toMatchObject([
      {
        path: "/spec/ports/0/port",
        type: "Changed",
        desired: 80,
        live: 8080,
        livePath: "/spec/ports/1/port",
      },
    ]);
  });

  it("a container port, an env var and a volume mount changed in place", () => {
    cluster().applyClientSide(deployment);
    const at = "/spec/template/spec/containers/0";
    cluster().patch(
      refOf(deployment),
      [
        { op: "replace", path: `${at}/ports/1/containerPort`, value: 8443 },
        { op: "replace", path: `${at}/env/1/name`, value: "LOG_LEVEL" },
        { op: "replace", path: `${at}/volumeMounts/0/mountPath`, value: "/cache" },
      ],
      { manager: "kubectl-edit", patchType: "json" },
    );
    expect(verdict(deployment)).toEqual([
      {
        path: `${at}/env/1/name`,
        type: "Changed",
        desired: "LEVEL",
        live: "LOG_LEVEL",
        livePath: `${at}/env/1/name`,
        manager: "kubectl-edit",
      },
      {
        path: `${at}/ports/1/containerPort`,
        type: "Changed",
        desired: 443,
        live: 8443,
        livePath: `${at}/ports/1/containerPort`,
        manager: "kubectl-edit",
      },
      {
        path: `${at}/volumeMounts/0/mountPath`,
        type: "Changed",
        desired: "/var/cache/nginx",
        live: "/cache",
        livePath: `${at}/volumeMounts/0/mountPath`,
        manager: "kubectl-edit",
      },
    ]);
  });

  it("an item that is not the same item stays a removed one and an added one", () => {
    cluster().applyClientSide(deployment);
    const at = "/spec/template/spec/containers/0";
    cluster().patch(
      refOf(deployment),
      [{ op: "replace", path: `${at}/env/1`, value: { name: "TRACE", value: "on" } }],
      { manager: "kubectl-edit", patchType: "json" },
    );
    expect(verdict(deployment).map((drift) => [drift.path, drift.type])).toEqual([
      [`${at}/env/1`, "Removed"],
      [`${at}/env/1`, "Added"],
    ]);
  });
});
