/** The descriptions of the built-in definitions, loaded from the derived data file on first use. */
import { readFileSync } from "node:fs";
import { gunzipSync } from "node:zlib";
import { isRecord } from "../../kube/value/json.js";

/**
 * The descriptions of one built-in schema as scripts/derive-schema.ts extracts them: shaped like
 * the schema, a bare string when nothing below the schema itself is described.
 */
export type DescriptionNode =
  | string
  | {
      readonly description?: string;
      readonly properties?: Readonly<Record<string, DescriptionNode>>;
      readonly items?: DescriptionNode;
      readonly additionalProperties?: DescriptionNode;
    };

const descriptionsFile = new URL(
  "../../../data/kubernetes-openapi-descriptions-v1.32.json.gz",
  import.meta.url,
);

let loadedDescriptions: Readonly<Record<string, DescriptionNode>> | undefined;

/**
 * Read on the first OpenAPI document served, never by the drift engine: the descriptions are
 * nearly three times the size of the rest of the schema data and only `kubectl explain` shows them.
 */
export function builtinDescriptions(): Readonly<Record<string, DescriptionNode>> {
  if (loadedDescriptions === undefined) {
    const parsed: unknown = JSON.parse(gunzipSync(readFileSync(descriptionsFile)).toString("utf8"));
    const definitions = isRecord(parsed) ? parsed["definitions"] : undefined;
    if (!isRecord(definitions)) {
      throw new Error(
        `${descriptionsFile.pathname}: not a derived descriptions file (run npm run derive-schema)`,
      );
    }
    loadedDescriptions = definitions as Readonly<Record<string, DescriptionNode>>;
  }
  return loadedDescriptions;
}
