// For scripts that run in the guest as a VM suite's job (../guest-job.ts): where the job's JSON
// result goes. The host reads it after the guest has rebooted.
import { writeFileSync } from 'node:fs';

/** The variable that names the job's result file, set by runGuestJob(). */
export const RESULT_VARIABLE = 'MOUNT_SET_GROUP_VM_RESULT';

/** Writes the job's result as JSON where the host will read it. */
export function writeResult(value: unknown): void {
  const path = process.env[RESULT_VARIABLE];
  if (!path) throw new Error(`${RESULT_VARIABLE} is not set: run this script as a guest job (test/vm/guest-job.ts)`);
  writeFileSync(path, JSON.stringify(value));
}
