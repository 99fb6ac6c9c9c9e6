# shellcheck shell=bash
# tests/lib/workspace.sh (sourced): the small workspace the incremental tests edit:
# common (a library) and two functions, fn-a and fn-b, that depend on it by path;
# lto off, so a build takes seconds.

# ws_fixture DIR TAG: write the workspace into DIR; TAG (a comment in the root
# manifest) makes its manifests unique to a run, so no earlier run's cache seeds it.
ws_fixture() {
	local d=$1 m
	mkdir -p "$d/common/src"
	printf '[workspace]\nmembers = ["common", "fn-a", "fn-b"]\nresolver = "2"\n\n[profile.release]\nlto = false\n# %s\n' \
		"$2" >"$d/Cargo.toml"
	printf '[package]\nname = "common"\nversion = "0.1.0"\nedition = "2021"\n' >"$d/common/Cargo.toml"
	echo 'pub fn msg() -> &'"'"'static str { "common one" }' >"$d/common/src/lib.rs"
	for m in fn-a fn-b; do
		mkdir -p "$d/$m/src"
		printf '[package]\nname = "%s"\nversion = "0.1.0"\nedition = "2021"\n\n[dependencies]\ncommon = { path = "../common" }\n' \
			"$m" >"$d/$m/Cargo.toml"
		echo 'fn main() { println!("'"$m"': {}", common::msg()); }' >"$d/$m/src/main.rs"
	done
}
