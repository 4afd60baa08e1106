import { describe, expect, it } from "vitest";
import { kubectlJson, kubectlOk, runKubectl, writeManifest } from "../support/kubectl.js";
import { useSandbox } from "../support/sandbox.js";

const fixture = useSandbox();

const crd = `apiVersion: apiextensions.k8s.io/v1
kind: CustomResourceDefinition
metadata:
  name: widgets.example.com
spec:
  group: example.com
  scope: Namespaced
  names: { plural: widgets, singular: widget, kind: Widget, shortNames: [wd] }
  versions:
    - name: v1
      served: true
      storage: true
      subresources: { status: {} }
      additionalPrinterColumns:
        - { name: Color, type: string, jsonPath: .spec.color }
        - { name: Size, type: integer, jsonPath: .spec.size }
        - { name: Age, type: date, jsonPath: .metadata.creationTimestamp }
      schema:
        openAPIV3Schema:
          type: object
          properties:
            spec:
              type: object
              required: [color]
              properties:
                color: { type: string, enum: [red, blue] }
                size: { type: integer, default: 3 }
            status:
              type: object
              properties:
                ready: { type: boolean }
`;

interface Stored {
  readonly metadata: { readonly generation: number };
  readonly spec: Readonly<Record<string, unknown>>;
  readonly status: { readonly conditions: readonly { readonly type: string; readonly status: string }[] };
}

const widget = (name: string, spec: string): string => `apiVersion: example.com/v1
kind: Widget
metadata:
  name: ${name}
spec: ${spec}
`;

describe("custom resources", () => {
  it("serves a CRD's kind once it is created, with schema defaults and the CRD's printer columns", async () => {
    const sandbox = fixture.sandbox();
    const created = await kubectlOk(sandbox, [
      "apply",
      "-f",
      writeManifest(fixture.directory(), "crd.yaml", crd),
    ]);
    expect(created.stdout).toBe(
      "customresourcedefinition.apiextensions.k8s.io/widgets.example.com created\n",
    );
    const definition = (await kubectlJson(sandbox, [
      "get",
      "crd",
      "widgets.example.com",
    ])) as unknown as Stored;
    expect(
      definition.status.conditions.map(
        (condition: { type: string; status: string }) => `${condition.type}=${condition.status}`,
      ),
    ).toEqual(["NamesAccepted=True", "Established=True"]);

    await kubectlOk(sandbox, [
      "apply",
      "-f",
      writeManifest(fixture.directory(), "w1.yaml", widget("w1", "{ color: blue }")),
    ]);
    const stored = (await kubectlJson(sandbox, ["get", "widget", "w1"])) as unknown as Stored;
    expect(stored.spec).toEqual({ color: "blue", size: 3 });
    expect(stored.metadata.generation).toBe(1);

    const table = await kubectlOk(sandbox, ["get", "wd"]);
    expect(table.stdout).toMatch(/^NAME {3}COLOR {3}SIZE {3}AGE\nw1 {5}blue {4}3 {6}\d+s\n$/);
  });

  it("validates against the schema: strict unknown fields, enums and required fields", async () => {
    const sandbox = fixture.sandbox();
    const unknown = await runKubectl(sandbox, [
      "apply",
      "-f",
      writeManifest(fixture.directory(), "w2.yaml", widget("w2", "{ color: red, colour: red }")),
    ]);
    expect(unknown.code).toBe(1);
    expect(unknown.stderr).toContain(
      'Widget in version "v1" cannot be handled as a Widget: strict decoding error: unknown field "spec.colour"',
    );
    const badEnum = await runKubectl(sandbox, [
      "apply",
      "-f",
      writeManifest(fixture.directory(), "w3.yaml", widget("w3", "{ color: green }")),
    ]);
    expect(badEnum.code).toBe(1);
    expect(badEnum.stderr).toContain(
      'The Widget "w3" is invalid: spec.color: Unsupported value: "green": supported values: "red", "blue"',
    );
  });

  it("refuses strategic merge patches with 415, as for every custom resource, and takes merge patches", async () => {
    const sandbox = fixture.sandbox();
    const strategic = await runKubectl(sandbox, ["patch", "widget", "w1", "-p", '{"spec":{"size":5}}']);
    expect(strategic.code).toBe(1);
    expect(strategic.stderr).toContain(
      "application/strategic-merge-patch+json is not supported by example.com/v1, Kind=Widget",
    );
    await kubectlOk(sandbox, ["patch", "widget", "w1", "--type", "merge", "-p", '{"spec":{"size":5}}']);
    const patched = (await kubectlJson(sandbox, ["get", "widget", "w1"])) as unknown as Stored;
    expect(patched.spec).toEqual({ color: "blue", size: 5 });
    expect(patched.metadata.generation).toBe(2);
  });

  it("removes the custom resources with their CRD", async () => {
    const sandbox = fixture.sandbox();
    await kubectlOk(sandbox, ["delete", "crd", "widgets.example.com"]);
    const listed = await runKubectl(sandbox, [
      "get",
      "--raw",
      "/apis/example.com/v1/namespaces/default/widgets",
    ]);
    expect(listed.code).toBe(1);
    expect(listed.stderr).toContain("NotFound");
  });
});
