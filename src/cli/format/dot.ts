// The propagation graph as Graphviz DOT: each peer group a cluster of its mounts, each slave an
// edge to the group it receives from, private mounts standing alone. `dot -Tsvg` draws it.
import type { MountInfo } from '../../mountinfo/types.js';

function quoted(text: string): string {
  return `"${text.replace(/\\/g, '\\\\').replace(/"/g, '\\"').replace(/\n/g, '\\n')}"`;
}

function nodeLabel(mount: MountInfo): string {
  const root = mount.root === '/' ? '' : ` [${mount.root}]`;
  const unbindable = mount.unbindable ? '\nunbindable' : '';
  return `${mount.mountPoint}${root}\n${mount.fsType} ${mount.source} (id ${mount.id})${unbindable}`;
}

/** DOT text for the propagation graph of `mounts`. */
export function renderDot(mounts: readonly MountInfo[]): string {
  const lines = ['digraph propagation {', '  compound=true;', '  rankdir=LR;', '  node [shape=box, fontname="monospace"];'];
  const groups = new Map<number, MountInfo[]>();
  for (const mount of mounts) {
    if (mount.shared === undefined) continue;
    if (groups.has(mount.shared)) groups.get(mount.shared)!.push(mount);
    else groups.set(mount.shared, [mount]);
  }
  for (const [group, members] of groups) {
    lines.push(`  subgraph cluster_group_${group} {`, `    label=${quoted(`peer group ${group}`)};`, '    style=rounded;');
    for (const mount of members) lines.push(`    m${mount.id} [label=${quoted(nodeLabel(mount))}];`);
    lines.push('  }');
  }
  for (const mount of mounts) {
    if (mount.shared === undefined) lines.push(`  m${mount.id} [label=${quoted(nodeLabel(mount))}, style=dashed];`);
  }
  for (const mount of mounts) {
    if (mount.master === undefined) continue;
    const master = groups.get(mount.master)?.[0];
    const edge = master
      ? `  m${master.id} -> m${mount.id} [ltail=cluster_group_${mount.master}, label="slave"];`
      : `  group_${mount.master} [label=${quoted(`peer group ${mount.master}\n(not visible here)`)}, style=dotted];\n  group_${mount.master} -> m${mount.id} [label="slave"];`;
    lines.push(edge);
  }
  lines.push('}');
  return `${lines.join('\n')}\n`;
}
