import { describe, expect, it } from "vitest";
import { groupAcrossClusters, sharedByClusters } from "./groups.js";
import type { Episode, EpisodeChange } from "./types.js";

const at = "2026-12-02T10:00:00.000Z";

function episode(id: string, cluster: string, changes: readonly EpisodeChange[], name = "web"): Episode {
  return {
    id,
    cluster,
    resource: { group: "apps", kind: "Deployment", namespace: "shop", name },
    startedAt: at,
    endedAt: null,
    endedBy: null,
    contested: false,
    contestedBy: null,
    contestedField: null,
    changes,
  };
}

const change = (more: Partial<EpisodeChange>): EpisodeChange => ({
  path: "/spec/template/spec/containers/0/resources",
  type: "Changed",
  firstSeen: at,
  lastSeen: at,
  ...more,
});

describe("the same drift in several clusters", () => {
  it("is the same resource with the same fields and values, whatever the key order, who or when", () => {
    const groups = groupAcrossClusters([
      episode("1", "east", [
        change({
          desired: { limits: { cpu: "1" }, requests: { cpu: "500m" } },
          live: { limits: { cpu: "2" } },
          manager: "kubectl-edit",
        }),
      ]),
      episode("2", "west", [
        change({
          desired: { requests: { cpu: "500m" }, limits: { cpu: "1" } },
          live: { limits: { cpu: "2" } },
          manager: "kubectl-patch",
          user: "bob",
        }),
      ]),
      episode("3", "north", [change({ desired: { limits: { cpu: "1" } }, live: { limits: { cpu: "3" } } })]),
      episode(
        "4",
        "south",
        [change({ desired: { limits: { cpu: "1" } }, live: { limits: { cpu: "2" } } })],
        "api",
      ),
    ]);
    expect(groups.map((group) => [group.resource.name, group.clusters])).toEqual([
      ["web", ["east", "west"]],
      ["web", ["north"]],
      ["api", ["south"]],
    ]);
    expect(groups[0]?.changes).toEqual([
      {
        path: "/spec/template/spec/containers/0/resources",
        type: "Changed",
        desired: { limits: { cpu: "1" }, requests: { cpu: "500m" } },
        live: { limits: { cpu: "2" } },
      },
    ]);
  });

  it("groups withheld values by their keyed hashes only, and never carries a value beside them", () => {
    const secret = (live: string): EpisodeChange =>
      change({ path: "/data/password", redacted: { desired: "aaaa", live } });
    const shared = sharedByClusters([
      episode("1", "east", [secret("bbbb")], "db"),
      episode("2", "west", [secret("bbbb")], "db"),
      episode("3", "north", [secret("cccc")], "db"),
    ]);
    expect(shared).toHaveLength(1);
    expect(shared[0]).toMatchObject({ clusters: ["east", "west"], open: 2 });
    expect(shared[0]?.changes).toEqual([
      { path: "/data/password", type: "Changed", redacted: { desired: "aaaa", live: "bbbb" } },
    ]);
  });
});
