# shellcheck shell=bash
# sam.sh (sourced): AWS SAM CLI from PyPI in a virtualenv, installed once per version
# and cached, for tests/docker/sam.sh and bench/sam/run.
#   sam_cli   print the path of the `sam` command (installs it on first use); status
#             1 and a line on stderr if python3 -m venv or pip cannot do it
# Env: LAMBDA_SAM_VERSION (default below), XDG_CACHE_HOME. The venv lives in
# ${XDG_CACHE_HOME:-$HOME/.cache}/lambda-make/venv-sam-VERSION. A venv cannot be
# moved (its scripts name their interpreter by path), so it is made in place and
# trusted only with the .complete mark written after pip succeeded; installs
# are serialized by a lock, so parallel tests do not race.
: "${LAMBDA_SAM_VERSION:=1.170.0}"
: "${src:?sam.sh needs src, the source tree}"

sam_cli() {
	local root=${XDG_CACHE_HOME:-$HOME/.cache}/lambda-make
	local venv=$root/venv-sam-$LAMBDA_SAM_VERSION
	mkdir -p "$root"
	(
		flock 9
		[[ -f $venv/.complete && -x $venv/bin/sam ]] && exit 0
		rm -rf "$venv"
		if ! python3 -m venv "$venv" >"$root/venv-sam.log" 2>&1; then
			echo "sam.sh: python3 -m venv failed (Debian: apt-get install python3-venv): $(tail -n1 "$root/venv-sam.log")" >&2
			rm -rf "$venv"
			exit 1
		fi
		if ! "$venv/bin/pip" install -q --disable-pip-version-check \
			"aws-sam-cli==$LAMBDA_SAM_VERSION" >>"$root/venv-sam.log" 2>&1; then
			echo "sam.sh: pip install aws-sam-cli==$LAMBDA_SAM_VERSION failed: $(tail -n1 "$root/venv-sam.log")" >&2
			rm -rf "$venv"
			exit 1
		fi
		touch "$venv/.complete"
	) 9>"$root/venv-sam.lock" || return 1
	echo "$venv/bin/sam"
}

# sam_fixture DIR: a SAM application as a user writes one: a Cargo workspace with two
# functions (hello, goodbye: they answer {"fn":F,"says":S,"event":E} through
# tests/fixtures/corpus/tiny-rt), an extension binary (telemetry), a Makefile that
# includes lambda.mk (LAMBDA_MK from the environment, as SAM passes it) and a
# template.yaml with both functions built by BuildMethod: makefile. Needs $src.
sam_fixture() {
	local d=$1 f
	mkdir -p "$d"
	cp -r "$src/tests/fixtures/corpus/tiny-rt" "$d/tiny-rt"
	printf '[workspace]\nmembers = ["hello", "goodbye", "telemetry"]\nresolver = "2"\n' >"$d/Cargo.toml"
	for f in hello goodbye telemetry; do
		mkdir -p "$d/$f/src"
		printf '[package]\nname = "%s"\nversion = "0.1.0"\nedition = "2021"\n\n[dependencies]\ntiny-rt = { path = "../tiny-rt" }\n' \
			"$f" >"$d/$f/Cargo.toml"
	done
	for f in hello goodbye; do
		printf 'const SAYS: &str = "one";\n\nfn main() {\n    tiny_rt::serve(|e| format!("{{\\"fn\\":\\"%s\\",\\"says\\":\\"{SAYS}\\",\\"event\\":{e}}}"))\n}\n' \
			"$f" >"$d/$f/src/main.rs"
	done
	# an external extension only has to start; this one says so and exits
	printf 'fn main() {\n    println!("telemetry extension");\n}\n' >"$d/telemetry/src/main.rs"
	cat >"$d/Makefile" <<'MK'
# The application's Makefile: its own targets, and lambda.mk for the functions.
LAMBDA_SAM_FUNCTIONS = HelloFunction=hello GoodbyeFunction=goodbye
LAMBDA_EXTENSIONS = telemetry

.PHONY: test
test:
	cargo test --offline

include $(or $(LAMBDA_MK),$(shell pkg-config --variable=mkfile lambda-make))
MK
	{
		printf 'AWSTemplateFormatVersion: "2010-09-09"\nTransform: AWS::Serverless-2016-10-31\nResources:\n'
		for f in Hello Goodbye; do
			printf '  %sFunction:\n    Type: AWS::Serverless::Function\n    Properties:\n      CodeUri: .\n      Handler: bootstrap\n      Runtime: provided.al2023\n      Architectures:\n        - x86_64\n    Metadata:\n      BuildMethod: makefile\n' "$f"
		done
	} >"$d/template.yaml"
}

# sam_edit DIR WORD: the one-line edit: what hello says
sam_edit() { sed -i "s/^const SAYS: &str = \".*\";/const SAYS: \&str = \"$2\";/" "$1/hello/src/main.rs"; }
