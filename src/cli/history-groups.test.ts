import { stripVTControlCharacters } from "node:util";
import { describe, expect, it } from "vitest";
import type { Episode, EpisodeChange } from "../store/index.js";
import { renderGroupsJson, renderGroupsText } from "./history-groups.js";
import { renderHistoryText } from "./history-render.js";

const replicas = (live: number, at: string, manager = "kubectl"): EpisodeChange => ({
  path: "/spec/replicas",
  type: "Changed",
  desired: 3,
  live,
  manager,
  operation: "Update",
  firstSeen: at,
  lastSeen: at,
});

function episode(id: string, cluster: string, at: string, changes: readonly EpisodeChange[]): Episode {
  return {
    id,
    cluster,
    resource: { group: "apps", kind: "Deployment", namespace: "shop", name: "web" },
    startedAt: at,
    endedAt: null,
    endedBy: null,
    contested: false,
    contestedBy: null,
    contestedField: null,
    changes,
  };
}

// The same scale to 5 in two clusters (by different managers: who did it is not what drifted), a scale to 7 in one.
const episodes: readonly Episode[] = [
  episode("3", "prod-us", "2026-12-02T10:05:00.000Z", [replicas(7, "2026-12-02T10:05:00.000Z")]),
  episode("2", "prod-us", "2026-12-02T10:02:00.000Z", [
    replicas(5, "2026-12-02T10:02:00.000Z", "kubectl-edit"),
  ]),
  episode("1", "prod-eu", "2026-12-02T10:00:00.000Z", [replicas(5, "2026-12-02T10:00:00.000Z")]),
];

describe("history --group-clusters", () => {
  it("names the clusters of each drift, the shared ones first", () => {
    const text = stripVTControlCharacters(renderGroupsText(episodes, { color: false, filter: "" }));
    expect(text.split("\n")).toEqual([
      "2 drifts in 3 episodes, 1 seen in several clusters",
      "",
      "Deployment shop/web  in 2 clusters: prod-eu, prod-us  (2 episodes, 2 open), first seen 2026-12-02T10:00:00Z",
      "  spec.replicas: 3 → 5",
      "",
      "Deployment shop/web  in 1 cluster: prod-us  (1 episode, 1 open), first seen 2026-12-02T10:05:00Z",
      "  spec.replicas: 3 → 7",
      "",
    ]);
  });

  it("adds the groups to the JSON history, naming their episodes", () => {
    const json = JSON.parse(renderGroupsJson(episodes)) as {
      episodes: readonly { id: string; cluster: string }[];
      groups: readonly { clusters: readonly string[]; episodes: readonly { id: string }[]; open: number }[];
    };
    expect(json.episodes.map((one) => [one.id, one.cluster])).toEqual([
      ["3", "prod-us"],
      ["2", "prod-us"],
      ["1", "prod-eu"],
    ]);
    expect(
      json.groups.map((group) => [group.clusters, group.episodes.map((one) => one.id), group.open]),
    ).toEqual([
      [["prod-eu", "prod-us"], ["2", "1"], 2],
      [["prod-us"], ["3"], 1],
    ]);
  });

  it("prefixes each episode with its cluster when they are of several, and names an unknown one", () => {
    const now = new Date("2026-12-02T10:30:00Z");
    const fleet = stripVTControlCharacters(renderHistoryText(episodes, { color: false, now, filter: "" }));
    expect(fleet).toContain("[prod-us] Deployment shop/web  drifted 2026-12-02T10:05:00Z, open for 25m");
    expect(fleet).toContain("[prod-eu] Deployment shop/web  drifted 2026-12-02T10:00:00Z, open for 30m");
    const one = renderHistoryText(episodes.slice(0, 1), { color: false, now, filter: "" });
    expect(one).not.toContain("[prod-us]");
    const unknown = renderHistoryText([episode("9", "", "2026-12-02T10:00:00.000Z", [])], {
      color: false,
      now,
      filter: "",
      showClusters: true,
    });
    expect(unknown).toContain("[(unknown cluster)] Deployment shop/web");
  });
});
