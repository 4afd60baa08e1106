import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { answered } from "../https-client.test-helper.js";
import { startSandbox, type RunningSandbox } from "../sandbox.js";

let sandbox: RunningSandbox;

beforeAll(async () => {
  sandbox = await startSandbox();
});

afterAll(async () => {
  await sandbox.stop();
});

const namespaced = (resource: string): string => `/api/v1/namespaces/default/${resource}`;

function badRequest(message: string): unknown {
  return {
    kind: "Status",
    apiVersion: "v1",
    metadata: {},
    status: "Failure",
    message,
    reason: "BadRequest",
    code: 400,
  };
}

async function create(resource: string, body: unknown): Promise<{ status: number; body: unknown }> {
  const outcome = await answered(sandbox, namespaced(resource), { method: "POST", body });
  return { status: outcome.status, body: outcome.body as unknown };
}

// Rule (issue 11): what kube-apiserver's JSON decoder (sigs.k8s.io/json, encoding/json's rules)
// refuses is a 400 with its message, before any validation: the sandbox must not store it.
describe("decoding request bodies into typed objects", () => {
  it("refuses Secret data that is not base64 with the decoder's byte offset", async () => {
    const secret = (data: unknown): unknown => ({
      apiVersion: "v1",
      kind: "Secret",
      metadata: { name: "s" },
      data,
    });
    const cases: readonly [string, number][] = [
      ["not base64!", 3],
      ["YWJ", 0],
      ["YWJjZA", 4],
      ["YW=", 3],
      ["Y===", 1],
      ["YQ==YQ==", 4],
    ];
    for (const [value, offset] of cases) {
      expect(await create("secrets", secret({ ok: "YWJj", bad: value }))).toEqual({
        status: 400,
        body: badRequest(
          `Secret in version "v1" cannot be handled as a Secret: illegal base64 data at input byte ${offset}`,
        ),
      });
    }
    expect(await create("secrets", secret({ a: 1 }))).toEqual({
      status: 400,
      body: badRequest(
        'Secret in version "v1" cannot be handled as a Secret: json: cannot unmarshal number into Go struct field Secret.data of type []uint8',
      ),
    });
    // Line breaks inside base64 are skipped by Go's decoder, and "" is an empty value.
    expect((await create("secrets", secret({ a: "YQ=\n=", b: "" }))).status).toBe(201);
  });

  it("refuses ConfigMap data values that are not strings", async () => {
    const configMap = (data: unknown): unknown => ({
      apiVersion: "v1",
      kind: "ConfigMap",
      metadata: { name: "c" },
      data,
    });
    expect(await create("configmaps", configMap({ a: "1", b: 2 }))).toEqual({
      status: 400,
      body: badRequest(
        'ConfigMap in version "v1" cannot be handled as a ConfigMap: json: cannot unmarshal number into Go struct field ConfigMap.data of type string',
      ),
    });
    expect(await create("configmaps", configMap({ a: { nested: "x" } }))).toEqual({
      status: 400,
      body: badRequest(
        'ConfigMap in version "v1" cannot be handled as a ConfigMap: json: cannot unmarshal object into Go struct field ConfigMap.data of type string',
      ),
    });
    expect(await create("configmaps", configMap(["a"]))).toEqual({
      status: 400,
      body: badRequest(
        'ConfigMap in version "v1" cannot be handled as a ConfigMap: json: cannot unmarshal array into Go struct field ConfigMap.data of type map[string]string',
      ),
    });
  });

  it("refuses labels and annotations whose values are not strings, on create and on update", async () => {
    expect(
      await create("configmaps", {
        apiVersion: "v1",
        kind: "ConfigMap",
        metadata: { name: "labelled", labels: { app: { name: "web" } } },
      }),
    ).toEqual({
      status: 400,
      body: badRequest(
        'ConfigMap in version "v1" cannot be handled as a ConfigMap: json: cannot unmarshal object into Go struct field ObjectMeta.metadata.labels of type string',
      ),
    });
    const created = await create("configmaps", {
      apiVersion: "v1",
      kind: "ConfigMap",
      metadata: { name: "labelled" },
    });
    expect(created.status).toBe(201);
    const resourceVersion = (created.body as { metadata: { resourceVersion: string } }).metadata
      .resourceVersion;
    const updated = await answered(sandbox, `${namespaced("configmaps")}/labelled`, {
      method: "PUT",
      body: {
        apiVersion: "v1",
        kind: "ConfigMap",
        metadata: { name: "labelled", resourceVersion, annotations: { note: true } },
      },
    });
    expect([updated.status, updated.body]).toEqual([
      400,
      badRequest(
        'ConfigMap in version "v1" cannot be handled as a ConfigMap: json: cannot unmarshal bool into Go struct field ObjectMeta.metadata.annotations of type string',
      ),
    ]);
  });

  it("refuses a patch whose result the decoder cannot hold with a 422 on the field patch", async () => {
    await create("configmaps", { apiVersion: "v1", kind: "ConfigMap", metadata: { name: "patched" } });
    const patched = await answered(sandbox, `${namespaced("configmaps")}/patched`, {
      method: "PATCH",
      body: { data: { replicas: 3 } },
      contentType: "application/merge-patch+json",
    });
    expect(patched.status).toBe(422);
    expect(patched.body.reason).toBe("Invalid");
    expect(patched.body.message).toMatch(
      /^ "" is invalid: patch: Invalid value: ".*": json: cannot unmarshal number into Go struct field ConfigMap\.data of type string$/,
    );
    expect(patched.body.details.causes).toEqual([
      {
        reason: "FieldValueInvalid",
        message: patched.body.message.slice(' "" is invalid: patch: '.length),
        field: "patch",
      },
    ]);
  });
});
