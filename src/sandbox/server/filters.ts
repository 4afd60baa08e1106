import type { KubeObject } from "../../kube/value/json.js";
import { badRequest } from "../api/status.js";
import { parseFieldSelector, type FieldSelectorTarget } from "../query/field-selector.js";
import { SelectorParseError, parseLabelSelector } from "../../kube/labels/selector.js";
import type { ResourceInfo } from "../registry/types.js";
import { labelsOf } from "../../kube/object.js";

export interface ListFilter {
  /** Whether the request has any selector (then lists report no remainingItemCount). */
  readonly selective: boolean;
  readonly matches: (object: KubeObject) => boolean;
}

function parsed<T>(parse: () => T): T {
  try {
    return parse();
  } catch (error: unknown) {
    if (error instanceof SelectorParseError) throw badRequest(error.message);
    throw error;
  }
}

/** `labelSelector` and `fieldSelector` of a list, watch or deletecollection; 400 when malformed. */
export function compileListFilter(info: ResourceInfo, query: URLSearchParams, custom = false): ListFilter {
  const labelText = query.get("labelSelector") ?? "";
  const fieldText = query.get("fieldSelector") ?? "";
  const target: FieldSelectorTarget = {
    group: info.group,
    kind: info.kind,
    namespaced: info.namespaced,
    custom,
  };
  const labels = parsed(() => parseLabelSelector(labelText));
  const fields = parsed(() => parseFieldSelector(fieldText, target));
  const selective = labels.requirements.length > 0 || fields.requirements.length > 0;
  return {
    selective,
    matches: selective ? (object) => labels.matches(labelsOf(object)) && fields.matches(object) : () => true,
  };
}
