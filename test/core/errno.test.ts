// core/errno.ts writes out the kernel's errno numbers and Node's words for them, so that core and the
// model need no node:* module: every row must be what Node itself says.
import { constants } from 'node:os';
import { getSystemErrorMap } from 'node:util';
import { describe, expect, it } from 'vitest';
import { ERRNO_NAMES, errnoDescription, errnoName, errnoNumber } from '../../src/core/errno.js';
import { mountError } from '../../src/core/errors.js';

const nodeErrors = getSystemErrorMap();

describe('the errno table', () => {
  it.each(ERRNO_NAMES)('%s has the number and the words Node has', (code) => {
    const number = (constants.errno as Record<string, number>)[code];
    expect(errnoNumber(code)).toBe(number);
    expect(errnoName(number!)).toBe(code);
    expect(errnoName(-number!)).toBe(code);
    expect(errnoDescription(code)).toBe(nodeErrors.get(-number!)?.[1]);
  });

  it('covers every code the kernel backend turns from a Node fs error into a MountError', () => {
    for (const code of ['EACCES', 'EEXIST', 'ENOENT', 'ENOTDIR', 'EROFS', 'ENAMETOOLONG', 'ELOOP', 'ENOSPC', 'EPERM']) {
      expect(ERRNO_NAMES).toContain(code);
    }
  });

  it('names an errno it lacks E<number>, and a MountError for it keeps the number', () => {
    expect(errnoName(-133)).toBe('E133');
    const error = mountError(errnoName(-133), { syscall: 'mount' });
    expect(error.errno).toBe(-133);
    expect(error.message).toBe('E133: unknown error, mount');
  });
});
