/**
 * Zero values that kube-apiserver 1.32 never stores: a non-pointer Go scalar with `omitempty`
 * (`minReadySeconds`, `paused`, `hostNetwork`, `tty`, `hostPort`, `readOnly`, `subPath` …) holding
 * 0, false or "" is dropped when the write is decoded into its Go struct, so `kubectl get` returns
 * none of them; pointer fields (`replicas`, `automountServiceAccountToken`, `privileged`) keep
 * their zero. Through the real kubectl against the sandbox.
 */
import { describe, expect, it } from "vitest";
import type { JsonObject } from "../../src/kube/value/json.js";
import { useSandbox } from "../support/sandbox.js";
import {
  getObject,
  kubectlOk,
  managedFieldsEntry,
  resourceVersionOf,
  valueAt,
  writeManifest,
} from "../support/kubectl.js";

const fixture = useSandbox();

function zeroesManifest(name: string): string {
  return [
    "apiVersion: apps/v1",
    "kind: Deployment",
    "metadata:",
    `  name: ${name}`,
    "spec:",
    "  replicas: 0",
    "  minReadySeconds: 0",
    "  paused: false",
    "  selector:",
    "    matchLabels:",
    `      app: ${name}`,
    "  template:",
    "    metadata:",
    "      labels:",
    `        app: ${name}`,
    "    spec:",
    "      hostNetwork: false",
    "      automountServiceAccountToken: false",
    "      containers:",
    "      - name: app",
    "        image: nginx:1.27",
    "        tty: false",
    "        stdin: false",
    "        ports:",
    "        - containerPort: 80",
    "          hostPort: 0",
    "        volumeMounts:",
    "        - name: data",
    "          mountPath: /data",
    "          readOnly: false",
    '          subPath: ""',
    "        securityContext:",
    "          privileged: false",
    "          readOnlyRootFilesystem: false",
    "      volumes:",
    "      - name: data",
    "        emptyDir: {}",
    "",
  ].join("\n");
}

function expectZeroesOmitted(deployment: JsonObject): void {
  const spec = valueAt(deployment, "spec");
  expect(valueAt(spec, "minReadySeconds")).toBeUndefined();
  expect(valueAt(spec, "paused")).toBeUndefined();
  expect(valueAt(spec, "replicas")).toBe(0);
  const pod = valueAt(spec, "template", "spec");
  expect(valueAt(pod, "hostNetwork")).toBeUndefined();
  expect(valueAt(pod, "automountServiceAccountToken")).toBe(false);
  const containers = valueAt(pod, "containers");
  const container = Array.isArray(containers) ? containers[0] : undefined;
  expect(valueAt(container, "tty")).toBeUndefined();
  expect(valueAt(container, "stdin")).toBeUndefined();
  expect(valueAt(container, "ports")).toEqual([{ containerPort: 80, protocol: "TCP" }]);
  expect(valueAt(container, "volumeMounts")).toEqual([{ name: "data", mountPath: "/data" }]);
  expect(valueAt(container, "securityContext")).toEqual({ privileged: false, readOnlyRootFilesystem: false });
}

const mountKey = 'k:{"mountPath":"/data"}';
const containerPath = ["f:spec", "f:template", "f:spec", "f:containers", 'k:{"name":"app"}'] as const;

describe("zero values of non-pointer omitempty fields", () => {
  it("are not stored by a client-side apply, nor owned by its Update, and a re-apply writes nothing", async () => {
    const path = writeManifest(fixture.directory(), "client-side.yaml", zeroesManifest("zeroes-csa"));
    await kubectlOk(fixture.sandbox(), ["apply", "-f", path]);
    const deployment = await getObject(fixture.sandbox(), "deployment", "zeroes-csa");
    expectZeroesOmitted(deployment);

    // The Update's managed fields are computed on the decoded object, which has no zero to own.
    const creator = managedFieldsEntry(deployment, "kubectl-client-side-apply", { operation: "Update" });
    expect(valueAt(creator.fieldsV1, "f:spec", "f:minReadySeconds")).toBeUndefined();
    expect(valueAt(creator.fieldsV1, "f:spec", "f:paused")).toBeUndefined();
    expect(valueAt(creator.fieldsV1, "f:spec", "f:replicas")).toEqual({});
    expect(valueAt(creator.fieldsV1, ...containerPath, "f:volumeMounts", mountKey)).toEqual({
      ".": {},
      "f:mountPath": {},
      "f:name": {},
    });
    expect(valueAt(creator.fieldsV1, ...containerPath, "f:tty")).toBeUndefined();

    // kubectl's three-way patch sends the zeros again (live lacks them); decoded, they change nothing.
    await kubectlOk(fixture.sandbox(), ["apply", "-f", path]);
    const again = await getObject(fixture.sandbox(), "deployment", "zeroes-csa");
    expect(resourceVersionOf(again)).toBe(resourceVersionOf(deployment));
    expectZeroesOmitted(again);
  });

  it("are not stored by a server-side apply, whose applier owns what it applied", async () => {
    const path = writeManifest(fixture.directory(), "server-side.yaml", zeroesManifest("zeroes-ssa"));
    await kubectlOk(fixture.sandbox(), ["apply", "--server-side", "-f", path]);
    const deployment = await getObject(fixture.sandbox(), "deployment", "zeroes-ssa");
    expectZeroesOmitted(deployment);

    // structured-merge-diff records an applier's fields from the applied configuration itself
    // (structuredmerge.go Apply → Updater.Apply: configObject.ToFieldSet()), not from the decoded
    // object, so the applier owns `f:readOnly` that the object does not hold (the same mechanism as
    // kubernetes/kubernetes#128924, an applied `env: []` that the decoded pod omits).
    const applier = managedFieldsEntry(deployment, "kubectl", { operation: "Apply" });
    expect(valueAt(applier.fieldsV1, "f:spec", "f:minReadySeconds")).toEqual({});
    expect(valueAt(applier.fieldsV1, ...containerPath, "f:volumeMounts", mountKey, "f:readOnly")).toEqual({});

    await kubectlOk(fixture.sandbox(), ["apply", "--server-side", "-f", path]);
    expectZeroesOmitted(await getObject(fixture.sandbox(), "deployment", "zeroes-ssa"));
  });

  it("are not stored by kubectl create either", async () => {
    const path = writeManifest(fixture.directory(), "created.yaml", zeroesManifest("zeroes-created"));
    await kubectlOk(fixture.sandbox(), ["create", "-f", path]);
    expectZeroesOmitted(await getObject(fixture.sandbox(), "deployment", "zeroes-created"));
  });
});
