#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "buf.h"

static int
buf_grow(struct buf *b, size_t extra)
{
	size_t cap;
	char *s;

	if (b->len + extra + 1 <= b->cap)
		return 0;
	if (extra > ((size_t)-1) / 2 - b->len) {
		err_set("buffer too large");
		return -1;
	}
	cap = b->cap ? b->cap : 64;
	while (cap < b->len + extra + 1)
		cap *= 2;
	s = realloc(b->s, cap);
	if (!s) {
		err_set("out of memory");
		return -1;
	}
	b->s = s;
	b->cap = cap;
	return 0;
}

int
vec_grow(void *vp, size_t n, size_t *cap, size_t size, size_t first)
{
	size_t c;
	void *v;

	if (n < *cap)
		return 0;
	c = *cap ? *cap * 2 : first;
	if (c <= n || c > ((size_t)-1) / size) {
		err_set("array too large");
		return -1;
	}
	/* vp points at a pointer of any object type: same representation as void * */
	memcpy(&v, vp, sizeof(v));
	v = realloc(v, c * size);
	if (!v) {
		err_set("out of memory");
		return -1;
	}
	memcpy(vp, &v, sizeof(v));
	*cap = c;
	return 0;
}

int
buf_addn(struct buf *b, const char *s, size_t n)
{
	if (buf_grow(b, n) < 0)
		return -1;
	if (n)
		memcpy(b->s + b->len, s, n);
	b->len += n;
	b->s[b->len] = '\0';
	return 0;
}

int
buf_adds(struct buf *b, const char *s)
{
	return buf_addn(b, s, strlen(s));
}

int
buf_addc(struct buf *b, char c)
{
	return buf_addn(b, &c, 1);
}

int
buf_fmt(struct buf *b, const char *fmt, ...)
{
	va_list ap;
	int n;

	va_start(ap, fmt);
	n = vsnprintf(NULL, 0, fmt, ap);
	va_end(ap);
	if (n < 0) {
		err_set("bad format");
		return -1;
	}
	if (buf_grow(b, (size_t)n) < 0)
		return -1;
	va_start(ap, fmt);
	vsnprintf(b->s + b->len, (size_t)n + 1, fmt, ap);
	va_end(ap);
	b->len += (size_t)n;
	return 0;
}

void
buf_free(struct buf *b)
{
	free(b->s);
	b->s = NULL;
	b->len = b->cap = 0;
}

char *
buf_take(struct buf *b)
{
	char *s;

	if (!b->s) {
		if (buf_grow(b, 0) < 0)
			return NULL;
		b->s[0] = '\0';
	}
	s = b->s;
	b->s = NULL;
	b->len = b->cap = 0;
	return s;
}

char *
file_read(const char *path, size_t *len)
{
	struct buf b = {0};
	char tmp[65536];
	ssize_t n;
	int fd;

	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0) {
		err_sys("cannot open '%s'", path);
		return NULL;
	}
	for (;;) {
		n = read(fd, tmp, sizeof(tmp));
		if (n < 0) {
			if (errno == EINTR)
				continue;
			err_sys("cannot read '%s'", path);
			goto fail;
		}
		if (n == 0)
			break;
		if (buf_addn(&b, tmp, (size_t)n) < 0)
			goto fail;
	}
	close(fd);
	if (len)
		*len = b.len;
	return buf_take(&b);
fail:
	close(fd);
	buf_free(&b);
	return NULL;
}

int
file_write_atomic(const char *path, const char *data, size_t len, int mode)
{
	struct buf tmp = {0};
	ssize_t n;
	size_t off = 0;
	int fd;

	if (buf_fmt(&tmp, "%s.tmp.%ld", path, (long)getpid()) < 0)
		return -1;
	fd = open(tmp.s, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, mode);
	if (fd < 0) {
		err_sys("cannot create '%s'", tmp.s);
		goto fail;
	}
	while (off < len) {
		n = write(fd, data + off, len - off);
		if (n < 0) {
			if (errno == EINTR)
				continue;
			err_sys("cannot write '%s'", tmp.s);
			close(fd);
			goto fail_unlink;
		}
		off += (size_t)n;
	}
	/* open() honours the umask; the caller asked for this exact mode. */
	if (fchmod(fd, (mode_t)mode) < 0 || close(fd) < 0) {
		err_sys("cannot finish '%s'", tmp.s);
		goto fail_unlink;
	}
	if (rename(tmp.s, path) < 0) {
		err_sys("cannot rename '%s' to '%s'", tmp.s, path);
		goto fail_unlink;
	}
	buf_free(&tmp);
	return 0;
fail_unlink:
	unlink(tmp.s);
fail:
	buf_free(&tmp);
	return -1;
}

int
file_update(const char *path, const char *data, size_t len, int mode)
{
	struct stat st;
	size_t oldlen;
	char *old;
	int same;

	if (stat(path, &st) == 0 && (size_t)st.st_size == len &&
	    (st.st_mode & 07777) == (mode_t)mode) {
		old = file_read(path, &oldlen);
		if (old) {
			same = oldlen == len && memcmp(old, data, len) == 0;
			free(old);
			if (same)
				return 0;
		}
	}
	if (file_write_atomic(path, data, len, mode) < 0)
		return -1;
	return 1;
}

int
dir_make(const char *path)
{
	struct buf b = {0};
	size_t i;

	if (buf_adds(&b, path) < 0)
		return -1;
	for (i = 1; i <= b.len; i++) {
		if (b.s[i] != '/' && b.s[i] != '\0')
			continue;
		b.s[i] = '\0';
		if (mkdir(b.s, 0777) < 0 && errno != EEXIST) {
			err_sys("cannot create directory '%s'", b.s);
			buf_free(&b);
			return -1;
		}
		if (i < b.len)
			b.s[i] = '/';
	}
	buf_free(&b);
	return 0;
}
