/* test_elfck: the ELF reader on real binaries built now, and on crafted broken ones. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include <unistd.h>

#include "buf.h"
#include "elfck.h"
#include "err.h"
#include "fixture.h"


/* ---------- real binaries, compiled in a temporary directory by the group setup ---------- */

static char dir[256];

/* The programs the setup builds: name, then the compiler argv after "-o NAME". */
enum { B_DYN, B_NOPIE, B_STATIC, B_SPIE, B_ARM, B_LIB, B_OBJ, B_STRIPPED, B_COUNT };
static const char *const bin_names[B_COUNT] = {
	"dyn", "nopie", "static", "spie", "arm", "lib.so", "obj.o", "stripped",
};
static unsigned char *bin[B_COUNT];
static size_t bin_len[B_COUNT];

static const char hello_c[] =
	"#include <stdio.h>\n"
	"int main(int argc, char **argv) { printf(\"hello %s\\n\", argv[argc - 1]); return 0; }\n";
static const char lib_c[] =
	"#include <stdio.h>\n"
	"void hello(const char *s) { printf(\"hello %s\\n\", s); }\n";

static void
path_in(char *out, size_t n, const char *name)
{
	snprintf(out, n, "%s/%s", dir, name);
}

static int
write_text(const char *name, const char *text)
{
	char p[512];
	FILE *f;

	path_in(p, sizeof(p), name);
	f = fopen(p, "w");
	if (!f)
		return -1;
	fputs(text, f);
	return fclose(f);
}

static int
build(const char *cc, const char *flag1, const char *flag2, const char *src, const char *out)
{
	char s[512], o[512];
	const char *argv[8];
	int n = 0;

	path_in(s, sizeof(s), src);
	path_in(o, sizeof(o), out);
	argv[n++] = cc;
	if (flag1)
		argv[n++] = flag1;
	if (flag2)
		argv[n++] = flag2;
	argv[n++] = "-o";
	argv[n++] = o;
	argv[n++] = s;
	argv[n] = NULL;
	return fx_run(argv);
}

static int
setup_bins(void **state)
{
	const char *tmp = getenv("TMPDIR");
	char p[512], q[512];
	int i;

	(void)state;
	snprintf(dir, sizeof(dir), "%s/test_elfck.XXXXXX", tmp && *tmp ? tmp : "/tmp");
	if (!mkdtemp(dir))
		return -1;
	if (write_text("hello.c", hello_c) < 0 || write_text("lib.c", lib_c) < 0)
		return -1;
	if (build("cc", NULL, NULL, "hello.c", "dyn") < 0 ||
	    build("cc", "-no-pie", NULL, "hello.c", "nopie") < 0 ||
	    build("cc", "-static", NULL, "hello.c", "static") < 0 ||
	    build("cc", "-static-pie", NULL, "hello.c", "spie") < 0 ||
	    build("aarch64-linux-gnu-gcc", NULL, NULL, "hello.c", "arm") < 0 ||
	    build("cc", "-shared", "-fPIC", "lib.c", "lib.so") < 0 ||
	    build("cc", "-c", NULL, "hello.c", "obj.o") < 0)
		return -1;
	path_in(p, sizeof(p), "dyn");
	path_in(q, sizeof(q), "stripped");
	{
		const char *argv[] = {"strip", "-o", q, p, NULL};
		if (fx_run(argv) < 0)
			return -1;
	}
	for (i = 0; i < B_COUNT; i++) {
		path_in(p, sizeof(p), bin_names[i]);
		bin[i] = (unsigned char *)file_read(p, &bin_len[i]);
		if (!bin[i]) {
			fprintf(stderr, "# %s\n", err_get());
			return -1;
		}
	}
	return 0;
}

static int
teardown_bins(void **state)
{
	const char *argv[] = {"rm", "-rf", dir, NULL};
	int i;

	(void)state;
	for (i = 0; i < B_COUNT; i++)
		free(bin[i]);
	return dir[0] ? fx_run(argv) : 0;
}

/* Parse a heap copy of exactly len bytes, so that any overread is caught by
 * valgrind/ASan. */
static int
parse_copy(const unsigned char *d, size_t len, struct elf_info *in)
{
	unsigned char *c = malloc(len ? len : 1);
	int r;

	assert_non_null(c);
	if (len)
		memcpy(c, d, len);
	r = elf_parse(c, len, in);
	free(c);
	return r;
}

static void
assert_glibc_at_least(const struct elf_info *in, unsigned major, unsigned minor)
{
	unsigned v[3] = {major, minor, 0};

	assert_true(strncmp(in->glibc_name, "GLIBC_2.", 8) == 0);
	assert_true(elf_vercmp(in->glibc, v) >= 0);
}

static void
test_real_pie(void **state)
{
	struct elf_info in;

	(void)state;
	assert_int_equal(parse_copy(bin[B_DYN], bin_len[B_DYN], &in), 0);
	assert_int_equal(in.machine, EM_X86_64);
	assert_int_equal(in.type, ET_DYN);
	assert_int_equal(in.kind, ELF_PIE);
	assert_true(in.dynamic);
	assert_string_equal(in.interp, "/lib64/ld-linux-x86-64.so.2");
	/* any program linked against glibc >= 2.34 needs __libc_start_main@GLIBC_2.34 */
	assert_glibc_at_least(&in, 2, 34);
	assert_string_equal(elf_machine_name(in.machine), "x86_64");
	assert_string_equal(elf_kind_name(in.kind), "PIE executable");
}

static void
test_real_nopie(void **state)
{
	struct elf_info in;

	(void)state;
	assert_int_equal(parse_copy(bin[B_NOPIE], bin_len[B_NOPIE], &in), 0);
	assert_int_equal(in.type, ET_EXEC);
	assert_int_equal(in.kind, ELF_EXEC);
	assert_true(in.dynamic);
	assert_string_equal(in.interp, "/lib64/ld-linux-x86-64.so.2");
	assert_glibc_at_least(&in, 2, 2);
}

static void
test_real_static(void **state)
{
	struct elf_info in;

	(void)state;
	assert_int_equal(parse_copy(bin[B_STATIC], bin_len[B_STATIC], &in), 0);
	assert_int_equal(in.kind, ELF_EXEC);
	assert_false(in.dynamic);
	assert_string_equal(in.interp, "");
	assert_string_equal(in.glibc_name, "");
	assert_int_equal(in.glibc[0], 0);
}

static void
test_real_static_pie(void **state)
{
	struct elf_info in;

	(void)state;
	assert_int_equal(parse_copy(bin[B_SPIE], bin_len[B_SPIE], &in), 0);
	assert_int_equal(in.type, ET_DYN);
	assert_true(in.pie);
	assert_string_equal(in.interp, "");
	/* no interpreter, but DF_1_PIE: startable, not a library */
	assert_int_equal(in.kind, ELF_PIE);
	assert_string_equal(in.glibc_name, "");
}

static void
test_real_arm64(void **state)
{
	struct elf_info in;

	(void)state;
	assert_int_equal(parse_copy(bin[B_ARM], bin_len[B_ARM], &in), 0);
	assert_int_equal(in.machine, EM_AARCH64);
	assert_string_equal(elf_machine_name(in.machine), "arm64");
	assert_int_equal(in.kind, ELF_PIE);
	assert_string_equal(in.interp, "/lib/ld-linux-aarch64.so.1");
	assert_glibc_at_least(&in, 2, 17);
}

static void
test_real_shlib(void **state)
{
	struct elf_info in;

	(void)state;
	assert_int_equal(parse_copy(bin[B_LIB], bin_len[B_LIB], &in), 0);
	assert_int_equal(in.type, ET_DYN);
	assert_int_equal(in.kind, ELF_SHLIB);
	assert_false(in.pie);
	assert_string_equal(in.interp, "");
	assert_true(in.dynamic);
	assert_glibc_at_least(&in, 2, 2);
	assert_string_equal(elf_kind_name(in.kind), "shared library");
}

static void
test_real_object(void **state)
{
	struct elf_info in;

	(void)state;
	assert_int_equal(parse_copy(bin[B_OBJ], bin_len[B_OBJ], &in), 0);
	assert_int_equal(in.type, ET_REL);
	assert_int_equal(in.kind, ELF_REL);
	assert_false(in.dynamic);
}

static void
test_real_stripped(void **state)
{
	struct elf_info a, b;

	(void)state;
	assert_int_equal(parse_copy(bin[B_DYN], bin_len[B_DYN], &a), 0);
	assert_int_equal(parse_copy(bin[B_STRIPPED], bin_len[B_STRIPPED], &b), 0);
	assert_true(bin_len[B_STRIPPED] < bin_len[B_DYN]);
	assert_string_equal(a.glibc_name, b.glibc_name);
	assert_int_equal(b.kind, ELF_PIE);
}

static void
put16(unsigned char *p, unsigned v)
{
	p[0] = (unsigned char)v;
	p[1] = (unsigned char)(v >> 8);
}

static void
put32(unsigned char *p, uint32_t v)
{
	put16(p, v & 0xffff);
	put16(p + 2, v >> 16);
}

static void
put64(unsigned char *p, uint64_t v)
{
	put32(p, (uint32_t)v);
	put32(p + 4, (uint32_t)(v >> 32));
}

/* Without section headers (as after sstrip), versions come through PT_DYNAMIC. */
static void
test_real_without_sections(void **state)
{
	struct elf_info a, b;
	size_t i;
	const int which[] = {B_DYN, B_ARM, B_LIB};
	unsigned char *c;

	(void)state;
	for (i = 0; i < sizeof(which) / sizeof(which[0]); i++) {
		c = malloc(bin_len[which[i]]);
		assert_non_null(c);
		memcpy(c, bin[which[i]], bin_len[which[i]]);
		put64(c + 40, 0); /* e_shoff */
		put16(c + 60, 0); /* e_shnum */
		put16(c + 62, 0); /* e_shstrndx */
		assert_int_equal(elf_parse(bin[which[i]], bin_len[which[i]], &a), 0);
		assert_int_equal(elf_parse(c, bin_len[which[i]], &b), 0);
		free(c);
		assert_string_equal(a.glibc_name, b.glibc_name);
		assert_int_equal(a.kind, b.kind);
		assert_true(b.glibc_name[0] != '\0');
	}
}

/* Every proper prefix of a real binary is rejected (its section headers sit at the end),
 * and none is read past its end. */
static void
test_real_truncations(void **state)
{
	struct elf_info in;
	size_t n, i;
	const int which[] = {B_DYN, B_ARM};

	(void)state;
	for (i = 0; i < sizeof(which) / sizeof(which[0]); i++)
		for (n = 0; n < bin_len[which[i]]; n++)
			assert_int_equal(parse_copy(bin[which[i]], n, &in), -1);
}

/* ---------- crafted files ---------- */

/* Layout of a minimal dynamic PIE: 3 program headers (PT_LOAD of the whole file,
 * PT_INTERP, PT_DYNAMIC), .dynstr, one version-needed entry with two aux entries, and
 * 3 section headers (null, .dynstr, .gnu.version_r). */
#define C_LEN 1024
#define C_PH 64
#define C_INTERP 256
#define C_DYN 320
#define C_STR 512
#define C_VN 640
#define C_SH 768
#define C_BASE 0x400000u
#define INTERP "/lib64/ld-linux-x86-64.so.2"
/* Fields the tests corrupt. */
#define F_SHNUM 60
#define F_PHNUM 56
#define F_SHOFF 40
#define F_PHOFF 32
#define SH(i, off) (C_SH + (i) * 64 + (off))
#define PH(i, off) (C_PH + (i) * 56 + (off))
#define DYN(i, off) (C_DYN + (i) * 16 + (off))
#define VN(off) (C_VN + (off))
#define AUX(i, off) (C_VN + 16 + (i) * 16 + (off))

static unsigned char craft_buf[C_LEN];
static size_t craft_strsz;

/* Build the file with version names v1 and v2 into craft_buf. */
static unsigned char *
craft2(const char *v1, const char *v2)
{
	unsigned char *d = craft_buf;
	size_t n1 = strlen(v1), n2 = strlen(v2), o1 = 11, o2 = 11 + n1 + 1;

	memset(d, 0, C_LEN);
	assert_true(o2 + n2 + 1 <= C_VN - C_STR);
	memcpy(d, "\177ELF", 4);
	d[4] = 2; /* ELFCLASS64 */
	d[5] = 1; /* ELFDATA2LSB */
	d[6] = 1; /* EV_CURRENT */
	put16(d + 16, ET_DYN);
	put16(d + 18, EM_X86_64);
	put32(d + 20, 1);
	put64(d + 24, C_BASE + 900);
	put64(d + F_PHOFF, C_PH);
	put64(d + F_SHOFF, C_SH);
	put16(d + 52, 64);
	put16(d + 54, 56);
	put16(d + F_PHNUM, 3);
	put16(d + 58, 64);
	put16(d + F_SHNUM, 3);

	put32(d + PH(0, 0), 1); /* PT_LOAD */
	put64(d + PH(0, 8), 0);
	put64(d + PH(0, 16), C_BASE);
	put64(d + PH(0, 32), C_LEN);
	put64(d + PH(0, 40), C_LEN);
	put32(d + PH(1, 0), 3); /* PT_INTERP */
	put64(d + PH(1, 8), C_INTERP);
	put64(d + PH(1, 16), C_BASE + C_INTERP);
	put64(d + PH(1, 32), sizeof(INTERP));
	memcpy(d + C_INTERP, INTERP, sizeof(INTERP));
	put32(d + PH(2, 0), 2); /* PT_DYNAMIC */
	put64(d + PH(2, 8), C_DYN);
	put64(d + PH(2, 16), C_BASE + C_DYN);
	put64(d + PH(2, 32), 6 * 16);

	memcpy(d + C_STR + 1, "libc.so.6", 10);
	memcpy(d + C_STR + o1, v1, n1 + 1);
	memcpy(d + C_STR + o2, v2, n2 + 1);
	craft_strsz = o2 + n2 + 1;

	put64(d + DYN(0, 0), 5); /* DT_STRTAB */
	put64(d + DYN(0, 8), C_BASE + C_STR);
	put64(d + DYN(1, 0), 10); /* DT_STRSZ */
	put64(d + DYN(1, 8), craft_strsz);
	put64(d + DYN(2, 0), 0x6ffffffe); /* DT_VERNEED */
	put64(d + DYN(2, 8), C_BASE + C_VN);
	put64(d + DYN(3, 0), 0x6fffffff); /* DT_VERNEEDNUM */
	put64(d + DYN(3, 8), 1);
	put64(d + DYN(4, 0), 0x6ffffffb); /* DT_FLAGS_1, without DF_1_PIE */
	put64(d + DYN(4, 8), 0);
	/* DYN(5) stays DT_NULL */

	put16(d + VN(0), 1);   /* vn_version */
	put16(d + VN(2), 2);   /* vn_cnt */
	put32(d + VN(4), 1);   /* vn_file: libc.so.6 */
	put32(d + VN(8), 16);  /* vn_aux */
	put32(d + VN(12), 0);  /* vn_next */
	put16(d + AUX(0, 6), 2);
	put32(d + AUX(0, 8), (uint32_t)o1);
	put32(d + AUX(0, 12), 16);
	put16(d + AUX(1, 6), 3);
	put32(d + AUX(1, 8), (uint32_t)o2);
	put32(d + AUX(1, 12), 0);

	put32(d + SH(1, 4), 3); /* SHT_STRTAB */
	put64(d + SH(1, 24), C_STR);
	put64(d + SH(1, 32), craft_strsz);
	put32(d + SH(2, 4), 0x6ffffffe); /* SHT_GNU_verneed */
	put64(d + SH(2, 24), C_VN);
	put64(d + SH(2, 32), 48);
	put32(d + SH(2, 40), 1); /* sh_link: .dynstr */
	put32(d + SH(2, 44), 1); /* sh_info: one entry */
	return d;
}

static unsigned char *
craft(void)
{
	return craft2("GLIBC_2.2.5", "GLIBC_2.35");
}

/* Drop the section headers, so versions are read through the dynamic section. */
static void
no_sections(unsigned char *d)
{
	put64(d + F_SHOFF, 0);
	put16(d + F_SHNUM, 0);
}

static void
expect_ok(const unsigned char *d, size_t len, struct elf_info *in)
{
	if (parse_copy(d, len, in) != 0)
		fail_msg("unexpected error: %s", err_get());
}

static void
expect_err(const unsigned char *d, size_t len, const char *msg)
{
	struct elf_info in;

	err_clear();
	assert_int_equal(parse_copy(d, len, &in), -1);
	assert_err_has(msg);
}

static void
test_crafted_ok(void **state)
{
	struct elf_info in;
	unsigned want[3] = {2, 35, 0};
	unsigned char *d;

	(void)state;
	expect_ok(craft(), C_LEN, &in);
	assert_int_equal(in.kind, ELF_PIE);
	assert_false(in.pie);
	assert_string_equal(in.interp, INTERP);
	assert_string_equal(in.glibc_name, "GLIBC_2.35");
	assert_int_equal(elf_vercmp(in.glibc, want), 0);

	d = craft();
	no_sections(d);
	expect_ok(d, C_LEN, &in);
	assert_string_equal(in.glibc_name, "GLIBC_2.35");

	/* without PT_INTERP and DF_1_PIE it is a library; with DF_1_PIE a static PIE */
	d = craft();
	put32(d + PH(1, 0), 6); /* PT_PHDR: not an interpreter */
	expect_ok(d, C_LEN, &in);
	assert_int_equal(in.kind, ELF_SHLIB);
	put64(d + DYN(4, 8), 0x08000000);
	expect_ok(d, C_LEN, &in);
	assert_int_equal(in.kind, ELF_PIE);
	assert_true(in.pie);

	d = craft();
	put16(d + 16, ET_EXEC);
	expect_ok(d, C_LEN, &in);
	assert_int_equal(in.kind, ELF_EXEC);
	put16(d + 16, 4); /* ET_CORE */
	expect_ok(d, C_LEN, &in);
	assert_int_equal(in.kind, ELF_OTHER);
}

static void
test_versions(void **state)
{
	struct elf_info in;
	const unsigned relr[3] = {2, 36, 0}, v225[3] = {2, 2, 5}, v2_17[3] = {2, 17, 0};

	(void)state;
	expect_ok(craft2("GLIBC_2.35", "GLIBC_2.2.5"), C_LEN, &in);
	assert_string_equal(in.glibc_name, "GLIBC_2.35");
	expect_ok(craft2("GLIBC_2.2.5", "GLIBC_PRIVATE"), C_LEN, &in);
	assert_string_equal(in.glibc_name, "GLIBC_2.2.5");
	assert_int_equal(elf_vercmp(in.glibc, v225), 0);
	expect_ok(craft2("GLIBC_2.34", "GLIBC_ABI_DT_RELR"), C_LEN, &in);
	assert_string_equal(in.glibc_name, "GLIBC_ABI_DT_RELR");
	assert_int_equal(elf_vercmp(in.glibc, relr), 0);
	expect_ok(craft2("GLIBC_2.17", "GLIBC_2.9"), C_LEN, &in);
	assert_string_equal(in.glibc_name, "GLIBC_2.17");
	assert_int_equal(elf_vercmp(in.glibc, v2_17), 0);
	/* not glibc versions: ignored */
	expect_ok(craft2("GCC_3.0", "GLIBC_2"), C_LEN, &in);
	assert_string_equal(in.glibc_name, "");
	expect_ok(craft2("GLIBC_2.", "GLIBC_2.3.4.5"), C_LEN, &in);
	assert_string_equal(in.glibc_name, "");
	expect_ok(craft2("GLIBC_2.999999", "GLIBCXX_3.4.30"), C_LEN, &in);
	assert_string_equal(in.glibc_name, "");
	assert_true(elf_vercmp(v225, v2_17) < 0);
	assert_true(elf_vercmp(relr, v2_17) > 0);
}

static void
test_not_elf(void **state)
{
	const unsigned char text[] = "#!/bin/sh\necho hello\n";
	unsigned char *d;

	(void)state;
	expect_err(text, sizeof(text) - 1, "not an ELF file");
	expect_err(text, 0, "not an ELF file");
	expect_err((const unsigned char *)"\177EL", 3, "not an ELF file");
	err_clear();
	{
		struct elf_info in;
		assert_int_equal(elf_parse(NULL, 0, &in), -1);
	}
	assert_err_has("not an ELF file");
	d = craft();
	expect_err(d, 10, "truncated ELF identification");
	expect_err(d, 40, "truncated ELF header");
	expect_err(d, 63, "truncated ELF header");
}

static void
test_wrong_class_and_order(void **state)
{
	unsigned char *d;

	(void)state;
	d = craft();
	d[4] = 1;
	expect_err(d, C_LEN, "ELFCLASS32");
	d[4] = 7;
	expect_err(d, C_LEN, "invalid ELF class 7");
	d = craft();
	d[5] = 2;
	expect_err(d, C_LEN, "big-endian");
	d[5] = 0;
	expect_err(d, C_LEN, "invalid ELF byte order");
	d = craft();
	d[6] = 2;
	expect_err(d, C_LEN, "unsupported ELF version");
}

static void
test_tables_outside(void **state)
{
	unsigned char *d;

	(void)state;
	d = craft();
	put64(d + F_PHOFF, C_LEN);
	expect_err(d, C_LEN, "program header table");
	put64(d + F_PHOFF, UINT64_MAX - 8);
	expect_err(d, C_LEN, "program header table");
	d = craft();
	put64(d + F_SHOFF, 5000);
	expect_err(d, C_LEN, "section header");
	put64(d + F_SHOFF, UINT64_MAX - 63);
	expect_err(d, C_LEN, "section header");
	d = craft();
	put16(d + F_SHNUM, 0xfeff);
	expect_err(d, C_LEN, "section header table (65279 entries");
	d = craft();
	put16(d + F_PHNUM, 0xfffe);
	expect_err(d, C_LEN, "program header table");
	d = craft();
	put16(d + 54, 20); /* e_phentsize */
	expect_err(d, C_LEN, "e_phentsize");
	d = craft();
	put16(d + 58, 40); /* e_shentsize */
	expect_err(d, C_LEN, "e_shentsize");
	/* a huge entry size multiplies into a huge table */
	d = craft();
	put16(d + 58, 0xffff);
	expect_err(d, C_LEN, "section header table");
}

/* The escapes for large counts, kept in section 0. */
static void
test_count_escapes(void **state)
{
	struct elf_info in;
	unsigned char *d;

	(void)state;
	d = craft();
	put16(d + F_SHNUM, 0);
	put64(d + SH(0, 32), 3);
	expect_ok(d, C_LEN, &in);
	assert_string_equal(in.glibc_name, "GLIBC_2.35");
	put64(d + SH(0, 32), UINT64_C(1) << 62);
	expect_err(d, C_LEN, "section header table");

	d = craft();
	put16(d + F_PHNUM, 0xffff);
	put32(d + SH(0, 44), 3);
	expect_ok(d, C_LEN, &in);
	assert_string_equal(in.interp, INTERP);
	put32(d + SH(0, 44), 0xffffffff);
	expect_err(d, C_LEN, "program header table");
	no_sections(d);
	expect_err(d, C_LEN, "PN_XNUM");
}

static void
test_segments_outside(void **state)
{
	unsigned char *d;

	(void)state;
	d = craft();
	put64(d + PH(1, 8), C_LEN - 4);
	expect_err(d, C_LEN, "PT_INTERP");
	put64(d + PH(1, 8), UINT64_MAX);
	expect_err(d, C_LEN, "PT_INTERP");
	d = craft();
	put64(d + PH(1, 32), UINT64_MAX);
	expect_err(d, C_LEN, "PT_INTERP");
	d = craft();
	put64(d + PH(1, 32), 5); /* "/lib6": no NUL inside */
	expect_err(d, C_LEN, "not NUL-terminated");
	put64(d + PH(1, 32), 0);
	expect_err(d, C_LEN, "not NUL-terminated");
	d = craft();
	memset(d + C_INTERP, 'a', 256 + 8);
	put64(d + PH(1, 32), 300);
	d[C_INTERP + 299] = 0;
	expect_err(d, C_LEN, "longer than");
	d = craft();
	put32(d + PH(0, 0), 3); /* a second PT_INTERP */
	expect_err(d, C_LEN, "PT_INTERP");
	d = craft();
	put64(d + PH(2, 8), C_LEN);
	put64(d + PH(2, 32), 16);
	expect_err(d, C_LEN, "PT_DYNAMIC");
	d = craft();
	put64(d + PH(2, 32), UINT64_MAX - 100);
	expect_err(d, C_LEN, "PT_DYNAMIC");
}

static void
test_section_links(void **state)
{
	unsigned char *d;

	(void)state;
	d = craft();
	put32(d + SH(2, 40), 3);
	expect_err(d, C_LEN, "out of range");
	put32(d + SH(2, 40), 0xffffffff);
	expect_err(d, C_LEN, "out of range");
	put32(d + SH(2, 40), 0);
	expect_err(d, C_LEN, "out of range");
	put32(d + SH(2, 40), 2); /* links to itself */
	expect_err(d, C_LEN, "not a string table");
	d = craft();
	put64(d + SH(2, 24), C_LEN - 8);
	expect_err(d, C_LEN, "outside the file");
	d = craft();
	put64(d + SH(2, 32), UINT64_MAX);
	expect_err(d, C_LEN, "outside the file");
	d = craft();
	put64(d + SH(1, 24), 2000);
	expect_err(d, C_LEN, "string table section 1");
	d = craft();
	put64(d + SH(1, 32), UINT64_MAX);
	expect_err(d, C_LEN, "string table section 1");
}

/* Corruptions of the version-needed structure, through sections and through
 * the dynamic section. */
static void
test_verneed_chains(void **state)
{
	int pass;
	unsigned char *d;
	/* where the entry count lives for each path */
	size_t count_at[2] = {SH(2, 44), DYN(3, 8)};

	(void)state;
	for (pass = 0; pass < 2; pass++) {
#define PREP() do { d = craft(); if (pass) no_sections(d); } while (0)
#define SETCOUNT(n) do { if (pass) put64(d + count_at[1], (n)); else put32(d + count_at[0], (n)); } while (0)
		/* vn_next 0 while the count says more: a loop */
		PREP();
		SETCOUNT(2);
		expect_err(d, C_LEN, "loops");
		PREP();
		SETCOUNT(0xffffffffu);
		expect_err(d, C_LEN, "loops");
		/* vn_next pointing outside */
		PREP();
		SETCOUNT(2);
		put32(d + VN(12), 0x100000);
		expect_err(d, C_LEN, "outside");
		PREP();
		SETCOUNT(2);
		put32(d + VN(12), 0xfffffff0u);
		expect_err(d, C_LEN, "outside");
		/* vn_next into the aux entries: not a version-needed record */
		PREP();
		SETCOUNT(2);
		put32(d + VN(12), 16);
		expect_err(d, C_LEN, "revision");
		/* overlapping entries */
		PREP();
		SETCOUNT(2);
		put32(d + VN(12), 4);
		expect_err(d, C_LEN, "overlaps");
		/* vn_aux outside */
		PREP();
		put32(d + VN(8), 0xffffffffu);
		expect_err(d, C_LEN, "outside");
		/* vna_next loops or leaves */
		PREP();
		put32(d + AUX(0, 12), 0);
		expect_err(d, C_LEN, "loops");
		PREP();
		put16(d + VN(2), 0xffff);
		put32(d + AUX(1, 12), 0);
		expect_err(d, C_LEN, "loops");
		PREP();
		put16(d + VN(2), 3);
		put32(d + AUX(1, 12), 0x7fffffff);
		expect_err(d, C_LEN, "outside");
		PREP();
		put16(d + VN(2), 3);
		put32(d + AUX(1, 12), 16); /* third aux falls off the end of a 48-byte section */
		if (pass == 0) {
			expect_err(d, C_LEN, "outside");
		} else {
			struct elf_info in;
			/* through the segment the bytes after are zeros: an empty name */
			expect_ok(d, C_LEN, &in);
		}
		/* names outside the string table or unterminated */
		PREP();
		put32(d + AUX(1, 8), 0x7fffffff);
		expect_err(d, C_LEN, "outside its string table");
		PREP();
		if (pass)
			put64(d + DYN(1, 8), craft_strsz - 3);
		else
			put64(d + SH(1, 32), craft_strsz - 3);
		expect_err(d, C_LEN, "unterminated string");
		PREP();
		put16(d + VN(0), 2);
		expect_err(d, C_LEN, "revision 2");
#undef PREP
#undef SETCOUNT
	}
}

static void
test_dynamic_path_errors(void **state)
{
	struct elf_info in;
	unsigned char *d;

	(void)state;
	d = craft();
	no_sections(d);
	put64(d + DYN(2, 8), 0x10);
	expect_err(d, C_LEN, "DT_VERNEED address 0x10 is not inside any PT_LOAD");
	d = craft();
	no_sections(d);
	put64(d + DYN(0, 8), C_BASE + C_LEN);
	expect_err(d, C_LEN, "DT_STRTAB");
	d = craft();
	no_sections(d);
	put64(d + DYN(1, 8), C_LEN);
	expect_err(d, C_LEN, "DT_STRSZ");
	d = craft();
	no_sections(d);
	put64(d + DYN(3, 0), 1); /* DT_NEEDED instead of DT_VERNEEDNUM */
	expect_err(d, C_LEN, "DT_VERNEEDNUM");
	d = craft();
	no_sections(d);
	put64(d + PH(0, 32), C_LEN + 1); /* PT_LOAD longer than the file */
	expect_err(d, C_LEN, "PT_LOAD");
	put64(d + PH(0, 8), UINT64_MAX);
	expect_err(d, C_LEN, "PT_LOAD");
	/* a DT_NULL before DT_VERNEED hides it: nothing required */
	d = craft();
	no_sections(d);
	put64(d + DYN(2, 0), 0);
	expect_ok(d, C_LEN, &in);
	assert_string_equal(in.glibc_name, "");
	/* PT_DYNAMIC not a multiple of the entry size: the partial entry is ignored */
	d = craft();
	no_sections(d);
	put64(d + PH(2, 32), 3 * 16 + 7);
	expect_err(d, C_LEN, "DT_VERNEEDNUM");
}

/* Many version-needed entries sharing one long aux chain must be cut off, not walked
 * quadratically. */
static void
test_visit_cap(void **state)
{
	const size_t nrec = 2000, naux = 40000, base = 4096;
	const size_t chain = base + nrec * 16, len = chain + naux * 16;
	unsigned char *d = calloc(1, len);
	struct elf_info in;
	size_t i;

	(void)state;
	assert_non_null(d);
	memcpy(d, craft(), C_LEN);
	put64(d + SH(2, 24), base);
	put64(d + SH(2, 32), len - base);
	put32(d + SH(2, 44), (uint32_t)nrec);
	for (i = 0; i < nrec; i++) {
		unsigned char *p = d + base + i * 16;
		put16(p, 1);
		put16(p + 2, (unsigned)naux);
		put32(p + 8, (uint32_t)(chain - (base + i * 16)));
		put32(p + 12, 16);
	}
	for (i = 0; i < naux; i++) {
		put32(d + chain + i * 16 + 8, 11);
		put32(d + chain + i * 16 + 12, 16);
	}
	err_clear();
	assert_int_equal(elf_parse(d, len, &in), -1);
	free(d);
	assert_err_has("too many version-needed entries");
}

/* Random corruption of crafted and real files: never a crash, an overread (under
 * valgrind/ASan) or an answer other than 0/-1. */
static void
test_random_corruption(void **state)
{
	uint64_t seed = 0x9e3779b97f4a7c15u;
	unsigned char *d;
	struct elf_info in;
	size_t len, k;
	int iter, r, flips;

	(void)state;
	for (iter = 0; iter < 30000; iter++) {
		const unsigned char *src = iter % 10 ? craft() : bin[B_DYN];
		len = iter % 10 ? C_LEN : bin_len[B_DYN];
		d = malloc(len);
		assert_non_null(d);
		memcpy(d, src, len);
		seed = seed * 6364136223846793005u + 1442695040888963407u;
		flips = 1 + (int)(seed >> 60);
		for (k = 0; k < (size_t)flips; k++) {
			seed = seed * 6364136223846793005u + 1442695040888963407u;
			/* hit the header and tables more often than the rest */
			size_t at = (seed >> 33) % (seed & 1 ? 128 : len);
			d[at] = (unsigned char)(seed >> 24);
		}
		seed = seed * 6364136223846793005u + 1442695040888963407u;
		if ((seed >> 40) % 4 == 0)
			len = (seed >> 8) % len;
		r = elf_parse(d, len, &in);
		free(d);
		assert_true(r == 0 || r == -1);
		if (r == 0)
			assert_true(strlen(in.interp) < ELF_INTERP_MAX);
	}
}

static void
test_machine_names(void **state)
{
	(void)state;
	assert_string_equal(elf_machine_name(EM_X86_64), "x86_64");
	assert_string_equal(elf_machine_name(EM_AARCH64), "arm64");
	assert_string_equal(elf_machine_name(3), "i386");
	assert_string_equal(elf_machine_name(9999), "unknown");
	assert_string_equal(elf_kind_name(ELF_REL), "relocatable object");
	assert_string_equal(elf_kind_name(ELF_EXEC), "executable");
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_real_pie),
		cmocka_unit_test(test_real_nopie),
		cmocka_unit_test(test_real_static),
		cmocka_unit_test(test_real_static_pie),
		cmocka_unit_test(test_real_arm64),
		cmocka_unit_test(test_real_shlib),
		cmocka_unit_test(test_real_object),
		cmocka_unit_test(test_real_stripped),
		cmocka_unit_test(test_real_without_sections),
		cmocka_unit_test(test_real_truncations),
		cmocka_unit_test(test_crafted_ok),
		cmocka_unit_test(test_versions),
		cmocka_unit_test(test_not_elf),
		cmocka_unit_test(test_wrong_class_and_order),
		cmocka_unit_test(test_tables_outside),
		cmocka_unit_test(test_count_escapes),
		cmocka_unit_test(test_segments_outside),
		cmocka_unit_test(test_section_links),
		cmocka_unit_test(test_verneed_chains),
		cmocka_unit_test(test_dynamic_path_errors),
		cmocka_unit_test(test_visit_cap),
		cmocka_unit_test(test_random_corruption),
		cmocka_unit_test(test_machine_names),
	};

	/* the fixtures include an arm64 binary, built by the cross compiler */
	fx_need_tool("aarch64-linux-gnu-gcc");
	return cmocka_run_group_tests_name("elf", tests, setup_bins, teardown_bins);
}
