import { describe, expect, it } from "vitest";
import { formatAge } from "./age.js";

const now = new Date("2026-11-22T12:00:00Z");

describe("formatAge", () => {
  it("uses the largest whole unit, rounded down", () => {
    expect(formatAge("2026-11-22T11:59:15Z", now)).toBe("45s ago");
    expect(formatAge("2026-11-22T11:59:00Z", now)).toBe("1m ago");
    expect(formatAge("2026-11-22T11:57:00Z", now)).toBe("3m ago");
    expect(formatAge("2026-11-22T11:00:01Z", now)).toBe("59m ago");
    expect(formatAge("2026-11-22T10:00:00Z", now)).toBe("2h ago");
    expect(formatAge("2026-11-21T12:00:01Z", now)).toBe("23h ago");
    expect(formatAge("2026-11-17T09:00:00Z", now)).toBe("5d ago");
    expect(formatAge("2025-10-18T12:00:00Z", now)).toBe("400d ago");
  });

  it("reads the time zone of the timestamp", () => {
    expect(formatAge("2026-11-22T13:57:00+02:00", now)).toBe("3m ago");
  });

  it("says just now for the same second and for a timestamp ahead of the clock", () => {
    expect(formatAge("2026-11-22T12:00:00Z", now)).toBe("just now");
    expect(formatAge("2026-11-22T12:05:00Z", now)).toBe("just now");
  });

  it("gives nothing for an unreadable timestamp", () => {
    expect(formatAge("yesterday", now)).toBeUndefined();
  });
});
