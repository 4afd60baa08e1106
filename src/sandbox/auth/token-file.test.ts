import { describe, expect, it } from "vitest";
import { parseTokenFile } from "./token-file.js";

describe("parseTokenFile", () => {
  it("reads token,user,uid and the quoted group list, as kube-apiserver's --token-auth-file", () => {
    const tokens = parseTokenFile(
      "tokens.csv",
      'alice-token,alice,1001,"devs,ops"\n\nbob-token,bob,1002\r\n',
    );
    expect(tokens.get("alice-token")).toEqual({ username: "alice", uid: "1001", groups: ["devs", "ops"] });
    expect(tokens.get("bob-token")).toEqual({ username: "bob", uid: "1002", groups: [] });
  });

  it("skips a line with an empty token and lets a repeated token take the later line", () => {
    const tokens = parseTokenFile("t.csv", ",nobody,0\nsame,first,1\nsame,second,2\n");
    expect([...tokens.keys()]).toEqual(["same"]);
    expect(tokens.get("same")?.username).toBe("second");
  });

  it("refuses a line with fewer than three columns, naming the file and line", () => {
    expect(() => parseTokenFile("/etc/tokens.csv", "a,alice,1\n\nb,bob\n")).toThrow(
      "/etc/tokens.csv:3: token file must have at least 3 columns (token, user name, user uid), found 2",
    );
  });

  it("refuses a malformed quote, naming the file and line", () => {
    expect(() => parseTokenFile("t.csv", 'a,alice,1\nb,bo"b,2\n')).toThrow(
      't.csv:2: bare " in non-quoted-field',
    );
    expect(() => parseTokenFile("t.csv", 'a,alice,1,"devs\n')).toThrow(
      't.csv:1: extraneous or missing " in quoted-field',
    );
  });
});
