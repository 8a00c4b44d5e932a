// Test grandchild: one attach() with the options given as JSON in argv[2], printed as an outcome.
// The host child runs it inside a user namespace of its own (unshare -Ur), as a caller without
// CAP_SYS_ADMIN (setpriv) or in a user namespace of its own (unshare -Ur).
import { attach, type AttachOptions } from '../../../src/attach/index.js';
import { outcome } from './attach-support.js';

const options = JSON.parse(process.argv[2]!) as AttachOptions;
process.stdout.write(JSON.stringify(await outcome(() => attach(options))));
