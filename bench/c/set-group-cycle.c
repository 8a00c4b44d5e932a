/* The baseline for bench/set-group-cycle.ts: the same set-group + make-private cycle, in C.
 * Usage: set-group-cycle SOURCE TARGET ITERATIONS [--ignore-errors]; prints nanoseconds per cycle.
 * --ignore-errors is for counting instructions under valgrind, which answers move_mount with ENOSYS.
 * Run it only inside a private mount namespace. */
#define _GNU_SOURCE
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/syscall.h>
#include <time.h>
#include <unistd.h>

#ifndef MOVE_MOUNT_SET_GROUP
#define MOVE_MOUNT_SET_GROUP 0x100
#endif

static double now_ns(void) {
  struct timespec ts;
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return ts.tv_sec * 1e9 + ts.tv_nsec;
}

int main(int argc, char **argv) {
  int ignore_errors = argc == 5 && strcmp(argv[4], "--ignore-errors") == 0;
  if (argc != 4 && !ignore_errors) {
    fprintf(stderr, "usage: %s SOURCE TARGET ITERATIONS [--ignore-errors]\n", argv[0]);
    return 2;
  }
  const char *source = argv[1], *target = argv[2];
  long iterations = atol(argv[3]);
  double start = now_ns();
  for (long i = 0; i < iterations; i++) {
    int failed = syscall(SYS_move_mount, AT_FDCWD, source, AT_FDCWD, target, MOVE_MOUNT_SET_GROUP) < 0;
    failed |= mount(NULL, target, NULL, MS_PRIVATE, NULL) < 0;
    if (failed && !ignore_errors) {
      perror("cycle");
      return 1;
    }
  }
  printf("%.1f\n", (now_ns() - start) / iterations);
  return 0;
}
