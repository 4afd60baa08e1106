import type { DesiredObject, DesiredOrigin } from "../../model/index.js";
import { ReadModes, parseManifests } from "../manifest.js";
import { isJsonObject } from "../../kube/value/json.js";

/** Where each `# Source: chart/templates/x.yaml` comment of a rendered manifest sits. */
interface SourceMarker {
  readonly line: number;
  readonly template: string;
}

const sourceComment = /^#\s*Source:\s*(.+?)\s*$/;
const hookAnnotation = "helm.sh/hook";

function sourceMarkers(manifest: string): readonly SourceMarker[] {
  const markers: SourceMarker[] = [];
  manifest.split("\n").forEach((text, index) => {
    const match = sourceComment.exec(text);
    if (match !== null) markers.push({ line: index + 1, template: match[1] });
  });
  return markers;
}

function markerBefore(markers: readonly SourceMarker[], line: number): SourceMarker | undefined {
  let found: SourceMarker | undefined;
  for (const marker of markers) {
    if (marker.line >= line) break;
    found = marker;
  }
  return found;
}

function isHook(object: DesiredObject): boolean {
  const metadata = object.object["metadata"];
  const annotations = isJsonObject(metadata) ? metadata["annotations"] : undefined;
  return isJsonObject(annotations) && hookAnnotation in annotations;
}

export interface RenderedManifest {
  readonly text: string;
  /** The name objects are reported under before their template's path: `helm:shop/web@3`. */
  readonly label: string;
  /** Maps a template path of a `# Source:` comment (`web/templates/deployment.yaml`) to the file to report. */
  readonly templateFile: (template: string) => string;
  /** For objects that name no namespace; undefined leaves them to the CLI's -n. */
  readonly namespace: string | undefined;
  readonly origin?: DesiredOrigin;
}

/**
 * A rendered object is reported at its template and at the line within that template's rendered
 * output, counted from the `# Source:` comment: the manifest is one long text nobody has open.
 */
function relocate(
  object: DesiredObject,
  markers: readonly SourceMarker[],
  rendered: RenderedManifest,
): DesiredObject {
  const marker = markerBefore(markers, object.source.line);
  if (marker === undefined) return object;
  const shift = (line: number): number => line - marker.line;
  const fieldLines =
    object.fieldLines === undefined
      ? undefined
      : new Map([...object.fieldLines].map(([pointer, line]): [string, number] => [pointer, shift(line)]));
  return {
    ...object,
    source: { file: rendered.templateFile(marker.template), line: shift(object.source.line) },
    ...(fieldLines === undefined ? {} : { fieldLines }),
  };
}

function withRelease(object: DesiredObject, rendered: RenderedManifest): DesiredObject {
  const namespace =
    object.ref.namespace === "" && rendered.namespace !== undefined
      ? rendered.namespace
      : object.ref.namespace;
  return {
    ...object,
    ref: { ...object.ref, namespace },
    ...(rendered.origin === undefined ? {} : { origin: rendered.origin }),
  };
}

/**
 * The objects of Helm's rendered output (a release's `manifest`, or `helm template`), without hooks
 * and tests, which Helm runs at install time and does not keep in sync. An object without a
 * namespace takes the release's in its ref only, as the CLI does for -n: a cluster-scoped kind loses
 * it again once discovery says so.
 */
export function parseRenderedManifest(rendered: RenderedManifest): readonly DesiredObject[] {
  const markers = sourceMarkers(rendered.text);
  return parseManifests(rendered.text, rendered.label, ReadModes.named)
    .objects.filter((object) => !isHook(object))
    .map((object) => withRelease(relocate(object, markers, rendered), rendered));
}

/** `web/templates/deployment.yaml` → `templates/deployment.yaml`: the chart's name is the release's chart. */
export function withinChart(template: string): string {
  const slash = template.indexOf("/");
  return slash < 0 ? template : template.slice(slash + 1);
}
