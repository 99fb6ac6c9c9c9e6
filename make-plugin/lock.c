#include <errno.h>
#include <fcntl.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>

#include "err.h"
#include "lock.h"

int
lock_open(const char *path, int *busy)
{
	int fd;

	*busy = 0;
	/* no O_CLOEXEC: see lock.h */
	fd = open(path, O_RDWR | O_CREAT | O_NOFOLLOW, 0644);
	if (fd < 0) {
		err_sys("cannot open the lock file %s", path);
		return -1;
	}
	if (flock(fd, LOCK_EX | LOCK_NB) == 0)
		return fd;
	if (errno == EWOULDBLOCK) {
		*busy = 1;
		return fd;
	}
	err_sys("cannot lock %s", path);
	close(fd);
	return -1;
}

int
lock_wait(int fd)
{
	while (flock(fd, LOCK_EX) < 0)
		if (errno != EINTR) {
			err_sys("cannot lock the project");
			return -1;
		}
	return 0;
}

int
lock_same(int fd, const char *path)
{
	struct stat a, b;

	if (fd < 0 || fstat(fd, &a) < 0 || stat(path, &b) < 0)
		return 0;
	return a.st_dev == b.st_dev && a.st_ino == b.st_ino;
}
