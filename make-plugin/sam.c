#include <dirent.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "hash.h"
#include "sam.h"

int
sam_stored(const char *store, const char *arch, const char *key, const char *bin,
	   struct buf *out)
{
	return buf_fmt(out, "%s/%s/%s-%s", store, arch, key, bin);
}

/* Copy from to to (mode 0755) by rename. */
static long
copy_exec(const char *from, const char *to)
{
	size_t len;
	char *data = file_read(from, &len);
	int rc;

	if (!data)
		return -1;
	rc = file_write_atomic(to, data, len, 0755);
	free(data);
	return rc < 0 ? -1 : (long)len;
}

int
sam_store(const char *store, const char *arch, const char *key, const char *from,
	  const struct strv *bins)
{
	struct buf d = {0}, f = {0}, t = {0};
	struct dirent *de;
	DIR *dir = NULL;
	size_t i;
	int rc = -1;

	/* the store may be the first thing in a project's .lambda/: out of git, too */
	if (buf_fmt(&d, "%s/%s", store, arch) < 0 || dir_make(d.s) < 0 ||
	    buf_fmt(&t, "%s/.gitignore", store) < 0 || file_update(t.s, "*\n", 2, 0644) < 0)
		goto out;
	for (i = 0; i < bins->n; i++) {
		f.len = t.len = 0;
		if (buf_fmt(&f, "%s/%s/bootstrap", from, bins->v[i]) < 0 ||
		    sam_stored(store, arch, key, bins->v[i], &t) < 0 || copy_exec(f.s, t.s) < 0)
			goto out;
	}
	/* one key per arch: what an older build stored is never used again */
	if (!(dir = opendir(d.s))) {
		err_sys("%s", d.s);
		goto out;
	}
	while ((de = readdir(dir))) {
		if (de->d_name[0] == '.' ||
		    (!strncmp(de->d_name, key, HASH_HEX) && de->d_name[HASH_HEX] == '-'))
			continue;
		t.len = 0;
		if (buf_fmt(&t, "%s/%s", d.s, de->d_name) < 0)
			goto out;
		if (unlink(t.s) < 0 && errno != ENOENT) {
			err_sys("%s", t.s);
			goto out;
		}
	}
	rc = 0;
out:
	if (dir)
		closedir(dir);
	buf_free(&d);
	buf_free(&f);
	buf_free(&t);
	return rc;
}

long
sam_place(const char *file, const char *dir)
{
	struct buf to = {0};
	long n = -1;

	if (dir_make(dir) == 0 && buf_fmt(&to, "%s/bootstrap", dir) == 0)
		n = copy_exec(file, to.s);
	buf_free(&to);
	return n;
}
