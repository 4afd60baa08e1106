/**
 * Name and key checks of k8s.io/apimachinery/pkg/util/validation, returning the
 * same messages (each message becomes one `Invalid value` cause).
 */

const dns1123LabelFormat = "[a-z0-9]([-a-z0-9]*[a-z0-9])?";
const dns1123SubdomainFormat = `${dns1123LabelFormat}(\\.${dns1123LabelFormat})*`;
const dns1035LabelFormat = "[a-z]([-a-z0-9]*[a-z0-9])?";
const qualifiedNameFormat = "([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9]";
const labelValueFormat = `(${qualifiedNameFormat})?`;
const configMapKeyFormat = "[-._a-zA-Z0-9]+";

const dns1123LabelPattern = new RegExp(`^${dns1123LabelFormat}$`);
const dns1123SubdomainPattern = new RegExp(`^${dns1123SubdomainFormat}$`);
const dns1035LabelPattern = new RegExp(`^${dns1035LabelFormat}$`);
const qualifiedNamePattern = new RegExp(`^${qualifiedNameFormat}$`);
const labelValuePattern = new RegExp(`^${labelValueFormat}$`);
const configMapKeyPattern = new RegExp(`^${configMapKeyFormat}$`);

const qualifiedNameMessage =
  "must consist of alphanumeric characters, '-', '_' or '.', and must start and end with an alphanumeric character";

export function regexError(message: string, format: string, examples: readonly string[]): string {
  if (examples.length === 0) return `${message} (regex used for validation is '${format}')`;
  const shown = examples.map((example) => `'${example}', `).join(" or ");
  return `${message} (e.g. ${shown}regex used for validation is '${format}')`;
}

export function maxLengthError(length: number): string {
  return `must be no more than ${length} characters`;
}

export function isDNS1123Label(value: string): readonly string[] {
  const errors: string[] = [];
  if (value.length > 63) errors.push(maxLengthError(63));
  if (!dns1123LabelPattern.test(value)) {
    errors.push(
      dns1123SubdomainPattern.test(value)
        ? "must not contain dots"
        : regexError(
            "a lowercase RFC 1123 label must consist of lower case alphanumeric characters or '-', and must start and end with an alphanumeric character",
            dns1123LabelFormat,
            ["my-name", "123-abc"],
          ),
    );
  }
  return errors;
}

export function isDNS1123Subdomain(value: string): readonly string[] {
  const errors: string[] = [];
  if (value.length > 253) errors.push(maxLengthError(253));
  if (!dns1123SubdomainPattern.test(value)) {
    errors.push(
      regexError(
        "a lowercase RFC 1123 subdomain must consist of lower case alphanumeric characters, '-' or '.', and must start and end with an alphanumeric character",
        dns1123SubdomainFormat,
        ["example.com"],
      ),
    );
  }
  return errors;
}

export function isDNS1035Label(value: string): readonly string[] {
  const errors: string[] = [];
  if (value.length > 63) errors.push(maxLengthError(63));
  if (!dns1035LabelPattern.test(value)) {
    errors.push(
      regexError(
        "a DNS-1035 label must consist of lower case alphanumeric characters or '-', start with an alphabetic character, and end with an alphanumeric character",
        dns1035LabelFormat,
        ["my-name", "abc-123"],
      ),
    );
  }
  return errors;
}

/** path.IsValidPathSegmentName: the names of RBAC objects and HPAs only have to fit in a URL. */
export function isPathSegmentName(value: string): readonly string[] {
  if (value === "." || value === "..") return [`may not be '${value}'`];
  return ["/", "%"]
    .filter((illegal) => value.includes(illegal))
    .map((illegal) => `may not contain '${illegal}'`);
}

function qualifiedNamePartErrors(name: string): readonly string[] {
  const errors: string[] = [];
  if (name.length === 0) errors.push("name part must be non-empty");
  else if (name.length > 63) errors.push(`name part ${maxLengthError(63)}`);
  if (!qualifiedNamePattern.test(name)) {
    errors.push(
      `name part ${regexError(qualifiedNameMessage, qualifiedNameFormat, ["MyName", "my.name", "123-abc"])}`,
    );
  }
  return errors;
}

function prefixErrors(prefix: string): readonly string[] {
  if (prefix.length === 0) return ["prefix part must be non-empty"];
  return isDNS1123Subdomain(prefix).map((message) => `prefix part ${message}`);
}

/** IsQualifiedName: label keys, annotation keys, finalizers. */
export function isQualifiedName(value: string): readonly string[] {
  const parts = value.split("/");
  if (parts.length > 2) {
    return [
      `a qualified name ${regexError(qualifiedNameMessage, qualifiedNameFormat, ["MyName", "my.name", "123-abc"])} with an optional DNS subdomain prefix and '/' (e.g. 'example.com/MyName')`,
    ];
  }
  const name = parts.length === 2 ? (parts[1] ?? "") : value;
  const prefix = parts.length === 2 ? prefixErrors(parts[0] ?? "") : [];
  return [...prefix, ...qualifiedNamePartErrors(name)];
}

export function isValidLabelValue(value: string): readonly string[] {
  const errors: string[] = [];
  if (value.length > 63) errors.push(maxLengthError(63));
  if (!labelValuePattern.test(value)) {
    errors.push(
      regexError(
        "a valid label must be an empty string or consist of alphanumeric characters, '-', '_' or '.', and must start and end with an alphanumeric character",
        labelValueFormat,
        ["MyValue", "my_value", "12345"],
      ),
    );
  }
  return errors;
}

function chdirPrefixErrors(value: string): readonly string[] {
  if (value === ".") return ["must not be '.'"];
  if (value === "..") return ["must not be '..'"];
  return value.startsWith("..") ? ["must not start with '..'"] : [];
}

/** IsConfigMapKey: keys of ConfigMap and Secret data, which become file names in volumes. */
export function isConfigMapKey(value: string): readonly string[] {
  const errors: string[] = [];
  if (value.length > 253) errors.push(maxLengthError(253));
  if (!configMapKeyPattern.test(value)) {
    errors.push(
      regexError(
        "a valid config key must consist of alphanumeric characters, '-', '_' or '.'",
        configMapKeyFormat,
        ["key.name", "KEY_NAME", "key-name"],
      ),
    );
  }
  return [...errors, ...chdirPrefixErrors(value)];
}

export type NameValidator = (name: string) => readonly string[];
