import type { LineCounter, ParseOptions, DocumentOptions, SchemaOptions } from "yaml";

type Tags = Exclude<SchemaOptions["customTags"], undefined | null>;
type TagList = Extract<Tags, readonly unknown[]>;

/**
 * kubectl reads YAML with go-yaml v2 (YAML 1.1): `0644` is the octal 420, `yes`/`on` are booleans,
 * `<<` merges. Reading with YAML 1.2 would turn `defaultMode: 0644` into 644 and report false drift.
 * go-yaml leaves timestamps and sexagesimal numbers as strings when decoding into JSON, so those tags go.
 */
export function kubectlCompatibleTags(tags: TagList): TagList {
  return tags.filter((tag) => {
    if (typeof tag === "string") return true;
    return tag.format !== "TIME" && !tag.tag.endsWith(":timestamp") && !tag.tag.endsWith(":binary");
  });
}

export function yamlOptions(lineCounter: LineCounter): ParseOptions & DocumentOptions & SchemaOptions {
  return {
    version: "1.1",
    lineCounter,
    prettyErrors: false,
    uniqueKeys: true,
    merge: true,
    customTags: kubectlCompatibleTags,
    // yaml's warnings go to stderr as `(node:…) Warning` lines and quote the text (collection keys
    // stringified); the callers turn what matters into errors of their own.
    logLevel: "error",
  };
}
