// The mount table as JSON, as `findmnt --json --list -o ID,PARENT,TARGET,SOURCE,FSTYPE,PROPAGATION`
// gives it: {"filesystems": [...]} in tree order, flat (a tree may be 10,000 mounts deep), with the
// peer group and master as numbers beside the propagation words.
import type { MountInfo } from '../../mountinfo/types.js';
import { inTreeOrder, propagationOf, type NamespaceOf } from './tree.js';

/** One mount as `show --json` writes it. */
function row(mount: MountInfo, namespaceOf?: NamespaceOf): Record<string, unknown> {
  const fields: Record<string, unknown> = {
    ...(namespaceOf ? { namespace: namespaceOf.get(mount.id) } : {}),
    id: mount.id,
    parent: mount.parentId,
    target: mount.mountPoint,
    source: mount.source,
    root: mount.root,
    fstype: mount.fsType,
    propagation: propagationOf(mount),
  };
  if (mount.shared !== undefined) fields.shared = mount.shared;
  if (mount.master !== undefined) fields.master = mount.master;
  return fields;
}

/** `{"filesystems": [...]}` for `mounts`, in tree order; for a set of namespaces, each row names its namespace. */
export function renderJson(mounts: readonly MountInfo[], namespaceOf?: NamespaceOf): string {
  return `${JSON.stringify({ filesystems: inTreeOrder(mounts).map((mount) => row(mount, namespaceOf)) })}\n`;
}
