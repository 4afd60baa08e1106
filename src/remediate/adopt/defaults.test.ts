import { describe, expect, it } from "vitest";

import type { DesiredObject } from "../../model/index.js";
import { withoutDefaults } from "./defaults.js";

/** A desired object of group/version/kind, named by its metadata.name. */
function desired(group: string, version: string, object: DesiredObject["object"]): DesiredObject {
  const metadata = object["metadata"] as { readonly name: string };
  const kind = object["kind"] as string;
  return {
    ref: { group, version, kind, namespace: "default", name: metadata.name },
    object,
    source: { file: "x.yaml", line: 1 },
  };
}

const service = desired("", "v1", {
  apiVersion: "v1",
  kind: "Service",
  metadata: { name: "api" },
  spec: { selector: { app: "api" }, ports: [{ port: 80 }] },
});

describe("withoutDefaults", () => {
  it("drops what the server defaults in an added list item, keeping its key and what differs", () => {
    expect(
      withoutDefaults(service, ["spec", "ports", "1"], { port: 9090, protocol: "TCP", targetPort: 9090 }),
    ).toEqual({ port: 9090 });
    expect(
      withoutDefaults(service, ["spec", "ports", "1"], { port: 9090, protocol: "UDP", targetPort: 9091 }),
    ).toEqual({ port: 9090, protocol: "UDP", targetPort: 9091 });
  });

  it("makes missing parents to default the value in place, and drops empty members", () => {
    const bare = desired("", "v1", { apiVersion: "v1", kind: "Pod", metadata: { name: "p" } });
    expect(
      withoutDefaults(bare, ["spec", "containers", "0"], {
        name: "c",
        image: "busybox:1.36",
        imagePullPolicy: "IfNotPresent",
        resources: {},
        terminationMessagePolicy: "File",
      }),
    ).toEqual({ name: "c", image: "busybox:1.36" });
  });

  it("leaves scalars, maps nobody defaults, and kinds without defaulter as they are", () => {
    expect(withoutDefaults(service, ["metadata", "labels", "team"], "a")).toBe("a");
    expect(withoutDefaults(service, ["metadata", "annotations"], { owner: "alice" })).toEqual({
      owner: "alice",
    });
    const custom = desired("example.com", "v1", {
      apiVersion: "example.com/v1",
      kind: "Widget",
      metadata: { name: "w" },
    });
    expect(withoutDefaults(custom, ["spec", "ports", "0"], { port: 1, protocol: "TCP" })).toEqual({
      port: 1,
      protocol: "TCP",
    });
  });

  it("puts the value under any key, __proto__ included, or else writes it as it is", () => {
    const value = { port: 9090, protocol: "TCP" };
    expect(withoutDefaults(service, ["metadata", "labels", "__proto__"], value)).toEqual(value);
    const odd = JSON.parse('{"port": 9090, "protocol": "TCP"}') as typeof value;
    expect(withoutDefaults(service, ["spec", "__proto__", "0"], odd)).toEqual(value);
  });
});
