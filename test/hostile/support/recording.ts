// A MountNamespace that writes down every call it passes on, in the form a restore plan prints
// (formatStep), so the steps a restore really applied can be compared with its --dry-run.
import type { MountFlag, MountHandle, MountNamespace, MountRef, NewMountOptions, Propagation } from '../../../src/core/namespace.js';
import { formatStep } from '../../../src/restore/apply.js';
import type { Target } from '../../../src/restore/plan.js';

/** A pinned mount as a plan names it: `@h<fd>` (plans name pins after mount ids: compare with renamePins). */
function target(ref: MountRef): Target {
  return typeof ref === 'string' ? ref : { pin: `h${ref.handle}` };
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
    this.calls.push(options.recursive ? formatStep({ op: 'mkdir', path }) : `mkdir ${path}`);
    this.inner.mkdir(path, options);
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

  umount(target: string, options: { lazy?: boolean } = {}): void {
    this.calls.push(options.lazy ? formatStep({ op: 'umount', target }) : `umount ${target}`);
    this.inner.umount(target, options);
  }

  remountBind(ref: MountRef, flags: readonly MountFlag[]): void {
    this.calls.push(formatStep({ op: 'remount', target: target(ref), flags }));
    this.inner.remountBind(ref, flags);
  }

  changePropagation(ref: MountRef, type: Propagation, options: { recursive?: boolean } = {}): void {
    this.calls.push(options.recursive ? `mount --make-r${type} ${String(ref)}` : formatStep({ op: 'propagation', type, target: target(ref) }));
    this.inner.changePropagation(ref, type, options);
  }

  setGroup(source: MountRef, dest: MountRef): void {
    this.calls.push(formatStep({ op: 'setGroup', source: target(source), target: target(dest) }));
    this.inner.setGroup(source, dest);
  }

  pin(path: string): MountHandle {
    const handle = this.inner.pin(path);
    this.calls.push(formatStep({ op: 'pin', name: `h${handle.handle}`, path }));
    return handle;
  }

  unpin(handle: MountHandle): void {
    this.calls.push(formatStep({ op: 'unpin', name: `h${handle.handle}` }));
    this.inner.unpin(handle);
  }

  mountinfo(): string {
    return this.inner.mountinfo();
  }
}

/** Lines with every `@name` of a pin renamed `@1`, `@2`... in order of first appearance. */
export function renamePins(lines: readonly string[]): string[] {
  const names = new Map<string, string>();
  return lines.map((line) => line.replace(/@[\w-]+/g, (name) => {
    if (!names.has(name)) names.set(name, `@${names.size + 1}`);
    return names.get(name)!;
  }));
}
