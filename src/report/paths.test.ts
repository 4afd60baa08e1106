import { describe, expect, it } from "vitest";
import { readableFieldPath, readablePath } from "./paths.js";
import type { JsonObject } from "../kube/value/json.js";
import { pointerTokens } from "../kube/value/pointer.js";

const deployment: JsonObject = {
  metadata: { labels: { "app.kubernetes.io/name": "web" } },
  spec: {
    template: {
      spec: {
        containers: [
          {
            name: "web",
            args: ["--port", "8080"],
            env: [{ name: "MY VAR", value: "1" }],
            ports: [{ containerPort: 8080, protocol: "TCP" }],
            volumeMounts: [{ mountPath: "/data" }],
          },
        ],
      },
    },
  },
};

describe("pointerTokens", () => {
  it("splits and unescapes RFC 6901 tokens", () => {
    expect(pointerTokens("")).toEqual([]);
    expect(pointerTokens("/metadata/labels/a~1b~0c")).toEqual(["metadata", "labels", "a/b~c"]);
  });
});

describe("readablePath", () => {
  it("joins plain fields with dots", () => {
    expect(readablePath("/spec/replicas")).toBe("spec.replicas");
  });

  it("addresses list items by index without the object", () => {
    expect(readablePath("/spec/template/spec/containers/0/image")).toBe(
      "spec.template.spec.containers[0].image",
    );
  });

  it("names list items by a key of theirs with the object", () => {
    expect(readablePath("/spec/template/spec/containers/0/image", deployment)).toBe(
      "spec.template.spec.containers[name=web].image",
    );
    expect(readablePath("/spec/template/spec/containers/0/ports/0/protocol", deployment)).toBe(
      "spec.template.spec.containers[name=web].ports[containerPort=8080].protocol",
    );
    expect(readablePath("/spec/template/spec/containers/0/volumeMounts/0", deployment)).toBe(
      "spec.template.spec.containers[name=web].volumeMounts[mountPath=/data]",
    );
  });

  it("quotes key values that would read ambiguously", () => {
    expect(readablePath("/spec/template/spec/containers/0/env/0/value", deployment)).toBe(
      'spec.template.spec.containers[name=web].env[name="MY VAR"].value',
    );
  });

  it("keeps indices for items without a key and beyond the object", () => {
    expect(readablePath("/spec/template/spec/containers/0/args/1", deployment)).toBe(
      "spec.template.spec.containers[name=web].args[1]",
    );
    expect(readablePath("/spec/template/spec/containers/3/image", deployment)).toBe(
      "spec.template.spec.containers[3].image",
    );
  });

  it("brackets map keys that are not plain names", () => {
    expect(readablePath("/metadata/labels/app.kubernetes.io~1name", deployment)).toBe(
      'metadata.labels["app.kubernetes.io/name"]',
    );
    expect(readablePath("/data/app.conf")).toBe('data["app.conf"]');
  });

  it("takes a numeric token in a map for a key when the object says so", () => {
    expect(readablePath("/data/0", { data: { "0": "zero" } })).toBe('data["0"]');
  });

  it("names the whole object for the empty pointer", () => {
    expect(readablePath("")).toBe("(whole object)");
  });
});

describe("readableFieldPath (the server's field names in the diff's notation)", () => {
  it("rewrites a name alone: no leading dot, keys unquoted, one key per item as the diff shows", () => {
    expect(readableFieldPath(".spec.replicas")).toBe("spec.replicas");
    expect(readableFieldPath('.spec.template.spec.containers[name="web"].image')).toBe(
      "spec.template.spec.containers[name=web].image",
    );
    expect(
      readableFieldPath(
        '.spec.template.spec.containers[name="web"].ports[containerPort=8080,protocol="TCP"]',
      ),
    ).toBe("spec.template.spec.containers[name=web].ports[containerPort=8080]");
    expect(readableFieldPath('.spec.ports[protocol="TCP",targetPort=9]')).toBe(
      "spec.ports[protocol=TCP,targetPort=9]",
    );
    expect(readableFieldPath('.metadata.finalizers[="example.com/x"]')).toBe(
      "metadata.finalizers[=example.com/x]",
    );
    expect(readableFieldPath(".spec.template.spec.containers[0].args[1]")).toBe(
      "spec.template.spec.containers[0].args[1]",
    );
    expect(readableFieldPath("")).toBe("(whole object)");
  });

  it("takes a dotted key of a free-text map whole, without the object", () => {
    expect(readableFieldPath(".metadata.labels.app.kubernetes.io/name")).toBe(
      'metadata.labels["app.kubernetes.io/name"]',
    );
    expect(readableFieldPath(".data.app.conf")).toBe('data["app.conf"]');
    expect(readableFieldPath(".metadata.labels.team")).toBe("metadata.labels.team");
  });

  it("with the object names the field exactly as the diff names the same field", () => {
    const field =
      '.spec.template.spec.containers[name="web"].ports[containerPort=8080,protocol="TCP"].protocol';
    expect(readableFieldPath(field, deployment)).toBe(
      readablePath("/spec/template/spec/containers/0/ports/0/protocol", deployment),
    );
    expect(
      readableFieldPath('.spec.template.spec.containers[name="web"].env[name="MY VAR"].value', deployment),
    ).toBe('spec.template.spec.containers[name=web].env[name="MY VAR"].value');
    expect(readableFieldPath(".metadata.labels.app.kubernetes.io/name", deployment)).toBe(
      'metadata.labels["app.kubernetes.io/name"]',
    );
    // Not in the object (a field given up): the name alone.
    expect(readableFieldPath('.spec.template.spec.containers[name="gone"].image', deployment)).toBe(
      "spec.template.spec.containers[name=gone].image",
    );
  });
});
