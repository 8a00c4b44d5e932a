// setGroup() refuses malformed arguments before any system call, with Node's error codes. These
// run in the test runner itself, where the addon is banned (vitest.config.ts): an argument that
// slipped through to the kernel would fail with AddonUnavailableError instead of the TypeError.
import { describe, expect, it } from 'vitest';
import { setGroup } from '../src/set-group/set-group.js';

describe('setGroup argument checks', () => {
  it.each([
    ['a number that is not an integer', 1.5, 'ERR_INVALID_ARG_VALUE'],
    ['a negative fd', -1, 'ERR_INVALID_ARG_VALUE'],
    ['an fd above INT_MAX', 2 ** 31, 'ERR_INVALID_ARG_VALUE'],
    ['NaN', Number.NaN, 'ERR_INVALID_ARG_VALUE'],
    ['an empty path', '', 'ERR_INVALID_ARG_VALUE'],
    ['a path with a NUL byte', '/mnt/a\0/etc', 'ERR_INVALID_ARG_VALUE'],
    ['null', null, 'ERR_INVALID_ARG_TYPE'],
    ['undefined', undefined, 'ERR_INVALID_ARG_TYPE'],
    ['an object', { path: '/a' }, 'ERR_INVALID_ARG_TYPE'],
    ['a Buffer', Buffer.from('/a'), 'ERR_INVALID_ARG_TYPE'],
    ['a bigint', 3n, 'ERR_INVALID_ARG_TYPE'],
  ])('source as %s: TypeError %s', (_what, value, code) => {
    const call = () => setGroup(value as never, '/target');
    expect(call).toThrow(TypeError);
    expect(call).toThrow(expect.objectContaining({ code, message: expect.stringMatching(/["']source["']/) }));
  });

  it('names the argument that is wrong', () => {
    expect(() => setGroup('/source', 7.5)).toThrow(/'target'/);
    expect(() => setGroup(7.5, '/target')).toThrow(/'source'/);
    expect(() => setGroup(null as never, '/target')).toThrow(/"source" argument must be of type string \(a path\) or number/);
  });

  it.each([
    ['an unknown method', { method: 'ioctl' }, /'options.method' must be one of 'auto', 'move_mount', 'mount'/],
    ['an unknown option', { methd: 'auto' }, /unknown option 'methd'/],
    ['options that are not an object', 'auto', /"options" argument must be of type object/],
  ])('%s is refused before any syscall', (_what, options, message) => {
    expect(() => setGroup('/source', '/target', options as never)).toThrow(message);
  });
});
