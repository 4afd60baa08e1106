import type { Path, PathElement } from "../kube/fieldpath/index.js";

/**
 * Where the comparison is: a JSON Pointer token into the desired object and the matching
 * managedFields element, linked to the parent so that nothing is built until a drift needs it.
 */
export interface Trail {
  readonly parent: Trail | undefined;
  readonly token: string;
  readonly element: PathElement;
}

export function stepInto(parent: Trail | undefined, token: string, element: PathElement): Trail {
  return { parent, token, element };
}

export function pointerOf(trail: Trail | undefined): string {
  let pointer = "";
  for (let at = trail; at !== undefined; at = at.parent) pointer = `/${at.token}${pointer}`;
  return pointer;
}

export function fieldPathOf(trail: Trail | undefined): Path {
  const elements: PathElement[] = [];
  for (let at = trail; at !== undefined; at = at.parent) elements.push(at.element);
  return elements.reverse();
}
