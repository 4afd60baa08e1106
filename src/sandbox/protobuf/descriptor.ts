/**
 * Reads protobuf FileDescriptorProtos (google/protobuf/descriptor.proto) into our message table.
 * Kubernetes' gogo-generated Go code embeds them, with the gogoproto field options that the
 * committed generated.proto files no longer show: nullable=false is what tells a Go value field
 * from a pointer, and customname (the Go field name) what an embedded struct can be.
 */
import { decodeUtf8, readWireFields, type WireField } from "./wire.js";
import { isProtoScalarType, type ProtoField, type ProtoMessage } from "./table.js";

/** FieldDescriptorProto.Type numbers → proto type names (10 group and 14 enum are not used by Kubernetes). */
const descriptorTypes: Readonly<Record<number, string>> = {
  1: "double",
  2: "float",
  3: "int64",
  4: "uint64",
  5: "int32",
  6: "fixed64",
  7: "fixed32",
  8: "bool",
  9: "string",
  11: "message",
  12: "bytes",
  13: "uint32",
  15: "sfixed32",
  16: "sfixed64",
  17: "sint32",
  18: "sint64",
};

const labelRepeated = 3;
/** github.com/gogo/protobuf/gogoproto/gogo.proto extension numbers of FieldOptions. */
const gogoNullable = 65001;
const gogoCustomName = 65004;
/** MessageOptions.map_entry. */
const mapEntryOption = 7;

export interface DescribedFile {
  readonly name: string;
  readonly packageName: string;
  readonly messages: Readonly<Record<string, DescribedMessage>>;
}

export interface DescribedMessage {
  readonly fields: readonly DescribedField[];
  readonly mapEntry: boolean;
}

export interface DescribedField {
  readonly name: string;
  readonly number: number;
  readonly repeated: boolean;
  readonly type: string;
  readonly nullable: boolean;
  /** gogoproto.customname: the Go field name, which for an embedded struct is its type's name. */
  readonly goName: string | undefined;
}

function bytesOf(field: WireField): Uint8Array {
  if (field.kind !== "bytes") {
    throw new Error(`descriptor: field ${field.number} is ${field.kind}, expected length-delimited`);
  }
  return field.value;
}

function textOf(field: WireField): string {
  return decodeUtf8(bytesOf(field));
}

function numberOf(field: WireField): number {
  if (field.kind !== "varint") {
    throw new Error(`descriptor: field ${field.number} is ${field.kind}, expected varint`);
  }
  return Number(field.value);
}

interface FieldOptions {
  readonly nullable: boolean;
  readonly goName: string | undefined;
}

function readFieldOptions(bytes: Uint8Array): FieldOptions {
  let nullable = true;
  let goName: string | undefined;
  for (const option of readWireFields(bytes)) {
    if (option.number === gogoNullable) nullable = numberOf(option) !== 0;
    if (option.number === gogoCustomName) goName = textOf(option);
  }
  return { nullable, goName };
}

interface FieldParts {
  name: string;
  number: number;
  label: number;
  typeNumber: number;
  typeName: string;
  options: FieldOptions;
}

function applyFieldPart(parts: FieldParts, field: WireField): void {
  switch (field.number) {
    case 1:
      parts.name = textOf(field);
      break;
    case 3:
      parts.number = numberOf(field);
      break;
    case 4:
      parts.label = numberOf(field);
      break;
    case 5:
      parts.typeNumber = numberOf(field);
      break;
    case 6:
      parts.typeName = textOf(field).replace(/^\./, "");
      break;
    case 8:
      parts.options = readFieldOptions(bytesOf(field));
      break;
  }
}

function readField(bytes: Uint8Array, messageName: string): DescribedField {
  const parts: FieldParts = {
    name: "",
    number: 0,
    label: 1,
    typeNumber: 0,
    typeName: "",
    options: { nullable: true, goName: undefined },
  };
  for (const field of readWireFields(bytes)) applyFieldPart(parts, field);
  const typeName = descriptorTypes[parts.typeNumber];
  if (typeName === undefined) {
    throw new Error(
      `descriptor: ${messageName}.${parts.name} has unsupported type number ${parts.typeNumber}`,
    );
  }
  return {
    name: parts.name,
    number: parts.number,
    repeated: parts.label === labelRepeated,
    type: typeName === "message" ? parts.typeName : typeName,
    nullable: parts.options.nullable,
    goName: parts.options.goName,
  };
}

function isMapEntry(options: Uint8Array): boolean {
  return readWireFields(options).some((option) => option.number === mapEntryOption && numberOf(option) !== 0);
}

/** Adds a DescriptorProto and its nested types (map entries are nested messages) under `scope`. */
function readMessage(bytes: Uint8Array, scope: string, into: Record<string, DescribedMessage>): void {
  const records = readWireFields(bytes);
  const nameRecord = records.find((record) => record.number === 1);
  if (nameRecord === undefined) throw new Error(`descriptor: a message in ${scope} has no name`);
  const fullName = `${scope}.${textOf(nameRecord)}`;
  const fields: DescribedField[] = [];
  let mapEntry = false;
  for (const record of records) {
    if (record.number === 2) fields.push(readField(bytesOf(record), fullName));
    if (record.number === 3) readMessage(bytesOf(record), fullName, into);
    if (record.number === 7) mapEntry = isMapEntry(bytesOf(record));
  }
  into[fullName] = { fields, mapEntry };
}

/** Parses one serialized FileDescriptorProto. */
export function readFileDescriptor(bytes: Uint8Array): DescribedFile {
  let name = "";
  let packageName = "";
  const messageRecords: Uint8Array[] = [];
  for (const record of readWireFields(bytes)) {
    if (record.number === 1) name = textOf(record);
    if (record.number === 2) packageName = textOf(record);
    if (record.number === 4) messageRecords.push(bytesOf(record));
  }
  const messages: Record<string, DescribedMessage> = {};
  for (const message of messageRecords) readMessage(message, packageName, messages);
  return { name, packageName, messages };
}

function mapValueType(entry: DescribedMessage | undefined, fieldName: string): string {
  const key = entry?.fields.find((field) => field.number === 1);
  const value = entry?.fields.find((field) => field.number === 2);
  if (key?.type !== "string" || value === undefined) {
    throw new Error(`descriptor: map field ${fieldName} is not map<string, …>`);
  }
  return value.type;
}

function isEmbeddable(field: DescribedField): boolean {
  return !field.nullable && !field.repeated && field.goName === field.type.split(".").pop();
}

function tableField(
  field: DescribedField,
  inline: boolean,
  all: Readonly<Record<string, DescribedMessage>>,
): ProtoField {
  const entry = all[field.type];
  if (field.repeated && entry?.mapEntry === true) {
    return { name: field.name, type: mapValueType(entry, field.name), map: true };
  }
  if (!isProtoScalarType(field.type) && entry === undefined) {
    throw new Error(`descriptor: field ${field.name} refers to unknown message ${field.type}`);
  }
  return { name: field.name, type: field.type, ...fieldFlags(field, inline) };
}

/** A Go []byte is a slice, never a pointer, whatever gogoproto.nullable says. */
function fieldFlags(
  field: DescribedField,
  inline: boolean,
): Pick<ProtoField, "repeated" | "pointer" | "inline"> {
  if (field.repeated) return { repeated: true };
  const pointer = field.nullable && field.type !== "bytes";
  return { ...(pointer ? { pointer: true as const } : {}), ...(inline ? { inline: true as const } : {}) };
}

function checkInlineFields(
  all: Readonly<Record<string, DescribedMessage>>,
  inlineFields: ReadonlySet<string>,
): void {
  for (const path of inlineFields) {
    const messageName = path.slice(0, path.lastIndexOf("."));
    const field = all[messageName]?.fields.find((candidate) => `${messageName}.${candidate.name}` === path);
    if (field === undefined || !isEmbeddable(field)) {
      throw new Error(
        `descriptor: ${path} is not a non-pointer field named after its message type, so not an embedded struct`,
      );
    }
  }
}

/**
 * The message table of a set of files: map-entry messages fold into their fields, names sort so
 * that the derived file is byte-for-byte reproducible. `inlineFields` ("message.field") are the Go
 * embedded structs tagged json:",inline": the descriptors cannot tell them from a field that merely
 * shares its type's name (RoleBinding.roleRef), so the caller names them.
 */
export function messageTable(
  files: readonly DescribedFile[],
  inlineFields: ReadonlySet<string>,
): Record<string, ProtoMessage> {
  const all: Record<string, DescribedMessage> = {};
  for (const file of files) Object.assign(all, file.messages);
  checkInlineFields(all, inlineFields);
  const table: Record<string, ProtoMessage> = {};
  for (const name of Object.keys(all).sort()) {
    const message = all[name];
    if (message === undefined || message.mapEntry) continue;
    const fields: Record<string, ProtoField> = {};
    for (const field of [...message.fields].sort((a, b) => a.number - b.number)) {
      fields[String(field.number)] = tableField(field, inlineFields.has(`${name}.${field.name}`), all);
    }
    table[name] = fields;
  }
  return table;
}
