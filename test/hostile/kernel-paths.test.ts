// Hostile paths and fds on the real kernel: too long (the kernel's answer: ENAMETOOLONG for a path, EINVAL
// for mount(2)'s source or type; never cut), symlink loops
// (ELOOP), a file where a directory is needed (ENOTDIR), missing (ENOENT), closed or never-opened
// fds (EBADF), fds and paths of things that are not mount roots (EINVAL with the rule), a form the
// kernel lacks (ENOSYS); relative paths resolve against process.cwd(). All in a child with its own
// private mount namespace, on a scratch tmpfs (children/kernel-paths.ts); nothing outside it moves.
import { beforeAll, describe, expect, it } from 'vitest';
import { kernelSuite, kernelUnavailable, runChild } from '../support/kernel.js';
import type { Outcome } from './children/kernel-paths.js';

type Propagation = { shared?: number; master?: number };

interface Report {
  dir: string;
  outcomes: Record<string, Outcome>;
  stillOpen: { spare: boolean; stdin: boolean };
  afterHostile: Record<'b' | 'e', Propagation>;
  relative: Record<'setGroup' | 'notMountRoot' | 'bind', Outcome>;
  afterRelative: Record<'a' | 'c' | 'plain', Propagation>;
  outsideBefore: string[];
  outsideAfter: string[];
}

describe.skipIf(kernelUnavailable)(kernelSuite('hostile paths and fds on the kernel'), () => {
  let report: Report;
  beforeAll(() => {
    report = runChild<Report>(new URL('./children/kernel-paths.ts', import.meta.url));
  });

  it.each([
    ['setGroupLongPath', 'MountError', 'ENAMETOOLONG'],
    ['setGroupCutBeforeMultibyte', 'MountError', 'ENAMETOOLONG'],
    ['setGroupSymlinkCycle', 'MountError', 'ELOOP'],
    ['setGroupThroughFile', 'MountError', 'ENOTDIR'],
    ['setGroupMissing', 'MountNotFoundError', 'ENOENT'],
    ['setGroupClosedFd', 'MountError', 'EBADF'],
    ['setGroupFdNeverOpened', 'MountError', 'EBADF'],
    ['setGroupFileAsSource', 'MountInvalidArgumentError', 'EINVAL'],
    ['setGroupPlainDirectory', 'MountInvalidArgumentError', 'EINVAL'],
    ['setGroupFdOfFile', 'MountInvalidArgumentError', 'EINVAL'],
    ['setGroupFdOfPipe', 'MountInvalidArgumentError', 'EINVAL'],
    ['setGroupSymlinkLoop', 'MountError', 'ELOOP'],
    ['mountLongTarget', 'MountError', 'ENAMETOOLONG'],
    // mount(2) copies its source and type with strndup_user(PATH_MAX): one that does not fit is EINVAL;
    // its data is one page, whatever its length (tmpfs then refuses the cut-off option: EINVAL).
    ['mountDataTooLong', 'MountInvalidArgumentError', 'EINVAL'],
    ['mountLongSource', 'MountInvalidArgumentError', 'EINVAL'],
    ['mountLongType', 'MountInvalidArgumentError', 'EINVAL'],
    ['bindLongSource', 'MountInvalidArgumentError', 'EINVAL'],
    ['bindSymlinkLoop', 'MountError', 'ELOOP'],
    ['bindDirectoryOntoFile', 'MountError', 'ENOTDIR'],
    ['mkdirUnderFile', 'MountError', 'ENOTDIR'],
    ['umountMissing', 'MountNotFoundError', 'ENOENT'],
    ['umountNotAMount', 'MountInvalidArgumentError', 'EINVAL'],
    ['umountSymlinkCycle', 'MountError', 'ELOOP'],
    ['makeSharedThroughFile', 'MountError', 'ENOTDIR'],
    ['pinLongPath', 'MountError', 'ENAMETOOLONG'],
    ['pinCutBeforeMultibyte', 'MountError', 'ENAMETOOLONG'],
    ['unpinClosedFd', 'MountError', 'EBADF'],
  ])('%s: %s %s', (name, errorName, code) => {
    expect(report.outcomes[name]).toMatchObject({ name: errorName, code });
  });

  it('a symbolic link at the end of a path means the same to set-group and to its checks: followed, as mount(8) follows it', () => {
    expect(report.outcomes.setGroupThroughFinalLink).toMatchObject({ ok: true });
  });

  it('a path one multibyte character past PATH_MAX is refused whole, not cut to the mount it starts with', () => {
    expect(report.afterHostile.b).toEqual({});
  });

  it.each([
    ['setGroupFileAsSource', /the source '.*\/file' is not the root of a mount/],
    ['setGroupFdOfFile', /the source 'fd \d+' is not the root of a mount/],
    ['setGroupPlainDirectory', /the target '.*\/plain' is not the root of a mount/],
    ['setGroupFdOfPipe', /the source is not mounted in any namespace this process can see/],
    ['setGroupClosedFd', /fd \d+ is not an open file descriptor/],
    ['setGroupFdNeverOpened', /fd 2147483647 is not an open file descriptor/],
    ['setGroupMissing', /'.*\/nowhere' does not exist/],
    ['setGroupSymlinkLoop', /^a symbolic link on the way leads back to itself \('.*\/loop' is a symbolic link to 'loop'\)$/],
    ['setGroupLinkToNotARoot', /^the source '.*\/sublink' is not the root of a mount \(it lies inside the mount at '.*\/a'\).* \('.*\/sublink' is a symbolic link to 'a\/sub'\)$/],
    ['setGroupDanglingLink', /^'.*\/dangling' does not exist \('.*\/dangling' is a symbolic link to 'nowhere'\)$/],
  ])('%s names the rule: %s', (name, reason) => {
    expect(report.outcomes[name]).toMatchObject({ reason: expect.stringMatching(reason) });
  });

  it.skipIf(process.env.MOUNT_SET_GROUP_TEST_METHOD === 'mount')('the mount(2) form on a stock kernel: SetGroupUnsupportedError ENOSYS, the target untouched', () => {
    expect(report.outcomes.setGroupMountForm).toMatchObject({ name: 'SetGroupUnsupportedError', code: 'ENOSYS', reason: expect.stringMatching(/lacks mount\(2\) MS_SET_GROUP/) });
    expect(report.afterHostile.e).toEqual({});
  });

  it.each([
    ['addonCloseWrapsNot', 'ERR_INVALID_ARG_VALUE'],
    ['addonCloseNaN', 'ERR_INVALID_ARG_VALUE'],
    ['addonCloseFraction', 'ERR_INVALID_ARG_VALUE'],
    ['addonMountFlagsTooWide', 'ERR_INVALID_ARG_VALUE'],
    ['addonMountFlagsNegative', 'ERR_INVALID_ARG_VALUE'],
    ['addonMountTargetNumber', 'ERR_INVALID_ARG_TYPE'],
    ['addonMoveMountObject', 'ERR_INVALID_ARG_TYPE'],
    ['addonOpenPathNul', 'ERR_INVALID_ARG_VALUE'],
    ['addonOpenPathMissing', 'ERR_INVALID_ARG_TYPE'],
  ])('the addon called directly: %s is a TypeError %s', (name, code) => {
    expect(report.outcomes[name]).toMatchObject({ name: 'TypeError', code });
  });

  it('fd numbers the addon refused closed nothing (2^32 + fd, fd + 0.5, NaN would have been fd, fd, 0)', () => {
    expect(report.stillOpen).toEqual({ spare: true, stdin: true });
  });

  it('relative paths resolve against process.cwd(), in the calls and in the reasons', () => {
    expect(report.relative.setGroup).toEqual({ ok: true, value: expect.stringMatching(/^(move_mount|mount)$/) });
    expect(report.relative.bind).toEqual({ ok: true });
    expect(report.afterRelative.c.shared).toBe(report.afterRelative.a.shared);
    expect(report.afterRelative.plain.shared).toBe(report.afterRelative.a.shared);
    expect(report.relative.notMountRoot).toMatchObject({
      code: 'EINVAL',
      reason: expect.stringMatching(new RegExp(`the source 'a/sub' is not the root of a mount \\(it lies inside the mount at '${report.dir}/a'\\)`)),
    });
  });

  it('no mount outside the scratch directory changed', () => {
    expect(report.outsideAfter).toEqual(report.outsideBefore);
    expect(report.outsideBefore.length).toBeGreaterThan(0);
  });
});
