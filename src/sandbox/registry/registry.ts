import type { ResourceInfo } from "./types.js";
import { builtinResources } from "./builtin.js";

/** The API groups and resources the sandbox serves: the built-in ones plus those of established CRDs. */
export class ResourceRegistry {
  readonly #builtin: readonly ResourceInfo[];
  /** Custom resources by CRD name (`widgets.example.com`), one entry per served version. */
  readonly #custom = new Map<string, readonly ResourceInfo[]>();
  #all: readonly ResourceInfo[];
  #generation = 0;

  constructor(builtin: readonly ResourceInfo[] = builtinResources) {
    this.#builtin = builtin;
    this.#all = builtin;
  }

  /** Bumped on every change, so that discovery and OpenAPI caches know when to rebuild. */
  get generation(): number {
    return this.#generation;
  }

  all(): readonly ResourceInfo[] {
    return this.#all;
  }

  find(group: string, version: string, resource: string): ResourceInfo | undefined {
    return this.#all.find((r) => r.group === group && r.version === version && r.resource === resource);
  }

  /** Any served version of a resource: the storage is shared between versions, as in etcd. */
  findAnyVersion(group: string, resource: string): ResourceInfo | undefined {
    return this.#all.find((r) => r.group === group && r.resource === resource);
  }

  findKind(group: string, version: string, kind: string): ResourceInfo | undefined {
    return this.#all.find((r) => r.group === group && r.version === version && r.kind === kind);
  }

  /** Groups in discovery order (the core group first), each with its versions. */
  groups(): readonly { readonly name: string; readonly versions: readonly string[] }[] {
    const byGroup = new Map<string, string[]>();
    for (const info of this.#all) {
      const versions = byGroup.get(info.group) ?? [];
      if (!versions.includes(info.version)) versions.push(info.version);
      byGroup.set(info.group, versions);
    }
    return [...byGroup].map(([name, versions]) => ({ name, versions }));
  }

  setCustom(crdName: string, resources: readonly ResourceInfo[]): void {
    if (resources.length === 0) this.#custom.delete(crdName);
    else this.#custom.set(crdName, resources);
    this.#all = [...this.#builtin, ...[...this.#custom.values()].flat()];
    this.#generation += 1;
  }

  isCustom(group: string, resource: string): boolean {
    for (const resources of this.#custom.values()) {
      if (resources.some((r) => r.group === group && r.resource === resource)) return true;
    }
    return false;
  }
}
