#!/bin/sh
# Build a small seed corpus for fuzz_elf: real ELF files of each kind the reader
# classifies (dynamic PIE, non-PIE, static, static PIE, arm64, shared library, object),
# linked to keep them small, plus copies without section headers (as after sstrip).
# Usage: fuzz/seed-elf.sh DIR
set -eu
out=${1:?usage: seed-elf.sh DIR}
mkdir -p "$out"
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
cat > "$tmp/hello.c" <<'C'
#include <stdio.h>
int main(int argc, char **argv) { printf("hello %s\n", argv[argc - 1]); return 0; }
C
small="-Os -s -Wl,-z,noseparate-code -Wl,-z,max-page-size=4096"
# shellcheck disable=SC2086 # $small is a list of flags
{
	cc $small -o "$out/dyn" "$tmp/hello.c"
	cc $small -no-pie -o "$out/nopie" "$tmp/hello.c"
	cc $small -shared -fPIC -o "$out/lib.so" "$tmp/hello.c"
	cc -c -o "$out/obj.o" "$tmp/hello.c"
	if command -v aarch64-linux-gnu-gcc >/dev/null; then
		aarch64-linux-gnu-gcc $small -o "$out/arm" "$tmp/hello.c"
	fi
	# a static binary without libc stays tiny
	printf 'void _start(void){for(;;);}\n' > "$tmp/start.c"
	cc $small -static -nostdlib -o "$out/static" "$tmp/start.c"
	cc $small -static-pie -nostdlib -fPIE -o "$out/spie" "$tmp/start.c"
}
# No section headers: versions must come through PT_DYNAMIC.
for f in dyn nopie arm; do
	[ -f "$out/$f" ] || continue
	cp "$out/$f" "$out/$f-nosh"
	# e_shoff (8 bytes at 40), e_shnum (2 at 60), e_shstrndx (2 at 62)
	dd if=/dev/zero of="$out/$f-nosh" bs=1 seek=40 count=8 conv=notrunc 2>/dev/null
	dd if=/dev/zero of="$out/$f-nosh" bs=1 seek=60 count=4 conv=notrunc 2>/dev/null
done
ls -l "$out"
