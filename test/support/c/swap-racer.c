// A racing attacker for the tests of restore and attach (test/hostile/race.test.ts): in a tight
// loop, makes NAME_B a symbolic link to LINK_TARGET when it is missing, then swaps NAME_A and
// NAME_B in DIR with renameat2(RENAME_EXCHANGE), so that a path through DIR/NAME_A is, from one
// moment to the next, the directory or a link out of the tree. Names are looked up from DIR's path
// every time, so mounts made on the way are crossed as anyone else's lookup would cross them.
// Runs until killed, or until its parent exits (PR_SET_PDEATHSIG). Prints how many swaps happened
// when it gets SIGTERM.
//
//   swap-racer DIR NAME_A NAME_B LINK_TARGET
#define _GNU_SOURCE
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/prctl.h>
#include <sys/syscall.h>
#include <unistd.h>

#ifndef RENAME_EXCHANGE
#define RENAME_EXCHANGE (1 << 1)
#endif

static volatile sig_atomic_t stop = 0;

static void on_term(int signal) {
  (void)signal;
  stop = 1;
}

int main(int argc, char** argv) {
  if (argc != 5) {
    fprintf(stderr, "usage: %s DIR NAME_A NAME_B LINK_TARGET\n", argv[0]);
    return 2;
  }
  prctl(PR_SET_PDEATHSIG, SIGKILL);
  signal(SIGTERM, on_term);
  char a[4096], b[4096];
  snprintf(a, sizeof a, "%s/%s", argv[1], argv[2]);
  snprintf(b, sizeof b, "%s/%s", argv[1], argv[3]);
  unsigned long swaps = 0;
  printf("ready\n");
  fflush(stdout);
  while (!stop) {
    symlink(argv[4], b);
    if (syscall(SYS_renameat2, AT_FDCWD, a, AT_FDCWD, b, RENAME_EXCHANGE) == 0) swaps++;
  }
  printf("%lu\n", swaps);
  return 0;
}
