import {
  ArcOptionBuilder,
  PanelBuilder as NodeGraphBuilder,
  NodeOptionsBuilder,
} from '@grafana/grafana-foundation-sdk/nodegraph';
import { type DataLink, linksProperty } from './links.js';
import type { PanelCommon } from './panels.js';

export interface NodeGraphOptions extends PanelCommon {
  /**
   * Links offered in a node's context menu, attached to one field of the nodes frame that the edges
   * frame does not have: Grafana's node graph collects the links of every field of a row
   * (explore/utils/links.ts useLinks), so links on several fields would repeat.
   */
  nodeLinks?: { field: string; links: readonly DataLink[] };
  /** `arc__*` fields of the nodes frame and their colours: a node's ring shows what it is. */
  arcs?: ReadonlyArray<{ field: string; color: string }>;
}

/** A Node Graph fed by two table queries with refIds `nodes` and `edges`. */
export function nodeGraph(o: NodeGraphOptions): NodeGraphBuilder {
  const panel = new NodeGraphBuilder()
    .title(o.title)
    .targets([...o.targets])
    .span(o.width ?? 24)
    .height(o.height ?? 14);
  if (o.description !== undefined) panel.description(o.description);
  if (o.arcs !== undefined) {
    panel.nodes(
      new NodeOptionsBuilder().arcs(o.arcs.map((a) => new ArcOptionBuilder().field(a.field).color(a.color))),
    );
  }
  if (o.nodeLinks !== undefined) panel.overrideByName(o.nodeLinks.field, [linksProperty(o.nodeLinks.links)]);
  return panel;
}
