import { describe, expect, it } from "vitest";
import { canonicalQuantity, compareQuantities, isQuantity, parseQuantity } from "./quantity.js";

describe("canonicalQuantity", () => {
  // Expectations from apimachinery's quantity_test.go (TestQuantityParseEmit, TestQuantityString
  // alternates, TestQuantityParse) and from what kube-apiserver 1.32 stores.
  it.each([
    ["0", "0"],
    ["0n", "0"],
    ["0Ki", "0"],
    ["-0", "0"],
    ["0.0", "0"],
    ["1", "1"],
    ["1024", "1024"],
    ["0.5", "500m"],
    [".5", "500m"],
    ["1.5", "1500m"],
    ["1000m", "1"],
    ["1500m", "1500m"],
    ["100m", "100m"],
    ["0.1m", "100u"],
    ["0.0000000001", "1n"],
    ["0.0000000005", "1n"],
    ["0.00000012345", "124n"],
    ["3.001n", "4n"],
    ["0.9n", "1n"],
    ["1.1E-9", "2e-9"],
    ["0.5e-9", "1e-9"],
    ["1Ki", "1Ki"],
    ["1Mi", "1Mi"],
    ["1Gi", "1Gi"],
    ["1024Mi", "1Gi"],
    ["2048Ki", "2Mi"],
    ["1.5Gi", "1536Mi"],
    ["300Mi", "300Mi"],
    ["307200Ki", "300Mi"],
    ["1025024Mi", "1001Gi"],
    ["1024Gi", "1Ti"],
    ["0.5Mi", "512Ki"],
    ["0.5Ki", "512"],
    ["100.035Ki", "102435840m"],
    [".001Ki", "1024m"],
    [".000001Ki", "1024u"],
    [".000000001Ki", "1024n"],
    [".000000000001Ki", "2n"],
    ["0.000000000001Ki", "2n"],
    ["9Ei", "9223372036854775807"],
    ["9223372036854775807Ki", "9223372036854775807"],
    ["1000M", "1G"],
    ["0.001T", "1G"],
    ["1000000k", "1G"],
    ["1000000000", "1G"],
    ["1000u", "1m"],
    ["1.08", "1080m"],
    ["1080000000n", "1080m"],
    ["5000m", "5"],
    ["50k", "50k"],
    ["8.1k", "8100"],
    ["100.0350k", "100035"],
    ["7.1234560M", "7123456"],
    [".0001k", "100m"],
    ["1234567M", "1234567M"],
    ["1000E", "1e21"],
    ["12E", "12E"],
    // DecimalExponent keeps its notation ("1e3" is not rewritten to "1k").
    ["1e3", "1e3"],
    [".001e12", "1e9"],
    ["0.001e0", "1e-3"],
    ["1000e-12", "1e-9"],
    ["1.5e3", "1500"],
    ["1.2e3", "1200"],
    ["1.3E+6", "1300e3"],
    ["0.5e0", "500e-3"],
    ["00", "0"],
    ["-1.5", "-1500m"],
    ["-1024Mi", "-1Gi"],
    ["-0.5Ki", "-512"],
    ["-.000000000001Ki", "-2n"],
  ])("%s → %s", (input, expected) => {
    expect(canonicalQuantity(input)).toBe(expected);
  });

  // apimachinery's fast path keeps an already canonical-looking input as its serialised form.
  it.each([
    ["+1k", "+1k"],
    ["01", "01"],
    ["1.500", "1.500"],
    ["1E3", "1E3"],
    ["1025Ki", "1025Ki"],
    ["+1Ki", "+1Ki"],
    ["-5", "-5"],
    ["100.035k", "100.035k"],
    ["10.035M", "10.035M"],
    ["1.G", "1.G"],
    ["1.", "1."],
  ])("keeps %s verbatim", (input, expected) => {
    expect(canonicalQuantity(input)).toBe(expected);
  });

  it("rejects what ParseQuantity rejects", () => {
    for (const input of [
      "",
      "1.1.M",
      "1+1.0M",
      "0.1mi",
      "0.1am",
      "aoeu",
      ".5i",
      "1i",
      "-3.01i",
      "-3.01e-",
      "1e4294967297",
      " 1",
      "1 ",
      "1K",
      "1e",
      "0x10",
      "1Mi2",
    ]) {
      expect(isQuantity(input), input).toBe(false);
      expect(() => canonicalQuantity(input), input).toThrow(/quantities must match/);
    }
  });

  it("accepts the odd spellings ParseQuantity accepts", () => {
    for (const input of [".", "-", "+", "-.", "1E", "5n", "1e-3", "1E18", "1e+3", "1E2147483647"]) {
      expect(isQuantity(input), input).toBe(true);
    }
  });

  it("parses into an exact value and a format", () => {
    expect(parseQuantity("1.5Gi")).toEqual({
      negative: false,
      magnitude: 16106127360n,
      exponent: -1,
      format: "BinarySI",
    });
    expect(parseQuantity("100m")).toEqual({
      negative: false,
      magnitude: 100n,
      exponent: -3,
      format: "DecimalSI",
      verbatim: "100m",
    });
    expect(parseQuantity("1e-12")).toEqual({
      negative: false,
      magnitude: 1n,
      exponent: -9,
      format: "DecimalExponent",
    });
  });
});

describe("compareQuantities", () => {
  it.each([
    ["0", "0", 0],
    ["100m", "50m", 1],
    ["50m", "100m", -1],
    ["10000T", "100Gi", 1],
    ["1Gi", "1024Mi", 0],
    ["0.5", "500m", 0],
    ["1", "1000m", 0],
    ["1k", "1e3", 0],
    ["1G", "1Gi", -1],
    ["-1", "1", -1],
    ["-2", "-1", -1],
    ["-1Ki", "-1024", 0],
    ["0", "-0", 0],
    ["1e2147483647", "1E", 1],
    ["1E-2147483647", "1n", 0],
    ["9.01", "9.010", 0],
    ["999999999999999999999", "1e21", -1],
  ] as const)("%s vs %s → %d", (a, b, expected) => {
    expect(compareQuantities(a, b)).toBe(expected);
    expect(compareQuantities(b, a)).toBe(expected === 0 ? 0 : -expected);
  });
});
