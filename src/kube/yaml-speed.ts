/**
 * Two costs of the `yaml` library on large files (50 MB of manifests or of `kubectl get -o yaml`),
 * kept in one place for every reader of YAML.
 */

/**
 * yaml builds a double-quoted scalar one character at a time, and V8 keeps such a string as a tree
 * of concatenations (a "cons string") of about 30 bytes per character until something needs it
 * flat. Kubernetes YAML quotes many values: kept as they come, a 50 MB file took 1.3–1.8 GB of heap
 * and the garbage collector most of the run. Converting a string to a number flattens it in place
 * (the trick of the `flatstr` package); the value itself is unchanged.
 */
export function flattenStrings<T>(value: T): T {
  if (typeof value === "string") void Number(value);
  else if (Array.isArray(value)) for (const item of value as unknown[]) flattenStrings(item);
  else if (typeof value === "object" && value !== null)
    for (const item of Object.values(value)) flattenStrings(item);
  return value;
}

/**
 * yaml's Parser reads `process.env.LOG_TOKENS` for every token, and process.env is a host object
 * whose every read asks the C library: a third of the parse of a 50 MB file. The parse is
 * synchronous, so a plain copy can stand in for it meanwhile; nothing else runs before it is back.
 */
export function withPlainEnvironment<T>(run: () => T): T {
  const environment = process.env;
  process.env = { ...environment };
  try {
    return run();
  } finally {
    process.env = environment;
  }
}
