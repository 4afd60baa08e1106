import type { Attribution } from "../model/index.js";
import type { Path } from "../kube/fieldpath/index.js";
import { FieldSet, decodeFieldsV1 } from "../kube/fieldpath/index.js";
import { managedFieldsOf, readManagedFieldsEntry } from "../kube/fieldpath/managed.js";
import type { JsonValue, KubeObject } from "../kube/value/json.js";

interface Entry {
  readonly attribution: Attribution;
  readonly fieldsV1: JsonValue | undefined;
}

/** Lenient: an entry that is not an object or names no known operation owns nothing. */
function entryOf(raw: JsonValue): Entry | undefined {
  const entry = readManagedFieldsEntry(raw);
  if (entry === undefined) return undefined;
  const { operation, time, subresource } = entry;
  if (operation !== "Apply" && operation !== "Update") return undefined;
  return {
    attribution: {
      manager: entry.manager,
      operation,
      ...(time === "" ? {} : { changedAt: time }),
      ...(subresource === "" ? {} : { subresource }),
    },
    fieldsV1: entry.fieldsV1,
  };
}

function decode(fields: JsonValue | undefined): FieldSet {
  try {
    return fields === undefined ? FieldSet.empty : decodeFieldsV1(fields);
  } catch {
    // A malformed entry (hand-edited live file) owns nothing rather than failing the object.
    return FieldSet.empty;
  }
}

function later(a: Attribution, b: Attribution): Attribution {
  return (b.changedAt ?? "") > (a.changedAt ?? "") ? b : a;
}

/**
 * An object's managedFields. FieldsV1 is decoded only when a drift or an untrusted writer asks
 * for it: most objects of a run are in sync and never need it.
 */
export class ManagedFields {
  private readonly sets: (FieldSet | undefined)[];

  private constructor(private readonly entries: readonly Entry[]) {
    this.sets = entries.map(() => undefined);
  }

  static of(object: KubeObject): ManagedFields {
    const entries: Entry[] = [];
    for (const item of managedFieldsOf(object)) {
      const entry = entryOf(item);
      if (entry !== undefined) entries.push(entry);
    }
    return new ManagedFields(entries);
  }

  /** Whether any writer matches `select`; decodes nothing. */
  any(select: (attribution: Attribution) => boolean): boolean {
    return this.entries.some((entry) => select(entry.attribution));
  }

  /** Writers matching `select`, with what each owns. */
  owners(
    select: (attribution: Attribution) => boolean,
  ): readonly { attribution: Attribution; fields: FieldSet }[] {
    const out: { attribution: Attribution; fields: FieldSet }[] = [];
    this.entries.forEach((entry, index) => {
      if (select(entry.attribution))
        out.push({ attribution: entry.attribution, fields: this.fieldsOf(index) });
    });
    return out;
  }

  /** Who owns exactly `path`; with several owners, the latest write (ownership moves with each Update). */
  exactOwner(path: Path): Attribution | undefined {
    let owner: Attribution | undefined;
    this.entries.forEach((entry, index) => {
      if (this.fieldsOf(index).has(path))
        owner = owner === undefined ? entry.attribution : later(owner, entry.attribution);
    });
    return owner;
  }

  /** The owner of `path`, else of its closest owned ancestor (a list item, an atomic list …). */
  owner(path: Path): Attribution | undefined {
    if (this.entries.length === 0) return undefined;
    for (let length = path.length; length > 0; length--) {
      const owner = this.exactOwner(length === path.length ? path : path.slice(0, length));
      if (owner !== undefined) return owner;
    }
    return undefined;
  }

  private fieldsOf(index: number): FieldSet {
    let set = this.sets[index];
    if (set === undefined) {
      set = decode(this.entries[index].fieldsV1);
      this.sets[index] = set;
    }
    return set;
  }
}
