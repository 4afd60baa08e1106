import type { JsonObject, KubeObject } from "../value/json.js";
import { ensureObject, updateAt, updateObject, withDefaults } from "./edit.js";

/** apiextensions-apiserver's v1 defaults for CustomResourceDefinitions. */

function defaultNames(names: JsonObject): JsonObject {
  const kind = typeof names["kind"] === "string" ? names["kind"] : "";
  const singular = withDefaults(names, { singular: kind.toLowerCase() });
  return kind === "" ? singular : withDefaults(singular, { listKind: `${kind}List` });
}

function defaultConversion(conversion: JsonObject): JsonObject {
  const withStrategy = withDefaults(conversion, { strategy: "None" });
  return updateAt(withStrategy, ["webhook", "clientConfig", "service"], (service) =>
    withDefaults(service, { port: 443 }),
  );
}

export function defaultCrd(object: KubeObject): KubeObject {
  return ensureObject(object, "spec", (spec) =>
    ensureObject(updateObject(spec, "names", defaultNames), "conversion", defaultConversion),
  );
}
