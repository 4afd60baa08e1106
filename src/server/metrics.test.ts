import { describe, expect, it } from "vitest";
import type { WatchState } from "../controller/watch.js";
import { createFleetMetrics, createWatchMetrics } from "./metrics.js";

function state(drifted: number): () => WatchState {
  return () => ({
    ready: true,
    statuses: new Map(),
    counts: { InSync: 3, Drifted: drifted, Missing: 0, Extra: 0, Error: 0 },
    episodesOpened: drifted,
    watchRestarts: 0,
  });
}

const web = { group: "apps", version: "v1", kind: "Deployment", namespace: "shop", name: "web" };

describe("watch metrics", () => {
  it("label every series with its cluster when one process watches several", async () => {
    const { registry, listeners } = createFleetMetrics([
      { cluster: "east", state: state(1) },
      { cluster: "west", state: state(2) },
    ]);
    listeners[0]?.onStatus?.(web, "Drifted", 1);
    listeners[1]?.onStatus?.(web, "InSync", 0);
    listeners[1]?.onFullSync?.(0.5, true);
    const text = await registry.metrics();
    expect(text).toContain('kubedrift_resources{cluster="east",status="Drifted"} 1');
    expect(text).toContain('kubedrift_resources{cluster="west",status="Drifted"} 2');
    expect(text).toContain(
      'kubedrift_resource_drifted{cluster="east",kind="Deployment",namespace="shop",name="web"} 1',
    );
    expect(text).toContain(
      'kubedrift_resource_drifted{cluster="west",kind="Deployment",namespace="shop",name="web"} 0',
    );
    expect(text).toContain('kubedrift_resync_duration_seconds{cluster="west"} 0.5');
    expect(text).toContain('kubedrift_heals_total{cluster="east",result="failed"} 0');
  });

  it("name no cluster when the process watches one, as before fleets", async () => {
    const { registry, listener } = createWatchMetrics(state(1));
    listener.onStatus?.(web, "Drifted", 1);
    listener.onFullSync?.(0.25, true);
    const text = await registry.metrics();
    expect(text).toContain('kubedrift_resources{status="Drifted"} 1');
    expect(text).toContain('kubedrift_resource_drifted{kind="Deployment",namespace="shop",name="web"} 1');
    expect(text).toContain("kubedrift_resync_duration_seconds 0.25");
    expect(text).not.toContain("cluster=");
  });
});
