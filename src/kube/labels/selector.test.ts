import { describe, expect, it } from "vitest";
import { SelectorParseError, parseLabelSelector } from "./selector.js";

function parseError(selector: string): string {
  try {
    parseLabelSelector(selector);
  } catch (error: unknown) {
    if (error instanceof SelectorParseError) return error.message;
    throw error;
  }
  throw new Error(`expected ${selector} to be rejected`);
}

const NAME_PART =
  "name part must consist of alphanumeric characters, '-', '_' or '.', and must start and end with an alphanumeric character (e.g. 'MyName',  or 'my.name',  or '123-abc', regex used for validation is '([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9]')";

describe("parseLabelSelector", () => {
  it("parses every operator, sorting requirements by key and values as a set", () => {
    const selector = parseLabelSelector("z=1, y==2,x!=3,w in (b,a,b),v notin (),u,!t,s>4,r<5");
    expect(selector.requirements).toEqual([
      { key: "r", operator: "lt", values: ["5"] },
      { key: "s", operator: "gt", values: ["4"] },
      { key: "t", operator: "!", values: [] },
      { key: "u", operator: "exists", values: [] },
      { key: "v", operator: "notin", values: [""] },
      { key: "w", operator: "in", values: ["a", "b"] },
      { key: "x", operator: "!=", values: ["3"] },
      { key: "y", operator: "==", values: ["2"] },
      { key: "z", operator: "=", values: ["1"] },
    ]);
  });

  it("accepts empty values and keywords as values", () => {
    expect(parseLabelSelector("a=").requirements).toEqual([{ key: "a", operator: "=", values: [""] }]);
    expect(parseLabelSelector("a in (,x)").requirements).toEqual([
      { key: "a", operator: "in", values: ["", "x"] },
    ]);
    expect(parseLabelSelector("a in (in,notin)").requirements).toEqual([
      { key: "a", operator: "in", values: ["in", "notin"] },
    ]);
    expect(parseLabelSelector("example.com/tier=web").requirements[0]?.key).toBe("example.com/tier");
    expect(parseLabelSelector("").requirements).toEqual([]);
  });

  it("matches labels as labels.Requirement.Matches does", () => {
    const labels = { app: "web", tier: "front", replicas: "3" };
    const cases: [string, boolean][] = [
      ["app=web", true],
      ["app==api", false],
      ["app!=api", true],
      ["missing!=x", true],
      ["app in (api,web)", true],
      ["missing in (x)", false],
      ["app notin (web)", false],
      ["missing notin (x)", true],
      ["tier", true],
      ["!tier", false],
      ["!missing", true],
      ["replicas>2", true],
      ["replicas<3", false],
      ["app>1", false],
      ["missing<9", false],
      ["app=web,tier=back", false],
      ["", true],
    ];
    for (const [selector, expected] of cases)
      expect([selector, parseLabelSelector(selector).matches(labels)]).toEqual([selector, expected]);
  });

  it("rejects invalid keys with kube-apiserver's message", () => {
    expect(parseError("app:monolith")).toBe(
      `unable to parse requirement: <nil>: Invalid value: "app:monolith": ${NAME_PART}`,
    );
    expect(parseError("a/b/c=d")).toBe(
      "unable to parse requirement: <nil>: Invalid value: \"a/b/c\": a qualified name must consist of alphanumeric characters, '-', '_' or '.', and must start and end with an alphanumeric character (e.g. 'MyName',  or 'my.name',  or '123-abc', regex used for validation is '([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9]') with an optional DNS subdomain prefix and '/' (e.g. 'example.com/MyName')",
    );
    expect(parseError("Example.com/x")).toBe(
      "unable to parse requirement: <nil>: Invalid value: \"Example.com/x\": prefix part a lowercase RFC 1123 subdomain must consist of lower case alphanumeric characters, '-' or '.', and must start and end with an alphanumeric character (e.g. 'example.com', regex used for validation is '[a-z0-9]([-a-z0-9]*[a-z0-9])?(\\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*')",
    );
  });

  it("rejects invalid values and non-integer comparisons", () => {
    expect(parseError("a=-x")).toBe(
      "unable to parse requirement: values[0][a]: Invalid value: \"-x\": a valid label must be an empty string or consist of alphanumeric characters, '-', '_' or '.', and must start and end with an alphanumeric character (e.g. 'MyValue',  or 'my_value',  or '12345', regex used for validation is '(([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9])?')",
    );
    expect(parseError("a>x")).toBe(
      "unable to parse requirement: values[0]: Invalid value: \"x\": for 'Gt', 'Lt' operators, the value must be an integer",
    );
    expect(parseError(`a=${"v".repeat(64)}`)).toBe(
      `unable to parse requirement: values[0][a]: Invalid value: "${"v".repeat(64)}": must be no more than 63 characters`,
    );
  });

  it("rejects bad syntax with the parser's messages", () => {
    expect(parseError("a in x")).toBe("unable to parse requirement: found 'x' expected: '('");
    expect(parseError("a in (x")).toBe("unable to parse requirement: found '', expected: ',' or ')'");
    expect(parseError("a b")).toBe(
      "unable to parse requirement: found 'b', expected: in, notin, =, ==, !=, gt, lt",
    );
    expect(parseError("a=b c")).toBe("found 'c', expected: ',' or 'end of string'");
    expect(parseError("a=b,")).toBe("found '', expected: identifier after ','");
    expect(parseError("=a")).toBe("found '=', expected: !, identifier, or 'end of string'");
    expect(parseError("!=a")).toBe("found '!=', expected: !, identifier, or 'end of string'");
    expect(parseError("a==(b)")).toBe("unable to parse requirement: found '(', expected: identifier");
  });
});
