const compiled = new Map<string, RegExp>();

function globPattern(glob: string): RegExp {
  let pattern = compiled.get(glob);
  if (pattern === undefined) {
    const body = glob
      .split("*")
      .map((part) => part.replace(/[.+?^${}()|[\]\\]/g, "\\$&"))
      .join(".*");
    pattern = new RegExp(`^${body}$`);
    compiled.set(glob, pattern);
  }
  return pattern;
}

/** Names in rules and trusted-manager lists: exact, or with `*` standing for any run of characters. */
export function matchesName(glob: string, name: string): boolean {
  return glob.includes("*") ? globPattern(glob).test(name) : glob === name;
}

export function matchesAnyName(globs: readonly string[], name: string): boolean {
  return globs.some((glob) => matchesName(glob, name));
}
