import type { Path, PathElement } from "./element.js";
import { compareElements, serializeElement } from "./element.js";

interface ChildEntry {
  readonly element: PathElement;
  readonly set: FieldSet;
}

/**
 * A set of paths, stored as SMD stores it: a trie whose nodes hold the elements that are
 * members at that level and the child sets below elements. A path may be a member and have
 * children at once (a list item that is owned and has owned fields). Immutable.
 */
export class FieldSet implements Iterable<Path> {
  static readonly empty: FieldSet = new FieldSet(new Map(), new Map());

  private constructor(
    private readonly members: ReadonlyMap<string, PathElement>,
    private readonly children: ReadonlyMap<string, ChildEntry>,
  ) {
    Object.freeze(this);
  }

  static of(paths: Iterable<Path>): FieldSet {
    const builder = new FieldSetBuilder();
    for (const path of paths) builder.insert(path);
    return builder.build();
  }

  /** @internal assembles a node; empty child sets are dropped, as SMD never keeps them. */
  static fromParts(members: readonly PathElement[], children: readonly ChildEntry[]): FieldSet {
    const memberMap = new Map<string, PathElement>();
    for (const element of [...members].sort(compareElements))
      memberMap.set(serializeElement(element), element);
    const childMap = new Map<string, ChildEntry>();
    const sorted = children
      .filter((child) => !child.set.isEmpty())
      .sort((a, b) => compareElements(a.element, b.element));
    for (const child of sorted) childMap.set(serializeElement(child.element), child);
    if (memberMap.size === 0 && childMap.size === 0) return FieldSet.empty;
    return new FieldSet(memberMap, childMap);
  }

  isEmpty(): boolean {
    return this.members.size === 0 && this.children.size === 0;
  }

  /** Member elements at this level, in SMD order. */
  memberElements(): readonly PathElement[] {
    return [...this.members.values()];
  }

  /** Child sets at this level, in SMD order. */
  childEntries(): readonly ChildEntry[] {
    return [...this.children.values()];
  }

  hasMember(element: PathElement): boolean {
    return this.members.has(serializeElement(element));
  }

  /** The set of paths below `element` (relative to it); empty when there are none. */
  withPrefix(element: PathElement): FieldSet {
    return this.children.get(serializeElement(element))?.set ?? FieldSet.empty;
  }

  has(path: Path): boolean {
    if (path.length === 0) return false;
    const [head, ...rest] = path;
    if (rest.length === 0) return this.hasMember(head);
    return this.withPrefix(head).has(rest);
  }

  union(other: FieldSet): FieldSet {
    if (other.isEmpty()) return this;
    if (this.isEmpty()) return other;
    const members = new Map([...this.members, ...other.members]);
    const children = new Map(this.children);
    for (const [key, child] of other.children) {
      const mine = children.get(key);
      children.set(
        key,
        mine === undefined ? child : { element: child.element, set: mine.set.union(child.set) },
      );
    }
    return FieldSet.fromParts([...members.values()], [...children.values()]);
  }

  /** Paths of this set that are not in `other` (exact paths: children of a removed member stay). */
  difference(other: FieldSet): FieldSet {
    if (other.isEmpty() || this.isEmpty()) return this;
    const members = [...this.members]
      .filter(([key]) => !other.members.has(key))
      .map(([, element]) => element);
    const children = [...this.children].map(([key, child]) => {
      const theirs = other.children.get(key);
      return theirs === undefined ? child : { element: child.element, set: child.set.difference(theirs.set) };
    });
    return FieldSet.fromParts(members, children);
  }

  intersection(other: FieldSet): FieldSet {
    if (other.isEmpty() || this.isEmpty()) return FieldSet.empty;
    const members = [...this.members].filter(([key]) => other.members.has(key)).map(([, element]) => element);
    const children: ChildEntry[] = [];
    for (const [key, child] of this.children) {
      const theirs = other.children.get(key);
      if (theirs !== undefined)
        children.push({ element: child.element, set: child.set.intersection(theirs.set) });
    }
    return FieldSet.fromParts(members, children);
  }

  /**
   * Removes the paths of `other` and everything below the members of `other` (SMD
   * RecursiveDifference, used for reset fields such as `status`).
   */
  recursiveDifference(other: FieldSet): FieldSet {
    if (other.isEmpty() || this.isEmpty()) return this;
    const members = [...this.members]
      .filter(([key]) => !other.members.has(key))
      .map(([, element]) => element);
    const children: ChildEntry[] = [];
    for (const [key, child] of this.children) {
      if (other.members.has(key)) continue;
      const theirs = other.children.get(key);
      children.push(
        theirs === undefined
          ? child
          : { element: child.element, set: child.set.recursiveDifference(theirs.set) },
      );
    }
    return FieldSet.fromParts(members, children);
  }

  /** Members that have no members below them (SMD `Leaves`). */
  leaves(): FieldSet {
    const members = [...this.members]
      .filter(([key]) => !this.children.has(key))
      .map(([, element]) => element);
    const children = [...this.children.values()].map((child) => ({
      element: child.element,
      set: child.set.leaves(),
    }));
    return FieldSet.fromParts(members, children);
  }

  equals(other: FieldSet): boolean {
    if (this.members.size !== other.members.size || this.children.size !== other.children.size) return false;
    for (const key of this.members.keys()) if (!other.members.has(key)) return false;
    for (const [key, child] of this.children) {
      const theirs = other.children.get(key);
      if (theirs === undefined || !child.set.equals(theirs.set)) return false;
    }
    return true;
  }

  /** Member paths in SMD's `Iterate` order: this level's members, then each child's paths. */
  paths(): readonly Path[] {
    const out: Path[] = [];
    this.collect([], out);
    return out;
  }

  get size(): number {
    let count = this.members.size;
    for (const child of this.children.values()) count += child.set.size;
    return count;
  }

  [Symbol.iterator](): Iterator<Path> {
    return this.paths()[Symbol.iterator]();
  }

  private collect(prefix: Path, out: Path[]): void {
    for (const element of this.members.values()) out.push([...prefix, element]);
    for (const child of this.children.values()) child.set.collect([...prefix, child.element], out);
  }
}

/** Mutable accumulator for building a FieldSet path by path. */
export class FieldSetBuilder {
  private readonly members = new Map<string, PathElement>();
  private readonly children = new Map<string, { element: PathElement; builder: FieldSetBuilder }>();

  insert(path: Path): this {
    if (path.length === 0) return this;
    const [head, ...rest] = path;
    const key = serializeElement(head);
    if (rest.length === 0) {
      this.members.set(key, head);
      return this;
    }
    let child = this.children.get(key);
    if (child === undefined) {
      child = { element: head, builder: new FieldSetBuilder() };
      this.children.set(key, child);
    }
    child.builder.insert(rest);
    return this;
  }

  build(): FieldSet {
    const children = [...this.children.values()].map((child) => ({
      element: child.element,
      set: child.builder.build(),
    }));
    return FieldSet.fromParts([...this.members.values()], children);
  }
}
