import { readFileSync } from "node:fs";
import { resolve } from "node:path";
import { Ajv } from "ajv";

/*
 * The official SARIF 2.1.0 schema (OASIS, as published on schemastore), shipped by
 * @microsoft/jest-sarif. It declares draft-04, which Ajv 8 does not implement; it uses nothing that
 * draft-07 reads differently except the root `id`, renamed `$id` here. Its `language` pattern is not
 * a valid regular expression in Unicode mode, hence `unicodeRegExp: false`.
 */
const schemaPath = resolve(
  import.meta.dirname,
  "../../node_modules/@microsoft/jest-sarif/lib/schemas/sarif-2.1.0-rtm.5.json",
);
const {
  $schema: _draft04,
  id,
  ...schemaBody
} = JSON.parse(readFileSync(schemaPath, "utf8")) as Record<string, unknown>;
const ajv = new Ajv({ strict: false, allErrors: true, unicodeRegExp: false });
ajv.addFormat("uri", (value: string) => URL.canParse(value));
ajv.addFormat("uri-reference", (value: string) => URL.canParse(value, "file:///base/"));
ajv.addFormat("date-time", /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?(Z|[+-]\d{2}:\d{2})$/);
const validate = ajv.compile({ $id: id as string, ...schemaBody });

/** What the SARIF 2.1.0 schema says is wrong with `log`: none when it is valid. */
export function sarifSchemaErrors(log: unknown): readonly unknown[] {
  validate(log);
  return validate.errors ?? [];
}
