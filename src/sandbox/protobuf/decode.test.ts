import { describe, expect, it } from "vitest";
import { decodeProtobufObject, ProtobufDecodeError, UnsupportedProtobufKindError } from "./decode.js";

/** A minimal protobuf encoder: enough to write the messages these tests need by hand. */
function varint(value: bigint | number): number[] {
  let rest = BigInt.asUintN(64, BigInt(value));
  const out: number[] = [];
  do {
    const low = Number(rest & 0x7fn);
    rest >>= 7n;
    out.push(rest === 0n ? low : low | 0x80);
  } while (rest !== 0n);
  return out;
}
const int = (field: number, value: bigint | number): number[] => [...varint(field << 3), ...varint(value)];
const bytes = (field: number, value: Uint8Array | number[]): number[] => [
  ...varint((field << 3) | 2),
  ...varint(value.length),
  ...value,
];
const str = (field: number, value: string): number[] => bytes(field, [...Buffer.from(value, "utf8")]);
const msg = (field: number, ...parts: number[][]): number[] => bytes(field, parts.flat());

function envelope(apiVersion: string, kind: string, raw: number[]): Buffer {
  return Buffer.from([0x6b, 0x38, 0x73, 0x00, ...msg(1, str(1, apiVersion), str(2, kind)), ...bytes(2, raw)]);
}

/** Bodies recorded from kubectl v1.32.4 (`kubectl create …` against a recording proxy). */
const captured = {
  configMap:
    "azhzAAoPCgJ2MRIJQ29uZmlnTWFwEjYKEwoDY20xEgAaACIAKgAyADgAQgASBgoBYRIBMRIICgFiEgN0d28aDQoEYmxvYhIFAP8QgEEaACIA",
  secret:
    "azhzAAoMCgJ2MRIGU2VjcmV0EjYKEgoCczESABoAIgAqADIAOABCABIMCgNrZXkSBQD/EIBBEhAKCHBhc3N3b3JkEgRwQHNzGgAaACIA",
  deployment:
    "azhzAAoVCgdhcHBzL3YxEgpEZXBsb3ltZW50EqsBCh8KA3dlYhIAGgAiACoAMgA4AEIAWgoKA2FwcBIDd2ViEnoIARIMCgoKA2FwcBIDd2ViGmAKHAoAEgAaACIAKgAyADgAQgBaCgoDYXBwEgN3ZWISQBIiCgVuZ2lueBIFbmdpbngqAEIAagByAIABAIgBAJABAKIBABoAMgBCAEoAUgBYAGAAaACCAQCKAQCaAQDCAQAiAgoAKAA4ABoMCAAQABgAIAAoADgAGgAiAA==",
  deploymentZeroReplicas:
    "azhzAAoVCgdhcHBzL3YxEgpEZXBsb3ltZW50ErwBCiEKBHplcm8SABoAIgAqADIAOABCAFoLCgNhcHASBHplcm8SiAEIABINCgsKA2FwcBIEemVybxptCh0KABIAGgAiACoAMgA4AEIAWgsKA2FwcBIEemVybxJMEi4KBW5naW54EgVuZ2lueCoAMgoKABAAGFAiACoAQgBqAHIAgAEAiAEAkAEAogEAGgAyAEIASgBSAFgAYABoAIIBAIoBAJoBAMIBACICCgAoADgAGgwIABAAGAAgACgAOAAaACIA",
  service:
    "azhzAAoNCgJ2MRIHU2VydmljZRJpCh8KA3N2YxIAGgAiACoAMgA4AEIAWgoKA2FwcBIDc3ZjEkIKGwoHODAtODA4MBIDVENQGFAiBwgAEJA/GgAoABIKCgNhcHASA3N2YxoAIglDbHVzdGVySVA6AEIAUgBaAGAAaAAaAgoAGgAiAA==",
  podDisruptionBudget:
    "azhzAAogCglwb2xpY3kvdjESE1BvZERpc3J1cHRpb25CdWRnZXQSNwoRCgFwEgAaACIAKgAyADgAQgASFgoGCAAQABoAEgwKCgoDYXBwEgN3ZWIaCggAGAAgACgAMAAaACIA",
  priorityClass:
    "azhzAAolChRzY2hlZHVsaW5nLms4cy5pby92MRINUHJpb3JpdHlDbGFzcxIwChIKAnBjEgAaACIAKgAyADgAQgAQABgAIgAqFFByZWVtcHRMb3dlclByaW9yaXR5GgAiAA==",
} as const;

function decodeCaptured(name: keyof typeof captured): unknown {
  return decodeProtobufObject(Buffer.from(captured[name], "base64")).object;
}

describe("decodeProtobufObject on bodies kubectl sends", () => {
  it("decodes kubectl create configmap with literal and binary data", () => {
    const decoded = decodeProtobufObject(Buffer.from(captured.configMap, "base64"));
    expect(decoded.apiVersion).toBe("v1");
    expect(decoded.kind).toBe("ConfigMap");
    expect(decoded.object).toEqual({
      apiVersion: "v1",
      kind: "ConfigMap",
      metadata: { name: "cm1", creationTimestamp: null },
      data: { a: "1", b: "two" },
      binaryData: { blob: "AP8QgEE=" },
    });
  });

  it("decodes kubectl create secret generic with binary data as base64", () => {
    expect(decodeCaptured("secret")).toEqual({
      apiVersion: "v1",
      kind: "Secret",
      metadata: { name: "s1", creationTimestamp: null },
      data: { key: "AP8QgEE=", password: "cEBzcw==" },
    });
  });

  it("decodes kubectl create deployment exactly as the API server's Go structs serialize it", () => {
    expect(decodeCaptured("deployment")).toEqual({
      apiVersion: "apps/v1",
      kind: "Deployment",
      metadata: { name: "web", creationTimestamp: null, labels: { app: "web" } },
      spec: {
        replicas: 1,
        selector: { matchLabels: { app: "web" } },
        template: {
          metadata: { creationTimestamp: null, labels: { app: "web" } },
          spec: { containers: [{ name: "nginx", image: "nginx", resources: {} }] },
        },
        strategy: {},
      },
      status: {},
    });
  });

  it("keeps an explicit zero of a pointer field (replicas: 0) and drops zero value fields", () => {
    expect(decodeCaptured("deploymentZeroReplicas")).toEqual({
      apiVersion: "apps/v1",
      kind: "Deployment",
      metadata: { name: "zero", creationTimestamp: null, labels: { app: "zero" } },
      spec: {
        replicas: 0,
        selector: { matchLabels: { app: "zero" } },
        template: {
          metadata: { creationTimestamp: null, labels: { app: "zero" } },
          spec: {
            containers: [{ name: "nginx", image: "nginx", ports: [{ containerPort: 80 }], resources: {} }],
          },
        },
        strategy: {},
      },
      status: {},
    });
  });

  it("decodes an int IntOrString targetPort and non-pointer status structs of a Service", () => {
    expect(decodeCaptured("service")).toEqual({
      apiVersion: "v1",
      kind: "Service",
      metadata: { name: "svc", creationTimestamp: null, labels: { app: "svc" } },
      spec: {
        ports: [{ name: "80-8080", protocol: "TCP", port: 80, targetPort: 8080 }],
        selector: { app: "svc" },
        type: "ClusterIP",
      },
      status: { loadBalancer: {} },
    });
  });

  it("keeps a pointer IntOrString of 0 and the zeros of non-omitempty status counters", () => {
    // kubectl create pdb … -o json --dry-run=client prints the same status counters.
    expect(decodeCaptured("podDisruptionBudget")).toEqual({
      apiVersion: "policy/v1",
      kind: "PodDisruptionBudget",
      metadata: { name: "p", creationTimestamp: null },
      spec: { minAvailable: 0, selector: { matchLabels: { app: "web" } } },
      status: { disruptionsAllowed: 0, currentHealthy: 0, desiredHealthy: 0, expectedPods: 0 },
    });
  });

  it("keeps the zero of a required non-omitempty scalar (PriorityClass value: 0)", () => {
    expect(decodeCaptured("priorityClass")).toEqual({
      apiVersion: "scheduling.k8s.io/v1",
      kind: "PriorityClass",
      metadata: { name: "pc", creationTimestamp: null },
      value: 0,
      preemptionPolicy: "PreemptLowerPriority",
    });
  });
});

const objectMeta = (name: string, ...more: number[][]): number[] => msg(1, str(1, name), ...more);

describe("decodeProtobufObject on hand-encoded messages", () => {
  it("renders Time as RFC 3339 seconds, MicroTime with microseconds, and string IntOrString", () => {
    const lease = envelope("coordination.k8s.io/v1", "Lease", [
      ...objectMeta("l", msg(8, int(1, 1_700_000_000), int(2, 5))),
      ...msg(2, str(1, "me"), msg(3, int(1, 1_700_000_001), int(2, 123_456_789))),
    ]);
    expect(decodeProtobufObject(lease).object).toEqual({
      apiVersion: "coordination.k8s.io/v1",
      kind: "Lease",
      metadata: { name: "l", creationTimestamp: "2023-11-14T22:13:20Z" },
      spec: { holderIdentity: "me", acquireTime: "2023-11-14T22:13:21.123456Z" },
    });
    const pdb = envelope("policy/v1", "PodDisruptionBudget", [...msg(2, msg(3, int(1, 1), str(3, "50%")))]);
    expect(decodeProtobufObject(pdb).object).toMatchObject({ spec: { maxUnavailable: "50%" } });
  });

  it("inlines embedded structs (Volume's VolumeSource, LocalObjectReference) into their parent", () => {
    const volume = msg(1, str(1, "cfg"), msg(2, msg(19, msg(1, str(1, "app-config")), int(3, 420))));
    const pod = envelope("v1", "Pod", [...objectMeta("p"), ...msg(2, volume)]);
    expect(decodeProtobufObject(pod).object).toMatchObject({
      spec: { volumes: [{ name: "cfg", configMap: { name: "app-config", defaultMode: 420 } }] },
    });
  });

  it("parses managedFields' FieldsV1 bytes as the JSON they hold", () => {
    const entry = msg(
      17,
      str(1, "kubectl"),
      str(2, "Update"),
      str(6, "FieldsV1"),
      msg(7, bytes(1, [...Buffer.from('{"f:data":{}}')])),
    );
    const configMap = envelope("v1", "ConfigMap", objectMeta("c", entry));
    expect(decodeProtobufObject(configMap).object).toEqual({
      apiVersion: "v1",
      kind: "ConfigMap",
      metadata: {
        name: "c",
        creationTimestamp: null,
        managedFields: [
          { manager: "kubectl", operation: "Update", fieldsType: "FieldsV1", fieldsV1: { "f:data": {} } },
        ],
      },
    });
  });

  it("skips field numbers it does not know, as gogo's Unmarshal does", () => {
    const configMap = envelope("v1", "ConfigMap", [
      ...objectMeta("c"),
      ...str(99, "from the future"),
      ...int(98, 7),
    ]);
    expect(decodeProtobufObject(configMap).object).toEqual({
      apiVersion: "v1",
      kind: "ConfigMap",
      metadata: { name: "c", creationTimestamp: null },
    });
  });

  it("merges repeated occurrences of a singular message field", () => {
    const configMap = envelope("v1", "ConfigMap", [...objectMeta("c"), ...msg(1, str(3, "ns"))]);
    expect(decodeProtobufObject(configMap).object).toMatchObject({
      metadata: { name: "c", namespace: "ns" },
    });
  });

  it("decodes DeleteOptions of any group from meta/v1", () => {
    const options = envelope("apps/v1", "DeleteOptions", [...int(1, 0), ...str(4, "Foreground")]);
    expect(decodeProtobufObject(options).object).toEqual({
      apiVersion: "apps/v1",
      kind: "DeleteOptions",
      gracePeriodSeconds: 0,
      propagationPolicy: "Foreground",
    });
  });
});

describe("decodeProtobufObject on bad input", () => {
  it("rejects a body without the k8s\\0 prefix", () => {
    expect(() => decodeProtobufObject(Buffer.from('{"kind":"ConfigMap"}'))).toThrow(
      "protobuf: the body does not start with the Kubernetes protobuf prefix k8s\\x00",
    );
    expect(() => decodeProtobufObject(Buffer.from([0x6b, 0x38]))).toThrow(/prefix/);
  });

  it("rejects a truncated body", () => {
    const body = Buffer.from(captured.configMap, "base64");
    expect(() => decodeProtobufObject(body.subarray(0, body.length - 5))).toThrow(
      /runs past the end|exceeds the message size/,
    );
  });

  it("throws ProtobufDecodeError for every malformed body, so the server can answer 400", () => {
    const malformed = [
      Buffer.from([0x6b, 0x38]),
      Buffer.from(captured.configMap, "base64").subarray(0, 40),
      Buffer.from([0x6b, 0x38, 0x73, 0x00, ...msg(1, str(2, "ConfigMap")), ...bytes(2, [])]),
      envelope("v1", "ConfigMap", int(1, 5)),
      envelope("policy/v1", "PodDisruptionBudget", msg(2, msg(1, int(1, 2)))),
    ];
    for (const body of malformed) expect(() => decodeProtobufObject(body)).toThrow(ProtobufDecodeError);
  });

  it("rejects a body without apiVersion or kind", () => {
    const body = Buffer.from([0x6b, 0x38, 0x73, 0x00, ...msg(1, str(2, "ConfigMap")), ...bytes(2, [])]);
    expect(() => decodeProtobufObject(body)).toThrow(
      "protobuf: the body's typeMeta lacks apiVersion or kind",
    );
  });

  it("rejects a field whose wire type contradicts the schema", () => {
    const body = envelope("v1", "ConfigMap", int(1, 5));
    expect(() => decodeProtobufObject(body)).toThrow(
      "protobuf: field metadata is varint on the wire but a message in the schema",
    );
  });

  it("rejects an IntOrString of an unknown type", () => {
    const body = envelope("policy/v1", "PodDisruptionBudget", msg(2, msg(1, int(1, 2))));
    expect(() => decodeProtobufObject(body)).toThrow(
      "protobuf: IntOrString type 2 is neither 0 (int) nor 1 (string)",
    );
  });

  it("rejects invalid UTF-8 in a string", () => {
    const body = envelope("v1", "ConfigMap", objectMeta("c", bytes(3, [0xff, 0xfe])));
    expect(() => decodeProtobufObject(body)).toThrow("protobuf: string field is not valid UTF-8");
  });

  it("rejects a compressed body", () => {
    const body = Buffer.concat([envelope("v1", "ConfigMap", []), Buffer.from(str(3, "gzip"))]);
    expect(() => decodeProtobufObject(body)).toThrow('protobuf: contentEncoding "gzip" is not supported');
  });

  it("reports a kind without a message as unsupported, not malformed", () => {
    const body = envelope("example.com/v1", "Widget", []);
    expect(() => decodeProtobufObject(body)).toThrow(UnsupportedProtobufKindError);
    expect(() => decodeProtobufObject(body)).toThrow(
      "protobuf: Widget of example.com/v1 has no protobuf encoding in this server; send JSON",
    );
  });
});
