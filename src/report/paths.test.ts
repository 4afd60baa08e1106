import { describe, expect, it } from "vitest";
import { readablePath } from "./paths.js";
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
