# shellcheck shell=bash
# corpus.sh (sourced): project layouts as users write them, for tests/docker/corpus.sh.
#   corpus_names             the layouts, one word each
#   corpus_write NAME DIR    write layout NAME into DIR (with a Cargo.lock; the
#                            vendoring layouts run `cargo vendor` into the tree)
#   corpus_project NAME DIR  where in DIR the project that make builds lies (DIR,
#                            but for monorepo: DIR/services/app, beside DIR/libs)
#   corpus_bins NAME         the functions lambda-prod must package, sorted
#   corpus_edit NAME DIR     a source-only edit (DIR: the project, corpus_project) that changes what the function says
# Every function answers an invocation with {"layout":L,"fn":F,"event":E} (F with a
# "+" after an edit), through tests/fixtures/corpus/tiny-rt, a std-only Runtime API
# client that each layout carries as a path dependency. Needs $src and, for the
# vendoring layouts, a host cargo that reaches crates.io.

: "${src:?corpus.sh needs src, the source tree}"

corpus_names() { echo single-bin ws-build-rs lib-and-bin ws-inherit features vendored-cc git-dep conventions monorepo; }

corpus_project() {
	case $1 in
	monorepo) echo "$2/services/app" ;;
	*) echo "$2" ;;
	esac
}

corpus_bins() {
	case $1 in
	single-bin) echo handler ;;
	ws-build-rs) echo api ;;
	lib-and-bin) echo orders ;;
	ws-inherit) echo billing ;;
	features) echo feat ;;
	vendored-cc) echo stack ;;
	git-dep) echo greeter ;;
	conventions) echo multi second third ;;
	monorepo) echo app worker ;;
	esac
}

# main_rs LAYOUT FN [PRELUDE]: a main that serves invocations
main_rs() {
	printf '%s\nfn main() {\n    tiny_rt::serve(|e| format!("{{\\"layout\\":\\"%s\\",\\"fn\\":\\"%s\\",\\"event\\":{e}}}"))\n}\n' \
		"${3:-}" "$1" "$2"
}
# pkg NAME [EXTRA]: a [package] table (edition 2021) plus EXTRA lines
pkg() { printf '[package]\nname = "%s"\nversion = "0.1.0"\nedition = "2021"\n%s\n' "$1" "${2:-}"; }
rt_dep() { printf '\n[dependencies]\ntiny-rt = { path = "%s" }\n' "${1:-tiny-rt}"; }

corpus_write() {
	local name=$1 d=$2
	if [[ $name == monorepo ]]; then
		corpus_monorepo "$d"
		return
	fi
	mkdir -p "$d/src"
	cp -r "$src/tests/fixtures/corpus/tiny-rt" "$d/tiny-rt"
	case $name in
	single-bin)
		# autobins = false: src/bin/tool.rs is no target, only the [[bin]] is
		{ pkg single 'autobins = false'; printf '\n[[bin]]\nname = "handler"\npath = "src/handler.rs"\n'; rt_dep; } >"$d/Cargo.toml"
		main_rs "$name" handler >"$d/src/handler.rs"
		mkdir -p "$d/src/bin" && echo 'fn main() { println!("not a function"); }' >"$d/src/bin/tool.rs"
		;;
	ws-build-rs)
		printf '[workspace]\nmembers = ["api"]\nresolver = "2"\n' >"$d/Cargo.toml"
		mkdir -p "$d/api/src"
		{ pkg api; rt_dep ../tiny-rt; } >"$d/api/Cargo.toml"
		# a code generator's build script: writes Rust and formats it with rustfmt
		cat >"$d/api/build.rs" <<'RS'
use std::{env, fs, path::Path, process::Command};
fn main() {
    let out = Path::new(&env::var("OUT_DIR").unwrap()).join("layout.rs");
    fs::write(&out, "pub const LAYOUT : &str = \"ws-build-rs\" ;\n").unwrap();
    let ok = Command::new("rustfmt").arg("--edition=2021").arg(&out).status();
    assert!(ok.map(|s| s.success()).unwrap_or(false), "failed to run rustfmt");
}
RS
		printf 'include!(concat!(env!("OUT_DIR"), "/layout.rs"));\nfn main() {\n    tiny_rt::serve(|e| format!("{{\\"layout\\":\\"{LAYOUT}\\",\\"fn\\":\\"api\\",\\"event\\":{e}}}"))\n}\n' \
			>"$d/api/src/main.rs"
		rmdir "$d/src"
		;;
	lib-and-bin)
		{ pkg orders; rt_dep; } >"$d/Cargo.toml"
		printf 'pub fn reply(e: &str) -> String {\n    format!("{{\\"layout\\":\\"lib-and-bin\\",\\"fn\\":\\"orders\\",\\"event\\":{e}}}")\n}\n' >"$d/src/lib.rs"
		printf 'fn main() {\n    tiny_rt::serve(orders::reply)\n}\n' >"$d/src/main.rs"
		;;
	ws-inherit)
		printf '[workspace]\nmembers = ["crates/*"]\nresolver = "2"\n\n[workspace.package]\nversion = "0.3.0"\nedition = "2021"\n\n[workspace.dependencies]\ntiny-rt = { path = "tiny-rt" }\n' >"$d/Cargo.toml"
		mkdir -p "$d/crates/billing/src"
		printf '[package]\nname = "billing"\nversion.workspace = true\nedition.workspace = true\n\n[dependencies]\ntiny-rt.workspace = true\n' >"$d/crates/billing/Cargo.toml"
		main_rs "$name" billing >"$d/crates/billing/src/main.rs"
		rmdir "$d/src"
		;;
	features)
		# admin needs a feature that the default features leave off: not a function
		{ pkg feat; printf '\n[features]\ndefault = ["json"]\njson = []\nadmin = []\n\n[[bin]]\nname = "feat"\npath = "src/main.rs"\n\n[[bin]]\nname = "admin"\npath = "src/admin.rs"\nrequired-features = ["admin"]\n'; rt_dep; } >"$d/Cargo.toml"
		main_rs "$name" feat >"$d/src/main.rs"
		main_rs "$name" admin >"$d/src/admin.rs"
		;;
	vendored-cc)
		# psm's build script compiles assembly through the cc crate (whose
		# src/target/ is source); crates vendored in the tree as `cargo vendor`
		# tells its users, and a rust-toolchain.toml the offline image cannot honour
		{ pkg stack; rt_dep; printf 'psm = "0.1"\n'; } >"$d/Cargo.toml"
		sed 's/"cc-dep"/"stack"/' "$src/tests/fixtures/cc-dep/Cargo.lock" >"$d/Cargo.lock"
		main_rs "$name" stack 'const _: fn() -> psm::StackDirection = psm::StackDirection::new;' >"$d/src/main.rs"
		printf '[toolchain]\nchannel = "stable"\n' >"$d/rust-toolchain.toml"
		corpus_vendor "$d"
		;;
	git-dep)
		corpus_git_repo "$d.git-src"
		{ pkg greeter; rt_dep; printf 'greeting = { git = "file://%s" }\n' "$d.git-src"; } >"$d/Cargo.toml"
		main_rs "$name" greeter 'const _: &str = greeting::WORD;' >"$d/src/main.rs"
		corpus_vendor "$d"
		# what real configs carry besides: an alternative registry nothing uses, offline
		printf '\n[registries]\ncorp = { index = "sparse+https://registry.invalid/index/" }\n\n[net]\noffline = true\n' \
			>>"$d/.cargo/config.toml"
		;;
	conventions)
		# src/bin/*.rs and src/bin/*/main.rs, and a module named target
		{ pkg multi; rt_dep; } >"$d/Cargo.toml"
		mkdir -p "$d/src/target" "$d/src/bin/third"
		printf 'pub fn reply(f: &str, e: &str) -> String {\n    format!("{{\\"layout\\":\\"conventions\\",\\"fn\\":\\"{f}\\",\\"event\\":{e}}}")\n}\n' >"$d/src/target/mod.rs"
		printf 'mod target;\nfn main() {\n    tiny_rt::serve(|e| target::reply("multi", e))\n}\n' >"$d/src/main.rs"
		printf '#[path = "../target/mod.rs"]\nmod target;\nfn main() {\n    tiny_rt::serve(|e| target::reply("second", e))\n}\n' >"$d/src/bin/second.rs"
		printf '#[path = "../../target/mod.rs"]\nmod target;\nfn main() {\n    tiny_rt::serve(|e| target::reply("third", e))\n}\n' >"$d/src/bin/third/main.rs"
		;;
	needs-pq)
		# not in corpus_names: a build script that needs a system library (libpq)
		# that the builder image lacks, probed by the real pkg-config crate
		{ pkg needs-pq; rt_dep; printf '\n[build-dependencies]\npkg-config = "0.3"\n'; } >"$d/Cargo.toml"
		printf 'fn main() {\n    pkg_config::probe_library("libpq").unwrap();\n}\n' >"$d/build.rs"
		main_rs "$name" needs-pq >"$d/src/main.rs"
		corpus_vendor "$d"
		;;
	*) echo "corpus: no layout '$name'" >&2; return 1 ;;
	esac
	[[ -f $d/Cargo.lock ]] || (cd "$d" && cargo generate-lockfile --offline -q)
}

# corpus_monorepo DIR: a monorepo: DIR/services/app, a workspace (members
# crates/app and crates/worker) whose [workspace.dependencies] reach
# ../../libs/common (which reaches ../tiny-rt), and whose worker member reaches
# ../../../../libs/proto on its own; DIR/services/other is an unrelated service.
# Nothing of it is vendored: the deps layer is shared.
corpus_monorepo() {
	local d=$1 app=$1/services/app
	mkdir -p "$app/crates/app/src" "$app/crates/worker/src" "$d/libs/common/src" \
		"$d/libs/proto/src" "$d/services/other/src"
	cp -r "$src/tests/fixtures/corpus/tiny-rt" "$d/libs/tiny-rt"
	{ pkg common; printf '\n[dependencies]\ntiny-rt = { path = "../tiny-rt" }\n'; } >"$d/libs/common/Cargo.toml"
	printf 'pub use tiny_rt::serve;\npub fn reply(f: &str, e: &str) -> String {\n    format!("{{\\"layout\\":\\"monorepo\\",\\"fn\\":\\"{f}\\",\\"event\\":{e}}}")\n}\n' \
		>"$d/libs/common/src/lib.rs"
	pkg proto >"$d/libs/proto/Cargo.toml"
	echo 'pub const NAME: &str = "worker";' >"$d/libs/proto/src/lib.rs"
	printf '[workspace]\nmembers = ["crates/*"]\nresolver = "2"\n\n[workspace.dependencies]\ncommon = { path = "../../libs/common" }\n' >"$app/Cargo.toml"
	{ pkg app; printf '\n[dependencies]\ncommon.workspace = true\n'; } >"$app/crates/app/Cargo.toml"
	printf 'fn main() {\n    common::serve(|e| common::reply("app", e))\n}\n' >"$app/crates/app/src/main.rs"
	{ pkg worker; printf '\n[dependencies]\ncommon.workspace = true\nproto = { path = "../../../../libs/proto" }\n'; } >"$app/crates/worker/Cargo.toml"
	printf 'fn main() {\n    common::serve(|e| common::reply(proto::NAME, e))\n}\n' >"$app/crates/worker/src/main.rs"
	pkg other >"$d/services/other/Cargo.toml"
	echo 'fn main() {}' >"$d/services/other/src/main.rs"
	(cd "$app" && cargo generate-lockfile --offline -q)
}

# corpus_vendor DIR: `cargo vendor` into DIR/vendor, its printed config into
# DIR/.cargo/config.toml, as its users do
corpus_vendor() {
	mkdir -p "$1/.cargo"
	# cargo metadata settles the lock file (the path crate tiny-rt joins it)
	(cd "$1" && cargo metadata -q --format-version 1 >/dev/null &&
		cargo vendor --locked vendor >.cargo/config.toml 2>/dev/null)
}

# corpus_git_repo DIR: a one-commit git repository holding the crate "greeting"
corpus_git_repo() {
	mkdir -p "$1/src"
	pkg greeting >"$1/Cargo.toml"
	echo 'pub const WORD: &str = "hello";' >"$1/src/lib.rs"
	git -C "$1" init -q
	git -C "$1" add -A
	git -C "$1" -c user.name=corpus -c user.email=corpus@example.invalid commit -qm greeting
}

# corpus_edit NAME DIR: an edit of a source file only (no manifest); for
# conventions, of src/target/mod.rs, so that every function says "fn":"<name>+"
corpus_edit() {
	case $1 in
	conventions) sed -i 's/\\"fn\\":\\"{f}\\"/\\"fn\\":\\"{f}+\\"/' "$2/src/target/mod.rs" ;;
	ws-build-rs) echo '// edited' >>"$2/api/src/main.rs" ;;
	ws-inherit) echo '// edited' >>"$2/crates/billing/src/main.rs" ;;
	single-bin) echo '// edited' >>"$2/src/handler.rs" ;;
	monorepo) echo '// edited' >>"$2/crates/app/src/main.rs" ;;
	*) echo '// edited' >>"$2/src/main.rs" ;;
	esac
}
