// The propagation graph as Graphviz DOT: each peer group a cluster of its mounts, each slave an
// edge from the group it receives from, private mounts standing alone, the mount tree as thin grey
// edges from each mount to the mounts on it, and a legend that says which is which. `dot -Tsvg`
// draws it.
import type { MountInfo } from '../../mountinfo/types.js';
import type { NamespaceOf } from './tree.js';

function quoted(text: string): string {
  return `"${text.replace(/\\/g, '\\\\').replace(/"/g, '\\"').replace(/\n/g, '\\n')}"`;
}

function nodeLabel(mount: MountInfo, namespaceOf?: NamespaceOf): string {
  const root = mount.root === '/' ? '' : ` [${mount.root}]`;
  const unbindable = mount.unbindable ? '\nunbindable' : '';
  const namespace = namespaceOf ? `\nin ${namespaceOf.get(mount.id)}` : '';
  return `${mount.mountPoint}${root}\n${mount.fsType} ${mount.source} (id ${mount.id})${unbindable}${namespace}`;
}

/** A peer group's label: its id, and for a set of namespaces the namespaces its members live in. */
function groupLabel(group: number, members: readonly MountInfo[], namespaceOf?: NamespaceOf): string {
  if (!namespaceOf) return `peer group ${group}`;
  const homes = [...new Set(members.map((member) => namespaceOf.get(member.id)))];
  return `peer group ${group}\n(${homes.length > 1 ? 'across ' : 'in '}${homes.join(', ')})`;
}

/** The legend: one sample of each kind of node and edge the graph draws. */
const legend = [
  '  subgraph cluster_legend {',
  '    label="legend"; style=dotted; fontname="monospace";',
  '    node [fontsize=10];',
  '    legend_group [label="a mount in a peer group\n(mount point [root]\nfstype source (id))"];',
  '    legend_private [label="a private mount", style=dashed];',
  '    legend_hidden [label="a peer group with no\nmember shown", style=dotted];',
  '    legend_slave [label="its slave", style=dashed];',
  '    legend_child [label="a mount on it", style=dashed];',
  '    legend_hidden -> legend_slave [label="slave", color=blue, fontcolor=blue];',
  '    legend_private -> legend_child [label="mounted on", color=gray, fontcolor=gray, arrowhead=none];',
  '  }',
];

/**
 * DOT text for the propagation graph of `mounts`: peer groups, masters, the tree, and a legend. For
 * the mounts of a set of namespaces (`namespaceOf`), each node names its namespace and a group's
 * cluster the namespaces it spans; a slave edge from a group to a mount of another namespace is
 * drawn bold: a tie across namespaces.
 */
export function renderDot(mounts: readonly MountInfo[], namespaceOf?: NamespaceOf): string {
  const lines = ['digraph propagation {', '  compound=true;', '  rankdir=LR;', '  node [shape=box, fontname="monospace"];', ...legend];
  const groups = new Map<number, MountInfo[]>();
  for (const mount of mounts) {
    if (mount.shared === undefined) continue;
    if (groups.has(mount.shared)) groups.get(mount.shared)!.push(mount);
    else groups.set(mount.shared, [mount]);
  }
  for (const [group, members] of groups) {
    lines.push(`  subgraph cluster_group_${group} {`, `    label=${quoted(groupLabel(group, members, namespaceOf))};`, '    style=rounded;');
    for (const mount of members) lines.push(`    m${mount.id} [label=${quoted(nodeLabel(mount, namespaceOf))}];`);
    lines.push('  }');
  }
  for (const mount of mounts) {
    if (mount.shared === undefined) lines.push(`  m${mount.id} [label=${quoted(nodeLabel(mount, namespaceOf))}, style=dashed];`);
  }
  const shown = new Set(mounts.map((mount) => mount.id));
  for (const mount of mounts) {
    if (mount.parentId !== mount.id && shown.has(mount.parentId)) lines.push(`  m${mount.parentId} -> m${mount.id} [color=gray, arrowhead=none];`);
  }
  const hidden = new Set<number>();
  for (const mount of mounts) {
    if (mount.master === undefined) continue;
    const master = groups.get(mount.master)?.[0];
    if (master) {
      const across = namespaceOf !== undefined && groups.get(mount.master)!.every((member) => namespaceOf.get(member.id) !== namespaceOf.get(mount.id));
      lines.push(`  m${master.id} -> m${mount.id} [ltail=cluster_group_${mount.master}, label=${across ? '"slave (across namespaces)", style=bold' : '"slave"'}, color=blue, fontcolor=blue];`);
      continue;
    }
    if (!hidden.has(mount.master)) lines.push(`  group_${mount.master} [label=${quoted(`peer group ${mount.master}\n(no member shown)`)}, style=dotted];`);
    hidden.add(mount.master);
    lines.push(`  group_${mount.master} -> m${mount.id} [label="slave", color=blue, fontcolor=blue];`);
  }
  lines.push('}');
  return `${lines.join('\n')}\n`;
}
