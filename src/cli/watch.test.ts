/** watch's log lines: words on a terminal, JSON lines elsewhere; one per episode opened or closed. */
import { describe, expect, it } from "vitest";
import type { Episode } from "../store/index.js";
import { logLines, logListener } from "./watch.js";

const episode: Episode = {
  id: "7",
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
  it("writes JSON lines when stderr is not a terminal", () => {
    const { written, stream } = capture(false);
    const listener = logListener(logLines(stream, () => new Date(Date.UTC(2026, 11, 2, 7, 5))));
    listener.onEpisodeClosed?.(episode);
    expect(written).toHaveLength(1);
    expect(JSON.parse(written[0] ?? "")).toEqual({
      time: "2026-12-02T07:05:00.000Z",
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
