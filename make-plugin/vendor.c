/* vendor.c: directory sources of a project's own cargo config (see vendor.h). */
#include <dirent.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "buf.h"
#include "path.h"
#include "toml.h"
#include "vendor.h"

/* The `directory` entries of one config file's [source.*] tables. */
static int
config_dirs(const char *dir, const char *name, struct strv *out)
{
	struct buf file = {0}, rel = {0}, full = {0};
	struct toml *doc = NULL;
	const struct toml *src, *d;
	struct stat st;
	char *text = NULL;
	size_t len, i, j;
	int rc = -1, up;

	if (buf_fmt(&file, "%s/%s", dir, name) < 0)
		return -1;
	if (stat(file.s, &st) < 0) {
		rc = 0; /* no such config: nothing to add */
		goto out;
	}
	if (!(text = file_read(file.s, &len)) || !(doc = toml_parse(text, len, file.s)))
		goto out;
	src = toml_key(doc, "source");
	for (i = 0; src && src->type == TOML_TABLE && i < src->n; i++) {
		const char *sname = src->kid[i]->key;

		if (!(d = toml_key(src->kid[i], "directory")))
			continue;
		if (d->type != TOML_STRING) {
			err_set("%s: [source.%s] directory must be a string", file.s, sname);
			goto out;
		}
		if ((up = path_norm("", d->str, &rel)) < 0)
			goto out;
		if (up || !rel.len) {
			err_set("%s: [source.%s] directory '%s' is not a directory inside the "
				"project, where the build context can reach it: vendor into the "
				"project ('cargo vendor' there, directory = \"vendor\"), or give "
				"the crates as LAMBDA_CARGO_HOME (lambda-vendor.sh)",
				file.s, sname, d->str);
			goto out;
		}
		full.len = 0;
		if (buf_fmt(&full, "%s/%s", dir, rel.s) < 0)
			goto out;
		if (stat(full.s, &st) < 0 || !S_ISDIR(st.st_mode)) {
			err_set("%s: [source.%s] directory '%s' does not exist: run 'cargo vendor' "
				"again (it prints this table), or remove [source.%s]",
				file.s, sname, d->str, sname);
			goto out;
		}
		for (j = 0; j < out->n && strcmp(out->v[j], rel.s); j++)
			;
		if (j == out->n && strv_add(out, rel.s) < 0)
			goto out;
	}
	rc = 0;
out:
	toml_free(doc);
	free(text);
	buf_free(&file);
	buf_free(&rel);
	buf_free(&full);
	return rc;
}

int
vendor_dirs(const char *dir, struct strv *out)
{
	/* cargo reads both; relative directories are relative to the dir above .cargo */
	if (config_dirs(dir, ".cargo/config.toml", out) < 0 ||
	    config_dirs(dir, ".cargo/config", out) < 0)
		return -1;
	strv_sort(out);
	return 0;
}

int
vendor_sig(const char *path, struct hash *h)
{
	struct strv names = {0};
	struct buf p = {0};
	struct dirent *e;
	DIR *d;
	size_t i;
	int rc = -1;

	if (!(d = opendir(path))) {
		if (errno == ENOENT)
			return 0;
		err_sys("%s", path);
		return -1;
	}
	while ((e = readdir(d)))
		if (e->d_name[0] != '.' && strv_add(&names, e->d_name) < 0) {
			closedir(d);
			goto out;
		}
	closedir(d);
	strv_sort(&names);
	for (i = 0; i < names.n; i++) {
		p.len = 0;
		if (buf_fmt(&p, "%s/%s/.cargo-checksum.json", path, names.v[i]) < 0)
			goto out;
		hash_record(h, names.v[i], strlen(names.v[i]));
		/* a crate without a checksum file cannot be trusted by name */
		if (hash_file(h, p.s) < 0) {
			err_set("%s/%s: not a vendored crate (no .cargo-checksum.json): run "
				"'cargo vendor' again", path, names.v[i]);
			goto out;
		}
	}
	rc = 0;
out:
	strv_free(&names);
	buf_free(&p);
	return rc;
}

int
vendor_tree_sig(const char *root, const struct strv *dirs, char *hex)
{
	struct hash *h = hash_new();
	struct buf p = {0};
	size_t i;

	if (!h)
		return -1;
	for (i = 0; i < dirs->n; i++) {
		p.len = 0;
		hash_record(h, dirs->v[i], strlen(dirs->v[i]));
		if (buf_fmt(&p, "%s/%s", root, dirs->v[i]) < 0 || vendor_sig(p.s, h) < 0) {
			free(h);
			buf_free(&p);
			return -1;
		}
	}
	buf_free(&p);
	hash_done(h, hex);
	return 0;
}
