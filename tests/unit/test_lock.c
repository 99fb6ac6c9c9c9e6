#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdlib.h>
#include <sys/wait.h>
#include <unistd.h>
#include <cmocka.h>

#include "lock.h"
#include "fixture.h"

/* In a child process (a lock another process holds): 1 if PATH is busy there. */
static int
busy_elsewhere(const char *path)
{
	pid_t pid = fork();
	int st, busy, fd;

	if (pid == 0) {
		fd = lock_open(path, &busy);
		_exit(fd < 0 ? 2 : busy);
	}
	assert_true(pid > 0);
	assert_int_equal(waitpid(pid, &st, 0), pid);
	assert_true(WIFEXITED(st));
	return WEXITSTATUS(st);
}

static void
exclusive(void **state)
{
	int fd, fd2, busy;

	(void)state;
	fx_enter();
	fd = lock_open("lock", &busy);
	assert_true(fd >= 0);
	assert_int_equal(busy, 0);
	/* another process (another make) must wait */
	assert_int_equal(busy_elsewhere("lock"), 1);
	/* a second open, even in this process, is another holder */
	fd2 = lock_open("lock", &busy);
	assert_true(fd2 >= 0);
	assert_int_equal(busy, 1);
	close(fd2);
	assert_int_equal(lock_same(fd, "lock"), 1);
	assert_int_equal(lock_same(fd, "nothere"), 0);
	assert_int_equal(lock_same(-1, "lock"), 0);
	/* released when the holder closes it (or dies) */
	close(fd);
	assert_int_equal(busy_elsewhere("lock"), 0);
	fd = lock_open("lock", &busy);
	assert_int_equal(busy, 0);
	assert_int_equal(lock_wait(fd), 0);
	close(fd);
	fx_leave();
}

/* A child that inherits the fd holds the lock after its parent let go of it:
 * the commands of a killed make keep the project locked until they end. */
static void
inherited(void **state)
{
	int fd, busy, p[2], st;
	pid_t pid;
	char c;

	(void)state;
	fx_enter();
	fd = lock_open("lock", &busy);
	assert_true(fd >= 0 && !busy);
	assert_int_equal(pipe(p), 0);
	pid = fork();
	if (pid == 0) {
		close(p[1]);
		/* wait until the parent has closed its copy, then report */
		_exit(read(p[0], &c, 1) == 0 ? 0 : 3);
	}
	assert_true(pid > 0);
	close(p[0]);
	close(fd);
	assert_int_equal(busy_elsewhere("lock"), 1);
	close(p[1]);
	assert_int_equal(waitpid(pid, &st, 0), pid);
	assert_int_equal(busy_elsewhere("lock"), 0);
	fx_leave();
}

static void
errors(void **state)
{
	int busy;

	(void)state;
	fx_enter();
	assert_int_equal(lock_open("no/such/dir/lock", &busy), -1);
	assert_int_equal(symlink("elsewhere", "link"), 0);
	assert_int_equal(lock_open("link", &busy), -1);
	fx_leave();
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(exclusive),
		cmocka_unit_test(inherited),
		cmocka_unit_test(errors),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
