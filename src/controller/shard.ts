/**
 * `watch --shard I/N` (issue 17, part 4): the namespaces of one very large cluster split across N
 * replicas by a stable hash, each replica watching, caching and recording only its own.
 *
 * The hash is part of the contract, not an implementation detail: it decides which replica owns
 * which namespace, in every replica of a fleet at once. It is FNV-1a (32 bits) of the namespace's
 * UTF-8 bytes, modulo N, and it must never change between versions: a replica upgraded to another
 * hash would claim namespaces its neighbours still watch (and drop others nobody watches) until
 * every replica runs the same version. The unit tests write the expected shard of a few names out.
 */

/** Replica `index` of `count`: 0 ≤ index < count. */
export interface Shard {
  readonly index: number;
  readonly count: number;
}

export class ShardError extends Error {}

/** `--shard I/N`, as `0/3`; anything else is one line saying what was expected. */
export function parseShard(text: string): Shard {
  const match = /^\s*(\d{1,6})\s*\/\s*(\d{1,6})\s*$/.exec(text);
  const index = Number(match?.[1]);
  const count = Number(match?.[2]);
  if (match === null || count < 1 || index >= count)
    throw new ShardError(`--shard: expected I/N with 0 ≤ I < N, as 0/3, got ${JSON.stringify(text)}`);
  return { index, count };
}

/** `I/N`, as the flag is written: what logs and metrics name the shard by. */
export function shardText(shard: Shard): string {
  return `${shard.index}/${shard.count}`;
}

const fnvOffset = 0x811c9dc5;
const fnvPrime = 0x01000193;

/** FNV-1a, 32 bits, of the UTF-8 bytes of `text`: the shard hash (never to change, see above). */
export function fnv1a32(text: string): number {
  let hash = fnvOffset;
  for (const byte of new TextEncoder().encode(text)) {
    hash ^= byte;
    hash = Math.imul(hash, fnvPrime) >>> 0;
  }
  return hash >>> 0;
}

/** The shard that owns `namespace` of `count`; cluster-scoped objects (namespace "") belong to shard 0. */
export function shardOf(namespace: string, count: number): number {
  if (namespace === "") return 0;
  return fnv1a32(namespace) % count;
}

/** Whether `shard` owns `namespace` ("" for cluster-scoped objects: shard 0 only). */
export function namespaceInShard(namespace: string, shard: Shard): boolean {
  return shardOf(namespace, shard.count) === shard.index;
}

/** The objects of `shard`'s namespaces (all of them without a shard). */
export function inShard<T extends { readonly ref: { readonly namespace: string } }>(
  objects: readonly T[],
  shard: Shard | undefined,
): readonly T[] {
  if (shard === undefined) return objects;
  return objects.filter((object) => namespaceInShard(object.ref.namespace, shard));
}

/** The Lease of a shard's replicas: each shard elects its own leader (`kubedrift-shard-0-of-2`). */
export function shardLeaseName(name: string, shard: Shard): string {
  return `${name}-shard-${shard.index}-of-${shard.count}`;
}
