// One line of /proc/PID/mountinfo (see proc(5) and show_mountinfo() in fs/proc_namespace.c):
//
//   36 35 98:0 /mnt1 /mnt2 rw,noatime master:1 - ext3 /dev/root rw,errors=continue
//   (1)(2)(3)   (4)   (5)      (6)      (7)   (8) (9)   (10)         (11)
//
// Paths, the source and the fs type are stored unescaped (the kernel writes space, tab, newline
// and backslash as \040 \011 \012 \134).
export interface MountInfo {
  /** (1) mount id. */
  id: number;
  /** (2) id of the parent mount; the namespace root names itself or a mount outside the reader's view. */
  parentId: number;
  /** (3) st_dev of the superblock. */
  major: number;
  minor: number;
  /** (4) the directory of the superblock that is the root of this mount ("/" for a whole mount). */
  root: string;
  /** (5) mount point, relative to the reader's root. */
  mountPoint: string;
  /** (6) per-mount options. */
  mountOptions: string;
  /** (7) `shared:N`: the peer group this mount belongs to. */
  shared?: number;
  /** (7) `master:N`: the peer group this mount is a slave of. */
  master?: number;
  /** (7) `propagate_from:N`: the nearest dominating group the reader can see, when not the master. */
  propagateFrom?: number;
  /** (7) `unbindable`. */
  unbindable: boolean;
  /** (7) optional fields this parser does not know, kept verbatim and in order. */
  otherOptional: string[];
  /** (9) filesystem type, with subtype: "fuse.sshfs". */
  fsType: string;
  /** (10) mount source ("none" when the filesystem has none). */
  source: string;
  /** (11) per-superblock options. */
  superOptions: string;
}
