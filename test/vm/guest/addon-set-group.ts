// Guest job: the addon, loaded the way the package loads it (src/native/addon.ts: node-gyp-build,
// build/Release first, then prebuilds/), calls mount(2) MS_SET_GROUP itself: B joins A's peer group,
// and the side-effect-free probe call gives ENOENT.
import { mkdirSync, readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { fileURLToPath } from 'node:url';
import { addon } from '../../../src/native/addon.js';
import { writeResult } from './result.js';

const packageRoot = fileURLToPath(new URL('../../..', import.meta.url));
const a = addon();
const { MS_BIND, MS_PRIVATE, MS_SHARED } = a.constants;
for (const dir of ['/tmp/n/a', '/tmp/n/b']) mkdirSync(dir, { recursive: true });
const steps = [
  a.mount('n', '/tmp/n/a', 'tmpfs', 0, null),
  a.mount(null, '/tmp/n/a', null, MS_SHARED, null),
  a.mount('/tmp/n/a', '/tmp/n/b', null, MS_BIND, null),
  a.mount(null, '/tmp/n/b', null, MS_PRIVATE, null),
];
const setGroup = a.mountSetGroup('/tmp/n/a', '/tmp/n/b');
const probe = a.mountSetGroup('/nonexistent', '/');
const mountinfo = readFileSync('/proc/self/mountinfo', 'utf8').split('\n').filter((line) => line.includes(' /tmp/n/'));
const loadedFrom = (createRequire(import.meta.url)('node-gyp-build') as { resolve(dir: string): string }).resolve(packageRoot);
writeResult({ loadedFrom, steps, setGroup, probe, mountinfo });
