import type { Path, PathElement } from "../kube/fieldpath/index.js";

/**
 * Where the comparison is: a JSON Pointer token into the desired object and the matching
 * managedFields element, linked to the parent so that nothing is built until a drift needs it.
 */
export interface Trail {
  readonly parent: Trail | undefined;
  readonly token: string;
  readonly element: PathElement;
  /** The token into the live object where it differs: a keyed item at another index there. */
  readonly liveToken?: string;
  /** A keyed item paired with a live item of another key (rule 5): the same item, renamed. */
  readonly renamed?: true;
}

export function stepInto(parent: Trail | undefined, token: string, element: PathElement): Trail {
  return { parent, token, element };
}

/** A step to a keyed list item that the live object holds at `liveToken`, maybe under another key. */
export function stepToItem(
  parent: Trail | undefined,
  token: string,
  element: PathElement,
  live: { readonly liveToken: string; readonly renamed: boolean },
): Trail {
  return {
    parent,
    token,
    element,
    ...(live.liveToken === token ? {} : { liveToken: live.liveToken }),
    ...(live.renamed ? { renamed: true as const } : {}),
  };
}

/** The pointer into the live object, for a field inside a renamed item only (undefined elsewhere). */
export function livePointerOf(trail: Trail | undefined): string | undefined {
  let pointer = "";
  let renamed = false;
  for (let at = trail; at !== undefined; at = at.parent) {
    pointer = `/${at.liveToken ?? at.token}${pointer}`;
    renamed ||= at.renamed === true;
  }
  return renamed ? pointer : undefined;
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
