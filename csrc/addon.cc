// mount-set-group's native layer: each function converts its arguments, makes one system call and
// returns the result, or -errno when the call fails. Policy, validation of meaning and error
// messages live in TypeScript (src/native); a wrong argument type here is a TypeError, never a crash.
#include <napi.h>

#include <cerrno>
#include <cstring>
#include <optional>
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

// A place the *at() calls understand: a path relative to the cwd, or an fd with an empty path.
struct Location {
  int dirfd;
  std::string path;
  bool isFd;
};

// The result of a call that returns -1 and sets errno: the value itself, or -errno.
Napi::Value Result(Napi::Env env, long rc) {
  return Napi::Number::New(env, rc < 0 ? -errno : rc);
}

// A string argument with no embedded NUL byte (C would silently truncate it).
std::string StringArg(const Napi::CallbackInfo& info, size_t index, const char* name) {
  if (!info[index].IsString()) {
    throw Napi::TypeError::New(info.Env(), std::string(name) + " must be a string");
  }
  std::string value = info[index].As<Napi::String>().Utf8Value();
  if (std::strlen(value.c_str()) != value.size()) {
    throw Napi::TypeError::New(info.Env(), std::string(name) + " must not contain NUL bytes");
  }
  return value;
}

// A string argument that may be null (mount(2)'s source, type and data).
std::optional<std::string> OptionalStringArg(const Napi::CallbackInfo& info, size_t index,
                                             const char* name) {
  if (info[index].IsNull() || info[index].IsUndefined()) return std::nullopt;
  return StringArg(info, index, name);
}

const char* CStr(const std::optional<std::string>& value) {
  return value ? value->c_str() : nullptr;
}

// A 32-bit integer argument (an fd or a flags word).
int64_t IntegerArg(const Napi::CallbackInfo& info, size_t index, const char* name) {
  if (!info[index].IsNumber()) {
    throw Napi::TypeError::New(info.Env(), std::string(name) + " must be a number");
  }
  return info[index].As<Napi::Number>().Int64Value();
}

// A path (string) or an open file descriptor (number).
Location LocationArg(const Napi::CallbackInfo& info, size_t index, const char* name) {
  if (info[index].IsNumber()) {
    return {static_cast<int>(IntegerArg(info, index, name)), "", true};
  }
  return {AT_FDCWD, StringArg(info, index, name), false};
}

// mount(source, target, fstype, flags, data) -> 0 | -errno
Napi::Value Mount(const Napi::CallbackInfo& info) {
  auto source = OptionalStringArg(info, 0, "source");
  auto target = StringArg(info, 1, "target");
  auto fstype = OptionalStringArg(info, 2, "fstype");
  auto flags = static_cast<unsigned long>(IntegerArg(info, 3, "flags"));
  auto data = OptionalStringArg(info, 4, "data");
  return Result(info.Env(), mount(CStr(source), target.c_str(), CStr(fstype), flags, CStr(data)));
}

// mount(source, target, NULL, MS_SET_GROUP, NULL) -> 0 | -errno
Napi::Value MountSetGroup(const Napi::CallbackInfo& info) {
  auto source = StringArg(info, 0, "source");
  auto target = StringArg(info, 1, "target");
  return Result(info.Env(), mount(source.c_str(), target.c_str(), nullptr, kMsSetGroup, nullptr));
}

// move_mount(from, to, MOVE_MOUNT_SET_GROUP), each side a path or an fd -> 0 | -errno
Napi::Value MoveMountSetGroup(const Napi::CallbackInfo& info) {
  auto from = LocationArg(info, 0, "from");
  auto to = LocationArg(info, 1, "to");
  unsigned int flags = MOVE_MOUNT_SET_GROUP;
  if (from.isFd) flags |= MOVE_MOUNT_F_EMPTY_PATH;
  if (to.isFd) flags |= MOVE_MOUNT_T_EMPTY_PATH;
  return Result(info.Env(), syscall(SYS_move_mount, from.dirfd, from.path.c_str(), to.dirfd,
                                    to.path.c_str(), flags));
}

// umount2(target, flags) -> 0 | -errno
Napi::Value Umount2(const Napi::CallbackInfo& info) {
  auto target = StringArg(info, 0, "target");
  auto flags = static_cast<int>(IntegerArg(info, 1, "flags"));
  return Result(info.Env(), umount2(target.c_str(), flags));
}

// open_tree(AT_FDCWD, path, flags) -> fd | -errno
Napi::Value OpenTree(const Napi::CallbackInfo& info) {
  auto path = StringArg(info, 0, "path");
  auto flags = static_cast<unsigned int>(IntegerArg(info, 1, "flags"));
  return Result(info.Env(), syscall(SYS_open_tree, AT_FDCWD, path.c_str(), flags));
}

// open(path, O_PATH | O_CLOEXEC) -> fd | -errno: an fd naming a mount for the fd forms of the calls
Napi::Value OpenPath(const Napi::CallbackInfo& info) {
  auto path = StringArg(info, 0, "path");
  return Result(info.Env(), open(path.c_str(), O_PATH | O_CLOEXEC));
}

// close(fd) -> 0 | -errno
Napi::Value Close(const Napi::CallbackInfo& info) {
  auto fd = static_cast<int>(IntegerArg(info, 0, "fd"));
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
