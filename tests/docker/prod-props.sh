#!/usr/bin/env bash
# Properties of the production path against the real engine (issue 3, item 9),
# each over LAMBDA_PROP_ITERS (default 100) seeded iterations, through make:
# - Property 1: with the base inputs unchanged, random source and manifest edits and
#   a forced rerun of the base stage (its stamp removed) give the same base image ID;
#   a different base image gives a different ID (and switching back, the old one);
# - Property 5: random source-only edits (and own-version bumps, which the skeleton
#   masks) never rerun the deps stage and keep the deps image ID, even when docker is
#   forced to run it (no dependency recompiled); random dependency edits (path
#   dependencies added or removed, a feature switched) rerun it and change its image;
# - Property 8: for random function subsets and arches, the runtime stage's output is
#   exactly <fn>/bootstrap per selected function, and so is the classic builder's
#   runtime image (every layer of `docker save`; one random combination per run,
#   since each new one costs a minute of per-step commits there).
# Fixtures are tiny path-only workspaces that set lto = false in their own
# [profile.release] (which docker/Dockerfile respects): the properties are about
# caching, and a fat-LTO link of std costs ~10 s per binary here.
# Images are tagged lambda-make/<run id>-*:* or <run id>-*:* and removed on exit; the
# builder image is kept. Prints TAP. Iteration seeds are printed as "# seed N".
# Env: LAMBDA_SEED (first seed; default from the clock), LAMBDA_PROP_ITERS,
#      LAMBDA_BUILDKIT_DOCKER (default /usr/bin/docker), LAMBDA_CLASSIC_DOCKER
#      (default: the docker first on PATH, a client without buildx), LAMBDA_KEEP=1.
set -euo pipefail
src=${LAMBDA_SRCDIR:?}
# shellcheck source=tests/lib/docker-env.sh
. "$src/tests/lib/docker-env.sh" lmprops /tmp/lambda-props.XXXXXX
need_make

iters=${LAMBDA_PROP_ITERS:-100}
seed0=${LAMBDA_SEED:-$(($(date +%s%N) / 1000 % 32768))}
command -v cargo >/dev/null || { echo "1..0 # cargo is needed on the host (lock files)"; exit 1; }

# mk DIR PROJECT ARGS...: run make on a fixture; output in $out, status in $rc.
mk() {
	local dir=$1 proj=$2
	shift 2
	rc=0
	out=$("$GNUMAKE" --no-print-directory -C "$dir" -f "$buildmk" LAMBDA_BASE_IMAGE="$image" \
		LAMBDA_PROJECT="$run_id-$proj" LAMBDA_DOCKER="$bk" LAMBDA_VERBOSE=1 "$@" 2>&1) || rc=$?
}
# (LAMBDA_VERBOSE=1: the command lines and Docker's output, which the checks read)
ran() { [[ $out == *"--stage=$1 "* ]]; }
img_id() { docker image inspect -f '{{.Id}}' "$1" 2>/dev/null || echo none; }
# rnd N: R = a random number in [0, N) (no subshell: $RANDOM must stay seeded).
rnd() { R=$((RANDOM % $1)); }
# iteration I: seed the generator for iteration I and print its seed.
iteration() {
	seed=$((seed0 + $1))
	RANDOM=$seed
	diag "seed $seed"
}
fails=()
# failed MSG: record a failed check of the current iteration (its seed included).
failed() { fails+=("seed $seed: $*"); }
# report NAME: one TAP result for the property; the failing seeds as diagnostics.
report() {
	is "$1" "${#fails[@]}" 0
	local f
	for f in "${fails[@]:0:10}"; do diag "$f"; done
	if [[ ${#fails[@]} -gt 0 ]]; then
		diag "last make output:"
		printf '# %s\n' "${out//$'\n'/$'\n'# }" | tail -20
	fi
	fails=()
}
lock() { cargo generate-lockfile --offline --quiet --manifest-path "$1/Cargo.toml"; }
profile=$'[profile.release]\nlto = false\ncodegen-units = 16\n'

plan 8
diag "first seed $seed0, $iters iterations per property"

# --- Property 1 ---------------------------------------------------------------------
# Feature: docker-build-optimization, Property 1: Docker layer caching consistency
t0=$SECONDS
p1=$work/p1
mkdir -p "$p1/src"
# p1_manifest FEATURES...: the fixture's manifest, with these (empty) features.
p1_manifest() {
	{
		printf '[package]\nname = "one"\nversion = "0.1.0"\nedition = "2021"\npublish = false\n\n'
		printf '[[bin]]\nname = "one"\npath = "src/main.rs"\n\n[features]\n'
		local f
		for f in "$@"; do printf '%s = []\n' "$f"; done
		printf '\n%s' "$profile"
	} >"$p1/Cargo.toml"
}
p1_manifest
echo 'fn main() { println!("one"); }' >"$p1/src/main.rs"
lock "$p1"
alt=$run_id-altbase:1
printf 'FROM %s\nLABEL lambda-make.test=%s\n' "$image" "$run_id" |
	DOCKER_BUILDKIT=1 "$bk" build -q -t "$alt" - >/dev/null
declare -A base_id=()
bases=("$image" "$alt")
for a in x86_64 arm64; do
	mk "$p1" p1 "lambda-base-$a"
	base_id[0 $a]=$(img_id "lambda-make/$run_id-p1:base-$a")
done
for ((i = 0; i < iters; i++)); do
	iteration "$i"
	rnd 3
	case $R in
	0) rnd 1000 && echo "// edit $R" >>"$p1/src/main.rs" ;;
	1) rnd 5 && echo "pub fn f() -> u32 { $R }" >"$p1/src/gen_$R.rs" ;;
	2)
		rnd 4
		feats=()
		for ((k = 0; k < R; k++)); do rnd 100 && feats+=("f$R"); done
		mapfile -t feats < <(printf '%s\n' "${feats[@]}" | sort -u | grep .)
		p1_manifest "${feats[@]}"
		;;
	esac
	rnd 2 && a=$([[ $R -eq 0 ]] && echo x86_64 || echo arm64)
	rnd 8 && b=$((R == 0 ? 1 : 0))
	rm -f "$p1/.lambda/state/base-$a"
	mk "$p1" p1 "lambda-base-$a" LAMBDA_BASE_IMAGE="${bases[b]}"
	if [[ $rc -ne 0 ]] || ! ran base; then
		failed "make lambda-base-$a: status $rc, base stage run: $(ran base && echo yes || echo no)"
		continue
	fi
	id=$(img_id "lambda-make/$run_id-p1:base-$a")
	if [[ -z ${base_id[$b $a]:-} ]]; then
		base_id[$b $a]=$id
	elif [[ $id != "${base_id[$b $a]}" ]]; then
		failed "$a, base image ${bases[b]}: base ID $id, before ${base_id[$b $a]}"
	fi
done
report "Property 1: unchanged base inputs give the same base image ID ($iters iterations)"
for a in x86_64 arm64; do
	for b in 1 0; do
		rm -f "$p1/.lambda/state/base-$a"
		mk "$p1" p1 "lambda-base-$a" LAMBDA_BASE_IMAGE="${bases[b]}"
		id=$(img_id "lambda-make/$run_id-p1:base-$a")
		[[ -n ${base_id[$b $a]:-} ]] || base_id[$b $a]=$id
		[[ $id == "${base_id[$b $a]}" ]] || fails+=("$a ${bases[b]}: $id, before ${base_id[$b $a]}")
	done
	[[ ${base_id[0 $a]} != "${base_id[1 $a]}" && ${base_id[1 $a]} != none ]] ||
		fails+=("$a: a different base image gave the same base ID ${base_id[0 $a]}")
done
report "Property 1: a changed base input gives a different base ID, the old input the old ID"
diag "Property 1: $((SECONDS - t0)) s"

# --- Property 5 ---------------------------------------------------------------------
# Feature: docker-build-optimization, Property 5: Dependency cache invalidation
t0=$SECONDS
p5=$work/p5
libs=(liba libb libc)
for l in "${libs[@]}"; do
	mkdir -p "$p5/libs/$l/src"
	printf '[package]\nname = "%s"\nversion = "0.1.0"\nedition = "2021"\n\n[features]\nfast = []\n' \
		"$l" >"$p5/libs/$l/Cargo.toml"
	echo "pub fn value() -> u32 { 1 }" >"$p5/libs/$l/src/lib.rs"
done
mkdir -p "$p5/src"
echo 'fn main() { println!("app"); }' >"$p5/src/main.rs"
# p5_manifest CFG VERSION: CFG is a 4-bit dependency set: bits 0-2 = liba, libb, libc
# as path dependencies, bit 3 = liba's "fast" feature (only with liba).
p5_manifest() {
	local cfg=$1 k
	{
		printf '[package]\nname = "app"\nversion = "%s"\nedition = "2021"\npublish = false\n\n' "$2"
		printf '[[bin]]\nname = "app"\npath = "src/main.rs"\n\n[dependencies]\n'
		for k in 0 1 2; do
			((cfg >> k & 1)) || continue
			printf '%s = { path = "libs/%s"' "${libs[k]}" "${libs[k]}"
			((k != 0 || !(cfg & 8))) || printf ', features = ["fast"]'
			printf ' }\n'
		done
		printf '\n[workspace]\nmembers = ["libs/liba", "libs/libb", "libs/libc"]\n\n%s' "$profile"
	} >"$p5/Cargo.toml"
	lock "$p5"
}
# Valid configurations: the feature bit only with liba.
cfgs=(0 1 2 3 4 5 6 7 9 11 13 15)
cfg=1 version=0.1.0
p5_manifest "$cfg" "$version"
mk "$p5" p5 lambda-deps-x86_64
[[ $rc -eq 0 ]] || printf '# %s\n' "${out//$'\n'/$'\n'# }" | tail -20
prev=$(img_id "lambda-make/$run_id-p5:deps-x86_64")
declare -A deps_id=([$cfg]=$prev)
n_src=0 n_dep=0 n_forced=0 n_back=0 n_same=0
f_mk=() f_src=() f_dep=()
for ((i = 0; i < iters; i++)); do
	iteration "$i"
	rnd 10
	kind=src
	if ((R < 5)); then
		rnd 4
		case $R in
		0) rnd 1000 && echo "// edit $R" >>"$p5/src/main.rs" ;;
		1) rnd 3 && l=${libs[R]} && rnd 1000 && echo "pub fn value() -> u32 { $R }" >"$p5/libs/$l/src/lib.rs" ;;
		2) rnd 5 && echo "pub const N: u32 = $RANDOM;" >"$p5/src/extra_$R.rs" ;;
		3) rnd 1000 && echo "edit $R" >"$p5/NOTES.txt" ;;
		esac
	elif ((R < 7)); then
		rnd 100 && version=0.1.$R
		p5_manifest "$cfg" "$version"
	else
		kind=dep
		new=$cfg
		while ((new == cfg)); do rnd ${#cfgs[@]} && new=${cfgs[R]}; done
		cfg=$new
		p5_manifest "$cfg" "$version"
	fi
	rnd 2 && forced=$R
	((forced == 0)) || rm -f "$p5/.lambda/state/deps-x86_64"
	mk "$p5" p5 lambda-deps-x86_64
	if [[ $rc -ne 0 ]]; then
		failed "make lambda-deps-x86_64 failed ($kind edit, dependency set $cfg)"
		f_mk+=("$seed")
		continue
	fi
	id=$(img_id "lambda-make/$run_id-p5:deps-x86_64")
	if [[ $kind == src ]]; then
		n_src=$((n_src + 1)) n_forced=$((n_forced + forced))
		if ((forced == 0)) && ran deps; then
			failed "a source-only edit reran the deps stage"
			f_src+=("$seed")
		elif ((forced == 1)) && ! ran deps; then
			failed "no deps stage run although its stamp was removed"
			f_src+=("$seed")
		elif [[ $out == *" Compiling "* ]]; then
			failed "a source-only edit recompiled the dependencies"
			f_src+=("$seed")
		elif [[ $id != "$prev" ]]; then
			failed "a source-only edit changed the deps ID ($id, before $prev)"
			f_src+=("$seed")
		fi
	else
		n_dep=$((n_dep + 1))
		if ! ran deps; then
			failed "dependency edit to set $cfg did not rerun the deps stage"
			f_dep+=("$seed")
		elif [[ $id == "$prev" ]]; then
			failed "dependency edit to set $cfg kept the deps ID $id"
			f_dep+=("$seed")
		fi
		# Back to a set seen before: normally the same image again, but BuildKit may
		# hold two equivalent cache records for one step (two builds ran it at once)
		# and pick either, so this is counted, not required.
		if [[ -n ${deps_id[$cfg]:-} ]]; then
			n_back=$((n_back + 1))
			[[ $id != "${deps_id[$cfg]}" ]] || n_same=$((n_same + 1))
		fi
		deps_id[$cfg]=$id
	fi
	prev=$id
done
diag "Property 5: $n_src source-only edits ($n_forced with the deps stamp removed), $n_dep dependency edits, ${#deps_id[@]} dependency sets; $n_same of $n_back returns to a seen set gave its earlier image"
is "Property 5: every make lambda-deps-x86_64 succeeded" "${#f_mk[@]}" 0
is "Property 5: source-only edits keep the deps image (stage not rerun, same ID when forced)" "${#f_src[@]}" 0
is "Property 5: dependency edits rerun the deps stage and change its image" "${#f_dep[@]}" 0
for f in "${fails[@]:0:10}"; do diag "$f"; done
fails=()
diag "Property 5: $((SECONDS - t0)) s"

# --- Property 8 ---------------------------------------------------------------------
# Feature: docker-build-optimization, Property 8: Final image minimality
t0=$SECONDS
p8=$work/p8
fns=(alpha beta gamma)
mkdir -p "$p8/src/bin"
{
	printf '[package]\nname = "trio"\nversion = "0.1.0"\nedition = "2021"\npublish = false\n\n'
	for f in "${fns[@]}"; do printf '[[bin]]\nname = "%s"\npath = "src/bin/%s.rs"\n\n' "$f" "$f"; done
	printf '%s' "$profile"
} >"$p8/Cargo.toml"
for f in "${fns[@]}"; do echo "fn main() { println!(\"$f\"); }" >"$p8/src/bin/$f.rs"; done
lock "$p8"
# listing DIR: the sorted file tree below DIR, one path per line.
listing() { (cd "$1" && find . -mindepth 1 ! -name . | sed 's|^\./||; s|/$||' | sort); }
# layer_listing TAG: the union of the entries of every layer of image TAG.
layer_listing() {
	local d=$work/save l
	rm -rf "$d" && mkdir -p "$d"
	"$bk" save "$1" | tar -xf - -C "$d"
	grep -o '"Layers":\[[^]]*\]' "$d/manifest.json" | grep -o '"[^"]*"' | sed '1d; s/"//g' |
		while read -r l; do tar -tf "$d/$l"; done | sed 's|^\./||; s|/$||' | grep . | sort -u
}
n_classic=0 classic_combo=
f_mk=() f_out=() f_img=()
for ((i = 0; i < iters; i++)); do
	iteration "$i"
	sel=()
	while ((${#sel[@]} == 0)); do
		rnd 8 && mask=$R
		sel=()
		for k in 0 1 2; do ((mask >> k & 1)) && sel+=("${fns[k]}"); done
	done
	rnd 2 && a=$([[ $R -eq 0 ]] && echo x86_64 || echo arm64)
	want=$(for f in "${sel[@]}"; do printf '%s\n%s/bootstrap\n' "$f" "$f"; done | sort)
	mk "$p8" p8 "lambda-runtime-$a" LAMBDA_FUNCTIONS="${sel[*]}"
	if [[ $rc -ne 0 ]]; then
		failed "make lambda-runtime-$a LAMBDA_FUNCTIONS='${sel[*]}' failed"
		f_mk+=("$seed")
		continue
	fi
	got=$(listing "$p8/.lambda/out/$a")
	[[ $got == "$want" ]] || {
		failed "$a, functions '${sel[*]}': .lambda/out/$a holds: ${got//$'\n'/ }"
		f_out+=("$seed")
	}
	# The classic builder's runtime image, on a copy of the context (so that the
	# builder probe cached next to it is not flipped between the two clients). Each
	# new combination costs about a minute there (a commit per step), so one random
	# combination is checked, on every iteration that draws it.
	[[ -n $classic_combo ]] || classic_combo=$a-$mask
	[[ $classic_combo == "$a-$mask" ]] || continue
	n_classic=$((n_classic + 1))
	rm -rf "$work/c8" && mkdir -p "$work/c8" && cp -a "$p8/.lambda/ctx" "$work/c8/ctx"
	tag=$run_id-rt:$a-$mask
	triple=$([[ $a == x86_64 ]] && echo x86_64-unknown-linux-gnu || echo aarch64-unknown-linux-gnu)
	crc=0
	cout=$("$src/docker/lambda-stage.sh" --docker="$classic" --stage=runtime \
		--dockerfile="$src/docker/Dockerfile" --context="$work/c8/ctx" --tag="$tag" \
		--build-arg=LAMBDA_BASE_IMAGE="$image" --build-arg=LAMBDA_TARGET="$triple" \
		--build-arg=LAMBDA_PROFILE=release --build-arg=LAMBDA_CARGO_FLAGS= \
		--build-arg=LAMBDA_BINS="${sel[*]}" --build-arg=SOURCE_DATE_EPOCH= 2>&1) || crc=$?
	if [[ $crc -ne 0 || $(cat "$work/c8/builder") != classic* ]]; then
		out=$cout
		failed "classic runtime build ($a, '${sel[*]}'): status $crc, builder $(cat "$work/c8/builder" 2>/dev/null)"
		f_img+=("$seed")
		continue
	fi
	got=$(layer_listing "$tag")
	[[ $got == "$want" ]] || {
		failed "$a, functions '${sel[*]}': the classic runtime image holds: ${got//$'\n'/ }"
		f_img+=("$seed")
	}
done
diag "Property 8: $n_classic iterations also checked the classic builder's image ($classic_combo)"
is "Property 8: every make lambda-runtime-<arch> succeeded" "${#f_mk[@]}" 0
is "Property 8: the runtime output is exactly <fn>/bootstrap per selected function" "${#f_out[@]}" 0
is "Property 8: the classic runtime image's layers hold exactly the same" "${#f_img[@]}" 0
for f in "${fails[@]:0:10}"; do diag "$f"; done
((${#fails[@]} == 0)) || printf '# %s\n' "${out//$'\n'/$'\n'# }" | tail -20
fails=()
diag "Property 8: $((SECONDS - t0)) s"
finish
