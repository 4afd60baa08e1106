import { describe, expect, it } from "vitest";
import { byteMapFieldsOf, withEmptyBytesForNulls } from "./empty-bytes.js";

describe("empty bytes as kube-apiserver stores them", () => {
  it("knows the byte maps of the built-in kinds, and no others", () => {
    expect(byteMapFieldsOf("", "Secret")).toEqual(["data"]);
    expect(byteMapFieldsOf("", "ConfigMap")).toEqual(["binaryData"]);
    expect(byteMapFieldsOf("", "Pod")).toEqual([]);
    expect(byteMapFieldsOf("example.com", "Secret")).toEqual([]);
  });

  it("keeps the key of a null Secret data value as empty bytes, and leaves other values alone", () => {
    const secret = {
      metadata: { name: "db", labels: { team: null } },
      data: { empty: "", unset: null, token: "dG9rZW4=" },
      stringData: { other: null },
    };
    expect(withEmptyBytesForNulls("", "Secret", secret)).toEqual({
      metadata: { name: "db", labels: { team: null } },
      data: { empty: "", unset: "", token: "dG9rZW4=" },
      stringData: { other: null },
    });
  });

  it("does the same for ConfigMap binaryData, not for its string data", () => {
    const configMap = { metadata: { name: "files" }, data: { note: null }, binaryData: { blank: null } };
    expect(withEmptyBytesForNulls("", "ConfigMap", configMap)).toEqual({
      metadata: { name: "files" },
      data: { note: null },
      binaryData: { blank: "" },
    });
  });

  it("returns the very object when there is nothing to change (an empty value stays empty, not null)", () => {
    const secret = { metadata: { name: "db" }, data: { empty: "" } };
    expect(withEmptyBytesForNulls("", "Secret", secret)).toBe(secret);
    const nullMap = { metadata: { name: "db" }, data: null };
    expect(withEmptyBytesForNulls("", "Secret", nullMap)).toBe(nullMap);
    const other = { metadata: { name: "x" }, data: { a: null } };
    expect(withEmptyBytesForNulls("example.com", "Widget", other)).toBe(other);
  });
});
