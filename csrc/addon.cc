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

namespace {

// MS_SET_GROUP: mount(2)'s set-group command on kernels patched from kernel-patch/.
// The same bit is the kernel-internal MS_SUBMOUNT; a stock kernel rejects it without a fs type.
constexpr unsigned long kMsSetGroup = 1UL << 26;

// The result of a call that returns -1 and sets errno: the value itself, or -errno.
Napi::Value Result(Napi::Env env, long rc) {
  return Napi::Number::New(env, rc < 0 ? -errno : rc);
}

// A TypeError with Node's `code` (ERR_INVALID_ARG_TYPE or ERR_INVALID_ARG_VALUE), thrown to JavaScript.
[[noreturn]] void ThrowTypeError(Napi::Env env, const char* code, const std::string& message) {
  napi_value error = nullptr;
  if (napi_create_type_error(env, Napi::String::New(env, code), Napi::String::New(env, message), &error) != napi_ok) {
    throw Napi::Error::New(env);
  }
  throw Napi::Error(env, error);
}

// A string argument, converted into a caller-owned buffer without touching the heap. A path of
// PATH_MAX bytes or more is refused the way the kernel would refuse it (ENAMETOOLONG), never cut.
class CString {
 public:
  // An absent string (NULL).
  CString() = default;

  // Converts info[index]; a non-string throws TypeError, and so does an embedded NUL byte
  // (C would silently cut the string at it).
  CString(const Napi::CallbackInfo& info, size_t index, const char* name, bool nullable = false) {
    Napi::Env env = info.Env();
    napi_value value = info[index];
    napi_valuetype type = info[index].Type();
    if (nullable && (type == napi_null || type == napi_undefined)) return;
    if (type != napi_string) ThrowTypeError(env, "ERR_INVALID_ARG_TYPE", std::string(name) + " must be a string");
    // The whole length first: a copy into a buffer too small stops at a character boundary, so the
    // length copied cannot tell a string that fitted from one that was cut before a multibyte character.
    size_t length = 0;
    NAPI_THROW_IF_FAILED_VOID(env, napi_get_value_string_utf8(env, value, nullptr, 0, &length));
    if (length >= sizeof buffer_) {
      tooLong_ = true;
      return;
    }
    NAPI_THROW_IF_FAILED_VOID(env, napi_get_value_string_utf8(env, value, buffer_, sizeof buffer_, &length));
    if (std::memchr(buffer_, '\0', length) != nullptr) {
      ThrowTypeError(env, "ERR_INVALID_ARG_VALUE", std::string(name) + " must not contain NUL bytes");
    }
    present_ = true;
  }

  // The string, or NULL for an absent nullable argument.
  const char* get() const { return present_ ? buffer_ : nullptr; }
  // True when the string, with its terminating NUL, does not fit in PATH_MAX bytes.
  bool tooLong() const { return tooLong_; }

 private:
  char buffer_[PATH_MAX] = "";
  bool present_ = false;
  bool tooLong_ = false;
};

// -ENAMETOOLONG when any of the strings was longer than PATH_MAX, as the kernel reports it.
template <typename... Strings>
bool AnyTooLong(const Strings&... strings) {
  return (strings.tooLong() || ...);
}

// An integer argument from `min` to `max`: NaN, fractions and values out of range are refused
// rather than wrapped (2^32 + 1 must not become fd 1, nor 1.5 fd 1).
int64_t IntegerArg(const Napi::CallbackInfo& info, size_t index, const char* name, double min, double max) {
  if (!info[index].IsNumber()) ThrowTypeError(info.Env(), "ERR_INVALID_ARG_TYPE", std::string(name) + " must be a number");
  double value = info[index].As<Napi::Number>().DoubleValue();
  if (!(value >= min && value <= max) || std::trunc(value) != value) {
    ThrowTypeError(info.Env(), "ERR_INVALID_ARG_VALUE",
                   std::string(name) + " must be an integer from " + std::to_string(static_cast<int64_t>(min)) + " to " +
                       std::to_string(static_cast<int64_t>(max)));
  }
  return static_cast<int64_t>(value);
}

// A file descriptor: any int (a negative or closed one is the kernel's EBADF).
int FdArg(const Napi::CallbackInfo& info, size_t index, const char* name) {
  return static_cast<int>(IntegerArg(info, index, name, INT_MIN, INT_MAX));
}

// A flags word: 32 bits, as every flag the kernel defines for these calls fits in.
uint32_t FlagsArg(const Napi::CallbackInfo& info, size_t index, const char* name) {
  return static_cast<uint32_t>(IntegerArg(info, index, name, 0, UINT32_MAX));
}

Napi::Value NameTooLong(Napi::Env env) { return Napi::Number::New(env, -ENAMETOOLONG); }

// mount(source, target, fstype, flags, data) -> 0 | -errno
Napi::Value Mount(const Napi::CallbackInfo& info) {
  CString source(info, 0, "source", true), target(info, 1, "target"), fstype(info, 2, "fstype", true);
  unsigned long flags = FlagsArg(info, 3, "flags");
  CString data(info, 4, "data", true);
  if (AnyTooLong(source, target, fstype, data)) return NameTooLong(info.Env());
  return Result(info.Env(), mount(source.get(), target.get(), fstype.get(), flags, data.get()));
}

// mount(source, target, NULL, MS_SET_GROUP, NULL) -> 0 | -errno
Napi::Value MountSetGroup(const Napi::CallbackInfo& info) {
  CString source(info, 0, "source"), target(info, 1, "target");
  if (AnyTooLong(source, target)) return NameTooLong(info.Env());
  return Result(info.Env(), mount(source.get(), target.get(), nullptr, kMsSetGroup, nullptr));
}

// A path (string) or an open fd (number) as the *at() calls take it: (AT_FDCWD, path) or (fd, "").
struct Location {
  Location(const Napi::CallbackInfo& info, size_t index, const char* name)
      : isFd(info[index].IsNumber()),
        dirfd(isFd ? FdArg(info, index, name) : AT_FDCWD),
        path(isFd ? CString() : CString(info, index, name)) {}

  const char* get() const { return isFd ? "" : path.get(); }
  bool tooLong() const { return path.tooLong(); }

  bool isFd;
  int dirfd;
  CString path;
};

// move_mount(from, to, MOVE_MOUNT_SET_GROUP), each side a path or an fd -> 0 | -errno
Napi::Value MoveMountSetGroup(const Napi::CallbackInfo& info) {
  Location from(info, 0, "from"), to(info, 1, "to");
  if (AnyTooLong(from, to)) return NameTooLong(info.Env());
  unsigned int flags = MOVE_MOUNT_SET_GROUP;
  if (from.isFd) flags |= MOVE_MOUNT_F_EMPTY_PATH;
  if (to.isFd) flags |= MOVE_MOUNT_T_EMPTY_PATH;
  return Result(info.Env(), syscall(SYS_move_mount, from.dirfd, from.get(), to.dirfd, to.get(), flags));
}

// mount(NULL, target, NULL, flags, NULL) -> 0 | -errno: a propagation change (MS_SHARED...)
Napi::Value ChangePropagation(const Napi::CallbackInfo& info) {
  CString target(info, 0, "target");
  unsigned long flags = FlagsArg(info, 1, "flags");
  if (AnyTooLong(target)) return NameTooLong(info.Env());
  return Result(info.Env(), mount(nullptr, target.get(), nullptr, flags, nullptr));
}

// umount2(target, flags) -> 0 | -errno
Napi::Value Umount2(const Napi::CallbackInfo& info) {
  CString target(info, 0, "target");
  int flags = static_cast<int>(FlagsArg(info, 1, "flags"));
  if (AnyTooLong(target)) return NameTooLong(info.Env());
  return Result(info.Env(), umount2(target.get(), flags));
}

// open_tree(AT_FDCWD, path, flags) -> fd | -errno
Napi::Value OpenTree(const Napi::CallbackInfo& info) {
  CString path(info, 0, "path");
  unsigned int flags = FlagsArg(info, 1, "flags");
  if (AnyTooLong(path)) return NameTooLong(info.Env());
  return Result(info.Env(), syscall(SYS_open_tree, AT_FDCWD, path.get(), flags));
}

// open(path, O_PATH | O_CLOEXEC) -> fd | -errno: an fd naming a mount for the fd forms of the calls
Napi::Value OpenPath(const Napi::CallbackInfo& info) {
  CString path(info, 0, "path");
  if (AnyTooLong(path)) return NameTooLong(info.Env());
  return Result(info.Env(), open(path.get(), O_PATH | O_CLOEXEC));
}

// close(fd) -> 0 | -errno
Napi::Value Close(const Napi::CallbackInfo& info) {
  int fd = FdArg(info, 0, "fd");
  return Result(info.Env(), close(fd));
}

// The kernel's constants, read from the C headers rather than retyped in TypeScript.
Napi::Object Constants(Napi::Env env) {
  Napi::Object c = Napi::Object::New(env);
  c.Set("MS_RDONLY", static_cast<double>(MS_RDONLY));
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
  return c;
}

Napi::Object Init(Napi::Env env, Napi::Object exports) {
  exports.Set("mount", Napi::Function::New(env, Mount, "mount"));
  exports.Set("changePropagation", Napi::Function::New(env, ChangePropagation, "changePropagation"));
  exports.Set("mountSetGroup", Napi::Function::New(env, MountSetGroup, "mountSetGroup"));
  exports.Set("moveMountSetGroup", Napi::Function::New(env, MoveMountSetGroup, "moveMountSetGroup"));
  exports.Set("umount2", Napi::Function::New(env, Umount2, "umount2"));
  exports.Set("openTree", Napi::Function::New(env, OpenTree, "openTree"));
  exports.Set("openPath", Napi::Function::New(env, OpenPath, "openPath"));
  exports.Set("close", Napi::Function::New(env, Close, "close"));
  exports.Set("constants", Constants(env));
  return exports;
}

}  // namespace

NODE_API_MODULE(mount_set_group, Init)
