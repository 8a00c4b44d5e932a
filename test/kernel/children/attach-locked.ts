// Test child (runs under unshare -m --propagation private): what a rootless container (its own
// user namespace) may do with the mounts that reach it after attach. The host mounts, under the
// source: a lone tmpfs, a tree (an rbind of a tmpfs with a tmpfs inside it) and a read-only tmpfs;
// the container then tries to unmount and remount them. Prints the exit status of each try and
// the container's mounts under /data before and after, as JSON.
import { mkdirSync } from 'node:fs';
import { attach } from '../../../src/attach/index.js';
import { withScratch } from '../../../src/process/scratch.js';
import { readMountinfo } from '../../../src/process/read-mountinfo.js';
import * as sys from '../../../src/native/syscalls.js';
import { outcome, startContainer } from './attach-support.js';

const result = await withScratch(async (dir) => {
  const { MS_SHARED, MS_BIND, MS_REC, MS_RDONLY } = sys.addon().constants;
  const tmpfs = (path: string, flags = 0) => {
    mkdirSync(path, { recursive: true });
    sys.mount('t', path, 'tmpfs', flags, null);
  };
  const source = `${dir}/source`;
  tmpfs(source);
  sys.changePropagation(source, MS_SHARED);
  const container = await startContainer(`${dir}/rootfs`, source, { rootless: true });
  try {
    const attached = await outcome(() => attach({ pid: container.pid, source, target: '/data' }));
    tmpfs(`${source}/single`);
    tmpfs(`${dir}/tree`);
    tmpfs(`${dir}/tree/inside`);
    mkdirSync(`${source}/tree`);
    sys.mount(`${dir}/tree`, `${source}/tree`, null, MS_BIND | MS_REC, null);
    tmpfs(`${source}/ro`, MS_RDONLY);
    const view = () => readMountinfo(container.pid).filter((e) => e.mountPoint.startsWith('/data/')).map((e) => e.mountPoint);
    const arrived = view();
    const tries = {
      umountInsideTree: await container.run('umount /data/tree/inside'),
      remountReadOnlyWritable: await container.run('mount -o remount,bind,rw /data/ro'),
      umountSingle: await container.run('umount /data/single'),
      umountTreeTop: await container.run('umount -l /data/tree'),
      umountReadOnly: await container.run('umount /data/ro'),
    };
    return { attached, arrived, tries, left: view() };
  } finally {
    container.stop();
  }
});
process.stdout.write(JSON.stringify(result));
