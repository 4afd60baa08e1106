import { describe, expect, it } from "vitest";
import { builtinSchema } from "../kube/schema/builtin.js";
import type { JsonObject, KubeObject } from "../kube/value/json.js";
import { compare } from "./compare.js";
import { defaultEngineConfig } from "./config.js";

const ref = { group: "apps", version: "v1", kind: "Deployment", namespace: "shop", name: "web" };

function verdict(desired: KubeObject, live: KubeObject) {
  const report = compare({
    desired: [{ ref, object: desired, source: { file: "web.yaml", line: 1 } }],
    live: [{ ref, object: live }],
    scope: { kinds: [], namespaces: [] },
    schema: builtinSchema,
    config: defaultEngineConfig,
    cluster: "test",
    generatedAt: "2026-12-02T00:00:00Z",
  });
  const resource = report.resources[0];
  return { status: resource?.status, drifts: resource?.drifts.map((drift) => [drift.path, drift.type]) };
}

interface Variant {
  readonly spec?: JsonObject;
  readonly pod?: JsonObject;
  readonly mount?: JsonObject;
  /** Leave `spec.replicas` out. */
  readonly unscaled?: boolean;
}

/** A Deployment with `variant`'s extra fields in its spec, pod spec and volume mount. */
function deployment(variant: Variant = {}): KubeObject {
  return {
    apiVersion: "apps/v1",
    kind: "Deployment",
    metadata: { name: "web", namespace: "shop" },
    spec: {
      ...(variant.unscaled === true ? {} : { replicas: 2 }),
      selector: { matchLabels: { app: "web" } },
      ...variant.spec,
      template: {
        metadata: { labels: { app: "web" } },
        spec: {
          ...variant.pod,
          containers: [
            {
              name: "web",
              image: "nginx:1.27",
              volumeMounts: [{ name: "data", mountPath: "/data", ...variant.mount }],
            },
          ],
          volumes: [{ name: "data", emptyDir: {} }],
        },
      },
    },
  };
}

describe("zero values kube-apiserver never stores (non-pointer omitempty fields)", () => {
  it("minReadySeconds: 0, paused: false, hostNetwork: false and readOnly: false are in sync with a live object without them", () => {
    const desired = deployment({
      spec: { minReadySeconds: 0, paused: false },
      pod: { hostNetwork: false },
      mount: { readOnly: false },
    });
    expect(verdict(desired, deployment())).toEqual({ status: "InSync", drifts: [] });
  });

  it("so is each of them alone", () => {
    const variants: Variant[] = [
      { spec: { minReadySeconds: 0 } },
      { spec: { paused: false } },
      { pod: { hostNetwork: false } },
      { mount: { readOnly: false } },
    ];
    for (const variant of variants) expect(verdict(deployment(variant), deployment()).status).toBe("InSync");
  });

  it("a pointer field's zero missing live is still drift: automountServiceAccountToken: false, replicas: 0", () => {
    expect(verdict(deployment({ pod: { automountServiceAccountToken: false } }), deployment())).toEqual({
      status: "Drifted",
      drifts: [["/spec/template/spec/automountServiceAccountToken", "Removed"]],
    });
    expect(verdict(deployment({ spec: { replicas: 0 } }), deployment({ unscaled: true }))).toEqual({
      status: "Drifted",
      drifts: [["/spec/replicas", "Removed"]],
    });
  });

  it("a non-zero value missing live is still drift", () => {
    expect(
      verdict(deployment({ spec: { minReadySeconds: 5 }, mount: { readOnly: true } }), deployment()),
    ).toEqual({
      status: "Drifted",
      drifts: [
        ["/spec/minReadySeconds", "Removed"],
        ["/spec/template/spec/containers/0/volumeMounts/0/readOnly", "Removed"],
      ],
    });
  });
});
