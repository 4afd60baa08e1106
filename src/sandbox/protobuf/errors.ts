/**
 * A body the protobuf decoder cannot read: missing magic, truncated or inconsistent records,
 * wire types that disagree with the schema, values out of range. The client's fault (400).
 */
export class ProtobufDecodeError extends Error {
  override readonly name: string = "ProtobufDecodeError";
}

/**
 * A well-formed body of a kind the table does not know (a custom resource, an alpha group): the
 * real API server answers 415 Unsupported Media Type for protobuf it cannot decode.
 */
export class UnsupportedProtobufKindError extends ProtobufDecodeError {
  override readonly name: string = "UnsupportedProtobufKindError";
}
