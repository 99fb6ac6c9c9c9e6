#!/usr/bin/env bats
# docker/image/lambda-stub-rustc, the deps step's RUSTC_WORKSPACE_WRAPPER, with the
# host's real cargo: the project's binary is not linked (an empty file, its
# dep-info written), its build script is compiled and run, and a later build
# without the wrapper (the build stage) links the binary and finds the
# dependency fresh.

setup() {
	src=$(cd "$BATS_TEST_DIRNAME/../.." && pwd)
	t=$BATS_TEST_TMPDIR
	mkdir -p "$t/dep/src" "$t/app/src"
	printf '[package]\nname = "dep"\nversion = "0.1.0"\nedition = "2021"\n' >"$t/dep/Cargo.toml"
	echo 'pub fn word() -> &'"'"'static str { "stub-rustc-ok" }' >"$t/dep/src/lib.rs"
	cat >"$t/app/Cargo.toml" <<-'EOF'
		[package]
		name = "app"
		version = "0.1.0"
		edition = "2021"
		build = "build.rs"

		[dependencies]
		dep = { path = "../dep" }

		[profile.release]
		lto = true
		codegen-units = 1
	EOF
	echo 'fn main() { println!("cargo:rustc-env=APP_FROM_BUILD_RS=yes"); }' >"$t/app/build.rs"
	echo 'fn main() { println!("{} {}", dep::word(), env!("APP_FROM_BUILD_RS")); }' >"$t/app/src/main.rs"
	export CARGO_TARGET_DIR=$t/target CARGO_HOME=$t/cargo-home
}

@test "lambda-stub-rustc: the binary is not linked, its build script runs, the dependency is compiled" {
	run env RUSTC_WORKSPACE_WRAPPER="$src/docker/image/lambda-stub-rustc" \
		cargo build --release --offline --manifest-path "$t/app/Cargo.toml"
	[ "$status" -eq 0 ]
	[ -f "$t/target/release/app" ] && [ ! -s "$t/target/release/app" ]
	ls "$t"/target/release/deps/app-*.d
	ls "$t"/target/release/deps/libdep-*.rlib
	ls "$t"/target/release/build/app-*/output
}

@test "lambda-stub-rustc: the next build without it links the binary and compiles only the project" {
	env RUSTC_WORKSPACE_WRAPPER="$src/docker/image/lambda-stub-rustc" \
		cargo build --release --offline --manifest-path "$t/app/Cargo.toml"
	touch "$t/app/src/main.rs"
	run cargo build --release --offline --manifest-path "$t/app/Cargo.toml"
	[ "$status" -eq 0 ]
	[[ $output == *"Compiling app v0.1.0"* ]]
	[[ $output != *"Compiling dep"* ]]
	[ "$("$t/target/release/app")" = "stub-rustc-ok yes" ]
}
