/**
 * Derives data/kubernetes-proto-v1.32.json, the message table the sandbox decodes protobuf
 * request bodies with, from the FileDescriptorProtos that gogo-generated code registers
 * (`proto.RegisterFile("k8s.io/api/core/v1/generated.proto", gzipped descriptor)`) and that
 * therefore sit gzipped inside every client-go binary — here, the kubectl v1.32 on this machine.
 * Those descriptors, unlike the committed generated.proto files, keep the gogoproto options
 * (nullable, embed) that say which Go fields are pointers and which structs are inline.
 *
 *   node --import tsx scripts/derive-proto.ts [path/to/kubectl]
 */
import { execFileSync } from "node:child_process";
import { readFileSync, realpathSync, writeFileSync } from "node:fs";
import { dirname, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { gunzipSync, constants as zlib } from "node:zlib";
import { messageTable, readFileDescriptor, type DescribedFile } from "../src/sandbox/protobuf/descriptor.js";
import { isProtoScalarType, type ProtoField, type ProtoMessage } from "../src/sandbox/protobuf/table.js";

const repoRoot = resolve(dirname(fileURLToPath(import.meta.url)), "..");
const output = resolve(repoRoot, "data/kubernetes-proto-v1.32.json");
const openAPIData = resolve(repoRoot, "data/kubernetes-openapi-v1.32.json");

/** The GA groups a sandbox client writes, plus the apimachinery types they reach. */
const wantedFiles = [
  "k8s.io/apimachinery/pkg/api/resource/generated.proto",
  "k8s.io/apimachinery/pkg/apis/meta/v1/generated.proto",
  "k8s.io/apimachinery/pkg/runtime/generated.proto",
  "k8s.io/apimachinery/pkg/runtime/schema/generated.proto",
  "k8s.io/apimachinery/pkg/util/intstr/generated.proto",
  "k8s.io/api/admissionregistration/v1/generated.proto",
  "k8s.io/api/apps/v1/generated.proto",
  "k8s.io/api/authentication/v1/generated.proto",
  "k8s.io/api/authorization/v1/generated.proto",
  "k8s.io/api/autoscaling/v1/generated.proto",
  "k8s.io/api/autoscaling/v2/generated.proto",
  "k8s.io/api/batch/v1/generated.proto",
  "k8s.io/api/certificates/v1/generated.proto",
  "k8s.io/api/coordination/v1/generated.proto",
  "k8s.io/api/core/v1/generated.proto",
  "k8s.io/api/discovery/v1/generated.proto",
  "k8s.io/api/events/v1/generated.proto",
  "k8s.io/api/networking/v1/generated.proto",
  "k8s.io/api/node/v1/generated.proto",
  "k8s.io/api/policy/v1/generated.proto",
  "k8s.io/api/rbac/v1/generated.proto",
  "k8s.io/api/scheduling/v1/generated.proto",
  "k8s.io/api/storage/v1/generated.proto",
] as const;

/**
 * Go embedded structs tagged json:",inline" (from the types.go of each package): their fields
 * appear in the parent's JSON. Every other embedded-looking field keeps its own JSON key.
 */
const inlineFields = new Set([
  "k8s.io.api.admissionregistration.v1.NamedRuleWithOperations.ruleWithOperations",
  "k8s.io.api.admissionregistration.v1.RuleWithOperations.rule",
  "k8s.io.api.core.v1.ConfigMapEnvSource.localObjectReference",
  "k8s.io.api.core.v1.ConfigMapKeySelector.localObjectReference",
  "k8s.io.api.core.v1.ConfigMapProjection.localObjectReference",
  "k8s.io.api.core.v1.ConfigMapVolumeSource.localObjectReference",
  "k8s.io.api.core.v1.EphemeralContainer.ephemeralContainerCommon",
  "k8s.io.api.core.v1.PersistentVolumeSpec.persistentVolumeSource",
  "k8s.io.api.core.v1.Probe.handler",
  "k8s.io.api.core.v1.SecretEnvSource.localObjectReference",
  "k8s.io.api.core.v1.SecretKeySelector.localObjectReference",
  "k8s.io.api.core.v1.SecretProjection.localObjectReference",
  "k8s.io.api.core.v1.Volume.volumeSource",
  "k8s.io.api.networking.v1.IngressRule.ingressRuleValue",
  "k8s.io.apimachinery.pkg.runtime.Unknown.typeMeta",
]);

const gzipMagic = Buffer.from([0x1f, 0x8b, 0x08]);

function gunzipAt(binary: Buffer, offset: number): Buffer | undefined {
  try {
    // A descriptor's gzip stream ends wherever it ends; SYNC_FLUSH tolerates the bytes after it.
    return gunzipSync(binary.subarray(offset, offset + 2_000_000), { finishFlush: zlib.Z_SYNC_FLUSH });
  } catch {
    return undefined;
  }
}

function looksLikeDescriptorOf(bytes: Buffer): string | undefined {
  if (bytes[0] !== 0x0a) return undefined;
  const length = bytes[1] ?? 0;
  const name = bytes.subarray(2, 2 + length).toString("latin1");
  return name.endsWith("/generated.proto") ? name : undefined;
}

function embeddedDescriptors(binary: Buffer): Map<string, DescribedFile> {
  const found = new Map<string, DescribedFile>();
  for (
    let offset = binary.indexOf(gzipMagic);
    offset !== -1;
    offset = binary.indexOf(gzipMagic, offset + 1)
  ) {
    const bytes = gunzipAt(binary, offset);
    const name = bytes === undefined ? undefined : looksLikeDescriptorOf(bytes);
    if (bytes !== undefined && name !== undefined && !found.has(name)) {
      found.set(name, readFileDescriptor(bytes));
    }
  }
  return found;
}

function kubectlVersion(binary: string): string {
  const parsed = JSON.parse(
    execFileSync(binary, ["version", "--client", "-o", "json"], { encoding: "utf8" }),
  ) as {
    clientVersion?: { gitVersion?: string };
  };
  return parsed.clientVersion?.gitVersion ?? "unknown";
}

type RequiredFields = ReadonlyMap<string, ReadonlySet<string>>;

/** OpenAPI definition names are the proto names with the domain reversed: io.k8s.api… ↔ k8s.io.api… */
function requiredFieldsByMessage(): RequiredFields {
  const parsed = JSON.parse(readFileSync(openAPIData, "utf8")) as {
    definitions: Record<string, { required?: string[] }>;
  };
  const result = new Map<string, ReadonlySet<string>>();
  for (const [name, definition] of Object.entries(parsed.definitions)) {
    if (name.startsWith("io.k8s.") && definition.required !== undefined) {
      result.set(`k8s.io.${name.slice("io.k8s.".length)}`, new Set(definition.required));
    }
  }
  return result;
}

function withRequired(
  messages: Record<string, ProtoMessage>,
  required: RequiredFields,
): Record<string, ProtoMessage> {
  const result: Record<string, ProtoMessage> = {};
  for (const [name, fields] of Object.entries(messages)) {
    const marked: Record<string, ProtoField> = {};
    for (const [number, field] of Object.entries(fields)) {
      const keepsZero =
        isProtoScalarType(field.type) &&
        field.repeated !== true &&
        field.map !== true &&
        field.pointer !== true;
      marked[number] =
        keepsZero && required.get(name)?.has(field.name) === true ? { ...field, required: true } : field;
    }
    result[name] = marked;
  }
  return result;
}

/** One field per line: the file stays reviewable in a diff without becoming 100k lines. */
function render(source: string, messages: Readonly<Record<string, ProtoMessage>>): string {
  const blocks = Object.entries(messages).map(([name, fields]) => {
    const lines = Object.entries(fields).map(
      ([number, field]) => `      ${JSON.stringify(number)}: ${JSON.stringify(field)}`,
    );
    return lines.length === 0
      ? `    ${JSON.stringify(name)}: {}`
      : `    ${JSON.stringify(name)}: {\n${lines.join(",\n")}\n    }`;
  });
  return `{\n  "source": ${JSON.stringify(source)},\n  "messages": {\n${blocks.join(",\n")}\n  }\n}\n`;
}

function main(): void {
  const binaryPath = realpathSync(process.argv[2] ?? "/usr/bin/kubectl");
  const version = kubectlVersion(binaryPath);
  if (!version.startsWith("v1.32.")) {
    throw new Error(`${binaryPath} is kubectl ${version}; the table must come from a v1.32 build`);
  }
  const descriptors = embeddedDescriptors(readFileSync(binaryPath));
  const files = wantedFiles.map((name) => {
    const file = descriptors.get(name);
    if (file === undefined) throw new Error(`${binaryPath} embeds no descriptor for ${name}`);
    return file;
  });
  const source = `FileDescriptorProtos embedded in kubectl ${version.replace(/-.*$/, "")}: ${wantedFiles.length} files`;
  const messages = withRequired(messageTable(files, inlineFields), requiredFieldsByMessage());
  writeFileSync(output, render(source, messages));
  console.log(`wrote ${output}: ${Object.keys(messages).length} messages`);
}

main();
