import { describe, expect, it } from "vitest";
import {
  ShardError,
  fnv1a32,
  inShard,
  namespaceInShard,
  parseShard,
  shardLeaseName,
  shardOf,
  shardText,
} from "./shard.js";

describe("parseShard", () => {
  it("reads I/N", () => {
    expect(parseShard("0/3")).toEqual({ index: 0, count: 3 });
    expect(parseShard("2/3")).toEqual({ index: 2, count: 3 });
    expect(parseShard("0/1")).toEqual({ index: 0, count: 1 });
    expect(parseShard(" 1 / 2 ")).toEqual({ index: 1, count: 2 });
  });

  it.each(["3/3", "0/0", "-1/2", "1", "a/b", "1/2/3", "", "1.5/3", "0x1/2", "4/2"])(
    "refuses %j in one line",
    (text) => {
      expect(() => parseShard(text)).toThrow(ShardError);
      expect(() => parseShard(text)).toThrow(
        `--shard: expected I/N with 0 ≤ I < N, as 0/3, got ${JSON.stringify(text)}`,
      );
    },
  );

  it("writes the shard back as the flag is written, and names its Lease", () => {
    expect(shardText({ index: 1, count: 4 })).toBe("1/4");
    expect(shardLeaseName("kubedrift", { index: 0, count: 2 })).toBe("kubedrift-shard-0-of-2");
  });
});

describe("the shard hash: FNV-1a 32 of the namespace's UTF-8 bytes, modulo N", () => {
  it("is FNV-1a (its published test vectors)", () => {
    expect(fnv1a32("")).toBe(0x811c9dc5);
    expect(fnv1a32("a")).toBe(0xe40c292c);
    expect(fnv1a32("foobar")).toBe(0xbf9cf968);
  });

  // Written out: a change here reshuffles every sharded fleet (docs/fleet.md).
  it.each([
    ["default", 0, 0, 4],
    ["kube-system", 0, 2, 4],
    ["shop", 1, 2, 2],
    ["payments", 0, 0, 3],
    ["ns-00", 1, 2, 2],
    ["ns-03", 0, 2, 0],
    ["ns-06", 1, 0, 0],
    ["é", 1, 0, 2],
  ])("is stable: %s is in shard %i of 2, %i of 3, %i of 5", (name, of2, of3, of5) => {
    expect(shardOf(name, 2)).toBe(of2);
    expect(shardOf(name, 3)).toBe(of3);
    expect(shardOf(name, 5)).toBe(of5);
  });

  it('puts cluster-scoped objects (namespace "") in shard 0 only', () => {
    for (let count = 1; count <= 8; count += 1)
      for (let index = 0; index < count; index += 1)
        expect(namespaceInShard("", { index, count })).toBe(index === 0);
  });

  const names = Array.from({ length: 4000 }, (_, index) => `team-${index}-${(index * 7919) % 1000}`);

  it("puts every namespace in exactly one of N shards, N = 1..8", () => {
    for (let count = 1; count <= 8; count += 1) {
      const shards = Array.from({ length: count }, (_, index) => ({ index, count }));
      for (const name of names)
        expect(shards.filter((shard) => namespaceInShard(name, shard)).length).toBe(1);
    }
  });

  it("spreads namespaces roughly evenly (each shard within 15% of its share)", () => {
    for (let count = 2; count <= 8; count += 1) {
      const sizes = Array.from({ length: count }, () => 0);
      for (const name of names) sizes[shardOf(name, count)] += 1;
      const share = names.length / count;
      for (const size of sizes) expect(Math.abs(size - share) / share).toBeLessThan(0.15);
    }
  });

  it("keeps the objects of a shard's namespaces (all without a shard)", () => {
    const objects = ["shop", "payments", "", "ns-06"].map((namespace) => ({ ref: { namespace } }));
    expect(inShard(objects, { index: 0, count: 2 }).map((object) => object.ref.namespace)).toEqual([
      "payments",
      "",
    ]);
    expect(inShard(objects, { index: 1, count: 2 }).map((object) => object.ref.namespace)).toEqual([
      "shop",
      "ns-06",
    ]);
    expect(inShard(objects, undefined)).toBe(objects);
  });
});
