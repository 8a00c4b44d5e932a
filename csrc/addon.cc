// mount-set-group's native layer: each function converts its arguments, makes one system call and
// returns the result, or -errno when the call fails. Policy, validation of meaning and error
// messages live in TypeScript (src/native); a wrong argument type here is a TypeError, never a crash.
#include <napi.h>

#include <cerrno>
#include <cmath>
#include <cstdint>
#include <cstring>
#include <climits>
#include <string>

#include <fcntl.h>
#include <sys/stat.h>
#include <sys/mount.h>
#include <sys/syscall.h>
#include <unistd.h>

#ifndef SYS_open_tree
#define SYS_open_tree 428
#endif
#ifndef SYS_move_mount
#define SYS_move_mount 429
#endif
#ifndef OPEN_TREE_CLONE
#define OPEN_TREE_CLONE 1
#endif
#ifndef AT_RECURSIVE
#define AT_RECURSIVE 0x8000
#endif
#ifndef MOVE_MOUNT_F_EMPTY_PATH
#define MOVE_MOUNT_F_EMPTY_PATH 0x00000004
#endif
#ifndef MOVE_MOUNT_T_EMPTY_PATH
#define MOVE_MOUNT_T_EMPTY_PATH 0x00000040
#endif
#ifndef MOVE_MOUNT_SET_GROUP
#define MOVE_MOUNT_SET_GROUP 0x00000100
#endif
#ifndef SYS_fsopen
#define SYS_fsopen 430
#endif
#ifndef SYS_fsconfig
#define SYS_fsconfig 431
#endif
#ifndef SYS_fsmount
#define SYS_fsmount 432
#endif
#ifndef SYS_openat2
#define SYS_openat2 437
#endif
#ifndef FSOPEN_CLOEXEC
#define FSOPEN_CLOEXEC 0x00000001
#endif
#ifndef FSMOUNT_CLOEXEC
#define FSMOUNT_CLOEXEC 0x00000001
#endif
#ifndef FSCONFIG_SET_FLAG
#define FSCONFIG_SET_FLAG 0
#endif
#ifndef FSCONFIG_SET_STRING
#define FSCONFIG_SET_STRING 1
#endif
#ifndef FSCONFIG_CMD_CREATE
#define FSCONFIG_CMD_CREATE 6
#endif
#ifndef MOUNT_ATTR_RDONLY
#define MOUNT_ATTR_RDONLY 0x00000001
#define MOUNT_ATTR_NOSUID 0x00000002
#define MOUNT_ATTR_NODEV 0x00000004
#define MOUNT_ATTR_NOEXEC 0x00000008
#define MOUNT_ATTR_RELATIME 0x00000000
#define MOUNT_ATTR_NOATIME 0x00000010
#define MOUNT_ATTR_STRICTATIME 0x00000020
#define MOUNT_ATTR_NODIRATIME 0x00000080
#endif
#ifndef MOUNT_ATTR_NOSYMFOLLOW
#define MOUNT_ATTR_NOSYMFOLLOW 0x00200000
#endif
#ifndef RESOLVE_NO_XDEV
#define RESOLVE_NO_XDEV 0x01
#define RESOLVE_NO_MAGICLINKS 0x02
#define RESOLVE_NO_SYMLINKS 0x04
#define RESOLVE_BENEATH 0x08
#define RESOLVE_IN_ROOT 0x10
#endif

namespace {

// struct open_how (linux/openat2.h), spelt out so that older headers build too.
struct OpenHow {
  uint64_t flags;
  uint64_t mode;
  uint64_t resolve;
};

// MS_SET_GROUP: mount(2)'s set-group command on kernels patched from kernel-patch/.
// The same bit is the kernel-internal MS_SUBMOUNT; a stock kernel rejects it without a fs type.
constexpr unsigned long kMsSetGroup = 1UL << 26;

// The arguments of a call: exactly as many as the function takes, undefined for those not passed.
template <size_t N>
using Args = napi_value[N];

// The N-API callback that runs `Body` on its `N` arguments: one napi_get_cb_info call that fetches
// only those (node-addon-api's CallbackInfo asks for six, the receiver and the data pointer), and a
// Napi::Error thrown in C++ becomes the JavaScript exception, as node-addon-api's wrapper does.
template <size_t N, Napi::Value (*Body)(Napi::Env, const Args<N>&)>
napi_value Callback(napi_env env, napi_callback_info info) {
  try {
    size_t argc = N;
    Args<N> args;
    NAPI_THROW_IF_FAILED(env, napi_get_cb_info(env, info, &argc, args, nullptr, nullptr), nullptr);
    return Body(env, args);
  } catch (const Napi::Error& error) {
    error.ThrowAsJavaScriptException();
    return nullptr;
  }
}

// A JavaScript function named `name` that calls `callback`.
Napi::Function NativeFunction(Napi::Env env, const char* name, napi_callback callback) {
  napi_value function = nullptr;
  NAPI_THROW_IF_FAILED(env, napi_create_function(env, name, NAPI_AUTO_LENGTH, callback, nullptr, &function), Napi::Function());
  return Napi::Function(env, function);
}

// A number for JavaScript. Every value these calls return (0, an fd, -errno) fits an int32, which
// V8 keeps unboxed (no heap number to allocate).
Napi::Value Int32(Napi::Env env, int32_t value) {
  napi_value result = nullptr;
  NAPI_THROW_IF_FAILED(env, napi_create_int32(env, value, &result), Napi::Value());
  return Napi::Value(env, result);
}

// The result of a call that returns -1 and sets errno: the value itself, or -errno.
Napi::Value Result(Napi::Env env, long rc) { return Int32(env, static_cast<int32_t>(rc < 0 ? -errno : rc)); }

// A TypeError with Node's `code` (ERR_INVALID_ARG_TYPE or ERR_INVALID_ARG_VALUE), thrown to JavaScript.
[[noreturn]] void ThrowTypeError(Napi::Env env, const char* code, const std::string& message) {
  napi_value error = nullptr;
  if (napi_create_type_error(env, Napi::String::New(env, code), Napi::String::New(env, message), &error) != napi_ok) {
    throw Napi::Error::New(env);
  }
  throw Napi::Error(env, error);
}

// Arguments are converted by asking N-API for the value as the type wanted and reading the status
// (napi_string_expected, napi_number_expected) rather than asking for its type first: one N-API
// call per argument on the path every successful call takes (bench/set-group-instructions.ts).

// A string argument, converted into a caller-owned buffer without touching the heap when it fits
// in PATH_MAX bytes, and onto the heap when it does not: a long string reaches the kernel whole, and
// the kernel answers for it (ENAMETOOLONG for a path, EINVAL for a mount source or type), never cut.
class CString {
 public:
  // An absent string (NULL).
  CString() = default;

  // Converts `value`; a non-string throws TypeError (null and undefined are NULL when `nullable`),
  // and so does an embedded NUL byte (C would silently cut the string at it).
  CString(Napi::Env env, napi_value value, const char* name, bool nullable = false) {
    if (Convert(env, value, name)) return;
    if (nullable && IsNullish(env, value)) return;
    ThrowTypeError(env, "ERR_INVALID_ARG_TYPE", std::string(name) + " must be a string");
  }

  // Converts `value` when it is a string and returns true; returns false, converting nothing, when
  // it is not one.
  bool Convert(Napi::Env env, napi_value value, const char* name) {
    size_t length = 0;
    napi_status status = napi_get_value_string_utf8(env, value, buffer_, sizeof buffer_, &length);
    if (status == napi_string_expected) return false;
    if (status != napi_ok) throw Napi::Error::New(env);
    const char* text = buffer_;
    if (length >= PATH_MAX) text = ConvertLong(env, value, &length);
    if (std::memchr(text, '\0', length) != nullptr) {
      ThrowTypeError(env, "ERR_INVALID_ARG_VALUE", std::string(name) + " must not contain NUL bytes");
    }
    present_ = true;
    return true;
  }

  // The string, or NULL for an absent nullable argument.
  const char* get() const { return present_ ? (long_.empty() ? buffer_ : long_.c_str()) : nullptr; }

 private:
  static bool IsNullish(Napi::Env env, napi_value value) {
    napi_valuetype type = napi_undefined;
    NAPI_THROW_IF_FAILED(env, napi_typeof(env, value, &type), false);
    return type == napi_null || type == napi_undefined;
  }

  // The whole of a string that did not fit in the buffer, converted again onto the heap.
  const char* ConvertLong(Napi::Env env, napi_value value, size_t* length) {
    NAPI_THROW_IF_FAILED(env, napi_get_value_string_utf8(env, value, nullptr, 0, length), nullptr);
    long_.resize(*length + 1);
    NAPI_THROW_IF_FAILED(env, napi_get_value_string_utf8(env, value, long_.data(), long_.size(), length), nullptr);
    long_.resize(*length);
    return long_.c_str();
  }

  // PATH_MAX bytes and 3 more. The copy stops before a character that does not fit (4 bytes at
  // most), so a string of PATH_MAX bytes or more still fills at least PATH_MAX of them: the length
  // copied tells a string that fits from one that must go to the heap in one pass over it. Not
  // zero-filled: N-API terminates the copy.
  char buffer_[PATH_MAX + 4];
  std::string long_;
  bool present_ = false;
};

// An integer argument from `min` to `max`: NaN, fractions and values out of range are refused
// rather than wrapped (2^32 + 1 must not become fd 1, nor 1.5 fd 1). A value of another type is a
// TypeError saying what was `expected`.
int64_t IntegerArg(Napi::Env env, napi_value arg, const char* name, double min, double max, const char* expected = "a number") {
  double value = 0;
  napi_status status = napi_get_value_double(env, arg, &value);
  if (status == napi_number_expected) ThrowTypeError(env, "ERR_INVALID_ARG_TYPE", std::string(name) + " must be " + expected);
  if (status != napi_ok) throw Napi::Error::New(env);
  if (!(value >= min && value <= max) || std::trunc(value) != value) {
    ThrowTypeError(env, "ERR_INVALID_ARG_VALUE",
                   std::string(name) + " must be an integer from " + std::to_string(static_cast<int64_t>(min)) + " to " +
                       std::to_string(static_cast<int64_t>(max)));
  }
  return static_cast<int64_t>(value);
}

// A file descriptor: any int (a negative or closed one is the kernel's EBADF).
int FdArg(Napi::Env env, napi_value value, const char* name, const char* expected = "a number") {
  return static_cast<int>(IntegerArg(env, value, name, INT_MIN, INT_MAX, expected));
}

// A flags word: 32 bits, as every flag the kernel defines for these calls fits in.
uint32_t FlagsArg(Napi::Env env, napi_value value, const char* name) {
  return static_cast<uint32_t>(IntegerArg(env, value, name, 0, UINT32_MAX));
}

// mount(source, target, fstype, flags, data) -> 0 | -errno
Napi::Value Mount(Napi::Env env, const Args<5>& args) {
  CString source(env, args[0], "source", true), target(env, args[1], "target"), fstype(env, args[2], "fstype", true);
  unsigned long flags = FlagsArg(env, args[3], "flags");
  CString data(env, args[4], "data", true);
  return Result(env, mount(source.get(), target.get(), fstype.get(), flags, data.get()));
}

// mount(source, target, NULL, MS_SET_GROUP, NULL) -> 0 | -errno
Napi::Value MountSetGroup(Napi::Env env, const Args<2>& args) {
  CString source(env, args[0], "source"), target(env, args[1], "target");
  return Result(env, mount(source.get(), target.get(), nullptr, kMsSetGroup, nullptr));
}

// A path (string) or an open fd (number) as the *at() calls take it: (AT_FDCWD, path) or (fd, "").
class Location {
 public:
  Location(Napi::Env env, napi_value value, const char* name) {
    if (path_.Convert(env, value, name)) return;
    isFd_ = true;
    dirfd_ = FdArg(env, value, name, "a path (string) or a file descriptor (number)");
  }

  bool isFd() const { return isFd_; }
  int dirfd() const { return dirfd_; }
  const char* get() const { return isFd_ ? "" : path_.get(); }

 private:
  bool isFd_ = false;
  int dirfd_ = AT_FDCWD;
  CString path_;
};

// move_mount(from, to, MOVE_MOUNT_SET_GROUP), each side a path or an fd -> 0 | -errno
Napi::Value MoveMountSetGroup(Napi::Env env, const Args<2>& args) {
  Location from(env, args[0], "from"), to(env, args[1], "to");
  unsigned int flags = MOVE_MOUNT_SET_GROUP;
  if (from.isFd()) flags |= MOVE_MOUNT_F_EMPTY_PATH;
  if (to.isFd()) flags |= MOVE_MOUNT_T_EMPTY_PATH;
  return Result(env, syscall(SYS_move_mount, from.dirfd(), from.get(), to.dirfd(), to.get(), flags));
}

// mount(NULL, target, NULL, flags, NULL) -> 0 | -errno: a propagation change (MS_SHARED...)
Napi::Value ChangePropagation(Napi::Env env, const Args<2>& args) {
  CString target(env, args[0], "target");
  unsigned long flags = FlagsArg(env, args[1], "flags");
  return Result(env, mount(nullptr, target.get(), nullptr, flags, nullptr));
}

// umount2(target, flags) -> 0 | -errno
Napi::Value Umount2(Napi::Env env, const Args<2>& args) {
  CString target(env, args[0], "target");
  int flags = static_cast<int>(FlagsArg(env, args[1], "flags"));
  return Result(env, umount2(target.get(), flags));
}

// open_tree(from, flags), `from` a path or an fd (then with AT_EMPTY_PATH) -> fd | -errno
Napi::Value OpenTree(Napi::Env env, const Args<2>& args) {
  Location from(env, args[0], "from");
  unsigned int flags = FlagsArg(env, args[1], "flags");
  if (from.isFd()) flags |= AT_EMPTY_PATH;
  return Result(env, syscall(SYS_open_tree, from.dirfd(), from.get(), flags));
}

// move_mount(from, to, flags), each side a path or an fd (then with its *_EMPTY_PATH flag) -> 0 | -errno
Napi::Value MoveMount(Napi::Env env, const Args<3>& args) {
  Location from(env, args[0], "from"), to(env, args[1], "to");
  unsigned int flags = FlagsArg(env, args[2], "flags");
  if (from.isFd()) flags |= MOVE_MOUNT_F_EMPTY_PATH;
  if (to.isFd()) flags |= MOVE_MOUNT_T_EMPTY_PATH;
  return Result(env, syscall(SYS_move_mount, from.dirfd(), from.get(), to.dirfd(), to.get(), flags));
}

// openat2(dirfd, path, { flags, resolve }) -> fd | -errno
Napi::Value Openat2(Napi::Env env, const Args<4>& args) {
  int dirfd = FdArg(env, args[0], "dirfd");
  CString path(env, args[1], "path");
  OpenHow how = {FlagsArg(env, args[2], "flags"), 0, FlagsArg(env, args[3], "resolve")};
  return Result(env, syscall(SYS_openat2, dirfd, path.get(), &how, sizeof how));
}

// mkdirat(dirfd, path, mode) -> 0 | -errno
Napi::Value Mkdirat(Napi::Env env, const Args<3>& args) {
  int dirfd = FdArg(env, args[0], "dirfd");
  CString path(env, args[1], "path");
  mode_t mode = static_cast<mode_t>(IntegerArg(env, args[2], "mode", 0, 07777));
  return Result(env, mkdirat(dirfd, path.get(), mode));
}

// unlinkat(dirfd, path, flags) -> 0 | -errno
Napi::Value Unlinkat(Napi::Env env, const Args<3>& args) {
  int dirfd = FdArg(env, args[0], "dirfd");
  CString path(env, args[1], "path");
  int flags = static_cast<int>(FlagsArg(env, args[2], "flags"));
  return Result(env, unlinkat(dirfd, path.get(), flags));
}

// fsopen(fsname, flags) -> fd | -errno
Napi::Value Fsopen(Napi::Env env, const Args<2>& args) {
  CString fsName(env, args[0], "fsName");
  unsigned int flags = FlagsArg(env, args[1], "flags");
  return Result(env, syscall(SYS_fsopen, fsName.get(), flags));
}

// fsconfig(fd, cmd, key, value, aux), key and value strings or null -> 0 | -errno
Napi::Value Fsconfig(Napi::Env env, const Args<5>& args) {
  int fd = FdArg(env, args[0], "fd");
  unsigned int cmd = FlagsArg(env, args[1], "cmd");
  CString key(env, args[2], "key", true), value(env, args[3], "value", true);
  int aux = FdArg(env, args[4], "aux");
  return Result(env, syscall(SYS_fsconfig, fd, cmd, key.get(), value.get(), aux));
}

// fsmount(fd, flags, attrFlags) -> fd | -errno
Napi::Value Fsmount(Napi::Env env, const Args<3>& args) {
  int fd = FdArg(env, args[0], "fd");
  unsigned int flags = FlagsArg(env, args[1], "flags"), attrFlags = FlagsArg(env, args[2], "attrFlags");
  return Result(env, syscall(SYS_fsmount, fd, flags, attrFlags));
}

// open(path, O_PATH | O_CLOEXEC) -> fd | -errno: an fd naming a mount for the fd forms of the calls
Napi::Value OpenPath(Napi::Env env, const Args<1>& args) {
  CString path(env, args[0], "path");
  return Result(env, open(path.get(), O_PATH | O_CLOEXEC));
}

// close(fd) -> 0 | -errno
Napi::Value Close(Napi::Env env, const Args<1>& args) {
  return Result(env, close(FdArg(env, args[0], "fd")));
}

// The kernel's constants, read from the C headers rather than retyped in TypeScript.
Napi::Object Constants(Napi::Env env) {
  Napi::Object c = Napi::Object::New(env);
  c.Set("MS_RDONLY", static_cast<double>(MS_RDONLY));
  c.Set("MS_NOSUID", static_cast<double>(MS_NOSUID));
  c.Set("MS_NODEV", static_cast<double>(MS_NODEV));
  c.Set("MS_NOEXEC", static_cast<double>(MS_NOEXEC));
  c.Set("MS_NOATIME", static_cast<double>(MS_NOATIME));
  c.Set("MS_NODIRATIME", static_cast<double>(MS_NODIRATIME));
  c.Set("MS_RELATIME", static_cast<double>(MS_RELATIME));
  c.Set("MS_STRICTATIME", static_cast<double>(MS_STRICTATIME));
  c.Set("MS_NOSYMFOLLOW", static_cast<double>(MS_NOSYMFOLLOW));
  c.Set("MS_REMOUNT", static_cast<double>(MS_REMOUNT));
  c.Set("MS_BIND", static_cast<double>(MS_BIND));
  c.Set("MS_MOVE", static_cast<double>(MS_MOVE));
  c.Set("MS_REC", static_cast<double>(MS_REC));
  c.Set("MS_UNBINDABLE", static_cast<double>(MS_UNBINDABLE));
  c.Set("MS_PRIVATE", static_cast<double>(MS_PRIVATE));
  c.Set("MS_SLAVE", static_cast<double>(MS_SLAVE));
  c.Set("MS_SHARED", static_cast<double>(MS_SHARED));
  c.Set("MS_SET_GROUP", static_cast<double>(kMsSetGroup));
  c.Set("MNT_FORCE", static_cast<double>(MNT_FORCE));
  c.Set("MNT_DETACH", static_cast<double>(MNT_DETACH));
  c.Set("OPEN_TREE_CLONE", static_cast<double>(OPEN_TREE_CLONE));
  c.Set("OPEN_TREE_CLOEXEC", static_cast<double>(O_CLOEXEC));
  c.Set("AT_RECURSIVE", static_cast<double>(AT_RECURSIVE));
  c.Set("AT_FDCWD", static_cast<double>(AT_FDCWD));
  c.Set("AT_REMOVEDIR", static_cast<double>(AT_REMOVEDIR));
  c.Set("O_PATH", static_cast<double>(O_PATH));
  c.Set("O_CLOEXEC", static_cast<double>(O_CLOEXEC));
  c.Set("O_DIRECTORY", static_cast<double>(O_DIRECTORY));
  c.Set("RESOLVE_NO_XDEV", static_cast<double>(RESOLVE_NO_XDEV));
  c.Set("RESOLVE_NO_MAGICLINKS", static_cast<double>(RESOLVE_NO_MAGICLINKS));
  c.Set("RESOLVE_NO_SYMLINKS", static_cast<double>(RESOLVE_NO_SYMLINKS));
  c.Set("RESOLVE_BENEATH", static_cast<double>(RESOLVE_BENEATH));
  c.Set("RESOLVE_IN_ROOT", static_cast<double>(RESOLVE_IN_ROOT));
  c.Set("FSOPEN_CLOEXEC", static_cast<double>(FSOPEN_CLOEXEC));
  c.Set("FSMOUNT_CLOEXEC", static_cast<double>(FSMOUNT_CLOEXEC));
  c.Set("FSCONFIG_SET_FLAG", static_cast<double>(FSCONFIG_SET_FLAG));
  c.Set("FSCONFIG_SET_STRING", static_cast<double>(FSCONFIG_SET_STRING));
  c.Set("FSCONFIG_CMD_CREATE", static_cast<double>(FSCONFIG_CMD_CREATE));
  c.Set("MOUNT_ATTR_RDONLY", static_cast<double>(MOUNT_ATTR_RDONLY));
  c.Set("MOUNT_ATTR_NOSUID", static_cast<double>(MOUNT_ATTR_NOSUID));
  c.Set("MOUNT_ATTR_NODEV", static_cast<double>(MOUNT_ATTR_NODEV));
  c.Set("MOUNT_ATTR_NOEXEC", static_cast<double>(MOUNT_ATTR_NOEXEC));
  c.Set("MOUNT_ATTR_RELATIME", static_cast<double>(MOUNT_ATTR_RELATIME));
  c.Set("MOUNT_ATTR_NOATIME", static_cast<double>(MOUNT_ATTR_NOATIME));
  c.Set("MOUNT_ATTR_STRICTATIME", static_cast<double>(MOUNT_ATTR_STRICTATIME));
  c.Set("MOUNT_ATTR_NODIRATIME", static_cast<double>(MOUNT_ATTR_NODIRATIME));
  c.Set("MOUNT_ATTR_NOSYMFOLLOW", static_cast<double>(MOUNT_ATTR_NOSYMFOLLOW));
  return c;
}

Napi::Object Init(Napi::Env env, Napi::Object exports) {
  exports.Set("mount", NativeFunction(env, "mount", Callback<5, Mount>));
  exports.Set("changePropagation", NativeFunction(env, "changePropagation", Callback<2, ChangePropagation>));
  exports.Set("mountSetGroup", NativeFunction(env, "mountSetGroup", Callback<2, MountSetGroup>));
  exports.Set("moveMountSetGroup", NativeFunction(env, "moveMountSetGroup", Callback<2, MoveMountSetGroup>));
  exports.Set("umount2", NativeFunction(env, "umount2", Callback<2, Umount2>));
  exports.Set("openTree", NativeFunction(env, "openTree", Callback<2, OpenTree>));
  exports.Set("moveMount", NativeFunction(env, "moveMount", Callback<3, MoveMount>));
  exports.Set("openat2", NativeFunction(env, "openat2", Callback<4, Openat2>));
  exports.Set("mkdirat", NativeFunction(env, "mkdirat", Callback<3, Mkdirat>));
  exports.Set("unlinkat", NativeFunction(env, "unlinkat", Callback<3, Unlinkat>));
  exports.Set("fsopen", NativeFunction(env, "fsopen", Callback<2, Fsopen>));
  exports.Set("fsconfig", NativeFunction(env, "fsconfig", Callback<5, Fsconfig>));
  exports.Set("fsmount", NativeFunction(env, "fsmount", Callback<3, Fsmount>));
  exports.Set("openPath", NativeFunction(env, "openPath", Callback<1, OpenPath>));
  exports.Set("close", NativeFunction(env, "close", Callback<1, Close>));
  exports.Set("constants", Constants(env));
  return exports;
}

}  // namespace

NODE_API_MODULE(mount_set_group, Init)
