import { stripVTControlCharacters } from "node:util";
import { describe, expect, it } from "vitest";
import type { Episode } from "../store/index.js";
import {
  csvField,
  formatSpan,
  renderHistory,
  renderHistoryCsv,
  renderHistoryJson,
  renderHistoryText,
} from "./history-render.js";

const now = new Date("2026-12-02T10:30:00Z");

const reverted: Episode = {
  id: "1",
  cluster: "",
  resource: { group: "apps", kind: "Deployment", namespace: "shop", name: "web" },
  startedAt: "2026-12-02T10:00:00.000Z",
  endedAt: "2026-12-02T10:04:12.000Z",
  endedBy: "reverted",
  contested: false,
  contestedBy: null,
  contestedField: null,
  changes: [
    {
      path: "/spec/replicas",
      type: "Changed",
      desired: 3,
      live: 5,
      manager: "kubectl",
      operation: "Update",
      subresource: "scale",
      user: "alice",
      firstSeen: "2026-12-02T10:00:00.000Z",
      lastSeen: "2026-12-02T10:04:00.000Z",
    },
  ],
};

const contested: Episode = {
  id: "3",
  cluster: "",
  resource: { group: "apps", kind: "Deployment", namespace: "shop", name: "api" },
  startedAt: "2026-12-02T10:18:00.000Z",
  endedAt: null,
  endedBy: null,
  contested: true,
  contestedBy: "hpa-controller",
  contestedField: "/spec/replicas",
  changes: [
    {
      path: "/spec/replicas",
      type: "Changed",
      desired: 2,
      live: 4,
      manager: "kubedrift",
      operation: "Apply",
      firstSeen: "2026-12-02T10:18:00.000Z",
      lastSeen: "2026-12-02T10:18:00.000Z",
      contestedBy: "hpa-controller",
    },
  ],
};

const secret: Episode = {
  id: "2",
  cluster: "",
  resource: { group: "", kind: "Secret", namespace: "shop", name: "db" },
  startedAt: "2026-12-02T10:10:00.000Z",
  endedAt: null,
  endedBy: null,
  contested: false,
  contestedBy: null,
  contestedField: null,
  changes: [
    {
      path: "/data/password",
      type: "Changed",
      redacted: { desired: "83930f25e67c4250", live: "2c5cafc49850e30d" },
      manager: "kubectl-edit",
      operation: "Update",
      firstSeen: "2026-12-02T10:10:00.000Z",
      lastSeen: "2026-12-02T10:12:00.000Z",
    },
    {
      path: "/metadata/labels/app.kubernetes.io~1name",
      type: "Added",
      reason: "outOfBand",
      live: "db",
      manager: "kubectl-label",
      operation: "Update",
      firstSeen: "2026-12-02T10:11:00.000Z",
      lastSeen: "2026-12-02T10:11:00.000Z",
    },
  ],
};

const episodes = [contested, secret, reverted];
const options = { color: false, now, filter: "" };

describe("history text", () => {
  it("one block per episode: the resource, when, how long and how it ended, then each change", () => {
    expect(renderHistoryText(episodes, options)).toBe(
      [
        "3 episodes, 2 open",
        "",
        "Deployment shop/api  drifted 2026-12-02T10:18:00Z, open for 12m, contested by hpa-controller",
        "  spec.replicas: 2 → 4  by kubedrift (Apply), seen 2026-12-02T10:18:00Z, contested by hpa-controller",
        "  to end the fight, add to kubedrift.yaml: ignore: [{path: /spec/replicas, kinds: [apps/Deployment], namespaces: [shop], names: [api]}]",
        "",
        "Secret shop/db  drifted 2026-12-02T10:10:00Z, open for 20m",
        "  data.password: (redacted 83930f25e67c4250) → (redacted 2c5cafc49850e30d)  by kubectl-edit (Update), seen 2026-12-02T10:10:00Z – 10:12:00Z",
        '  metadata.labels["app.kubernetes.io/name"]: added "db"  by kubectl-label (Update), seen 2026-12-02T10:11:00Z',
        "",
        "Deployment shop/web  drifted 2026-12-02T10:00:00Z – 10:04:12Z (4m12s), reverted",
        "  spec.replicas: 3 → 5  by kubectl (Update, subresource scale), user alice, seen 2026-12-02T10:00:00Z – 10:04:00Z",
        "",
      ].join("\n"),
    );
  });

  it("with colour: the same text under the escape codes, and none without", () => {
    const coloured = renderHistoryText(episodes, { ...options, color: true });
    expect(coloured).not.toBe(renderHistoryText(episodes, options));
    expect(coloured).toContain("\u001b[");
    expect(stripVTControlCharacters(coloured)).toBe(renderHistoryText(episodes, options));
    expect(renderHistoryText(episodes, options)).not.toContain("\u001b");
  });

  it("nothing recorded: says so and names the filter", () => {
    expect(renderHistoryText([], options)).toBe("No drift recorded\n");
    expect(renderHistoryText([], { ...options, filter: "namespace shop, open only" })).toBe(
      "No drift recorded (namespace shop, open only)\n",
    );
  });

  it("a full page says there may be more, and the summary names the filter", () => {
    expect(renderHistoryText([reverted], { ...options, limit: 1, filter: "kind deployment" })).toMatch(
      /^1 episode, 0 open \(the newest 1; --limit for more\) \(kind deployment\)\n/,
    );
  });

  it("an episode that ends on another day shows the full end time; a cluster-scoped resource has no namespace", () => {
    const long: Episode = {
      ...reverted,
      resource: { group: "", kind: "Namespace", namespace: "", name: "shop" },
      endedAt: "2026-12-04T13:00:00.000Z",
      endedBy: "healed",
    };
    expect(renderHistoryText([long], options).split("\n")[2]).toBe(
      "Namespace shop  drifted 2026-12-02T10:00:00Z – 2026-12-04T13:00:00Z (2d3h), healed",
    );
  });

  it("spans: the two largest units", () => {
    expect(formatSpan(0)).toBe("0s");
    expect(formatSpan(999)).toBe("0s");
    expect(formatSpan(252_000)).toBe("4m12s");
    expect(formatSpan(7_200_000)).toBe("2h");
    expect(formatSpan(3 * 86_400_000 + 5 * 60_000)).toBe("3d");
    expect(formatSpan(90_061_000)).toBe("1d1h");
    expect(formatSpan(-5)).toBe("0s");
  });
});

describe("history JSON", () => {
  it("a DriftHistory document with the store's fields: RFC 3339 times, JSON Pointer paths, hashes only", () => {
    const document = JSON.parse(renderHistoryJson(episodes));
    expect(document).toEqual({ apiVersion: "kubedrift.dev/v1", kind: "DriftHistory", episodes });
    expect(document.episodes[1].changes[0]).not.toHaveProperty("live");
    expect(document.episodes[1].changes[1].path).toBe("/metadata/labels/app.kubernetes.io~1name");
    expect(JSON.parse(renderHistory([], "json", options))).toEqual({
      apiVersion: "kubedrift.dev/v1",
      kind: "DriftHistory",
      episodes: [],
    });
  });
});

/** An RFC 4180 reader, to read back what was written. */
function parseCsv(text: string): string[][] {
  const rows: string[][] = [];
  let row: string[] = [];
  let field = "";
  let quoted = false;
  const endField = (): void => {
    row.push(field);
    field = "";
  };
  for (let i = 0; i < text.length; i++) {
    const c = text[i];
    const next = text[i + 1];
    if (quoted && c === '"' && next === '"') {
      field += '"';
      i++;
    } else if (quoted && c === '"') quoted = false;
    else if (quoted) field += c;
    else if (c === '"') quoted = true;
    else if (c === ",") endField();
    else if (c === "\r" && next === "\n") {
      endField();
      rows.push(row);
      row = [];
      i++;
    } else field += c;
  }
  expect(field).toBe("");
  expect(row).toEqual([]);
  return rows;
}

describe("history CSV", () => {
  it("a header, then one row per change with its episode's columns", () => {
    const rows = parseCsv(renderHistoryCsv(episodes));
    expect(rows[0]).toEqual([
      "episode",
      "group",
      "kind",
      "namespace",
      "name",
      "startedAt",
      "endedAt",
      "endedBy",
      "contestedBy",
      "path",
      "type",
      "reason",
      "desired",
      "live",
      "desiredHash",
      "liveHash",
      "manager",
      "operation",
      "subresource",
      "user",
      "changedAt",
      "firstSeen",
      "lastSeen",
      "groups",
      "userAgent",
      "sourceIPs",
      "breakGlass",
      "cluster",
    ]);
    expect(rows).toHaveLength(5);
    for (const row of rows) expect(row).toHaveLength(28);
    expect(rows[2]?.slice(0, 5)).toEqual(["2", "", "Secret", "shop", "db"]);
    expect(rows[2]?.slice(9, 16)).toEqual([
      "/data/password",
      "Changed",
      "",
      "",
      "",
      "83930f25e67c4250",
      "2c5cafc49850e30d",
    ]);
    expect(rows[4]?.slice(6, 14)).toEqual([
      "2026-12-02T10:04:12.000Z",
      "reverted",
      "",
      "/spec/replicas",
      "Changed",
      "",
      "3",
      "5",
    ]);
  });

  it("keeps a spreadsheet from running a name as a formula, and numbers as they are", () => {
    const episode: Episode = {
      ...reverted,
      changes: [
        {
          path: "/spec/replicas",
          type: "Changed",
          desired: 3,
          live: -1,
          manager: '=HYPERLINK("http://x")',
          user: "@alice",
          firstSeen: reverted.startedAt,
          lastSeen: reverted.startedAt,
        },
      ],
    };
    const [, row] = parseCsv(renderHistoryCsv([episode]));
    expect(row?.[13]).toBe("-1");
    expect(row?.[16]).toBe('\'=HYPERLINK("http://x")');
    expect(row?.[19]).toBe("'@alice");
  });

  it("RFC 4180 quoting: commas, quotes and line breaks in values survive a round trip", () => {
    const awkward = 'a,b "quoted"\nsecond line\r\nthird';
    const episode: Episode = {
      ...reverted,
      resource: { ...reverted.resource, name: "we,b" },
      changes: [
        {
          path: "/data/config",
          type: "Changed",
          desired: awkward,
          live: { "k,1": ['"x"'] },
          manager: 'odd "manager"',
          operation: "Update",
          firstSeen: reverted.startedAt,
          lastSeen: reverted.startedAt,
        },
      ],
    };
    const text = renderHistoryCsv([episode]);
    expect(text.split("\r\n")[1]).toContain('"we,b"');
    expect(text).toContain('"odd ""manager"""');
    const rows = parseCsv(text);
    expect(rows).toHaveLength(2);
    expect(rows[1]?.[4]).toBe("we,b");
    expect(JSON.parse(rows[1]?.[12] ?? "")).toBe(awkward);
    expect(JSON.parse(rows[1]?.[13] ?? "")).toEqual({ "k,1": ['"x"'] });
    expect(rows[1]?.[16]).toBe('odd "manager"');
    expect(csvField("plain")).toBe("plain");
    expect(csvField("two\nlines")).toBe('"two\nlines"');
    expect(csvField('say "hi"')).toBe('"say ""hi"""');
  });

  it("nothing recorded: the header only", () => {
    expect(renderHistory([], "csv", options).split("\r\n")).toHaveLength(2);
  });
});
