/* fuzz_manifest: libFuzzer target for the TOML parser and the Cargo manifest core
 * (build and run: see fuzz/README.md). */
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "buf.h"
#include "cargo.h"
#include "err.h"
#include "toml.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static char dir[64];

static void
cleanup(void)
{
	char p[96];

	snprintf(p, sizeof(p), "%s/Cargo.toml", dir);
	unlink(p);
	snprintf(p, sizeof(p), "%s/Cargo.lock", dir);
	unlink(p);
	rmdir(dir);
}

/* Spans lie inside the text, and kids inside their parent's value span. */
static void
check_tree(const struct toml *t, size_t size, struct toml_edit *e, size_t *ne, size_t cap)
{
	size_t i;

	if (t->beg > t->end || t->end > size || t->line < 1)
		abort();
	if (t->type == TOML_STRING) {
		if (!t->str || t->str[t->len] != '\0')
			abort();
		if (t->end - t->beg < 2)
			abort();
		if (*ne < cap) {
			e[*ne].beg = t->beg;
			e[*ne].end = t->end;
			e[*ne].text = "\"0.0.0\"";
			(*ne)++;
		}
	}
	if (t->type != TOML_TABLE && t->type != TOML_ARRAY && t->n)
		abort();
	for (i = 0; i < t->n; i++) {
		if (t->type == TOML_TABLE && (!t->kid[i]->key || toml_key(t, t->kid[i]->key) != t->kid[i]))
			abort();
		check_tree(t->kid[i], size, e, ne, cap);
	}
}

static size_t
count(const struct toml *t)
{
	size_t i, n = 1;

	for (i = 0; i < t->n; i++)
		n += count(t->kid[i]);
	return n;
}

static void
put(const char *name, const void *data, size_t size)
{
	char p[96];
	FILE *f;

	snprintf(p, sizeof(p), "%s/%s", dir, name);
	f = fopen(p, "wb");
	if (!f || fwrite(data, 1, size, f) != size || fclose(f))
		abort();
}

/* Through the workspace loader and the masking, from a file on disk. */
static void
cargo_path(const uint8_t *data, size_t size)
{
	static const char manifest[] = "[package]\nname = \"f\"\nversion = \"1.0.0\"\n";
	struct cargo_ws *ws;
	struct strv bins = {0};
	struct buf out = {0};
	int lock = size > 0 && (data[0] & 1);

	if (!dir[0]) {
		/* tmpfs when there is one: a disk file system flushes rewritten files */
		snprintf(dir, sizeof(dir), "/dev/shm/fuzz-manifest.XXXXXX");
		if (!mkdtemp(dir)) {
			snprintf(dir, sizeof(dir), "/tmp/fuzz-manifest.XXXXXX");
			if (!mkdtemp(dir))
				abort();
		}
		atexit(cleanup);
	}
	put("Cargo.toml", lock ? manifest : (const char *)data, lock ? strlen(manifest) : size);
	put("Cargo.lock", lock ? (const char *)data : "", lock ? size : 0);
	err_clear();
	if (cargo_bins(dir, &bins) < 0 && !err_get()[0])
		abort();
	strv_free(&bins);
	err_clear();
	if (cargo_load(dir, &ws) == 0) {
		if (cargo_layer_read(ws, lock ? "Cargo.lock" : "Cargo.toml", &out) == 0) {
			/* masking keeps a document valid */
			struct toml *t = toml_parse(out.s, out.len, "masked");

			if (!t)
				abort();
			toml_free(t);
		} else if (!err_get()[0]) {
			abort();
		}
		cargo_free(ws);
	} else if (!err_get()[0]) {
		abort();
	}
	buf_free(&out);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct toml_edit e[64];
	struct toml *t, *u;
	struct buf out = {0};
	size_t ne = 0;

	err_clear();
	t = toml_parse((const char *)data, size, "fuzz");
	if (!t) {
		/* every failure explains itself, with the name and a line */
		if (strncmp(err_get(), "fuzz:", 5))
			abort();
	} else {
		check_tree(t, size, e, &ne, sizeof(e) / sizeof(*e));
		(void)toml_get(t, "package.name");
		(void)toml_str(t, "workspace.members");
		/* rewriting string values keeps the document valid and its shape */
		if (toml_splice((const char *)data, size, e, ne, &out) < 0)
			abort();
		u = toml_parse(out.s, out.len, "spliced");
		if (!u || count(u) != count(t))
			abort();
		toml_free(u);
		toml_free(t);
		buf_free(&out);
	}
	cargo_path(data, size);
	return 0;
}
