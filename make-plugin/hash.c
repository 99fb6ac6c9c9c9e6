#include <errno.h>
#include <fcntl.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#define XXH_INLINE_ALL
#include <xxhash.h>

#include "buf.h"
#include "hash.h"
#include "walk.h"

struct hash {
	XXH3_state_t st;
};

struct hash *
hash_new(void)
{
	struct hash *h = malloc(sizeof(*h));

	if (!h || XXH3_128bits_reset(&h->st) != XXH_OK) {
		free(h);
		err_set("out of memory");
		return NULL;
	}
	return h;
}

static void
hash_len(struct hash *h, uint64_t n)
{
	unsigned char b[8];
	int i;

	/* fixed little-endian, so digests agree across hosts */
	for (i = 0; i < 8; i++)
		b[i] = (unsigned char)(n >> (8 * i));
	XXH3_128bits_update(&h->st, b, sizeof(b));
}

int
hash_record(struct hash *h, const void *data, size_t len)
{
	hash_len(h, len);
	XXH3_128bits_update(&h->st, data, len);
	return 0;
}

int
hash_file(struct hash *h, const char *path)
{
	static unsigned char chunk[1 << 16];
	struct stat st;
	ssize_t r;
	off_t left;
	int fd;

	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0) {
		err_sys("%s", path);
		return -1;
	}
	if (fstat(fd, &st) < 0) {
		err_sys("%s", path);
		close(fd);
		return -1;
	}
	if (!S_ISREG(st.st_mode)) {
		err_set("%s: not a regular file", path);
		close(fd);
		return -1;
	}
	/* the prefix is the size at open; a file growing under us is a changed read */
	hash_len(h, (uint64_t)st.st_size);
	left = st.st_size;
	while (left > 0) {
		r = read(fd, chunk, sizeof(chunk));
		if (r < 0 && errno == EINTR)
			continue;
		if (r < 0) {
			err_sys("%s", path);
			close(fd);
			return -1;
		}
		if (r == 0) {
			err_set("%s: file shrank while being hashed", path);
			close(fd);
			return -1;
		}
		if (r > left)
			r = (ssize_t)left;
		XXH3_128bits_update(&h->st, chunk, (size_t)r);
		left -= r;
	}
	close(fd);
	return 0;
}

void
hash_done(struct hash *h, char *hex)
{
	static const char digits[] = "0123456789abcdef";
	XXH128_canonical_t c;
	int i;

	XXH128_canonicalFromHash(&c, XXH3_128bits_digest(&h->st));
	for (i = 0; i < 16; i++) {
		hex[2 * i] = digits[c.digest[i] >> 4];
		hex[2 * i + 1] = digits[c.digest[i] & 15];
	}
	hex[HASH_HEX] = '\0';
	free(h);
}

/* "./a//b/" → "a/b": the name a user gives should not change the digest. */
static int
hash_norm(struct buf *out, const char *p)
{
	const char *s = p;

	while (s[0] == '.' && s[1] == '/')
		for (s += 2; *s == '/'; s++)
			;
	for (; *s; s++) {
		if (*s == '/' && (s[1] == '/' || s[1] == '\0'))
			continue;
		if (*s == '/' && s[1] == '.' && s[2] == '/') {
			s++;
			continue;
		}
		if (buf_addc(out, *s) < 0)
			return -1;
	}
	if (out->len == 0 && buf_adds(out, *p == '/' ? "/" : ".") < 0)
		return -1;
	return 0;
}

int
hash_paths(const char *const *paths, size_t n, char *hex)
{
	struct strv files = {0};
	struct buf name = {0}, full = {0};
	struct hash *h = NULL;
	struct stat st;
	size_t i, j, first;
	int rc = -1;

	for (i = 0; i < n; i++) {
		if (stat(paths[i], &st) < 0) {
			err_sys("%s", paths[i]);
			goto out;
		}
		name.len = 0;
		if (hash_norm(&name, paths[i]) < 0)
			goto out;
		if (!S_ISDIR(st.st_mode)) {
			if (strv_add(&files, name.s) < 0)
				goto out;
			continue;
		}
		first = files.n;
		if (walk_files(paths[i], &files) < 0)
			goto out;
		/* name tree entries dir/rel so two trees with equal contents differ */
		for (j = first; j < files.n; j++) {
			full.len = 0;
			if (strcmp(name.s, ".") &&
			    (buf_adds(&full, name.s) < 0 ||
			     (name.s[name.len - 1] != '/' && buf_addc(&full, '/') < 0)))
				goto out;
			if (buf_adds(&full, files.v[j]) < 0)
				goto out;
			free(files.v[j]);
			files.v[j] = buf_take(&full);
			if (!files.v[j]) {
				/* keep the vector freeable */
				files.v[j] = files.v[--files.n];
				goto out;
			}
		}
	}
	strv_sort(&files);
	h = hash_new();
	if (!h)
		goto out;
	for (i = 0; i < files.n; i++) {
		if (i > 0 && !strcmp(files.v[i], files.v[i - 1]))
			continue;
		hash_record(h, files.v[i], strlen(files.v[i]));
		if (hash_file(h, files.v[i]) < 0)
			goto out;
	}
	hash_done(h, hex);
	h = NULL;
	rc = 0;
out:
	free(h);
	strv_free(&files);
	buf_free(&name);
	buf_free(&full);
	return rc;
}

int
hash_tree_lines(const char *dir, const struct strv *skip, const char *kind, struct strv *lines)
{
	return hash_tree_lines_at(dir, skip, kind, "", lines);
}

int
hash_tree_lines_at(const char *dir, const struct strv *skip, const char *kind, const char *pre,
		   struct strv *lines)
{
	struct strv files = {0};
	int rc;

	if (walk_files_skip(dir, skip, &files) < 0)
		return -1;
	rc = hash_list_lines(dir, &files, kind, pre, lines);
	strv_free(&files);
	return rc;
}

int
hash_list_lines(const char *dir, const struct strv *files, const char *kind, const char *pre,
		struct strv *lines)
{
	struct buf full = {0}, line = {0};
	char hex[HASH_HEX + 1];
	size_t i;
	int rc = -1;

	for (i = 0; i < files->n; i++) {
		full.len = line.len = 0;
		if (buf_fmt(&full, "%s/%s", dir, files->v[i]) < 0 || hash_file_hex(full.s, hex) < 0)
			goto out;
		if (buf_fmt(&line, "%s\t%s%s%s\t%s", kind, pre, *pre ? "/" : "", files->v[i],
			    hex) < 0 ||
		    strv_add(lines, line.s) < 0)
			goto out;
	}
	rc = 0;
out:
	buf_free(&full);
	buf_free(&line);
	return rc;
}

int
hash_file_hex(const char *path, char *hex)
{
	struct hash *h = hash_new();

	if (!h)
		return -1;
	if (hash_file(h, path) < 0) {
		free(h);
		return -1;
	}
	hash_done(h, hex);
	return 0;
}
