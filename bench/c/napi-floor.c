/* The floor under bench/set-group-cycle.ts: an N-API addon that does everything the set-group cycle's
 * two calls must do in user space — one call each, their arguments fetched, the paths copied out as
 * UTF-8, a number read, a number returned — and makes no system call. No N-API addon can make the
 * cycle cheaper than this; the cycle through it costs (C cycle + this). With it, cLoop(): the C
 * program's loop run inside Node's process, to tell the kernel's cost there from N-API's.
 * Built by the benchmark with `cc -O2 -shared -fPIC -I<node headers>`; never shipped. */
#define _GNU_SOURCE
#include <fcntl.h>
#include <limits.h>
#include <node_api.h>
#include <sys/mount.h>
#include <sys/syscall.h>
#include <unistd.h>

#ifndef MOVE_MOUNT_SET_GROUP
#define MOVE_MOUNT_SET_GROUP 0x100
#endif

/* Throws a JavaScript Error for a failed N-API call and returns NULL (undefined). */
static napi_value fail(napi_env env) {
  napi_throw_error(env, NULL, "napi-floor: an N-API call failed");
  return NULL;
}

/* Returns int32 `value`. */
static napi_value int32(napi_env env, int value) {
  napi_value result;
  return napi_create_int32(env, value, &result) == napi_ok ? result : fail(env);
}

/* empty(): no arguments read, undefined returned — the cost of the call alone. Not static: its
 * symbol marks where a measured stretch begins and ends (callgrind --dump-before=napi_floor_empty). */
napi_value napi_floor_empty(napi_env env, napi_callback_info info) {
  (void)env;
  (void)info;
  return NULL;
}

/* setGroupShape(from, to) -> 0: what moveMountSetGroup(from, to) does, minus move_mount(2). */
static napi_value set_group_shape(napi_env env, napi_callback_info info) {
  size_t argc = 2;
  napi_value argv[2];
  char from[PATH_MAX + 4], to[PATH_MAX + 4];
  size_t length;
  if (napi_get_cb_info(env, info, &argc, argv, NULL, NULL) != napi_ok ||
      napi_get_value_string_utf8(env, argv[0], from, sizeof from, &length) != napi_ok ||
      napi_get_value_string_utf8(env, argv[1], to, sizeof to, &length) != napi_ok) {
    return fail(env);
  }
  return int32(env, 0);
}

/* propagationShape(target, flags) -> 0: what changePropagation(target, flags) does, minus mount(2). */
static napi_value propagation_shape(napi_env env, napi_callback_info info) {
  size_t argc = 2;
  napi_value argv[2];
  char target[PATH_MAX + 4];
  size_t length;
  double flags;
  if (napi_get_cb_info(env, info, &argc, argv, NULL, NULL) != napi_ok ||
      napi_get_value_string_utf8(env, argv[0], target, sizeof target, &length) != napi_ok ||
      napi_get_value_double(env, argv[1], &flags) != napi_ok) {
    return fail(env);
  }
  return int32(env, 0);
}

/* cLoop(from, to, count) -> failures: `count` set-group + make-private cycles in one call, as
 * bench/c/set-group-cycle.c makes them. Run it only inside a private mount namespace. */
static napi_value c_loop(napi_env env, napi_callback_info info) {
  size_t argc = 3;
  napi_value argv[3];
  char from[PATH_MAX + 4], to[PATH_MAX + 4];
  size_t length;
  int64_t count;
  if (napi_get_cb_info(env, info, &argc, argv, NULL, NULL) != napi_ok ||
      napi_get_value_string_utf8(env, argv[0], from, sizeof from, &length) != napi_ok ||
      napi_get_value_string_utf8(env, argv[1], to, sizeof to, &length) != napi_ok ||
      napi_get_value_int64(env, argv[2], &count) != napi_ok) {
    return fail(env);
  }
  int failures = 0;
  for (int64_t i = 0; i < count; i++) {
    failures += syscall(SYS_move_mount, AT_FDCWD, from, AT_FDCWD, to, MOVE_MOUNT_SET_GROUP) < 0;
    failures += mount(NULL, to, NULL, MS_PRIVATE, NULL) < 0;
  }
  return int32(env, failures);
}

static napi_value init(napi_env env, napi_value exports) {
  napi_property_descriptor functions[] = {
      {"empty", NULL, napi_floor_empty, NULL, NULL, NULL, napi_default, NULL},
      {"setGroupShape", NULL, set_group_shape, NULL, NULL, NULL, napi_default, NULL},
      {"propagationShape", NULL, propagation_shape, NULL, NULL, NULL, napi_default, NULL},
      {"cLoop", NULL, c_loop, NULL, NULL, NULL, napi_default, NULL},
  };
  if (napi_define_properties(env, exports, sizeof functions / sizeof functions[0], functions) != napi_ok) return fail(env);
  return exports;
}

NAPI_MODULE(NODE_GYP_MODULE_NAME, init)
