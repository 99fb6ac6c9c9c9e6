#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cfg.h"
#include "cfg_priv.h"
#include "dirs.h"
#include "ignore.h"

static const char *const modes[] = {"dev", "prod", "docker"};
static const char *const runtimes[] = {"al2023", "al2"};

/* Flags lambda-make sets itself; a user value would silently fight ours. */
static const char *const owned_flags[] = {
	"--target", "--target-dir", "--manifest-path", "--release", "--profile",
	"-Z", "--config", "--message-format",
};

static const char *
skip_blank(const char *s)
{
	while (*s == ' ' || *s == '\t' || *s == '\n')
		s++;
	return s;
}

int
cfg_blank(const char *s)
{
	return !s || !*skip_blank(s);
}

int
cfg_trimmed(const char *s, char *out, size_t n)
{
	size_t len;

	s = skip_blank(s);
	len = strlen(s);
	while (len && (s[len - 1] == ' ' || s[len - 1] == '\t' || s[len - 1] == '\n'))
		len--;
	if (len >= n)
		return -1;
	memcpy(out, s, len);
	out[len] = '\0';
	return 0;
}

static int
pick(const char *what, const char *s, const char *const *names, int n, int *out)
{
	char v[64];
	int i;

	if (cfg_trimmed(s, v, sizeof(v)) == 0)
		for (i = 0; i < n; i++)
			if (!strcmp(v, names[i])) {
				*out = i;
				return 0;
			}
	err_set("%s: invalid value '%.60s' (valid: %s%s%s%s%s)", what, s, names[0],
		n > 1 ? ", " : "", n > 1 ? names[1] : "", n > 2 ? ", " : "",
		n > 2 ? names[2] : "");
	return -1;
}

unsigned
cfg_arch(const char *name)
{
	if (!strcmp(name, "x86_64"))
		return CFG_X86_64;
	if (!strcmp(name, "arm64"))
		return CFG_ARM64;
	return 0;
}

const char *
cfg_arch_name(unsigned bit)
{
	return bit == CFG_ARM64 ? "arm64" : "x86_64";
}

const char *
cfg_triple(unsigned bit)
{
	return bit == CFG_ARM64 ? "aarch64-unknown-linux-gnu" : "x86_64-unknown-linux-gnu";
}

int
cfg_mode(const char *name, enum cfg_mode *out)
{
	size_t i;

	for (i = 0; i < countof(modes); i++)
		if (!strcmp(name, modes[i])) {
			*out = (enum cfg_mode)i;
			return 0;
		}
	return -1;
}

const char *
cfg_runtime_name(enum cfg_runtime r)
{
	return runtimes[r];
}

int
cfg_name_ok(const char *s)
{
	size_t i;

	if (!((s[0] >= 'a' && s[0] <= 'z') || (s[0] >= 'A' && s[0] <= 'Z') ||
	      (s[0] >= '0' && s[0] <= '9')))
		return 0;
	for (i = 1; s[i]; i++)
		if (!strchr("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ"
			    "0123456789_.-", s[i]) || i >= 128)
			return 0;
	return 1;
}

/* Characters a cargo flag may hold: enough for features, profiles and paths,
 * never anything a shell or Dockerfile would interpret. */
static int
word_char(char c)
{
	return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
	       (c >= '0' && c <= '9') || strchr("-_.,:=+/@%", c);
}

int
cfg_words(const char *s, struct strv *sv)
{
	char w[256];
	size_t n;

	for (s = skip_blank(s ? s : ""); *s; s = skip_blank(s)) {
		for (n = 0; *s && *s != ' ' && *s != '\t' && *s != '\n'; s++, n++) {
			if (!word_char(*s)) {
				err_set("character '%c' is not allowed", *s);
				return -1;
			}
			if (n + 1 >= sizeof(w)) {
				err_set("word longer than %zu characters", sizeof(w) - 1);
				return -1;
			}
			w[n] = *s;
		}
		w[n] = '\0';
		if (strv_add(sv, w) < 0)
			return -1;
	}
	return 0;
}

/* One repository path component: [a-z0-9]+ joined by '.', '_', '__' or any '-'s. */
static int
repo_part_ok(const char *s, size_t n)
{
	static const char *const alnum = "abcdefghijklmnopqrstuvwxyz0123456789";
	size_t i, run;

	if (!n || !strchr(alnum, s[0]) || !strchr(alnum, s[n - 1]))
		return 0;
	for (i = 0; i < n; i = run) {
		for (run = i; run < n && !strchr(alnum, s[run]); run++)
			if (!strchr("._-", s[run]))
				return 0;
		if (run == i) {
			run++;
			continue;
		}
		/* a separator run: one '.', one or two '_', or dashes only */
		if (!(run - i == 1 || (run - i == 2 && s[i] == '_' && s[i + 1] == '_') ||
		      strspn(s + i, "-") >= run - i))
			return 0;
	}
	return 1;
}

int
cfg_registry(const char *s, char *out, size_t n)
{
	char v[256];
	const char *why = NULL;
	char *slash, *colon, *p, *part;
	size_t len;

	if (cfg_trimmed(s, v, sizeof(v)) < 0 || strlen(v) > 200) {
		why = "longer than 200 characters";
		goto bad;
	}
	len = strlen(v);
	while (len && v[len - 1] == '/')
		v[--len] = '\0';
	if (strstr(v, "://")) {
		why = "no scheme: the engine picks https (or http for a localhost or "
		      "insecure-registries host)";
		goto bad;
	}
	if (strchr(v, '@')) {
		why = "no digest: lambda-make names each stage image itself";
		goto bad;
	}
	if (!(slash = strchr(v, '/')) || slash == v || !slash[1]) {
		why = "a host and a repository are both needed";
		goto bad;
	}
	*slash = '\0';
	/* the host: letters, digits, '.', '-', optionally :PORT; lowercased */
	if ((colon = strchr(v, ':'))) {
		char *end;
		long port = strtol(colon + 1, &end, 10);

		if (!colon[1] || *end || port < 1 || port > 65535 || colon[1] == '0') {
			why = "the port must be a number from 1 to 65535";
			goto bad;
		}
		*colon = '\0';
	}
	for (p = v; *p; p++) {
		if (*p >= 'A' && *p <= 'Z')
			*p = (char)(*p - 'A' + 'a');
		if (!strchr("abcdefghijklmnopqrstuvwxyz0123456789.-", *p))
			break;
	}
	if (*p || !v[0] || v[0] == '-' || v[0] == '.') {
		why = "the host is letters, digits, '.' and '-'";
		goto bad;
	}
	if (colon)
		*colon = ':';
	/* the repository: lowercase path components, no tag (lambda-make adds it) */
	for (part = slash + 1; part; part = p ? p + 1 : NULL) {
		p = strchr(part, '/');
		if (!repo_part_ok(part, p ? (size_t)(p - part) : strlen(part))) {
			why = strchr(slash + 1, ':') ? "no tag: lambda-make tags each stage image "
						       "with its content key"
						     : "the repository is lowercase letters and digits "
						       "separated by '/', '.', '_' or '-'";
			goto bad;
		}
	}
	*slash = '/';
	if (strlen(v) >= n) {
		why = "too long";
		goto bad;
	}
	memcpy(out, v, strlen(v) + 1);
	return 0;
bad:
	err_set("LAMBDA_CACHE_REGISTRY: '%.80s': %s (expected HOST[:PORT]/REPO, such as "
		"registry.example.com/team/lambda-cache or 127.0.0.1:5000/cache)", s, why);
	return -1;
}

unsigned
cfg_arch_set(const char *s)
{
	struct strv w = {0};
	size_t i;
	unsigned set = 0, bit;

	if (cfg_blank(s))
		return CFG_X86_64;
	if (cfg_words(s, &w) < 0)
		return 0;
	for (i = 0; i < w.n; i++) {
		if (!strcmp(w.v[i], "all") || !strcmp(w.v[i], "both"))
			bit = CFG_X86_64 | CFG_ARM64;
		else if (!(bit = cfg_arch(w.v[i]))) {
			set = 0;
			break;
		}
		set |= bit;
	}
	strv_free(&w);
	return set;
}

int
cfg_arch_names(unsigned set, struct buf *out)
{
	if (set & CFG_X86_64 && buf_adds(out, "x86_64") < 0)
		return -1;
	if (set == (CFG_X86_64 | CFG_ARM64) && buf_addc(out, ' ') < 0)
		return -1;
	return set & CFG_ARM64 ? buf_adds(out, "arm64") : 0;
}

static int
parse_arch(const char *s, unsigned *out)
{
	*out = cfg_arch_set(s);
	if (*out)
		return 0;
	err_set("LAMBDA_ARCH: invalid value '%.60s' (valid: x86_64, arm64, or both: "
		"\"x86_64 arm64\" / all)", s);
	return -1;
}

static int
parse_bool(const char *name, const char *s, int *out)
{
	static const char *const yes[] = {"1", "yes", "true", "on"};
	static const char *const no[] = {"0", "no", "false", "off"};
	char v[16];
	size_t i;

	if (cfg_trimmed(s, v, sizeof(v)) == 0)
		for (i = 0; i < 4; i++) {
			if (!strcmp(v, yes[i]))
				return *out = 1, 0;
			if (!strcmp(v, no[i]))
				return *out = 0, 0;
		}
	err_set("%s: invalid value '%.60s' (valid: yes, no)", name, s);
	return -1;
}

static int
parse_flags(const char *s, struct strv *sv)
{
	size_t i, j, n;

	if (cfg_words(s, sv) < 0) {
		err_set("LAMBDA_CARGO_FLAGS: '%.80s': only letters, digits and -_.,:=+/@%% "
			"are allowed, separated by blanks", s);
		return -1;
	}
	for (i = 0; i < sv->n; i++) {
		if (sv->v[i][0] != '-' && i == 0) {
			err_set("LAMBDA_CARGO_FLAGS: '%s' is not a flag (flags start with '-')",
				sv->v[i]);
			return -1;
		}
		for (j = 0; j < countof(owned_flags); j++) {
			n = strlen(owned_flags[j]);
			if (!strncmp(sv->v[i], owned_flags[j], n) &&
			    (sv->v[i][n] == '\0' || sv->v[i][n] == '=' ||
			     (n == 2 && sv->v[i][n]))) {
				err_set("LAMBDA_CARGO_FLAGS: '%s' is set by lambda-make itself "
					"(targets come from LAMBDA_ARCH, the profile from the target: "
					"lambda-dev or lambda-prod)", sv->v[i]);
				return -1;
			}
		}
	}
	return 0;
}

static int
parse_functions(const char *s, struct strv *sv)
{
	size_t i;

	if (cfg_words(s, sv) < 0)
		goto bad;
	for (i = 0; i < sv->n; i++)
		if (!cfg_bin_ok(sv->v[i]))
			goto bad;
	return 0;
bad:
	err_set("LAMBDA_FUNCTIONS: '%.80s': binary names are letters, digits, '_' and '-'", s);
	return -1;
}

/* LAMBDA_EXCLUDE: blank-separated .dockerignore patterns, each checked and cleaned
 * as a line of the file would be, stored cleaned ("!" kept). */
static int
parse_exclude(const char *s, struct strv *sv)
{
	struct ign g = {0};
	const char *p = s, *e;
	struct buf w = {0};
	size_t i;
	int rc = -1;

	while (p && *p) {
		while (*p == ' ' || *p == '\t' || *p == '\n')
			p++;
		for (e = p; *e && *e != ' ' && *e != '\t' && *e != '\n'; e++)
			if ((unsigned char)*e < 0x20 || *e == 0x7f) {
				err_set("LAMBDA_EXCLUDE: '%.80s': a control character in a pattern", s);
				goto out;
			}
		if (e == p)
			break;
		w.len = 0;
		if (buf_addn(&w, p, (size_t)(e - p)) < 0)
			goto out;
		if (w.s[0] == '#') {
			err_set("LAMBDA_EXCLUDE: '%s': a pattern cannot start with '#' (write \\# "
				"for a name that does)", w.s);
			goto out;
		}
		if (ign_add(&g, w.s) < 0) {
			err_wrap(" (patterns are .dockerignore lines, separated by blanks)",
				 "LAMBDA_EXCLUDE: ");
			goto out;
		}
		p = e;
	}
	for (i = 0; i < g.n; i++) {
		w.len = 0;
		if (buf_fmt(&w, "%s%s", g.p[i].neg ? "!" : "", g.p[i].glob) < 0 ||
		    strv_add(sv, w.s) < 0)
			goto out;
	}
	rc = 0;
out:
	ign_free(&g);
	buf_free(&w);
	return rc;
}

int
cfg_bin_ok(const char *p)
{
	if (!*p)
		return 0;
	for (; *p; p++)
		if (!((*p >= 'a' && *p <= 'z') || (*p >= 'A' && *p <= 'Z') ||
		      (*p >= '0' && *p <= '9') || *p == '_' || *p == '-'))
			return 0;
	return 1;
}

/* LAMBDA_SAM_FUNCTIONS: "LogicalId=bin ..."; a LogicalId is what CloudFormation
 * allows ([A-Za-z0-9]+, at most 255), each at most once, as SAM runs build-<LogicalId>. */
static int
parse_sam(const char *s, struct cfg *c)
{
	struct strv w = {0};
	size_t i, j, n;
	char *eq;

	if (cfg_words(s, &w) < 0) {
		err_set("LAMBDA_SAM_FUNCTIONS: '%.80s': entries are LogicalId=bin, separated by "
			"blanks", s);
		goto fail;
	}
	for (i = 0; i < w.n; i++) {
		eq = strchr(w.v[i], '=');
		n = eq ? (size_t)(eq - w.v[i]) : 0;
		if (!eq || !n || !cfg_bin_ok(eq + 1)) {
			err_set("LAMBDA_SAM_FUNCTIONS: '%s' is not LogicalId=bin (for example "
				"HelloFunction=hello: the template's resource name, then the binary)",
				w.v[i]);
			goto fail;
		}
		*eq = '\0';
		if (n > 255 || strspn(w.v[i], "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ"
						"0123456789") != n) {
			err_set("LAMBDA_SAM_FUNCTIONS: '%.80s' is not a CloudFormation logical ID "
				"(letters and digits only, at most 255)", w.v[i]);
			goto fail;
		}
		for (j = 0; j < c->sam_ids.n; j++)
			if (!strcmp(c->sam_ids.v[j], w.v[i])) {
				err_set("LAMBDA_SAM_FUNCTIONS: '%s' is given twice (one binary per "
					"logical ID)", w.v[i]);
				goto fail;
			}
		if (strv_add(&c->sam_ids, w.v[i]) < 0 || strv_add(&c->sam_bins, eq + 1) < 0)
			goto fail;
	}
	strv_free(&w);
	return 0;
fail:
	strv_free(&w);
	return -1;
}

/* LAMBDA_EXTENSIONS: binary names, each once. */
static int
parse_extensions(const char *s, struct strv *sv)
{
	size_t i, j;

	if (cfg_words(s, sv) < 0)
		goto bad;
	for (i = 0; i < sv->n; i++) {
		if (!cfg_bin_ok(sv->v[i]))
			goto bad;
		for (j = 0; j < i; j++)
			if (!strcmp(sv->v[i], sv->v[j])) {
				err_set("LAMBDA_EXTENSIONS: '%s' is given twice", sv->v[i]);
				return -1;
			}
	}
	return 0;
bad:
	err_set("LAMBDA_EXTENSIONS: '%.80s': binary names are letters, digits, '_' and '-'", s);
	return -1;
}

/* SOURCE_DATE_EPOCH, trimmed and normalised by cfg_epoch. */
static int
parse_epoch(const char *s, char *out, size_t n)
{
	char v[64];
	const char *e;

	if (cfg_trimmed(s ? s : "", v, sizeof(v)) < 0) {
		err_set("SOURCE_DATE_EPOCH: '%.40s' is not a number of seconds", s);
		return -1;
	}
	if (!(e = cfg_epoch(v)))
		return -1;
	snprintf(out, n, "%s", e);
	return 0;
}

int
cfg_parse(const struct cfg_in *in, struct cfg *c)
{
	int v;

	memset(c, 0, sizeof(*c));
	c->arch = CFG_X86_64;
	c->runtime = CFG_AL2023;
	snprintf(c->container, sizeof(c->container), "%s", "lambda-rust-dev");

	if (parse_arch(in->arch, &c->arch) < 0)
		goto fail;
	if (!cfg_blank(in->runtime)) {
		if (pick("LAMBDA_RUNTIME", in->runtime, runtimes, 2, &v) < 0)
			goto fail;
		c->runtime = (enum cfg_runtime)v;
	}
	if (!cfg_blank(in->container)) {
		if (cfg_trimmed(in->container, c->container, sizeof(c->container)) < 0 ||
		    !cfg_name_ok(c->container)) {
			err_set("LAMBDA_CONTAINER: invalid container name '%.60s' (valid: a "
				"letter or digit, then letters, digits, '_', '.', '-'; at most "
				"128)", in->container);
			goto fail;
		}
	}
	if (!cfg_blank(in->verbose) && parse_bool("LAMBDA_VERBOSE", in->verbose, &c->verbose) < 0)
		goto fail;
	if (!cfg_blank(in->cache_registry) &&
	    cfg_registry(in->cache_registry, c->registry, sizeof(c->registry)) < 0)
		goto fail;
	if (parse_flags(in->cargo_flags, &c->cargo_flags) < 0)
		goto fail;
	if (parse_functions(in->functions, &c->functions) < 0)
		goto fail;
	if (cfg_local_parse(in, c) < 0 || parse_sam(in->sam_functions, c) < 0 ||
	    parse_extensions(in->extensions, &c->extensions) < 0)
		goto fail;
	if (parse_exclude(in->exclude, &c->exclude) < 0)
		goto fail;
	if (parse_epoch(in->epoch, c->epoch, sizeof(c->epoch)) < 0)
		goto fail;
	return 0;
fail:
	cfg_free(c);
	return -1;
}

void
cfg_free(struct cfg *c)
{
	strv_free(&c->cargo_flags);
	strv_free(&c->functions);
	strv_free(&c->exclude);
	strv_free(&c->sam_ids);
	strv_free(&c->sam_bins);
	strv_free(&c->extensions);
}

int
cfg_field(const struct cfg *c, const char *f, struct buf *out)
{
	const char *dir;

	if (!strcmp(f, "target_arch"))
		return cfg_arch_names(c->arch, out);
	if (!strcmp(f, "targets")) {
		if (c->arch & CFG_X86_64 && buf_adds(out, cfg_triple(CFG_X86_64)) < 0)
			return -1;
		if (c->arch == (CFG_X86_64 | CFG_ARM64) && buf_addc(out, ' ') < 0)
			return -1;
		return c->arch & CFG_ARM64 ? buf_adds(out, cfg_triple(CFG_ARM64)) : 0;
	}
	if (!strcmp(f, "runtime"))
		return buf_adds(out, runtimes[c->runtime]);
	if (!strcmp(f, "container_name"))
		return buf_adds(out, c->container);
	if (!strcmp(f, "verbose"))
		return buf_adds(out, c->verbose ? "true" : "false");
	if (!strcmp(f, "cargo_flags"))
		return strv_join(&c->cargo_flags, out);
	if (!strcmp(f, "functions"))
		return strv_join(&c->functions, out);
	if (!strcmp(f, "cache_registry"))
		return buf_adds(out, c->registry);
	if (!strcmp(f, "function"))
		return buf_adds(out, c->function);
	if (!strcmp(f, "event"))
		return buf_adds(out, c->event);
	if (!strcmp(f, "timeout"))
		return buf_fmt(out, "%u", c->timeout);
	if (!strcmp(f, "watch_addr"))
		return buf_adds(out, c->watch_addr);
	if (!strcmp(f, "exclude"))
		return strv_join(&c->exclude, out);
	if (!strcmp(f, "sam_ids"))
		return strv_join(&c->sam_ids, out);
	if (!strcmp(f, "sam_functions")) {
		size_t i;

		for (i = 0; i < c->sam_ids.n; i++)
			if (buf_fmt(out, "%s%s=%s", i ? " " : "", c->sam_ids.v[i], c->sam_bins.v[i]) < 0)
				return -1;
		return 0;
	}
	if (!strcmp(f, "extensions"))
		return strv_join(&c->extensions, out);
	if (!strcmp(f, "epoch"))
		return buf_adds(out, c->epoch);
	if ((dir = cfg_dir(f)))
		return buf_adds(out, dir);
	err_set("unknown BuildConfig field '%.60s' (valid: target_arch, runtime, "
		"container_name, cargo_flags, functions, targets, verbose, "
		"cache_registry, function, event, timeout, watch_addr, exclude, sam_functions, "
		"sam_ids, extensions, epoch, own_dir, bin_dir, pkg_dir, dev_dir)", f);
	return -1;
}

const char *
cfg_dir(const char *f)
{
	static const struct {
		const char *field, *dir;
	} dirs[] = {
		{"own_dir", DIRS_OWN},
		{"bin_dir", DIRS_BIN},
		{"pkg_dir", DIRS_PKG},
		{"dev_dir", DIRS_DEV},
	};
	size_t i;

	for (i = 0; i < countof(dirs); i++)
		if (!strcmp(f, dirs[i].field))
			return dirs[i].dir;
	return NULL;
}

int
cfg_format(const struct cfg *c, struct buf *out)
{
	static const char *const order[] = {
		"target_arch", "targets", "runtime", "container_name", "epoch",
		"own_dir", "bin_dir", "pkg_dir", "dev_dir", "functions", "cargo_flags",
	};
	size_t i;
	char *p;

	for (i = 0; i < countof(order); i++) {
		size_t at;

		if ((i && buf_addc(out, ' ') < 0) || buf_fmt(out, "%s=", order[i]) < 0)
			return -1;
		at = out->len;
		if (cfg_field(c, order[i], out) < 0)
			return -1;
		/* keep one word per field but the last: lists use commas */
		if (i + 1 < countof(order))
			for (p = out->s + at; *p; p++)
				if (*p == ' ')
					*p = ',';
	}
	return 0;
}

const char *
cfg_epoch(const char *s)
{
	static const char zip_epoch[] = "315532800"; /* 1980-01-01 */
	size_t len = strlen(s), lead = strspn(s, "0");

	if (!*s)
		return zip_epoch;
	if (strspn(s, "0123456789") != len || len > 20) {
		err_set("SOURCE_DATE_EPOCH: '%.40s' is not a number of seconds", s);
		return NULL;
	}
	/* digits only: fewer significant digits, or as many and sorting first, is earlier */
	if (len - lead < strlen(zip_epoch) ||
	    (len - lead == strlen(zip_epoch) && strcmp(s + lead, zip_epoch) < 0))
		return zip_epoch;
	return s;
}

int
cfg_text_ok(const char *name, const char *value)
{
	const unsigned char *p;

	for (p = (const unsigned char *)value; *p; p++)
		if ((*p < 0x20 && *p != '\t') || *p == 0x7f) {
			err_set("%s: the value has a %s: a setting is one line of text", name,
				*p == '\n' ? "newline" : "control character");
			return -1;
		}
	return 0;
}
