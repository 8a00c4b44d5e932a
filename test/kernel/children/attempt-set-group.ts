// Test grandchild: one set-group call with the given source and target (a number is an fd),
// reported as JSON: { ok } or the error's code and reason.
import { MountError } from '../../../src/core/errors.js';
import { setGroup, type SetGroupMethod } from '../../../src/set-group/set-group.js';

const method = (process.env.MOUNT_SET_GROUP_TEST_METHOD ?? 'auto') as SetGroupMethod;
const [source, target] = process.argv.slice(2).map((arg) => (/^\d+$/.test(arg) ? Number(arg) : arg)) as [string | number, string | number];
try {
  setGroup(source, target, { method });
  process.stdout.write(JSON.stringify({ ok: true }));
} catch (error) {
  if (!(error instanceof MountError)) throw error;
  process.stdout.write(JSON.stringify({ code: error.code, reason: error.reason }));
}
