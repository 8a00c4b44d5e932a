// The seed configuration of the project (the set-group proposal's motivating case): mount A, make it
// shared; bind A to E and to B; mount on A/C and on E/C; make B/C private; mount B/C/D; lazily
// unmount E/C and B/C/D; make E rprivate; lazily unmount E. It ends with B and A in one group with
// different children, reachable before only through helper mounts that are gone.
export const seedConfiguration = [
  'mkdir A B E',
  'mount -t tmpfs a A',
  'mount --make-shared A',
  'mount --bind A E',
  'mount --bind A B',
  'mkdir A/C',
  'mount -t tmpfs c A/C',
  'mount -t tmpfs c2 E/C',
  'mount --make-private B/C',
  'mkdir B/C/D',
  'mount -t tmpfs d B/C/D',
  'umount -l E/C',
  'umount -l B/C/D',
  'mount --make-rprivate E',
  'umount -l E',
].join('\n');
