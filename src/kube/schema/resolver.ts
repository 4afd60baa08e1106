import type { RefType, Schema, SchemaType } from "./types.js";

export type ResolvedType = Exclude<SchemaType, RefType>;

/** Resolves refs once per type object: the same definitions come back for every object compared. */
export class TypeResolver {
  private readonly cache = new Map<SchemaType, ResolvedType>();

  constructor(readonly schema: Schema) {}

  resolve(type: SchemaType): ResolvedType {
    if (type.kind !== "ref") return type;
    let resolved = this.cache.get(type);
    if (resolved === undefined) {
      resolved = this.schema.resolve(type);
      this.cache.set(type, resolved);
    }
    return resolved;
  }
}
