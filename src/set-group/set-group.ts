// setGroup(): put the private mount at `target` into the peer group and master of `source`, through
// whichever form of set-group the kernel offers — mount(2) MS_SET_GROUP on kernels patched from
// kernel-patch/, move_mount(2) MOVE_MOUNT_SET_GROUP on Linux >= 5.15 — with errors that name the
// rule that was broken. A path is resolved once, into an O_PATH fd (following a symbolic link at
// its end, as mount(8) and the mount(2) form do), and the call and the diagnosis of a refusal both
// act on that fd: a link means the same thing to both.
import { release } from 'node:os';
import { MountError, mountError, SetGroupUnsupportedError } from '../core/errors.js';
import { closedFd, explainSetGroupFailure } from './explain.js';
import { knownForms } from './forms.js';
import type { SetGroupForm } from './probe.js';
import * as sys from '../native/syscalls.js';
import { finalLink } from '../process/resolve.js';
import { procPath, type PathOrFd } from '../core/place.js';
import { validateOneOf, validateOptions, validatePathOrFd } from '../core/validate.js';

export type SetGroupMethod = 'auto' | SetGroupForm;

export interface SetGroupOptions {
  /** 'auto' (default): mount(2) where the kernel is patched, else move_mount. */
  method?: SetGroupMethod;
}

const methods: readonly SetGroupMethod[] = ['auto', 'move_mount', 'mount'];

const formNeeds: Record<SetGroupForm, string> = {
  mount: 'mount(2) MS_SET_GROUP, which needs a kernel patched from kernel-patch/',
  move_mount: 'move_mount(2) MOVE_MOUNT_SET_GROUP, which needs Linux >= 5.15',
};

function unsupported(forms: SetGroupForm[], source: PathOrFd, target: PathOrFd): SetGroupUnsupportedError {
  return new SetGroupUnsupportedError('ENOSYS', {
    syscall: forms.length === 1 ? forms[0]! : 'set-group',
    path: source,
    dest: target,
    reason: `kernel ${release()} lacks ${forms.map((form) => formNeeds[form]).join(', and ')}`,
  });
}

/** The form 'auto' uses: mount(2) where the kernel knows it, else move_mount (also where this process cannot tell). */
function chooseForm(source: PathOrFd, target: PathOrFd): SetGroupForm {
  const known = knownForms();
  if (known.mount) return 'mount';
  if (known.mount === false && known.move_mount === false) throw unsupported(['mount', 'move_mount'], source, target);
  return 'move_mount';
}

function callForm(form: SetGroupForm, source: PathOrFd, target: PathOrFd): void {
  if (form === 'move_mount') sys.moveMountSetGroup(source, target);
  else sys.mountSetGroup(procPath(source), procPath(target), source, target);
}

/** True when `error` means the kernel does not know this form at all. */
function formMissing(form: SetGroupForm, error: MountError): boolean {
  if (error.code === 'ENOSYS') return true;
  return error.code === 'EINVAL' && knownForms()[form] === false;
}

/** A side as the call and its diagnosis both take it: a path opened once (O_PATH, following a final link), an fd as given. */
interface Side {
  given: PathOrFd;
  fd?: number;
}

/** Opens the paths among the sides; on a failure, closes what was opened and throws it as the form's own error would read. */
function resolveSides(form: SetGroupForm, source: PathOrFd, target: PathOrFd): [Side, Side] {
  // Nothing to open; or a closed fd given beside a path, which goes to the kernel as it is (EBADF): an fd opened here would take its number.
  const opens = typeof source === 'string' || typeof target === 'string';
  if (!opens || closedFd(source, target) !== undefined) return [{ given: source }, { given: target }];
  const sides: Side[] = [];
  try {
    for (const given of [source, target]) sides.push(typeof given === 'number' ? { given } : { given, fd: sys.openPath(given) });
  } catch (error) {
    releaseSides(sides);
    if (!(error instanceof MountError)) throw error;
    throw mountError(error.code, { syscall: form === 'move_mount' ? 'move_mount' : 'mount', path: source, dest: target, cause: error });
  }
  return sides as [Side, Side];
}

function releaseSides(sides: readonly Side[]): void {
  for (const side of sides) if (side.fd !== undefined) sys.close(side.fd);
}

const heldFd = (side: Side): PathOrFd => side.fd ?? side.given;

/** " ('a' is a symbolic link to 'b')" for each path among `places` that ends in a link: the name a reason speaks of is not the mount's own. */
function linksNamed(places: readonly PathOrFd[]): string {
  const links = places.flatMap((place) => (typeof place === 'string' ? (finalLink(place) ?? []) : []));
  return links.length === 0 ? '' : ` (${links.join('; ')})`;
}

/** The kernel's refusal, with the rule it enforced named in `reason` when it can be, looked up through the fds the call used. */
function explained(error: MountError, form: SetGroupForm, source: PathOrFd, target: PathOrFd, held: [PathOrFd, PathOrFd] = [source, target]): MountError {
  if (formMissing(form, error)) return unsupported([form], source, target);
  // mount(2) reaches an fd through /proc/self/fd/N, where a closed one is ENOENT; it is EBADF, as move_mount says.
  if (form === 'mount' && error.code === 'ENOENT' && closedFd(source, target) !== undefined) {
    return explained(mountError('EBADF', { syscall: error.syscall, path: source, dest: target, cause: error }), form, source, target);
  }
  const reason = explainSetGroupFailure(error, source, target, held);
  if (reason === undefined) return error;
  return mountError(error.code, { syscall: error.syscall, path: source, dest: target, reason: `${reason}${linksNamed([source, target])}`, cause: error });
}

/**
 * Set-group: the private mount whose root is `target` joins the peer group of the mount whose
 * root is `source` and becomes a slave of its master, if it has one. Nothing propagates: the
 * source's children are not copied. Each side is a path or an open file descriptor; fds and
 * /proc/PID/root/... paths reach mounts of other namespaces without setns. Returns the form used.
 */
export function setGroup(source: PathOrFd, target: PathOrFd, options?: SetGroupOptions): SetGroupForm {
  validatePathOrFd(source, 'source');
  validatePathOrFd(target, 'target');
  validateOptions(options, 'options', ['method']);
  const method = options?.method ?? 'auto';
  validateOneOf(method, 'options.method', methods);
  const form = method === 'auto' ? chooseForm(source, target) : method;
  let sides: [Side, Side];
  try {
    sides = resolveSides(form, source, target);
  } catch (error) {
    throw error instanceof MountError ? explained(error, form, source, target) : error;
  }
  try {
    callHeld(form, [heldFd(sides[0]), heldFd(sides[1])], [source, target]);
  } finally {
    releaseSides(sides);
  }
  return form;
}

/** The form's call on held places; a refusal names the places as `shown`, its reason looked up through the held ones. */
function callHeld(form: SetGroupForm, held: [PathOrFd, PathOrFd], [source, target]: [PathOrFd, PathOrFd]): void {
  try {
    callForm(form, ...held);
  } catch (error) {
    if (!(error instanceof MountError)) throw error;
    throw explained(mountError(error.code, { syscall: error.syscall, path: source, dest: target, cause: error }), form, source, target, held);
  }
}

/**
 * Set-group on mounts the caller holds as fds it resolved itself (attach: the volume found inside
 * a container's root), with errors and reasons naming them as `shown`. Returns the form used.
 */
export function setGroupHeld(held: [number, number], shown: [PathOrFd, PathOrFd], options?: SetGroupOptions): SetGroupForm {
  const method = options?.method ?? 'auto';
  const form = method === 'auto' ? chooseForm(...shown) : method;
  callHeld(form, held, shown);
  return form;
}
