/* elfck.h: what an artifact check needs to know about an ELF file, read as hostile input. */
#ifndef LAMBDA_ELFCK_H
#define LAMBDA_ELFCK_H

#include <stddef.h>

/* The gABI values callers compare against, defined here: the reader depends on no
 * system <elf.h>. */
#ifndef EM_X86_64
#define EM_X86_64 62
#endif
#ifndef EM_AARCH64
#define EM_AARCH64 183
#endif
#ifndef ET_REL
#define ET_REL 1
#define ET_EXEC 2
#define ET_DYN 3
#endif

/* What the kernel would do with the file. */
enum elf_kind {
	ELF_EXEC,   /* ET_EXEC: fixed-address executable (static or dynamic) */
	ELF_PIE,    /* ET_DYN with PT_INTERP or DF_1_PIE: position-independent executable */
	ELF_SHLIB,  /* ET_DYN without interpreter nor DF_1_PIE: a shared library */
	ELF_REL,    /* ET_REL: an object file */
	ELF_OTHER   /* ET_CORE, ET_NONE, OS/processor specific */
};

/* Longest interpreter path kept, NUL included; a longer PT_INTERP is an error. */
#define ELF_INTERP_MAX 256
/* Room for the name of the highest glibc requirement, NUL included. */
#define ELF_GLIBC_MAX 64

struct elf_info {
	unsigned machine;          /* e_machine: EM_X86_64, EM_AARCH64, ... */
	unsigned type;             /* e_type: ET_EXEC, ET_DYN, ... */
	enum elf_kind kind;
	int dynamic;               /* 1 if it has PT_INTERP or PT_DYNAMIC */
	int pie;                   /* 1 if DT_FLAGS_1 has DF_1_PIE */
	char interp[ELF_INTERP_MAX];       /* PT_INTERP path, "" if none */
	/* Highest glibc version required through .gnu.version_r, {0,0,0} if none. A need
	 * for GLIBC_ABI_DT_RELR counts as 2.36, the release that introduced it. */
	unsigned glibc[3];
	char glibc_name[ELF_GLIBC_MAX];    /* the version name that set glibc ("GLIBC_2.34"), or "" */
};

/* Parse len bytes of an ELF64 little-endian file; -1 with an error naming the problem
 * for anything malformed, truncated, or of another class/byte order. Never reads
 * outside data. */
int elf_parse(const unsigned char *data, size_t len, struct elf_info *out);
/* Lambda-style name of a machine ("x86_64", "arm64", "i386", ...); "unknown" otherwise. */
const char *elf_machine_name(unsigned machine);
/* Short description of a kind ("PIE executable", "shared library", ...). */
const char *elf_kind_name(enum elf_kind kind);
/* Compare two {major, minor, patch} versions: <0, 0, >0 like strcmp. */
int elf_vercmp(const unsigned a[3], const unsigned b[3]);

#endif
