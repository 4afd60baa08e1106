import { describe, expect, it } from "vitest";
import { formatTime } from "./time.js";

describe("formatTime", () => {
  it("writes RFC 3339 in UTC with whole seconds, as metav1.Time", () => {
    expect(formatTime(new Date("2026-11-22T12:00:00.999Z"))).toBe("2026-11-22T12:00:00Z");
    expect(formatTime(new Date(0))).toBe("1970-01-01T00:00:00Z");
  });
});
