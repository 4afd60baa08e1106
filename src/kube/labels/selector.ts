import { invalidValue, labelValueErrors, qualifiedNameErrors } from "./validation.js";

/**
 * Label selectors as kube-apiserver and kubectl parse them (k8s.io/apimachinery/pkg/labels/selector.go):
 * `a=b`, `a==b`, `a!=b`, `a in (x,y)`, `a notin (x)`, `a`, `!a`, `a>1`, `a<1`, comma-joined (AND).
 */

export const LabelOperators = {
  in: "in",
  notIn: "notin",
  equals: "=",
  doubleEquals: "==",
  notEquals: "!=",
  exists: "exists",
  doesNotExist: "!",
  greaterThan: "gt",
  lessThan: "lt",
} as const;
export type LabelOperator = (typeof LabelOperators)[keyof typeof LabelOperators];

export interface LabelRequirement {
  readonly key: string;
  readonly operator: LabelOperator;
  /** Sorted and without duplicates, as Go's sets.String keeps them. */
  readonly values: readonly string[];
}

export type Labels = Readonly<Record<string, string>>;

/** A parsed selector: the requirements (sorted by key) and a matcher. An empty selector matches everything. */
export interface LabelSelector {
  readonly requirements: readonly LabelRequirement[];
  matches(labels: Labels): boolean;
}

/** Thrown for a selector that kube-apiserver would reject; the HTTP layer answers 400 BadRequest with `message`. */
export class SelectorParseError extends Error {
  constructor(message: string) {
    super(message);
    this.name = "SelectorParseError";
  }
}

type TokenKind =
  "error" | "end" | "identifier" | "(" | ")" | "," | "!" | "=" | "==" | "!=" | ">" | "<" | "in" | "notin";

interface Token {
  readonly kind: TokenKind;
  readonly literal: string;
}

const SYMBOL_TOKENS: ReadonlyMap<string, TokenKind> = new Map<string, TokenKind>([
  [")", ")"],
  [",", ","],
  ["!", "!"],
  ["==", "=="],
  ["=", "="],
  [">", ">"],
  ["<", "<"],
  ["!=", "!="],
  ["(", "("],
]);
const BINARY_OPERATORS = "in, notin, =, ==, !=, gt, lt";

function isWhitespace(char: string): boolean {
  return char === " " || char === "\t" || char === "\r" || char === "\n";
}

function isSpecial(char: string): boolean {
  return "=!(),><".includes(char);
}

class Lexer {
  private position = 0;
  constructor(private readonly text: string) {}

  tokens(): Token[] {
    const tokens: Token[] = [];
    for (;;) {
      const token = this.next();
      tokens.push(token);
      if (token.kind === "end") return tokens;
    }
  }

  private next(): Token {
    while (this.position < this.text.length && isWhitespace(this.text[this.position])) this.position += 1;
    if (this.position >= this.text.length) return { kind: "end", literal: "" };
    return isSpecial(this.text[this.position]) ? this.symbol() : this.word();
  }

  private word(): Token {
    const start = this.position;
    while (this.position < this.text.length) {
      const char = this.text[this.position];
      if (isSpecial(char) || isWhitespace(char)) break;
      this.position += 1;
    }
    const literal = this.text.slice(start, this.position);
    if (literal === "in" || literal === "notin") return { kind: literal, literal };
    return { kind: "identifier", literal };
  }

  /** The longest run of symbol characters that is still an operator ("!=" rather than "!"). */
  private symbol(): Token {
    let best: Token | undefined;
    let buffer = "";
    while (this.position < this.text.length && isSpecial(this.text[this.position])) {
      buffer += this.text[this.position];
      const kind = SYMBOL_TOKENS.get(buffer);
      if (kind === undefined && best !== undefined) break;
      if (kind !== undefined) best = { kind, literal: buffer };
      this.position += 1;
    }
    return best ?? { kind: "error", literal: `error expected: keyword found '${buffer}'` };
  }
}

type Context = "keyAndOperator" | "values";

class Parser {
  private position = 0;
  constructor(private readonly tokens: readonly Token[]) {}

  /** In value position, `in` and `notin` are plain words: `x in (in)` is valid. */
  peek(context: Context): Token {
    return asContext(this.tokens[this.position], context);
  }

  take(context: Context): Token {
    const token = this.peek(context);
    this.position += 1;
    return token;
  }
}

function asContext(token: Token, context: Context): Token {
  if (context === "values" && (token.kind === "in" || token.kind === "notin"))
    return { kind: "identifier", literal: token.literal };
  return token;
}

/** Parses a selector; throws SelectorParseError with kube-apiserver's message when it is invalid. */
export function parseLabelSelector(text: string): LabelSelector {
  const parser = new Parser(new Lexer(text).tokens());
  const requirements = parseRequirements(parser);
  requirements.sort((a, b) => (a.key < b.key ? -1 : a.key > b.key ? 1 : 0));
  return selectorOf(requirements);
}

function parseRequirements(parser: Parser): LabelRequirement[] {
  const requirements: LabelRequirement[] = [];
  for (;;) {
    const token = parser.peek("values");
    if (token.kind === "end") return requirements;
    if (token.kind !== "identifier" && token.kind !== "!") {
      throw new SelectorParseError(`found '${token.literal}', expected: !, identifier, or 'end of string'`);
    }
    requirements.push(parseRequirementOrThrow(parser));
    const after = parser.take("values");
    if (after.kind === "end") return requirements;
    if (after.kind !== ",")
      throw new SelectorParseError(`found '${after.literal}', expected: ',' or 'end of string'`);
    const next = parser.peek("values");
    if (next.kind !== "identifier" && next.kind !== "!") {
      throw new SelectorParseError(`found '${next.literal}', expected: identifier after ','`);
    }
  }
}

function parseRequirementOrThrow(parser: Parser): LabelRequirement {
  try {
    return parseRequirement(parser);
  } catch (error: unknown) {
    if (error instanceof SelectorParseError)
      throw new SelectorParseError(`unable to parse requirement: ${error.message}`);
    throw error;
  }
}

function parseRequirement(parser: Parser): LabelRequirement {
  const { key, operator } = parseKeyAndInferOperator(parser);
  if (operator !== undefined) return newRequirement(key, operator, []);
  const binary = parseOperator(parser);
  const values =
    binary === LabelOperators.in || binary === LabelOperators.notIn
      ? parseValueSet(parser)
      : parseExactValue(parser);
  return newRequirement(key, binary, [...new Set(values)].sort());
}

function parseKeyAndInferOperator(parser: Parser): { key: string; operator: LabelOperator | undefined } {
  let token = parser.take("values");
  const negated = token.kind === "!";
  if (negated) token = parser.take("values");
  if (token.kind !== "identifier")
    throw new SelectorParseError(`found '${token.literal}', expected: identifier`);
  const keyErrors = qualifiedNameErrors(token.literal);
  if (keyErrors.length > 0)
    throw new SelectorParseError(invalidValue("<nil>", token.literal, keyErrors.join("; ")));
  const next = parser.peek("values").kind;
  if (negated) return { key: token.literal, operator: LabelOperators.doesNotExist };
  if (next === "end" || next === ",") return { key: token.literal, operator: LabelOperators.exists };
  return { key: token.literal, operator: undefined };
}

const OPERATOR_OF_TOKEN: Partial<Record<TokenKind, LabelOperator>> = {
  in: LabelOperators.in,
  notin: LabelOperators.notIn,
  "=": LabelOperators.equals,
  "==": LabelOperators.doubleEquals,
  "!=": LabelOperators.notEquals,
  ">": LabelOperators.greaterThan,
  "<": LabelOperators.lessThan,
};

function parseOperator(parser: Parser): LabelOperator {
  const token = parser.take("keyAndOperator");
  const operator = OPERATOR_OF_TOKEN[token.kind];
  if (operator === undefined)
    throw new SelectorParseError(`found '${token.literal}', expected: ${BINARY_OPERATORS}`);
  return operator;
}

function parseValueSet(parser: Parser): string[] {
  const open = parser.take("values");
  if (open.kind !== "(") throw new SelectorParseError(`found '${open.literal}' expected: '('`);
  const first = parser.peek("values");
  if (first.kind === ")") {
    parser.take("values");
    return [""];
  }
  if (first.kind !== "identifier" && first.kind !== ",") {
    throw new SelectorParseError(`found '${first.literal}', expected: ',', ')' or identifier`);
  }
  const values = parseIdentifierList(parser);
  if (parser.take("values").kind !== ")")
    throw new SelectorParseError(`found '${first.literal}', expected: ')'`);
  return values;
}

/** A comma-separated list in which empty entries stand for the empty value: `(a,,b)`, `(,a)`, `(a,)`. */
function parseIdentifierList(parser: Parser): string[] {
  const values: string[] = [];
  for (;;) {
    const token = parser.take("values");
    const next = parser.peek("values");
    if (token.kind === "identifier") {
      values.push(token.literal);
      if (next.kind === ")") return values;
      if (next.kind !== ",") throw new SelectorParseError(`found '${next.literal}', expected: ',' or ')'`);
      continue;
    }
    if (token.kind !== ",")
      throw new SelectorParseError(`found '${token.literal}', expected: ',', or identifier`);
    if (values.length === 0) values.push("");
    if (next.kind === ")" || next.kind === ",") values.push("");
    if (next.kind === ")") return values;
  }
}

function parseExactValue(parser: Parser): string[] {
  const next = parser.peek("values");
  if (next.kind === "end" || next.kind === ",") return [""];
  const token = parser.take("values");
  if (token.kind === "identifier") return [token.literal];
  throw new SelectorParseError(`found '${token.literal}', expected: identifier`);
}

/** labels.NewRequirement's value checks; all problems are reported together, as an aggregate. */
function newRequirement(key: string, operator: LabelOperator, values: readonly string[]): LabelRequirement {
  const problems: string[] = [];
  if (operator === LabelOperators.greaterThan || operator === LabelOperators.lessThan) {
    values.forEach((value, index) => {
      if (parseInteger(value) === undefined) {
        problems.push(
          invalidValue(`values[${index}]`, value, "for 'Gt', 'Lt' operators, the value must be an integer"),
        );
      }
    });
  }
  values.forEach((value, index) => {
    const errors = labelValueErrors(value);
    if (errors.length > 0) problems.push(invalidValue(`values[${index}][${key}]`, value, errors.join("; ")));
  });
  if (problems.length === 1) throw new SelectorParseError(problems[0]);
  if (problems.length > 1) throw new SelectorParseError(`[${problems.join(", ")}]`);
  return { key, operator, values };
}

const INT64_MIN = -(2n ** 63n);
const INT64_MAX = 2n ** 63n - 1n;

/** strconv.ParseInt(value, 10, 64). */
function parseInteger(value: string): bigint | undefined {
  if (!/^[+-]?[0-9]+$/.test(value)) return undefined;
  const parsed = BigInt(value);
  return parsed < INT64_MIN || parsed > INT64_MAX ? undefined : parsed;
}

function hasLabel(labels: Labels, key: string): boolean {
  return Object.prototype.hasOwnProperty.call(labels, key);
}

function compareNumbers(requirement: LabelRequirement, labels: Labels): boolean {
  if (!hasLabel(labels, requirement.key)) return false;
  const actual = parseInteger(labels[requirement.key]);
  const wanted = parseInteger(requirement.values[0]);
  if (actual === undefined || wanted === undefined) return false;
  return requirement.operator === LabelOperators.greaterThan ? actual > wanted : actual < wanted;
}

function valueIn(requirement: LabelRequirement, labels: Labels): boolean {
  return hasLabel(labels, requirement.key) && requirement.values.includes(labels[requirement.key]);
}

/** labels.Requirement.Matches: NotIn and != also match objects without the label. */
export function requirementMatches(requirement: LabelRequirement, labels: Labels): boolean {
  switch (requirement.operator) {
    case LabelOperators.in:
    case LabelOperators.equals:
    case LabelOperators.doubleEquals:
      return valueIn(requirement, labels);
    case LabelOperators.notIn:
    case LabelOperators.notEquals:
      return !valueIn(requirement, labels);
    case LabelOperators.exists:
      return hasLabel(labels, requirement.key);
    case LabelOperators.doesNotExist:
      return !hasLabel(labels, requirement.key);
    case LabelOperators.greaterThan:
    case LabelOperators.lessThan:
      return compareNumbers(requirement, labels);
  }
}

function selectorOf(requirements: readonly LabelRequirement[]): LabelSelector {
  return {
    requirements,
    matches: (labels) => requirements.every((requirement) => requirementMatches(requirement, labels)),
  };
}
