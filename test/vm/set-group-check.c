// Runs inside the test VM (as root, in the guest's own mount namespace): tries mount(2) with
// MS_SET_GROUP and prints one `name result` line per call (0 or -errno), then the mountinfo lines
// of its scratch mounts. Setup failures exit 2 with the failing step on stderr.
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <unistd.h>

#define MS_SET_GROUP (1UL << 26)

// mount(2) as 0 or -errno.
static int try_mount(const char *source, const char *target, const char *type, unsigned long flags) {
  return mount(source, target, type, flags, NULL) == 0 ? 0 : -errno;
}

// A setup step that must work.
static void must(const char *step, int result) {
  if (result != 0) {
    fprintf(stderr, "setup failed: %s: %s\n", step, strerror(-result));
    _exit(2);
  }
}

// Prints the mountinfo lines of mounts under /tmp/sg.
static void print_mountinfo(void) {
  char line[4096];
  FILE *f = fopen("/proc/self/mountinfo", "r");
  if (!f) return;
  while (fgets(line, sizeof line, f)) {
    if (strstr(line, " /tmp/sg/")) printf("mountinfo %s", line);
  }
  fclose(f);
}

int main(void) {
  // A shared tmpfs A, three private bind mounts of it (B, C, D), and a symlink to A.
  mkdir("/tmp/sg", 0755);
  mkdir("/tmp/sg/a", 0755);
  mkdir("/tmp/sg/b", 0755);
  mkdir("/tmp/sg/c", 0755);
  mkdir("/tmp/sg/d", 0755);
  must("symlink to A", symlink("/tmp/sg/a", "/tmp/sg/link") == 0 ? 0 : -errno);
  must("mount tmpfs A", try_mount("sg", "/tmp/sg/a", "tmpfs", 0));
  must("make A shared", try_mount(NULL, "/tmp/sg/a", NULL, MS_SHARED));
  must("bind A on B", try_mount("/tmp/sg/a", "/tmp/sg/b", NULL, MS_BIND));
  must("make B private", try_mount(NULL, "/tmp/sg/b", NULL, MS_PRIVATE));
  must("bind A on C", try_mount("/tmp/sg/a", "/tmp/sg/c", NULL, MS_BIND));
  must("make C private", try_mount(NULL, "/tmp/sg/c", NULL, MS_PRIVATE));
  must("bind A on D", try_mount("/tmp/sg/a", "/tmp/sg/d", NULL, MS_BIND));
  must("make D private", try_mount(NULL, "/tmp/sg/d", NULL, MS_PRIVATE));

  printf("set_group %d\n", try_mount("/tmp/sg/a", "/tmp/sg/b", NULL, MS_SET_GROUP));
  printf("probe %d\n", try_mount("/nonexistent", "/", NULL, MS_SET_GROUP));
  printf("with_bind %d\n", try_mount("/tmp/sg/a", "/tmp/sg/c", NULL, MS_SET_GROUP | MS_BIND));
  printf("with_move %d\n", try_mount("/tmp/sg/a", "/tmp/sg/c", NULL, MS_SET_GROUP | MS_MOVE));
  printf("with_remount %d\n", try_mount("/tmp/sg/a", "/tmp/sg/c", NULL, MS_SET_GROUP | MS_REMOUNT));
  printf("with_shared %d\n", try_mount("/tmp/sg/a", "/tmp/sg/c", NULL, MS_SET_GROUP | MS_SHARED));
  printf("with_rec %d\n", try_mount("/tmp/sg/a", "/tmp/sg/c", NULL, MS_SET_GROUP | MS_REC));
  printf("via_symlink %d\n", try_mount("/tmp/sg/link", "/tmp/sg/d", NULL, MS_SET_GROUP));
  printf("target_shared %d\n", try_mount("/tmp/sg/a", "/tmp/sg/b", NULL, MS_SET_GROUP));
  fflush(stdout);
  print_mountinfo();
  return 0;
}
