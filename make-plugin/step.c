#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "mhash.h"
#include "step.h"

static int
add_str(struct hash *h, const char *s)
{
	return hash_record(h, s, strlen(s));
}

int
step_key(const struct cmd_env *e, const char *cargo_home, const char *stage,
	 unsigned arch, char *hex)
{
	struct hash *h;
	struct buf p = {0}, v = {0};
	char prev[HASH_HEX + 1], sub[HASH_HEX + 1];
	const char *paths[1];
	struct stat st;
	size_t i;

	if (!strcmp(stage, "runtime"))
		stage = "build"; /* runtime only extracts what build made */
	if (strcmp(stage, "base") && strcmp(stage, "deps") && strcmp(stage, "build")) {
		err_set("unknown stage '%.40s' (valid: base, deps, build, runtime)", stage);
		return -1;
	}
	prev[0] = '\0';
	if (!strcmp(stage, "deps") && step_key(e, cargo_home, "base", arch, prev) < 0)
		return -1;
	if (!strcmp(stage, "build") && step_key(e, cargo_home, "deps", arch, prev) < 0)
		return -1;
	h = hash_new();
	if (!h)
		return -1;
	add_str(h, stage);
	add_str(h, prev);
	add_str(h, cfg_triple(arch));
	if (!strcmp(stage, "base")) {
		add_str(h, e->base_image);
		if (buf_fmt(&p, "%s/docker/Dockerfile", e->home) < 0 || hash_file(h, p.s) < 0)
			goto fail;
	} else if (!strcmp(stage, "deps")) {
		if (mhash_dir(e->dir, sub) < 0 || cfg_field(&e->cfg, "cargo_flags", &v) < 0)
			goto fail;
		add_str(h, sub);
		add_str(h, v.s ? v.s : "");
		if (cargo_home && *cargo_home) {
			if (buf_fmt(&p, "%s/config.toml", cargo_home) < 0)
				goto fail;
			if (stat(p.s, &st) == 0 && hash_file(h, p.s) < 0)
				goto fail;
		}
	} else {
		paths[0] = e->dir;
		if (hash_paths(paths, 1, sub) < 0)
			goto fail;
		add_str(h, sub);
		add_str(h, e->epoch);
		for (i = 0; i < e->bins.n; i++)
			add_str(h, e->bins.v[i]);
	}
	buf_free(&p);
	buf_free(&v);
	hash_done(h, hex);
	return 0;
fail:
	buf_free(&p);
	buf_free(&v);
	free(h);
	return -1;
}

int
step_stamp(const struct cmd_env *e, const char *stage, unsigned arch, struct buf *out)
{
	return buf_fmt(out, "%s/.lambda/state/%s-%s", e->dir, stage, cfg_arch_name(arch));
}

int
step_fresh(const struct cmd_env *e, const char *stage, unsigned arch, const char *key)
{
	struct buf p = {0};
	struct stat st;
	char *have;
	size_t len, i;
	int fresh = 0;

	if (step_stamp(e, stage, arch, &p) < 0)
		return -1;
	have = file_read(p.s, &len);
	/* a missing or malformed stamp is simply stale */
	if (have && len >= HASH_HEX && !memcmp(have, key, HASH_HEX) &&
	    (len == HASH_HEX || have[HASH_HEX] == '\n'))
		fresh = 1;
	free(have);
	for (i = 0; fresh && !strcmp(stage, "runtime") && i < e->bins.n; i++) {
		p.len = 0;
		if (buf_fmt(&p, "%s/target/lambda/%s/%s/bootstrap.zip", e->dir,
			    cfg_arch_name(arch), e->bins.v[i]) < 0)
			break;
		if (stat(p.s, &st) < 0)
			fresh = 0;
		p.len -= 4;
		p.s[p.len] = '\0';
		if (stat(p.s, &st) < 0)
			fresh = 0;
	}
	buf_free(&p);
	return fresh;
}
