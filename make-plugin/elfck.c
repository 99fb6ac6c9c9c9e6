/* elfck.c: a bounds-checked reader for the parts of an ELF64 file an artifact check needs.
 *
 * Every field comes from a file that may be truncated, corrupted or hostile, so every
 * offset is checked against the file size before use, sums are done in 64 bits after
 * checking that they cannot wrap, and chains (version-needed lists) must make forward
 * progress and are capped. Fields are decoded byte by byte (little-endian), so neither
 * alignment nor the host's byte order matter. */
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include "elfck.h"
#include "err.h"

/* Constants from the System V gABI and the GNU extensions. Defined here because this
 * module's own header shadows <elf.h> on the -I path. */
#define EI_NIDENT 16
#define EI_CLASS 4
#define EI_DATA 5
#define EI_VERSION 6
#define ELFCLASS32 1
#define ELFCLASS64 2
#define ELFDATA2LSB 1
#define ELFDATA2MSB 2
#define EV_CURRENT 1
#define PN_XNUM 0xffff
#define PT_LOAD 1
#define PT_DYNAMIC 2
#define PT_INTERP 3
#define SHT_STRTAB 3
#define SHT_NOBITS 8
#define SHT_GNU_VERNEED 0x6ffffffe
#define DT_NULL 0
#define DT_STRTAB 5
#define DT_STRSZ 10
#define DT_FLAGS_1 0x6ffffffb
#define DT_VERNEED 0x6ffffffe
#define DT_VERNEEDNUM 0x6fffffff
#define DF_1_PIE 0x08000000
#define EM_386 3
#define EM_PPC64 21
#define EM_S390 22
#define EM_ARM 40
#define EM_RISCV 243

/* Sizes of the on-disk ELF64 records. */
#define EHDR_SIZE 64
#define PHDR_SIZE 56
#define SHDR_SIZE 64
#define DYN_SIZE 16
#define VERNEED_SIZE 16
#define VERNAUX_SIZE 16

/* No real binary needs more than a few hundred version entries; the cap keeps a crafted
 * file whose entries share one long aux chain from costing quadratic time. */
#define VER_VISITS_MAX 65536

/* The glibc release that introduced GLIBC_ABI_DT_RELR. */
static const unsigned relr_glibc[3] = {2, 36, 0};

typedef unsigned long long ull;

struct elf {
	const unsigned char *d;
	uint64_t len;
	uint64_t phoff, shoff;
	uint64_t phnum, shnum;
	unsigned phentsize, shentsize;
	int has_dyn;
	uint64_t dyn_off, dyn_size;
	int has_verneed, has_verneednum, has_strtab, has_strsz;
	uint64_t verneed, verneednum, strtab, strsz;
	unsigned long visits;
	struct elf_info *out;
};

static unsigned
u16(const unsigned char *p)
{
	return (unsigned)p[0] | (unsigned)p[1] << 8;
}

static uint32_t
u32(const unsigned char *p)
{
	return (uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 |
	       (uint32_t)p[3] << 24;
}

static uint64_t
u64(const unsigned char *p)
{
	return (uint64_t)u32(p) | (uint64_t)u32(p + 4) << 32;
}

/* 1 if [off, off + size) lies inside a region of len bytes, without wrapping. */
static int
fits(uint64_t len, uint64_t off, uint64_t size)
{
	return off <= len && size <= len - off;
}

/* Check that a table of num entries of entsize bytes at off lies inside the file. */
static int
table_ok(const struct elf *e, const char *what, uint64_t off, uint64_t num, unsigned entsize)
{
	if (num == 0)
		return 0;
	if (off > e->len || num > (e->len - off) / entsize) {
		err_set("%s table (%llu entries of %u bytes at offset %llu) extends past the end "
		        "of the file (%llu bytes)", what, (ull)num, entsize, (ull)off, (ull)e->len);
		return -1;
	}
	return 0;
}

static int
parse_ident(const struct elf *e)
{
	const unsigned char *d = e->d;

	if (e->len < 4 || d[0] != 0x7f || d[1] != 'E' || d[2] != 'L' || d[3] != 'F') {
		err_set("not an ELF file (no \\177ELF magic)");
		return -1;
	}
	if (e->len < EI_NIDENT) {
		err_set("truncated ELF identification (%llu bytes)", (ull)e->len);
		return -1;
	}
	if (d[EI_CLASS] == ELFCLASS32) {
		err_set("32-bit ELF (ELFCLASS32) is not supported: Lambda runs 64-bit binaries");
		return -1;
	}
	if (d[EI_CLASS] != ELFCLASS64) {
		err_set("invalid ELF class %u", (unsigned)d[EI_CLASS]);
		return -1;
	}
	if (d[EI_DATA] == ELFDATA2MSB) {
		err_set("big-endian ELF (ELFDATA2MSB) is not supported: Lambda runs "
		        "little-endian binaries");
		return -1;
	}
	if (d[EI_DATA] != ELFDATA2LSB) {
		err_set("invalid ELF byte order %u", (unsigned)d[EI_DATA]);
		return -1;
	}
	if (d[EI_VERSION] != EV_CURRENT) {
		err_set("unsupported ELF version %u", (unsigned)d[EI_VERSION]);
		return -1;
	}
	return 0;
}

/* Header fields, resolving the escapes for more than 0xfffe program headers or
 * sections (counts kept in section 0). */
static int
parse_header(struct elf *e)
{
	const unsigned char *d = e->d, *s0;

	if (e->len < EHDR_SIZE) {
		err_set("truncated ELF header (%llu of %d bytes)", (ull)e->len, EHDR_SIZE);
		return -1;
	}
	e->out->type = u16(d + 16);
	e->out->machine = u16(d + 18);
	e->phoff = u64(d + 32);
	e->shoff = u64(d + 40);
	e->phentsize = u16(d + 54);
	e->phnum = u16(d + 56);
	e->shentsize = u16(d + 58);
	e->shnum = u16(d + 60);

	if (e->shoff && e->shentsize < SHDR_SIZE) {
		err_set("section header size e_shentsize %u is smaller than %d", e->shentsize,
		        SHDR_SIZE);
		return -1;
	}
	if (e->shoff && (e->shnum == 0 || e->phnum == PN_XNUM)) {
		if (!fits(e->len, e->shoff, SHDR_SIZE)) {
			err_set("section header offset e_shoff %llu is beyond the end of the "
			        "file (%llu bytes)", (ull)e->shoff, (ull)e->len);
			return -1;
		}
		s0 = d + e->shoff;
		if (e->shnum == 0)
			e->shnum = u64(s0 + 32);
		if (e->phnum == PN_XNUM)
			e->phnum = u32(s0 + 44);
	} else if (e->phnum == PN_XNUM) {
		err_set("e_phnum is PN_XNUM but there is no section 0 holding the real count");
		return -1;
	}
	if (!e->shoff)
		e->shnum = 0;
	if (e->phnum && e->phentsize < PHDR_SIZE) {
		err_set("program header size e_phentsize %u is smaller than %d", e->phentsize,
		        PHDR_SIZE);
		return -1;
	}
	if (table_ok(e, "program header", e->phoff, e->phnum, e->phentsize) < 0 ||
	    table_ok(e, "section header", e->shoff, e->shnum, e->shentsize) < 0)
		return -1;
	return 0;
}

static const unsigned char *
phdr(const struct elf *e, uint64_t i)
{
	return e->d + e->phoff + i * e->phentsize;
}

static const unsigned char *
shdr(const struct elf *e, uint64_t i)
{
	return e->d + e->shoff + i * e->shentsize;
}

static int
parse_interp(struct elf *e, const unsigned char *p)
{
	uint64_t off = u64(p + 8), size = u64(p + 32);
	const unsigned char *s, *nul;

	if (!fits(e->len, off, size)) {
		err_set("PT_INTERP (offset %llu, size %llu) lies outside the file (%llu bytes)",
		        (ull)off, (ull)size, (ull)e->len);
		return -1;
	}
	s = e->d + off;
	nul = size ? memchr(s, '\0', size) : NULL;
	if (!nul) {
		err_set("interpreter path (PT_INTERP) is not NUL-terminated");
		return -1;
	}
	if ((size_t)(nul - s) >= ELF_INTERP_MAX) {
		err_set("interpreter path (PT_INTERP) is longer than %d bytes", ELF_INTERP_MAX - 1);
		return -1;
	}
	memcpy(e->out->interp, s, (size_t)(nul - s) + 1);
	return 0;
}

static int
parse_phdrs(struct elf *e)
{
	uint64_t i;
	const unsigned char *p;
	int seen_interp = 0;

	for (i = 0; i < e->phnum; i++) {
		p = phdr(e, i);
		switch (u32(p)) {
		case PT_INTERP:
			if (seen_interp) {
				err_set("more than one PT_INTERP program header");
				return -1;
			}
			seen_interp = 1;
			if (parse_interp(e, p) < 0)
				return -1;
			e->out->dynamic = 1;
			break;
		case PT_DYNAMIC:
			if (e->has_dyn) {
				err_set("more than one PT_DYNAMIC program header");
				return -1;
			}
			e->has_dyn = 1;
			e->dyn_off = u64(p + 8);
			e->dyn_size = u64(p + 32);
			if (!fits(e->len, e->dyn_off, e->dyn_size)) {
				err_set("PT_DYNAMIC (offset %llu, size %llu) lies outside the file "
				        "(%llu bytes)", (ull)e->dyn_off, (ull)e->dyn_size, (ull)e->len);
				return -1;
			}
			e->out->dynamic = 1;
			break;
		default:
			break;
		}
	}
	return 0;
}

/* Collect the dynamic tags we use; the walk ends at DT_NULL or the segment's end. */
static void
parse_dynamic(struct elf *e)
{
	uint64_t i, n = e->dyn_size / DYN_SIZE, val;
	const unsigned char *p;

	for (i = 0; i < n; i++) {
		p = e->d + e->dyn_off + i * DYN_SIZE;
		val = u64(p + 8);
		switch (u64(p)) {
		case DT_NULL:
			return;
		case DT_FLAGS_1:
			if (val & DF_1_PIE)
				e->out->pie = 1;
			break;
		case DT_VERNEED:
			e->has_verneed = 1;
			e->verneed = val;
			break;
		case DT_VERNEEDNUM:
			e->has_verneednum = 1;
			e->verneednum = val;
			break;
		case DT_STRTAB:
			e->has_strtab = 1;
			e->strtab = val;
			break;
		case DT_STRSZ:
			e->has_strsz = 1;
			e->strsz = val;
			break;
		default:
			break;
		}
	}
}

/* Version number from "GLIBC_2.34" / "GLIBC_2.2.5"; 0 if s is not of that form. */
static int
glibc_version(const char *s, unsigned v[3])
{
	unsigned part = 0, digits = 0;

	if (strncmp(s, "GLIBC_", 6) != 0)
		return 0;
	if (!strcmp(s, "GLIBC_ABI_DT_RELR")) {
		memcpy(v, relr_glibc, sizeof(relr_glibc));
		return 1;
	}
	v[0] = v[1] = v[2] = 0;
	for (s += 6;; s++) {
		if (*s >= '0' && *s <= '9') {
			if (++digits > 5)
				return 0;
			v[part] = v[part] * 10 + (unsigned)(*s - '0');
		} else if (*s == '.' && digits && part < 2) {
			part++;
			digits = 0;
		} else if (*s == '\0' && digits && part >= 1) {
			return 1;
		} else {
			return 0;
		}
	}
}

static void
note_version(struct elf *e, const char *name)
{
	unsigned v[3];

	if (!glibc_version(name, v) || elf_vercmp(v, e->out->glibc) <= 0)
		return;
	memcpy(e->out->glibc, v, sizeof(v));
	snprintf(e->out->glibc_name, sizeof(e->out->glibc_name), "%s", name);
}

/* The NUL-terminated string at idx of a string table at [off, off + size). */
static const char *
string_at(const struct elf *e, uint64_t off, uint64_t size, uint64_t idx)
{
	const unsigned char *s;

	if (idx >= size) {
		err_set("string offset %llu is outside its string table (%llu bytes)", (ull)idx,
		        (ull)size);
		return NULL;
	}
	s = e->d + off + idx;
	if (!memchr(s, '\0', size - idx)) {
		err_set("unterminated string at offset %llu of a string table", (ull)idx);
		return NULL;
	}
	return (const char *)s;
}

/* Walk count version-needed entries in [off, off + size) (already inside the file),
 * names from the string table at [str_off, str_off + str_size). */
static int
walk_verneed(struct elf *e, uint64_t off, uint64_t size, uint64_t count, uint64_t str_off,
             uint64_t str_size)
{
	uint64_t i, j, at = 0, aux, cnt, next, anext;
	const unsigned char *p, *a;
	const char *name;

	for (i = 0; i < count; i++) {
		if (++e->visits > VER_VISITS_MAX) {
			err_set("too many version-needed entries (more than %d)", VER_VISITS_MAX);
			return -1;
		}
		if (!fits(size, at, VERNEED_SIZE)) {
			err_set("version-needed entry %llu (offset %llu) is outside .gnu.version_r "
			        "(%llu bytes)", (ull)i, (ull)at, (ull)size);
			return -1;
		}
		p = e->d + off + at;
		if (u16(p) != 1) {
			err_set("version-needed entry %llu has unknown revision %u", (ull)i, u16(p));
			return -1;
		}
		cnt = u16(p + 2);
		aux = at + u32(p + 8);
		next = u32(p + 12);
		for (j = 0; j < cnt; j++) {
			if (++e->visits > VER_VISITS_MAX) {
				err_set("too many version-needed entries (more than %d)",
				        VER_VISITS_MAX);
				return -1;
			}
			if (!fits(size, aux, VERNAUX_SIZE)) {
				err_set("version-needed aux entry %llu of entry %llu (offset %llu) is "
				        "outside .gnu.version_r (%llu bytes)", (ull)j, (ull)i,
				        (ull)aux, (ull)size);
				return -1;
			}
			a = e->d + off + aux;
			name = string_at(e, str_off, str_size, u32(a + 8));
			if (!name)
				return -1;
			note_version(e, name);
			anext = u32(a + 12);
			if (j + 1 == cnt)
				break;
			if (anext < VERNAUX_SIZE) {
				err_set("version-needed aux chain of entry %llu loops or overlaps "
				        "(vna_next %llu before the last of %llu entries)", (ull)i,
				        (ull)anext, (ull)cnt);
				return -1;
			}
			aux += anext;
		}
		if (i + 1 == count)
			break;
		if (next < VERNEED_SIZE) {
			err_set("version-needed chain loops or overlaps (vn_next %llu at entry %llu "
			        "of %llu)", (ull)next, (ull)i, (ull)count);
			return -1;
		}
		at += next;
	}
	return 0;
}

/* Versions through section headers: each SHT_GNU_verneed with its linked string table. */
static int
verneed_sections(struct elf *e, int *found)
{
	uint64_t i, link, off, size, str_off, str_size;
	const unsigned char *s, *l;

	for (i = 0; i < e->shnum; i++) {
		s = shdr(e, i);
		if (u32(s + 4) != SHT_GNU_VERNEED)
			continue;
		off = u64(s + 24);
		size = u64(s + 32);
		link = u32(s + 40);
		if (!fits(e->len, off, size)) {
			err_set("section %llu (.gnu.version_r, offset %llu, size %llu) lies outside "
			        "the file (%llu bytes)", (ull)i, (ull)off, (ull)size, (ull)e->len);
			return -1;
		}
		if (link == 0 || link >= e->shnum) {
			err_set("section %llu (.gnu.version_r) links to string table %llu, out of "
			        "range (%llu sections)", (ull)i, (ull)link, (ull)e->shnum);
			return -1;
		}
		l = shdr(e, link);
		if (u32(l + 4) != SHT_STRTAB) {
			err_set("section %llu (.gnu.version_r) links to section %llu, which is not a "
			        "string table", (ull)i, (ull)link);
			return -1;
		}
		str_off = u64(l + 24);
		str_size = u64(l + 32);
		if (!fits(e->len, str_off, str_size)) {
			err_set("string table section %llu (offset %llu, size %llu) lies outside the "
			        "file (%llu bytes)", (ull)link, (ull)str_off, (ull)str_size,
			        (ull)e->len);
			return -1;
		}
		*found = 1;
		if (walk_verneed(e, off, size, u32(s + 44), str_off, str_size) < 0)
			return -1;
	}
	return 0;
}

/* File range [*off, *off + *avail) holding the loaded address vaddr. */
static int
map_vaddr(const struct elf *e, const char *what, uint64_t vaddr, uint64_t *off,
          uint64_t *avail)
{
	uint64_t i, pv, po, pf;
	const unsigned char *p;

	for (i = 0; i < e->phnum; i++) {
		p = phdr(e, i);
		if (u32(p) != PT_LOAD)
			continue;
		po = u64(p + 8);
		pv = u64(p + 16);
		pf = u64(p + 32);
		if (vaddr < pv || vaddr - pv >= pf)
			continue;
		if (!fits(e->len, po, pf)) {
			err_set("PT_LOAD segment (offset %llu, size %llu) holding %s lies outside "
			        "the file (%llu bytes)", (ull)po, (ull)pf, what, (ull)e->len);
			return -1;
		}
		*off = po + (vaddr - pv);
		*avail = pf - (vaddr - pv);
		return 0;
	}
	err_set("%s address 0x%llx is not inside any PT_LOAD segment", what, (ull)vaddr);
	return -1;
}

/* Versions through the dynamic section, for files without section headers. */
static int
verneed_dynamic(struct elf *e)
{
	uint64_t off, avail, str_off, str_avail;

	if (!e->has_verneed)
		return 0;
	if (!e->has_verneednum || !e->has_strtab || !e->has_strsz) {
		err_set("dynamic section has DT_VERNEED without DT_VERNEEDNUM, DT_STRTAB and "
		        "DT_STRSZ");
		return -1;
	}
	if (map_vaddr(e, "DT_VERNEED", e->verneed, &off, &avail) < 0 ||
	    map_vaddr(e, "DT_STRTAB", e->strtab, &str_off, &str_avail) < 0)
		return -1;
	if (e->strsz > str_avail) {
		err_set("DT_STRSZ %llu runs past the end of its segment", (ull)e->strsz);
		return -1;
	}
	return walk_verneed(e, off, avail, e->verneednum, str_off, e->strsz);
}

static enum elf_kind
classify(const struct elf_info *in)
{
	switch (in->type) {
	case ET_EXEC:
		return ELF_EXEC;
	case ET_DYN:
		return in->interp[0] || in->pie ? ELF_PIE : ELF_SHLIB;
	case ET_REL:
		return ELF_REL;
	default:
		return ELF_OTHER;
	}
}

int
elf_parse(const unsigned char *data, size_t len, struct elf_info *out)
{
	struct elf e;
	int found = 0;

	memset(out, 0, sizeof(*out));
	memset(&e, 0, sizeof(e));
	e.d = data;
	e.len = len;
	e.out = out;
	if (!data) {
		err_set("not an ELF file (empty)");
		return -1;
	}
	if (parse_ident(&e) < 0 || parse_header(&e) < 0 || parse_phdrs(&e) < 0)
		return -1;
	if (e.has_dyn)
		parse_dynamic(&e);
	out->kind = classify(out);
	if (verneed_sections(&e, &found) < 0)
		return -1;
	if (!found && verneed_dynamic(&e) < 0)
		return -1;
	return 0;
}

const char *
elf_machine_name(unsigned machine)
{
	switch (machine) {
	case EM_X86_64:
		return "x86_64";
	case EM_AARCH64:
		return "arm64";
	case EM_386:
		return "i386";
	case EM_ARM:
		return "arm";
	case EM_PPC64:
		return "ppc64";
	case EM_S390:
		return "s390x";
	case EM_RISCV:
		return "riscv64";
	default:
		return "unknown";
	}
}

const char *
elf_kind_name(enum elf_kind kind)
{
	switch (kind) {
	case ELF_EXEC:
		return "executable";
	case ELF_PIE:
		return "PIE executable";
	case ELF_SHLIB:
		return "shared library";
	case ELF_REL:
		return "relocatable object";
	default:
		return "non-executable ELF file";
	}
}

int
elf_vercmp(const unsigned a[3], const unsigned b[3])
{
	int i;

	for (i = 0; i < 3; i++)
		if (a[i] != b[i])
			return a[i] < b[i] ? -1 : 1;
	return 0;
}
