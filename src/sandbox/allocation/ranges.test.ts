import { describe, expect, it } from "vitest";
import { OffsetBitmap } from "./bitmap.js";
import { formatIPv4, parseIPv4, parsePortRange, parseServiceCIDR, staticBandSize } from "./ranges.js";

describe("service ranges", () => {
  it("parses IPv4 CIDRs as kube-apiserver's flag, masking host bits", () => {
    expect(parseServiceCIDR("10.96.0.0/12")).toEqual({
      text: "10.96.0.0/12",
      network: parseIPv4("10.96.0.0"),
      prefixLength: 12,
      size: 1048574,
    });
    expect(parseServiceCIDR("10.0.0.5/29").text).toBe("10.0.0.0/29");
    expect(parseServiceCIDR("192.168.7.0/30").size).toBe(2);
    expect(() => parseServiceCIDR("fd00::/108")).toThrow(
      'invalid CIDR "fd00::/108" (only IPv4 ranges are supported)',
    );
    expect(() => parseServiceCIDR("10.0.0.256/24")).toThrow('invalid CIDR "10.0.0.256/24"');
    expect(() => parseServiceCIDR("10.0.0.0")).toThrow('invalid CIDR "10.0.0.0"');
    expect(() => parseServiceCIDR("10.0.0.0/31")).toThrow(
      "specified range 10.0.0.0/31 has no usable addresses",
    );
    expect(() => parseServiceCIDR("10.0.0.0/11")).toThrow(
      "specified range 10.0.0.0/11 is too large; for 32-bit addresses, the mask must be >= 12",
    );
  });

  it("formats and parses addresses", () => {
    expect(formatIPv4(parseIPv4("10.111.255.254") ?? 0)).toBe("10.111.255.254");
    expect(parseIPv4("010.0.0.1")).toBeUndefined();
    expect(parseIPv4("10.0.0")).toBeUndefined();
  });

  it("parses node port ranges", () => {
    expect(parsePortRange("30000-32767")).toEqual({ text: "30000-32767", base: 30000, size: 2768 });
    expect(() => parsePortRange("30000")).toThrow(
      'invalid port range "30000" (expected FROM-TO within 1-65535)',
    );
    expect(() => parsePortRange("0-10")).toThrow('invalid port range "0-10"');
  });

  it("leaves kube's static band below dynamic allocations (KEP-3070)", () => {
    expect(staticBandSize(parseServiceCIDR("10.96.0.0/12"))).toBe(256);
    expect(staticBandSize(parseServiceCIDR("10.0.0.0/24"))).toBe(16);
    expect(staticBandSize(parseServiceCIDR("10.0.0.0/20"))).toBe(256);
    expect(staticBandSize(parseServiceCIDR("10.0.0.0/22"))).toBe(64);
    expect(staticBandSize(parseServiceCIDR("10.0.0.0/28"))).toBe(0);
  });
});

describe("OffsetBitmap", () => {
  it("hands out free offsets from its cursor, wrapping, until full", () => {
    const bitmap = new OffsetBitmap(4, 2);
    bitmap.hold(3);
    expect([bitmap.holdNext(), bitmap.holdNext(), bitmap.holdNext()]).toEqual([2, 0, 1]);
    expect(bitmap.holdNext()).toBeUndefined();
    bitmap.release(0);
    expect(bitmap.free).toBe(1);
    expect(bitmap.holdNext()).toBe(0);
  });

  it("keeps an offset until every holder has let go", () => {
    const bitmap = new OffsetBitmap(2);
    bitmap.hold(1);
    bitmap.hold(1);
    bitmap.release(1);
    expect(bitmap.has(1)).toBe(true);
    bitmap.release(1);
    bitmap.release(1);
    expect([bitmap.has(1), bitmap.free]).toEqual([false, 2]);
  });
});
