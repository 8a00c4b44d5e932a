// A MountNamespace that writes down every mount operation it passes on, in the form a restore plan
// prints (formatStep), so that the operations a restore really made can be compared with its
// --dry-run. A place held by a handle is named by the path it was opened by. Resolutions, mkdirs
// and pins are passed on without a record: a restore makes those through held places, one
// component at a time, where its plan says `mkdir -p` and `pin` (compare with mountOperations()).
import type { MountFlag, MountHandle, MountNamespace, MountRef, NewMountOptions, Propagation } from '../../../src/core/namespace.js';
import { formatStep } from '../../../src/restore/apply.js';

/** A place as a plan line names it: its path, or the path its handle was opened by. */
function named(ref: MountRef): string {
  return typeof ref === 'string' ? ref : (ref.path ?? `fd ${ref.handle}`);
}

export class RecordingNamespace implements MountNamespace {
  readonly calls: string[] = [];

  constructor(readonly inner: MountNamespace) {}

  get backend() {
    return this.inner.backend;
  }

  cwd(): string {
    return this.inner.cwd();
  }

  mkdir(path: string, options: { recursive?: boolean } = {}): void {
    this.inner.mkdir(path, options);
  }

  createFile(path: string): void {
    this.calls.push(formatStep({ op: 'createFile', path }));
    this.inner.createFile(path);
  }

  mount(fsType: string, source: string, target: string, options: NewMountOptions = {}): void {
    this.calls.push(formatStep({ op: 'mount', fsType, source, target, flags: options.flags ?? [], data: options.data ?? '' }));
    this.inner.mount(fsType, source, target, options);
  }

  bind(source: string, target: string, options: { recursive?: boolean } = {}): void {
    this.calls.push(options.recursive ? `mount --rbind ${source} ${target}` : formatStep({ op: 'bind', source, target }));
    this.inner.bind(source, target, options);
  }

  move(source: string, target: string): void {
    this.calls.push(`mount --move ${source} ${target}`);
    this.inner.move(source, target);
  }

  umount(target: MountRef, options: { lazy?: boolean } = {}): void {
    this.calls.push(options.lazy ? formatStep({ op: 'umount', target: named(target) }) : `umount ${named(target)}`);
    this.inner.umount(target, options);
  }

  remountBind(ref: MountRef, flags: readonly MountFlag[]): void {
    this.calls.push(formatStep({ op: 'remount', target: named(ref), flags }));
    this.inner.remountBind(ref, flags);
  }

  changePropagation(ref: MountRef, type: Propagation, options: { recursive?: boolean } = {}): void {
    this.calls.push(options.recursive ? `mount --make-r${type} ${named(ref)}` : formatStep({ op: 'propagation', type, target: named(ref) }));
    this.inner.changePropagation(ref, type, options);
  }

  setGroup(source: MountRef, dest: MountRef): void {
    this.calls.push(formatStep({ op: 'setGroup', source: named(source), target: named(dest) }));
    this.inner.setGroup(source, dest);
  }

  pin(path: string): MountHandle {
    return this.inner.pin(path);
  }

  unpin(handle: MountHandle): void {
    this.inner.unpin(handle);
  }

  openBeneath(dir: MountHandle, path: string): MountHandle {
    return this.inner.openBeneath(dir, path);
  }

  mkdirAt(dir: MountHandle, name: string): void {
    this.inner.mkdirAt(dir, name);
  }

  createFileAt(dir: MountHandle, name: string): void {
    this.inner.createFileAt(dir, name);
  }

  rmdirAt(dir: MountHandle, name: string): void {
    this.inner.rmdirAt(dir, name);
  }

  mountAt(fsType: string, source: string, target: MountHandle, options: NewMountOptions = {}): MountHandle {
    this.calls.push(formatStep({ op: 'mount', fsType, source, target: named(target), flags: options.flags ?? [], data: options.data ?? '' }));
    return this.inner.mountAt(fsType, source, target, options);
  }

  bindAt(source: MountRef, target: MountHandle): MountHandle {
    this.calls.push(formatStep({ op: 'bind', source: named(source), target: named(target) }));
    return this.inner.bindAt(source, target);
  }

  cloneDetached(source: MountRef): MountHandle {
    return this.inner.cloneDetached(source);
  }

  attachAt(detached: MountRef, target: MountHandle): MountHandle {
    return this.inner.attachAt(detached, target);
  }

  mountinfo(): string {
    return this.inner.mountinfo();
  }
}

/**
 * The mount operations of a printed plan, each pinned mount (`@name`) named by the path it was
 * pinned at: what a RecordingNamespace writes down when a restore applies the plan. Comment lines,
 * `mkdir -p`, `pin` and `unpin` are left out.
 */
export function mountOperations(printed: readonly string[]): string[] {
  const pins = new Map<string, string>();
  const operations: string[] = [];
  for (const line of printed) {
    const pin = /^pin @(\S+) (.+)$/.exec(line);
    if (pin) pins.set(pin[1]!, pin[2]!);
    else if (!/^(#|mkdir |unpin )/.test(line)) operations.push(line.replace(/@([\w-]+)/g, (name, pinned: string) => pins.get(pinned) ?? name));
  }
  return operations;
}
