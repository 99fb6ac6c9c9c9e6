/* check.c: artifact checks, each failure one line that names the file and the fix. */
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#include "cfg.h"
#include "check.h"
#include "elfck.h"
#include "err.h"
#include "walk.h"

/* glibc of each Lambda OS-only runtime (provided.al2023, provided.al2). */
static const struct {
	const char *name;
	unsigned v[3];
} runtimes[] = {
	{"al2023", {2, 34, 0}},
	{"al2", {2, 26, 0}},
};

/* Dynamic loaders a Lambda runtime has, by the name the ABI fixes for each machine. */
static const char *const loader_dirs[] = {"/lib/", "/lib64/", "/usr/lib/", "/usr/lib64/"};

/* A read-only view of a whole file. */
struct map {
	int fd;
	void *p;
	size_t len;
	struct stat st;
};

static void
map_close(struct map *m)
{
	if (m->p)
		munmap(m->p, m->len);
	if (m->fd >= 0)
		close(m->fd);
	m->p = NULL;
	m->fd = -1;
}

/* Open path and stat it; the caller maps it once the cheap checks passed. */
static int
map_open(struct map *m, const char *path)
{
	m->p = NULL;
	m->len = 0;
	m->fd = open(path, O_RDONLY | O_CLOEXEC);
	if (m->fd < 0) {
		err_sys("%s: cannot open", path);
		return -1;
	}
	if (fstat(m->fd, &m->st) < 0) {
		err_sys("%s: cannot stat", path);
		goto fail;
	}
	if (!S_ISREG(m->st.st_mode)) {
		err_set("%s: not a regular file", path);
		goto fail;
	}
	return 0;
fail:
	map_close(m);
	return -1;
}

/* Map the opened file and parse it as ELF; errors are prefixed with path. */
static int
map_elf(struct map *m, const char *path, struct elf_info *info)
{
	char why[512];

	if ((unsigned long long)m->st.st_size > (size_t)-1) {
		err_set("%s: too large to read (%llu bytes)", path,
		        (unsigned long long)m->st.st_size);
		return -1;
	}
	m->len = (size_t)m->st.st_size;
	if (m->len == 0) {
		err_set("%s: not an ELF file (empty)", path);
		return -1;
	}
	m->p = mmap(NULL, m->len, PROT_READ, MAP_PRIVATE, m->fd, 0);
	if (m->p == MAP_FAILED) {
		m->p = NULL;
		err_sys("%s: cannot map", path);
		return -1;
	}
	if (elf_parse(m->p, m->len, info) < 0) {
		snprintf(why, sizeof(why), "%s", err_get());
		err_set("%s: %s", path, why);
		return -1;
	}
	return 0;
}

int
check_runtime_glibc(const char *runtime, unsigned v[3])
{
	size_t i;

	for (i = 0; i < countof(runtimes); i++) {
		if (!strcmp(runtime, runtimes[i].name)) {
			memcpy(v, runtimes[i].v, sizeof(runtimes[i].v));
			return 0;
		}
	}
	err_set("unknown runtime '%s' (al2023 or al2)", runtime);
	return -1;
}

/* 1 if interp is the glibc loader of machine in one of the usual directories. */
static int
loader_ok(const char *interp, unsigned machine)
{
	const char *base = machine == EM_AARCH64 ? "ld-linux-aarch64.so.1" : "ld-linux-x86-64.so.2";
	size_t i, n;

	for (i = 0; i < countof(loader_dirs); i++) {
		n = strlen(loader_dirs[i]);
		if (!strncmp(interp, loader_dirs[i], n) && !strcmp(interp + n, base))
			return 1;
	}
	return 0;
}

static int
check_elf(const char *path, const struct elf_info *in, unsigned arch, const char *runtime,
          const unsigned have[3])
{
	unsigned want = arch == CFG_ARM64 ? EM_AARCH64 : EM_X86_64;

	if (in->machine != want) {
		if (in->machine == EM_X86_64 || in->machine == EM_AARCH64)
			err_set("%s: built for %s, function arch is %s: build with --arch %s / "
			        "target %s", path, elf_machine_name(in->machine), cfg_arch_name(arch),
			        cfg_arch_name(arch), cfg_triple(arch));
		else
			err_set("%s: built for %s (ELF machine %u), function arch is %s: build "
			        "with --arch %s / target %s", path, elf_machine_name(in->machine),
			        in->machine, cfg_arch_name(arch), cfg_arch_name(arch),
			        cfg_triple(arch));
		return -1;
	}
	switch (in->kind) {
	case ELF_EXEC:
	case ELF_PIE:
		break;
	case ELF_SHLIB:
		err_set("%s: is a shared library, not an executable: build a binary target "
		        "([[bin]]) named bootstrap", path);
		return -1;
	case ELF_REL:
		err_set("%s: is a relocatable object (.o), not an executable: link it into a "
		        "binary", path);
		return -1;
	default:
		err_set("%s: ELF type %u is not an executable", path, in->type);
		return -1;
	}
	if (in->interp[0] && !loader_ok(in->interp, in->machine)) {
		err_set("%s: dynamic loader %s does not exist on Lambda (it has %s/%s): link "
		        "against glibc or statically (musl)", path, in->interp,
		        in->machine == EM_AARCH64 ? "/lib" : "/lib64",
		        in->machine == EM_AARCH64 ? "ld-linux-aarch64.so.1" : "ld-linux-x86-64.so.2");
		return -1;
	}
	if (in->glibc_name[0] && elf_vercmp(in->glibc, have) > 0) {
		if (!strncmp(in->glibc_name, "GLIBC_ABI_", 10))
			err_set("%s: needs %s (glibc %u.%u), %s has %u.%u: build on an older base "
			        "image or target musl", path, in->glibc_name, in->glibc[0],
			        in->glibc[1], runtime, have[0], have[1]);
		else
			err_set("%s: needs %s, %s has %u.%u: build on an older base image or target "
			        "musl", path, in->glibc_name, runtime, have[0], have[1]);
		return -1;
	}
	return 0;
}

static int
check_zip(const char *zip)
{
	struct stat st;

	if (stat(zip, &st) < 0) {
		err_sys("%s: cannot stat", zip);
		return -1;
	}
	if (!S_ISREG(st.st_mode)) {
		err_set("%s: not a regular file", zip);
		return -1;
	}
	if ((unsigned long long)st.st_size > CHECK_ZIP_MAX) {
		err_set("%s: zip size %llu bytes exceeds Lambda's direct-upload limit of %llu bytes "
		        "(50 MB): shrink the binary (release, strip, LTO) or deploy through S3", zip,
		        (unsigned long long)st.st_size, CHECK_ZIP_MAX);
		return -1;
	}
	return 0;
}

int
check_artifact(const char *bootstrap, const char *zip, const char *arch, const char *runtime)
{
	struct map m = {.fd = -1};
	struct elf_info info;
	unsigned bit, have[3];
	int ret = -1;

	bit = cfg_arch(arch);
	if (!bit) {
		err_set("unknown arch '%s' (x86_64 or arm64)", arch);
		return -1;
	}
	if (check_runtime_glibc(runtime, have) < 0)
		return -1;
	if (map_open(&m, bootstrap) < 0)
		return -1;
	if (!(m.st.st_mode & S_IXUSR)) {
		err_set("%s: not executable: chmod 0755 it", bootstrap);
		goto cleanup;
	}
	if ((unsigned long long)m.st.st_size > CHECK_UNZIPPED_MAX) {
		err_set("%s: unzipped size %llu bytes exceeds Lambda's limit of %llu bytes "
		        "(250 MB): build in release mode, strip it, enable LTO", bootstrap,
		        (unsigned long long)m.st.st_size, CHECK_UNZIPPED_MAX);
		goto cleanup;
	}
	if (map_elf(&m, bootstrap, &info) < 0)
		goto cleanup;
	if (check_elf(bootstrap, &info, bit, runtime, have) < 0)
		goto cleanup;
	if (zip && *zip && check_zip(zip) < 0)
		goto cleanup;
	ret = 0;
cleanup:
	map_close(&m);
	return ret;
}

int
check_glibc_needed(const char *file, char *buf, size_t n)
{
	struct map m = {.fd = -1};
	struct elf_info info;
	int ret = -1;

	if (map_open(&m, file) < 0)
		return -1;
	if (map_elf(&m, file, &info) < 0)
		goto cleanup;
	if (strlen(info.glibc_name) >= n) {
		err_set("%s: buffer too small for '%s'", file, info.glibc_name);
		goto cleanup;
	}
	memcpy(buf, info.glibc_name, strlen(info.glibc_name) + 1);
	ret = 0;
cleanup:
	map_close(&m);
	return ret;
}

/* Check one function dir (bootstrap + optional bootstrap.zip); summary into out. */
static int
check_one(const char *fdir, const char *arch, const char *runtime, struct buf *out)
{
	struct buf b = {0}, z = {0};
	struct stat st;
	char glibc[32];
	int rc = -1;

	if (buf_fmt(&b, "%s/bootstrap", fdir) < 0 || buf_fmt(&z, "%s/bootstrap.zip", fdir) < 0)
		goto out;
	if (check_artifact(b.s, stat(z.s, &st) == 0 ? z.s : NULL, arch, runtime) < 0 ||
	    check_glibc_needed(b.s, glibc, sizeof(glibc)) < 0)
		goto out;
	rc = buf_fmt(out, "%slambda-check: %s: ok (%s, %s, %s)", out->len ? "\n" : "", b.s,
		     arch, *glibc ? glibc : "static", runtime);
out:
	buf_free(&b);
	buf_free(&z);
	return rc;
}

/* Check one extension of the layer (DIR/extensions/<ext>, DIR/extensions.zip): the
 * same checks as a function's bootstrap; summary into out. */
static int
check_ext(const char *dir, const char *rel, const char *arch, const char *runtime,
	  struct buf *out)
{
	struct buf b = {0}, z = {0};
	struct stat st;
	char glibc[32];
	int rc = -1;

	if (buf_fmt(&b, "%s/%s", dir, rel) < 0 || buf_fmt(&z, "%s/extensions.zip", dir) < 0)
		goto out;
	if (stat(z.s, &st) < 0) {
		err_set("%s: no extensions.zip beside it: build the layer with make lambda-prod "
			"(LAMBDA_EXTENSIONS)", b.s);
		goto out;
	}
	if (check_artifact(b.s, z.s, arch, runtime) < 0 ||
	    check_glibc_needed(b.s, glibc, sizeof(glibc)) < 0)
		goto out;
	rc = buf_fmt(out, "%slambda-check: %s: ok (extension, %s, %s, %s)", out->len ? "\n" : "",
		     b.s, arch, *glibc ? glibc : "static", runtime);
out:
	buf_free(&b);
	buf_free(&z);
	return rc;
}

int
check_path(const char *path, const char *arch, const char *runtime, struct buf *out)
{
	struct buf p = {0};
	struct strv files = {0};
	struct stat st;
	size_t i, n;

	if (stat(path, &st) < 0) {
		err_sys("%s", path);
		return -1;
	}
	if (!S_ISDIR(st.st_mode)) {
		if (check_artifact(path, NULL, arch, runtime) < 0)
			return -1;
		return buf_fmt(out, "lambda-check: %s: ok (%s, %s)", path, arch, runtime);
	}
	if (buf_fmt(&p, "%s/bootstrap", path) < 0)
		goto err;
	if (stat(p.s, &st) == 0) {
		buf_free(&p);
		return check_one(path, arch, runtime, out);
	}
	if (walk_files(path, &files) < 0)
		goto err;
	for (i = n = 0; i < files.n; i++) {
		const char *f = files.v[i], *slash = strchr(f, '/');

		/* the extensions layer: extensions/<ext> beside extensions.zip */
		if (slash && !strncmp(f, "extensions/", 11) && !strchr(slash + 1, '/')) {
			if (check_ext(path, f, arch, runtime, out) < 0)
				goto err;
			n++;
			continue;
		}
		/* <fn>/bootstrap exactly */
		if (!slash || strcmp(slash + 1, "bootstrap"))
			continue;
		p.len = 0;
		if (buf_fmt(&p, "%s/%.*s", path, (int)(slash - f), f) < 0 ||
		    check_one(p.s, arch, runtime, out) < 0)
			goto err;
		n++;
	}
	if (n == 0) {
		err_set("%s: no <function>/bootstrap to check: build first (make lambda-prod)", path);
		goto err;
	}
	strv_free(&files);
	buf_free(&p);
	return 0;
err:
	strv_free(&files);
	buf_free(&p);
	return -1;
}
