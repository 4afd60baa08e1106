import { readFileSync } from "node:fs";
import { isRecord } from "../../kube/value/json.js";

export const protoScalarTypes = [
  "double",
  "float",
  "int64",
  "uint64",
  "int32",
  "fixed64",
  "fixed32",
  "bool",
  "string",
  "bytes",
  "uint32",
  "sfixed32",
  "sfixed64",
  "sint32",
  "sint64",
] as const;

export type ProtoScalarType = (typeof protoScalarTypes)[number];

export function isProtoScalarType(type: string): type is ProtoScalarType {
  return (protoScalarTypes as readonly string[]).includes(type);
}

/**
 * One field of a Kubernetes message. `type` is a scalar type or a fully qualified message name
 * (`k8s.io.api.core.v1.PodSpec`, no leading dot). `map` means `map<string, type>` (every map in
 * the Kubernetes API is keyed by string). `pointer` marks a singular field the Go struct holds by
 * pointer — gogoproto.nullable is not false — so the wire carries it exactly when Go has it
 * non-nil, zero or not. `inline` marks a Go embedded struct (gogoproto.embed) whose JSON fields
 * sit in the parent object, as Volume's VolumeSource does. `required` marks a non-pointer scalar
 * that the OpenAPI document lists as required, which openapi-gen does for fields whose json tag
 * lacks omitempty: Go writes their zero value (PriorityClass `value: 0`).
 */
export interface ProtoField {
  readonly name: string;
  readonly type: string;
  readonly repeated?: true;
  readonly map?: true;
  readonly pointer?: true;
  readonly inline?: true;
  readonly required?: true;
}

export type ProtoMessage = Readonly<Record<string, ProtoField>>;

export interface ProtoTable {
  /** Where the table was derived from, e.g. the kubectl build whose descriptors were read. */
  readonly source: string;
  /** Fully qualified message name → field number (as a decimal string) → field. */
  readonly messages: Readonly<Record<string, ProtoMessage>>;
}

const dataFile = new URL("../../../data/kubernetes-proto-v1.32.json", import.meta.url);

let loaded: ProtoTable | undefined;

/** The derived message table, read on first use: only protobuf request bodies need it. */
export function kubernetesProtoTable(): ProtoTable {
  if (loaded === undefined) {
    const parsed: unknown = JSON.parse(readFileSync(dataFile, "utf8"));
    if (!isRecord(parsed) || typeof parsed["source"] !== "string" || !isRecord(parsed["messages"])) {
      throw new Error(`${dataFile.pathname}: not a derived protobuf table (run npm run derive-proto)`);
    }
    loaded = parsed as unknown as ProtoTable;
  }
  return loaded;
}
