import { describe, expect, it } from "vitest";
import type { KubeObject } from "../../kube/value/json.js";
import { parseFieldRequirements, parseFieldSelector, selectableFields } from "./field-selector.js";
import { SelectorParseError } from "../../kube/labels/selector.js";

const pods = { group: "", kind: "Pod", namespaced: true } as const;
const deployments = { group: "apps", kind: "Deployment", namespaced: true } as const;

function pod(name: string, nodeName: string | undefined, phase: string): KubeObject {
  return {
    metadata: { namespace: "default", name },
    spec: nodeName === undefined ? {} : { nodeName },
    status: { phase, podIPs: [{ ip: "10.0.0.5" }] },
  };
}

function parseError(action: () => unknown): string {
  try {
    action();
  } catch (error: unknown) {
    if (error instanceof SelectorParseError) return error.message;
    throw error;
  }
  throw new Error("expected a SelectorParseError");
}

describe("parseFieldRequirements", () => {
  it("splits on unescaped commas, sorts terms and unescapes values", () => {
    expect(parseFieldRequirements("metadata.name!=b,metadata.namespace==a,x=a\\,b\\=c\\\\,")).toEqual([
      { field: "metadata.name", operator: "!=", value: "b" },
      { field: "metadata.namespace", operator: "=", value: "a" },
      { field: "x", operator: "=", value: "a,b=c\\" },
    ]);
    expect(parseFieldRequirements("")).toEqual([]);
  });

  it("rejects terms without an operator and bad escapes", () => {
    expect(parseError(() => parseFieldRequirements("a=b,c"))).toBe(
      "invalid selector: 'a=b,c'; can't understand 'c'",
    );
    expect(parseError(() => parseFieldRequirements("a=b\\x"))).toBe(
      "invalid field selector: invalid escape sequence: \\x",
    );
    expect(parseError(() => parseFieldRequirements("a=b=c"))).toBe(
      "invalid field selector: unescaped character in value: 61",
    );
  });
});

describe("parseFieldSelector", () => {
  it("matches pods by node and phase, an absent field reading as empty", () => {
    const scheduled = pod("a", "node-1", "Running");
    const pending = pod("b", undefined, "Pending");
    const onNode = parseFieldSelector("spec.nodeName=node-1", pods);
    expect([onNode.matches(scheduled), onNode.matches(pending)]).toEqual([true, false]);
    const unscheduled = parseFieldSelector("spec.nodeName=,status.phase!=Running", pods);
    expect([unscheduled.matches(scheduled), unscheduled.matches(pending)]).toEqual([false, true]);
    expect(parseFieldSelector("spec.host=node-1", pods).requirements).toEqual([
      { field: "spec.nodeName", operator: "=", value: "node-1" },
    ]);
    expect(parseFieldSelector("status.podIP=10.0.0.5", pods).matches(scheduled)).toBe(true);
  });

  it("supports metadata fields on every kind", () => {
    const object: KubeObject = { metadata: { namespace: "shop", name: "web" } };
    expect(
      parseFieldSelector("metadata.name=web,metadata.namespace!=other", deployments).matches(object),
    ).toBe(true);
    expect(parseFieldSelector("metadata.namespace=other", deployments).matches(object)).toBe(false);
  });

  it("answers an unsupported field with the wording of the kind's conversion", () => {
    expect(parseError(() => parseFieldSelector("spec.foo=x", pods))).toBe(
      "field label not supported: spec.foo",
    );
    expect(parseError(() => parseFieldSelector("spec.replicas=1", deployments))).toBe(
      '"spec.replicas" is not a known field selector: only "metadata.name", "metadata.namespace"',
    );
    expect(
      parseError(() =>
        parseFieldSelector("metadata.namespace=a", { group: "", kind: "Namespace", namespaced: false }),
      ),
    ).toBe("field label not supported: metadata.namespace");
    expect(
      parseError(() =>
        parseFieldSelector("spec.x=1", {
          group: "example.com",
          kind: "Widget",
          namespaced: true,
          custom: true,
        }),
      ),
    ).toBe("field label not supported: spec.x");
  });

  it("reads the kind-specific fields of events, secrets, namespaces and nodes", () => {
    const event: KubeObject = {
      metadata: { namespace: "a", name: "e" },
      involvedObject: { kind: "Pod", name: "web" },
      reason: "Failed",
      type: "Warning",
      source: { component: "kubelet" },
    };
    const events = { group: "", kind: "Event", namespaced: true } as const;
    expect(
      parseFieldSelector(
        "involvedObject.kind=Pod,involvedObject.name=web,reason=Failed,type=Warning,source=kubelet",
        events,
      ).matches(event),
    ).toBe(true);
    expect(
      selectableFields(
        { group: "", kind: "Secret", namespaced: true },
        { metadata: { name: "s", namespace: "a" }, type: "Opaque" },
      ),
    ).toEqual({
      "metadata.name": "s",
      "metadata.namespace": "a",
      type: "Opaque",
    });
    expect(
      parseFieldSelector("status.phase=Active", { group: "", kind: "Namespace", namespaced: false }).matches({
        metadata: { name: "a" },
        status: { phase: "Active" },
      }),
    ).toBe(true);
    expect(
      parseFieldSelector("spec.unschedulable=false", { group: "", kind: "Node", namespaced: false }).matches({
        metadata: { name: "n" },
        spec: {},
      }),
    ).toBe(true);
  });
});
