/**
 * Label key and value checks with the messages of k8s.io/apimachinery/pkg/util/validation
 * (IsQualifiedName, IsValidLabelValue), which label selector errors quote word for word.
 */

const QUALIFIED_NAME_FORMAT = "([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9]";
const QUALIFIED_NAME = new RegExp(`^${QUALIFIED_NAME_FORMAT}$`);
const QUALIFIED_NAME_MESSAGE =
  "must consist of alphanumeric characters, '-', '_' or '.', and must start and end with an alphanumeric character";
const SUBDOMAIN_FORMAT = "[a-z0-9]([-a-z0-9]*[a-z0-9])?(\\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*";
const SUBDOMAIN = new RegExp(`^${SUBDOMAIN_FORMAT}$`);
const SUBDOMAIN_MESSAGE =
  "a lowercase RFC 1123 subdomain must consist of lower case alphanumeric characters, '-' or '.', and must start and end with an alphanumeric character";
const LABEL_VALUE_FORMAT = `(${QUALIFIED_NAME_FORMAT})?`;
const LABEL_VALUE = new RegExp(`^${LABEL_VALUE_FORMAT}$`);
const LABEL_VALUE_MESSAGE =
  "a valid label must be an empty string or consist of alphanumeric characters, '-', '_' or '.', and must start and end with an alphanumeric character";

/** validation.RegexError, including its odd "'x',  or 'y'" spacing. */
function regexError(message: string, format: string, examples: readonly string[]): string {
  const shown = examples.map((example) => `'${example}', `).join(" or ");
  return `${message} (e.g. ${shown}regex used for validation is '${format}')`;
}

function maxLengthError(length: number): string {
  return `must be no more than ${length} characters`;
}

function subdomainErrors(value: string): string[] {
  const errors: string[] = [];
  if (value.length > 253) errors.push(maxLengthError(253));
  if (!SUBDOMAIN.test(value)) errors.push(regexError(SUBDOMAIN_MESSAGE, SUBDOMAIN_FORMAT, ["example.com"]));
  return errors;
}

function prefixErrors(prefix: string): string[] {
  if (prefix === "") return ["prefix part must be non-empty"];
  return subdomainErrors(prefix).map((error) => `prefix part ${error}`);
}

/** validation.IsQualifiedName: `[prefix/]name`. */
export function qualifiedNameErrors(value: string): string[] {
  const parts = value.split("/");
  if (parts.length > 2) {
    const shape = regexError(QUALIFIED_NAME_MESSAGE, QUALIFIED_NAME_FORMAT, ["MyName", "my.name", "123-abc"]);
    return [
      `a qualified name ${shape} with an optional DNS subdomain prefix and '/' (e.g. 'example.com/MyName')`,
    ];
  }
  const name = parts.length === 2 ? parts[1] : value;
  const errors = parts.length === 2 ? prefixErrors(parts[0]) : [];
  if (name === "") errors.push("name part must be non-empty");
  else if (name.length > 63) errors.push(`name part ${maxLengthError(63)}`);
  if (!QUALIFIED_NAME.test(name)) {
    errors.push(
      `name part ${regexError(QUALIFIED_NAME_MESSAGE, QUALIFIED_NAME_FORMAT, ["MyName", "my.name", "123-abc"])}`,
    );
  }
  return errors;
}

/** validation.IsValidLabelValue. */
export function labelValueErrors(value: string): string[] {
  const errors: string[] = [];
  if (value.length > 63) errors.push(maxLengthError(63));
  if (!LABEL_VALUE.test(value))
    errors.push(regexError(LABEL_VALUE_MESSAGE, LABEL_VALUE_FORMAT, ["MyValue", "my_value", "12345"]));
  return errors;
}

/** field.Invalid(path, value, detail).Error(); a nil path prints as "<nil>", as Go's field.Path does. */
export function invalidValue(path: string, value: string, detail: string): string {
  return `${path}: Invalid value: ${JSON.stringify(value)}: ${detail}`;
}
