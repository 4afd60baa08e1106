/** watch's log lines: words on a terminal, JSON lines elsewhere; one per episode opened or closed. */
import { describe, expect, it } from "vitest";
import type { Episode } from "../store/index.js";
import { logLines, logListener } from "./watch-log.js";

const episode: Episode = {
  id: "7",
  cluster: "",
  resource: { group: "apps", kind: "Deployment", namespace: "shop", name: "web" },
  startedAt: "2026-12-02T07:00:00.000Z",
  endedAt: "2026-12-02T07:05:00.000Z",
  endedBy: "reverted",
  contested: false,
  contestedBy: null,
  contestedField: null,
  changes: [
    {
      path: "/spec/replicas",
      type: "Changed",
      desired: 2,
      live: 5,
      manager: "kubectl",
      subresource: "scale",
      firstSeen: "2026-12-02T07:00:00.000Z",
      lastSeen: "2026-12-02T07:00:00.000Z",
    },
  ],
};

function capture(isTTY: boolean): {
  written: string[];
  stream: { isTTY: boolean; write: (text: string) => boolean };
} {
  const written: string[] = [];
  return { written, stream: { isTTY, write: (text) => written.push(text) > 0 } };
}

describe("watch's log", () => {
  it("drops lines below --log-level and marks warnings on a terminal", () => {
    const { written, stream } = capture(true);
    const log = logLines(stream, { level: "warn" });
    log("synced", {});
    log("watch restarted", { end: "closed" }, "debug");
    log("heal failed", { error: "422 Invalid" }, "warn");
    expect(written).toEqual(["warning: heal failed error=422 Invalid\n"]);
  });

  it("tells a contest with the ignore rule that would end it", () => {
    const { written, stream } = capture(false);
    logListener(logLines(stream)).onEpisodeContested?.(
      {
        ...episode,
        endedAt: null,
        endedBy: null,
        contested: true,
        contestedBy: "hpa",
        contestedField: "/spec/replicas",
      },
      { field: "/spec/replicas", manager: "hpa", flips: 3, rule: "{path: /spec/replicas}" },
    );
    expect(JSON.parse(written[0] ?? "")).toMatchObject({
      level: "warn",
      msg: "drift contested: healing this field stopped",
      field: "/spec/replicas",
      by: "hpa",
      flips: 3,
      ignoreRule: "{path: /spec/replicas}",
    });
  });

  it("writes JSON lines when stderr is not a terminal", () => {
    const { written, stream } = capture(false);
    const listener = logListener(logLines(stream, { now: () => new Date(Date.UTC(2026, 11, 2, 7, 5)) }));
    listener.onEpisodeClosed?.(episode);
    expect(written).toHaveLength(1);
    expect(JSON.parse(written[0] ?? "")).toEqual({
      time: "2026-12-02T07:05:00.000Z",
      level: "info",
      msg: "drift closed",
      resource: "Deployment shop/web",
      kind: "Deployment",
      namespace: "shop",
      name: "web",
      episode: "7",
      fields: ["/spec/replicas"],
      managers: ["kubectl"],
      at: "2026-12-02T07:05:00.000Z",
      how: "reverted",
    });
  });

  it("writes one line of words on a terminal", () => {
    const { written, stream } = capture(true);
    logListener(logLines(stream)).onEpisodeOpened?.(episode);
    expect(written).toEqual([
      'drift opened resource=Deployment shop/web kind=Deployment namespace=shop name=web episode=7 fields=["/spec/replicas"] managers=["kubectl"] at=2026-12-02T07:00:00.000Z\n',
    ]);
  });
});
