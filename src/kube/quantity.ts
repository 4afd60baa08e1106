/**
 * Kubernetes resource quantities, as k8s.io/apimachinery/pkg/api/resource parses and
 * serialises them: exact decimal arithmetic on bigints, never floats.
 */

export const QuantityFormats = {
  decimalSI: "DecimalSI",
  binarySI: "BinarySI",
  decimalExponent: "DecimalExponent",
} as const;
export type QuantityFormat = (typeof QuantityFormats)[keyof typeof QuantityFormats];

/** A parsed quantity: its value is (negative ? -1 : 1) × magnitude × 10^exponent. */
export interface Quantity {
  readonly negative: boolean;
  readonly magnitude: bigint;
  readonly exponent: number;
  readonly format: QuantityFormat;
  /**
   * apimachinery keeps the input as the serialised form when its fast path finds it already
   * canonical-looking; it then serialises the input unchanged (including a "+" sign or leading zeros).
   */
  readonly verbatim?: string;
}

const decimalSuffixes: Readonly<Record<string, number>> = {
  n: -9,
  u: -6,
  m: -3,
  "": 0,
  k: 3,
  M: 6,
  G: 9,
  T: 12,
  P: 15,
  E: 18,
};
const binarySuffixes: Readonly<Record<string, number>> = { Ki: 10, Mi: 20, Gi: 30, Ti: 40, Pi: 50, Ei: 60 };
const binarySuffixByPower = ["", "Ki", "Mi", "Gi", "Ti", "Pi", "Ei"] as const;
const decimalSuffixByExponent: ReadonlyMap<number, string> = new Map(
  Object.entries(decimalSuffixes).map(([suffix, exponent]) => [exponent, suffix]),
);

/** Parse rounds up to nano units: "if you want some resources, you should get some resources". */
const nanoExponent = -9;
/** BinarySI values are capped at the int64 maximum. */
const maxBinaryMagnitude = 2n ** 63n - 1n;
const maxInt32 = 2147483647;
/** Digits an int64 holds without overflow; apimachinery's fast path limit. */
const maxInt64Digits = 18;

interface Spelling {
  readonly negative: boolean;
  /** Integer digits without leading zeros, "0" when there are none. */
  readonly whole: string;
  readonly fraction: string;
  readonly suffix: string;
}

interface Suffix {
  readonly base: 2 | 10;
  readonly exponent: number;
  readonly format: QuantityFormat;
}

const spellingPattern = /^([+-]?)0*(\d*)(?:\.(\d*))?([eEinumkKMGTP]*[+-]?\d*)$/;

function spell(text: string): Spelling | undefined {
  const match = spellingPattern.exec(text);
  if (!match) return undefined;
  return {
    negative: match[1] === "-",
    whole: match[2] === "" ? "0" : match[2],
    fraction: match[3] ?? "",
    suffix: match[4],
  };
}

function interpretSuffix(suffix: string): Suffix | undefined {
  const decimal = decimalSuffixes[suffix];
  if (decimal !== undefined) return { base: 10, exponent: decimal, format: QuantityFormats.decimalSI };
  const binary = binarySuffixes[suffix];
  if (binary !== undefined) return { base: 2, exponent: binary, format: QuantityFormats.binarySI };
  if (!/^[eE][+-]?\d+$/.test(suffix)) return undefined;
  const exponent = Number(suffix.slice(1));
  // An exponent past int32 is rejected rather than truncated to an unrelated value.
  if (Math.abs(exponent) > maxInt32) return undefined;
  return { base: 10, exponent, format: QuantityFormats.decimalExponent };
}

/** Whether apimachinery's int64 fast path would keep the input string as the serialised form. */
function keepsSpelling(spelling: Spelling, suffix: Suffix): boolean {
  const digits = spelling.whole + spelling.fraction;
  if (suffix.base === 10) {
    const scale = suffix.exponent - spelling.fraction.length;
    const fits = maxInt64Digits - digits.length >= 0 && scale >= nanoExponent;
    return fits && scale % 3 === 0 && !digits.endsWith("000") && !digits.startsWith("0");
  }
  if (spelling.fraction !== "") return false;
  const precision = 15 - spelling.whole.length - Math.trunc((suffix.exponent * 3) / 10) - 1;
  const value = BigInt(spelling.whole);
  const fits = precision >= 0 && value * 2n ** BigInt(suffix.exponent) <= maxBinaryMagnitude;
  return fits && value % 8n !== 0n;
}

function pow10(exponent: number): bigint {
  return 10n ** BigInt(exponent);
}

function digitCount(value: bigint): number {
  return value === 0n ? 0 : value.toString().length;
}

/** Rounds a positive magnitude × 10^exponent up (away from zero) to `exponent` ≥ target. */
function roundUpTo(
  magnitude: bigint,
  exponent: number,
  target: number,
): { magnitude: bigint; exponent: number } {
  if (magnitude === 0n || exponent >= target) return { magnitude, exponent };
  const drop = target - exponent;
  // Anything smaller than one unit of the target rounds up to exactly one unit.
  if (drop >= digitCount(magnitude)) return { magnitude: 1n, exponent: target };
  const divisor = pow10(drop);
  const quotient = magnitude / divisor;
  return { magnitude: magnitude % divisor === 0n ? quotient : quotient + 1n, exponent: target };
}

function capBinary(magnitude: bigint, exponent: number): { magnitude: bigint; exponent: number } {
  const exceeds =
    exponent >= 0
      ? magnitude * pow10(exponent) > maxBinaryMagnitude
      : magnitude > maxBinaryMagnitude * pow10(-exponent);
  return exceeds ? { magnitude: maxBinaryMagnitude, exponent: 0 } : { magnitude, exponent };
}

function valueOf(spelling: Spelling, suffix: Suffix): Omit<Quantity, "verbatim"> {
  let magnitude = BigInt(spelling.whole + spelling.fraction);
  let exponent = -spelling.fraction.length;
  if (suffix.base === 10) exponent += suffix.exponent;
  else magnitude *= 2n ** BigInt(suffix.exponent);
  ({ magnitude, exponent } = roundUpTo(magnitude, exponent, nanoExponent));
  let format = suffix.format;
  if (format === QuantityFormats.binarySI) {
    ({ magnitude, exponent } = capBinary(magnitude, exponent));
    // Fractions of a byte are not binary: "0.000000000001Ki" becomes "2n".
    if (magnitude !== 0n && compareMagnitudes(magnitude, exponent, 1n, 0) < 0)
      format = QuantityFormats.decimalSI;
  }
  return { negative: spelling.negative && magnitude !== 0n, magnitude, exponent, format };
}

/** Parses a quantity as ParseQuantity does; undefined when it is not one. */
export function parseQuantity(text: string): Quantity | undefined {
  if (text === "") return undefined;
  const spelling = spell(text);
  if (spelling === undefined) return undefined;
  const suffix = interpretSuffix(spelling.suffix);
  if (suffix === undefined) return undefined;
  const value = valueOf(spelling, suffix);
  return keepsSpelling(spelling, suffix) ? { ...value, verbatim: text } : value;
}

export function isQuantity(text: string): boolean {
  return parseQuantity(text) !== undefined;
}

function mustParse(text: string): Quantity {
  const quantity = parseQuantity(text);
  if (quantity === undefined) {
    throw new Error(
      `quantities must match the regular expression '^([+-]?[0-9.]+)([eEinumkKMGTP]*[-+]?[0-9]*)$': ${JSON.stringify(text)}`,
    );
  }
  return quantity;
}

function decimalString(magnitude: bigint, exponent: number, format: QuantityFormat): string {
  let digits = magnitude;
  let power = exponent;
  while (digits % 10n === 0n) {
    digits /= 10n;
    power++;
  }
  // Suffixes step by 10^3; the exponent moves down to the nearest multiple of 3.
  const remainder = ((power % 3) + 3) % 3;
  digits *= pow10(remainder);
  power -= remainder;
  if (format === QuantityFormats.decimalExponent) return power === 0 ? `${digits}` : `${digits}e${power}`;
  const suffix = decimalSuffixByExponent.get(power);
  // Past "E" (or below "n") there is no SI suffix; exponent notation keeps the magnitude.
  return suffix === undefined ? `${digits}e${power}` : `${digits}${suffix}`;
}

/** The BinarySI spelling, or undefined when the value must be shown as DecimalSI to stay exact. */
function binaryString(magnitude: bigint, exponent: number): string | undefined {
  // Below 1024 a binary suffix could only be "", so DecimalSI avoids confusion.
  if (compareMagnitudes(magnitude, exponent, 1024n, 0) < 0) return undefined;
  if (exponent < 0 && magnitude % pow10(-exponent) !== 0n) return undefined;
  let integer = exponent >= 0 ? magnitude * pow10(exponent) : magnitude / pow10(-exponent);
  let power = 0;
  while (integer % 1024n === 0n && power < binarySuffixByPower.length - 1) {
    integer /= 1024n;
    power++;
  }
  return `${integer}${binarySuffixByPower[power]}`;
}

/** The serialised form of a parsed quantity (Quantity.String()). */
export function formatQuantity(quantity: Quantity): string {
  if (quantity.verbatim !== undefined) return quantity.verbatim;
  if (quantity.magnitude === 0n) return "0";
  const sign = quantity.negative ? "-" : "";
  const binary =
    quantity.format === QuantityFormats.binarySI
      ? binaryString(quantity.magnitude, quantity.exponent)
      : undefined;
  if (binary !== undefined) return sign + binary;
  const format = quantity.format === QuantityFormats.binarySI ? QuantityFormats.decimalSI : quantity.format;
  return sign + decimalString(quantity.magnitude, quantity.exponent, format);
}

/**
 * What kube-apiserver stores for a quantity: "0.5" → "500m", "1.5Gi" → "1536Mi",
 * "1000m" → "1", "2048Ki" → "2Mi". Throws for a string that is not a quantity.
 */
export function canonicalQuantity(text: string): string {
  return formatQuantity(mustParse(text));
}

function sign(difference: bigint | number): -1 | 0 | 1 {
  if (difference === 0 || difference === 0n) return 0;
  return difference < 0 ? -1 : 1;
}

function compareMagnitudes(a: bigint, aExponent: number, b: bigint, bExponent: number): -1 | 0 | 1 {
  if (a === 0n || b === 0n) return sign(a - b);
  const aLength = digitCount(a) + aExponent;
  const bLength = digitCount(b) + bExponent;
  if (aLength !== bLength) return sign(aLength - bLength);
  // Equal lengths bound the exponent difference by the digit counts, so the shift stays small.
  const shift = aExponent - bExponent;
  const left = shift > 0 ? a * pow10(shift) : a;
  const right = shift < 0 ? b * pow10(-shift) : b;
  return sign(left - right);
}

/** Compares two quantities by exact value ("1Gi" = "1024Mi", "0.5" = "500m"). Throws for a non-quantity. */
export function compareQuantities(a: string, b: string): -1 | 0 | 1 {
  const left = mustParse(a);
  const right = mustParse(b);
  if (left.negative !== right.negative) {
    const bothZero = left.magnitude === 0n && right.magnitude === 0n;
    return bothZero ? 0 : left.negative ? -1 : 1;
  }
  const order = compareMagnitudes(left.magnitude, left.exponent, right.magnitude, right.exponent);
  return left.negative ? ((-order || 0) as -1 | 0 | 1) : order;
}
