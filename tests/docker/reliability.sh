#!/usr/bin/env bash
# The reliability table (issue 18): every way a build can be given bad input,
# attacked, interrupted or raced, against the real engine. Each case asserts what
# must hold: bad input fails (non-zero, one clear line, no docker command, nothing
# changed); no injected command ran (a marker file stays absent); after a failure,
# a kill or a race, the artifacts are unchanged or correct (the bootstrap prints
# the marker of the sources it was built from) and no stamp claims fresh for a
# failed run. Ends with "N/M cases hold". More cases of the same kinds (cross
# targets, manifests, dependency resolution, an unpullable base, a removed deps
# image, garbage in base/deps stamps) are in prod-errors.sh and not repeated here.
# One fixture (lto off, seconds per build) serves the prod cases; it has a build
# script that sleeps while a file named slow exists, so a kill finds the build
# running. Needs root for the full-disk case (a tmpfs as target/).
# Env: LAMBDA_BUILDKIT_DOCKER (default /usr/bin/docker), LAMBDA_KEEP=1.
# shellcheck disable=SC2034 # variables read by the conditions that holds evals
set -euo pipefail
src=${LAMBDA_SRCDIR:?}
# shellcheck source=tests/lib/docker-env.sh
. "$src/tests/lib/docker-env.sh" lmrel /tmp/lambda-rel.XXXXXX
need_make
export LAMBDA_DEV_VOLUME=$run_id-registry
mnt=''
rel_cleanup() {
	[[ -z $mnt ]] || umount "$mnt" 2>/dev/null || true
	rm -f /tmp/lambda-make-dev-"$run_id"-*.lock
	denv_cleanup
}
trap rel_cleanup EXIT

plan 57
t0=$SECONDS
M=$work/injected            # every injection attempt would create this file
bin=rel${run_id//[^0-9]/}   # a crate and binary name no other project has
p=$work/app
# fixture DIR NAME: a one-function project printing its marker.
fixture() {
	mkdir -p "$1/src"
	printf '[package]\nname = "%s"\nversion = "0.1.0"\nedition = "2021"\npublish = false\nbuild = "build.rs"\n\n[profile.release]\nlto = false\ncodegen-units = 16\n' \
		"$2" >"$1/Cargo.toml"
	cat >"$1/build.rs" <<'RS'
fn main() {
    // A file named "slow" beside the manifest keeps the build running a while:
    // the kill cases need a build to kill.
    if std::path::Path::new("slow").exists() {
        std::thread::sleep(std::time::Duration::from_secs(5));
    }
}
RS
	mark "$1" m0
}
# mark DIR TEXT: the function prints TEXT.
mark() { printf 'fn main() { println!("%s"); }\n' "$2" >"$1/src/main.rs"; }
# mk DIR ARGS...: make in DIR; output in $out, status in $rc.
mk() {
	local dir=$1
	shift
	rc=0
	out=$("$GNUMAKE" --no-print-directory -C "$dir" -f "$buildmk" LAMBDA_BASE_IMAGE="$image" \
		LAMBDA_PROJECT="$run_id-${dir##*/}" LAMBDA_DOCKER="$bk" LAMBDA_VERBOSE=1 "$@" 2>&1) || rc=$?
}
# mkbg DIR ARGS...: mk in the background, in a process group of its own (setsid);
# its pid in $bgpid, output in $work/bg.log.
mkbg() {
	local dir=$1
	shift
	setsid "$GNUMAKE" --no-print-directory -C "$dir" -f "$buildmk" LAMBDA_BASE_IMAGE="$image" \
		LAMBDA_PROJECT="$run_id-${dir##*/}" LAMBDA_DOCKER="$bk" "$@" >"$work/bg.log" 2>&1 &
	bgpid=$!
}
show() { printf '# %s\n' "${out//$'\n'/$'\n'# }" | tail -15; }
# snap DIR: every artifact and stamp with its checksum (what a failure must keep).
snap() {
	(cd "$1" && find target/lambda .lambda/state -type f 2>/dev/null | sort | xargs -r sha256sum)
}
# runs DIR: what DIR's packaged function prints, from the bootstrap and from the zip.
runs() {
	local b=$1/target/lambda/x86_64/$2/bootstrap z
	z=$(unzip -p "$b.zip" bootstrap 2>/dev/null | cmp -s - "$b" && echo same || echo differs)
	printf '%s %s' "$("$b" 2>&1 || echo none)" "$z"
}
# correct DIR NAME WANT: the package of DIR prints WANT, the zip holds the same
# bootstrap, and a second make is a no-op that keeps it so.
correct() {
	local got
	got=$(runs "$1" "$2")
	[[ $got == "$3 same" ]] || { diag "package prints: $got (want $3)"; return 1; }
	mk "$1" lambda-prod
	[[ $rc -eq 0 && $out != *"--stage="* ]] || { diag "the make after it was not a no-op"; show; return 1; }
	[[ $(runs "$1" "$2") == "$3 same" ]]
}
# holds NAME CMD...: one case of the table; the last make's output when it does not hold.
holds() {
	local f=$tap_fail
	ok "$@"
	((tap_fail == f))
}
# one_line: the failure said one thing (one "***" or one script message line).
one_line() { [[ $(grep -cE '\*\*\*|^(lambda-[a-z]+|build-lambda\.sh|dev-container\.sh): ' <<<"$out") -eq 1 ]]; }
logged=$(logged_client "$bk")

fixture "$p" "$bin"
mk "$p" lambda-prod
[[ $rc -eq 0 ]]
holds "fixture: the first prod build succeeds and its package runs" \
	eval '[[ $rc -eq 0 && $(runs "$p" "$bin") == "m0 same" ]]'
diag "fixture build: $((SECONDS - t0)) s"
good=$(snap "$p")

# --- 1. bad input for each setting: non-zero, one clear line, no docker command ---
# bad NAME VALUE WANT [TARGET]: VALUE for NAME fails with a message containing WANT.
bad() {
	want=$3
	calls_reset
	mk "$p" "${4:-lambda-prod}" LAMBDA_DOCKER="$logged" "$1=$2"
	holds "bad $1 '$2': fails with one line naming it, no docker call, nothing changed" \
		eval '[[ $rc -ne 0 && $out == *"$want"* && $(calls_made) -eq 0 && $(snap "$p") == "$good" ]] && one_line'
}
bad LAMBDA_ARCH mips "LAMBDA_ARCH: invalid value 'mips'"
bad LAMBDA_RUNTIME al3 "LAMBDA_RUNTIME: invalid value 'al3'"
bad LAMBDA_CARGO_FLAGS "--target x" "LAMBDA_CARGO_FLAGS: '--target' is set by lambda-make"
bad LAMBDA_FUNCTIONS nosuch "LAMBDA_FUNCTIONS: 'nosuch' is not a binary"
bad LAMBDA_CONTAINER "bad name" "LAMBDA_CONTAINER: invalid container name 'bad name'" lambda-dev
bad LAMBDA_CARGO_HOME "$work/nonexistent" "LAMBDA_CARGO_HOME: '$work/nonexistent' is not a directory"
bad LAMBDA_VERBOSE maybe "LAMBDA_VERBOSE: invalid value 'maybe'"
bad SOURCE_DATE_EPOCH abc "SOURCE_DATE_EPOCH: 'abc' is not a number"
bad LAMBDA_DIR "$work/nonexistent" "$work/nonexistent: no Cargo.toml"
# a client that does not exist: found when a stage has to run (the stamp is moved
# away and put back, so the package itself stays the one the fixture wrote)
mv "$p/.lambda/state/runtime-x86_64" "$work/stamp"
mk "$p" lambda-prod LAMBDA_DOCKER="$work/no-such-docker"
mv "$work/stamp" "$p/.lambda/state/runtime-x86_64"
holds "bad LAMBDA_DOCKER: fails with one line naming the client, nothing changed" \
	eval '[[ $rc -ne 0 && $out == *"the Docker client '"'$work/no-such-docker'"' does not exist"* && $(snap "$p") == "$good" ]]'
# an image reference that cannot be: one line naming LAMBDA_BASE_IMAGE, before any build
mk "$p" lambda-prod LAMBDA_BASE_IMAGE="Bad Image"
holds "bad LAMBDA_BASE_IMAGE: fails naming the setting, no build ran, nothing changed" \
	eval '[[ $rc -ne 0 && $out == *"set LAMBDA_BASE_IMAGE"* && $out != *"[internal]"* && $(snap "$p") == "$good" ]]'

diag "at 2. injection: $((SECONDS - t0)) s"
# --- 2. injection through every setting (environment: data; command line: shell text) ---
payloads=("x;touch $M" "\$(touch $M)" "\`touch $M\`" "x' ; touch $M #" "x\" && touch $M" \
	"\$(shell touch $M)" "x\$\$(touch $M)" $'x\ntouch '"$M" "x|touch $M" "x&touch $M")
# inject NAME [TARGET]: every payload as NAME, from the environment and, without make
# syntax, on make's command line: the marker never appears, and an accepted value
# changed nothing.
inject() {
	local v bad=0 n=0 t=${2:-lambda-prod}
	for v in "${payloads[@]}"; do
		rc=0
		out=$(env "$1=$v" "$GNUMAKE" --no-print-directory -C "$p" -f "$buildmk" \
			LAMBDA_BASE_IMAGE="$image" LAMBDA_PROJECT="$run_id-app" "$t" 2>&1) || rc=$?
		n=$((n + 1))
		[[ ! -e $M && ($rc -ne 0 || $(snap "$p") == "$good") ]] || { bad=$((bad + 1)); diag "env $1=$v: rc $rc"; { diff <(echo "$good") <(snap "$p") || true; } | sed 's/^/# /'; }
		[[ $v != *'$('* ]] || continue
		rc=0
		out=$("$GNUMAKE" --no-print-directory -C "$p" -f "$buildmk" LAMBDA_BASE_IMAGE="$image" \
			LAMBDA_PROJECT="$run_id-app" "$1=$v" "$t" 2>&1) || rc=$?
		n=$((n + 1))
		[[ ! -e $M && ($rc -ne 0 || $(snap "$p") == "$good") ]] || { bad=$((bad + 1)); diag "make $1=$v: rc $rc"; }
	done
	rm -f "$M"
	holds "injection through $1 ($n attempts): nothing ran, nothing changed" test "$bad" -eq 0
}
for v in LAMBDA_ARCH LAMBDA_RUNTIME LAMBDA_BASE_IMAGE LAMBDA_CARGO_FLAGS LAMBDA_FUNCTIONS \
	LAMBDA_CARGO_HOME LAMBDA_PROJECT LAMBDA_VERBOSE LAMBDA_DIR \
	SOURCE_DATE_EPOCH LAMBDA_DOCKER; do
	inject "$v"
done
inject LAMBDA_CONTAINER lambda-dev

# every option of every script: the marker never appears. An argument written
# @{DEFAULT} takes each payload in turn, while the others keep their (valid)
# defaults, so each payload reaches as far as the script lets it.
scratch=$work/scratch
mkdir -p "$scratch/ctx" "$scratch/pkg/$bin"
cp "$p/target/lambda/x86_64/$bin/bootstrap" "$scratch/pkg/$bin/bootstrap"
printf '#!/bin/sh\nexit 0\n' >"$scratch/quick-bootstrap"
printf '#!/bin/sh\nexit 0\n' >"$work/bin/docker-ok"
chmod +x "$scratch/quick-bootstrap" "$work/bin/docker-ok"
# the shell's kinds of payload, and make's (the scripts that drive make pass values to it)
spayloads=("x;touch $M" "\$(touch $M)" "\`touch $M\`" "x' ; touch $M #" $'x\ntouch '"$M" "x|touch $M"
	"\$(shell touch $M)")
# script_inject NAME CMD ARGS...
script_inject() {
	local name=$1 v i j bad=0 n=0 args re='^(.*)@\{([^}]*)\}(.*)$'
	shift
	for v in "${spayloads[@]}"; do
		for ((i = 0; i < $#; i++)); do
			args=("$@")
			[[ ${args[i]} =~ $re ]] || continue
			for ((j = 0; j < $#; j++)); do
				[[ ${args[j]} =~ $re ]] || continue
				if ((j == i)); then
					args[j]=${BASH_REMATCH[1]}$v${BASH_REMATCH[3]}
				else
					args[j]=${BASH_REMATCH[1]}${BASH_REMATCH[2]}${BASH_REMATCH[3]}
				fi
			done
			(cd "$scratch" && LAMBDA_MK=$buildmk LAMBDA_DOCKER=$logged LAMBDA_PROJECT=$run_id-app \
				LAMBDA_CONTAINER=$run_id-inj LAMBDA_INVOKE_TIMEOUT=1 LAMBDA_DEV_FALLBACK=0 \
				timeout 120 "${args[@]}") >/dev/null 2>&1 </dev/null || true
			n=$((n + 1))
			[[ ! -e $M ]] || { bad=$((bad + 1)); diag "ran: ${args[*]}"; rm -f "$M"; }
		done
	done
	holds "injection through every option of $name ($n attempts): nothing ran" \
		eval '[[ $bad -eq 0 && $(snap "$p") == "$good" ]]'
}
d=$src/docker
script_inject build-lambda.sh "$d/build-lambda.sh" prod --arch '@{x86_64}' --runtime '@{al2023}' \
	--project "@{$p}" --base-image "@{$image}" --function "@{$bin}" -- '@{--locked}'
script_inject "build-lambda.sh dev -n" "$d/build-lambda.sh" dev -n --arch='@{x86_64}' --project="@{$p}" \
	--function="@{$bin}" --base-image="@{$image}"
script_inject dev-container.sh "$d/dev-container.sh" build --docker="@{$logged}" --dir="@{$p}" \
	--arch='@{x86_64}' --container="@{$run_id-inj}" --image="@{$image}" --function="@{$bin}" \
	--cargo-home=@{} -- '@{-q}'
script_inject lambda-stage.sh "$d/lambda-stage.sh" --docker="@{$work/bin/docker-ok}" --stage='@{runtime}' \
	--dockerfile="@{$src/docker/Dockerfile}" --context="@{$scratch/ctx}" --tag='@{t}' \
	--output="@{$scratch/out}" --build-arg="@{LAMBDA_BINS=$bin}"
script_inject lambda-package.sh "$d/lambda-package.sh" --from="@{$scratch/pkg}" --to="$scratch/pkg-out" \
	--epoch='@{0}' "@{$bin}"
script_inject lambda-invoke.sh "$d/lambda-invoke.sh" "@{$scratch/quick-bootstrap}" '@{x86_64}' '@{{}}'
script_inject lambda-vendor.sh "$d/lambda-vendor.sh" --cargo-home-path '@{/cargo-home}' "@{$p}" \
	"$scratch/vend-out"
script_inject lambda-stamp.sh "$d/lambda-stamp.sh" "$scratch/stamp-@{a}" '@{0123456789abcdef0123456789abcdef}' \
	"@{$scratch/quick-bootstrap}"
script_inject builder-image.sh "$d/builder-image.sh" --print-ref '--rust=@{debian}'

diag "at 3. a symlink: $((SECONDS - t0)) s"
# --- 3. a symlink out of the project ------------------------------------------------
echo "TOPSECRET-$run_id" >"$work/outside-secret"
ln -s "$work/outside-secret" "$p/creds"
mk "$p" lambda-context
holds "a symlink out of the project: one warning, absent from .lambda/ctx" \
	eval '[[ $rc -eq 0 && $out == *"creds: a symlink to a file outside the project"* ]] && ! grep -rqs "TOPSECRET-$run_id" "$p/.lambda/ctx"'
rm -f "$p/creds"

diag "at 4. corrupt: $((SECONDS - t0)) s"
# --- 4. corrupt and truncated state -------------------------------------------------
st=$p/.lambda/state
truncate -s 16 "$st/runtime-x86_64"
mark "$p" m1
mk "$p" lambda-prod
holds "truncated runtime stamp: the build succeeds, the package is correct" correct "$p" "$bin" m1
head -c 300 /dev/urandom >"$st/deps-x86_64"
mk "$p" lambda-prod
holds "garbage deps stamp: deps reruns, the package is correct" \
	eval '[[ $out == *"--stage=deps "* ]] && correct "$p" "$bin" m1'
# the right key, but package lines of other files: never vouched for
sed -i '2,$s/^[0-9]* /1 /' "$st/runtime-x86_64"
mk "$p" lambda-prod
holds "runtime stamp naming other files: runtime reruns, the package is correct" \
	eval '[[ $out == *"--stage=runtime "* ]] && correct "$p" "$bin" m1'
printf 'garbage\0\377 x\n' >"$p/.lambda/builder"
: >"$st/base-x86_64.inputs"
mark "$p" m2
mk "$p" lambda-prod
holds "garbage builder record and empty inputs record: re-probed, the package is correct" \
	correct "$p" "$bin" m2

# --- 5. images deleted between runs -------------------------------------------------
docker images --format '{{.Repository}}:{{.Tag}}' | grep -E "^lambda-make/$run_id-app:" |
	xargs -r docker rmi -f >/dev/null
mark "$p" m3
mk "$p" lambda-prod
holds "every image of the project deleted: an edit rebuilds, the package is correct" \
	correct "$p" "$bin" m3

diag "at 6. the daemon: $((SECONDS - t0)) s"
# --- 6. the daemon down ---------------------------------------------------------------
printf '#!/bin/sh\necho "Cannot connect to the Docker daemon at unix:///var/run/docker.sock. Is the docker daemon running?" >&2\nexit 1\n' \
	>"$work/bin/docker-down"
chmod +x "$work/bin/docker-down"
before=$(snap "$p")
mark "$p" m4
mk "$p" lambda-prod LAMBDA_DOCKER="$work/bin/docker-down"
holds "daemon down (prod): fails with one line, artifacts and stamps unchanged" \
	eval '[[ $rc -ne 0 && $out == *"cannot reach the Docker daemon"* && $(snap "$p") == "$before" ]]'
rc=0
out=$(DOCKER_HOST=unix://$work/no.sock "$d/dev-container.sh" build --dir="$p" --container="$run_id-dev" \
	--image="$image" 2>&1) || rc=$?
holds "daemon down (dev): exit 3, one line" eval '[[ $rc -eq 3 && $(grep -c . <<<"$out") -eq 1 ]]'
mk "$p" lambda-prod
holds "daemon back: the next run builds the current sources" correct "$p" "$bin" m4

diag "at 7. interrupted: $((SECONDS - t0)) s"
# --- 7. interrupted: SIGKILL of the client, of the build, of make; SIGTERM; SIGINT ---
# wait_for PATTERN: the pid of our process matching PATTERN (pgrep -f), within 60 s.
wait_for() {
	local i pid
	for ((i = 0; i < 600; i++)); do
		pid=$(pgrep -f -- "$1" | head -n1 || true)
		[[ -z $pid ]] || { echo "$pid"; return 0; }
		kill -0 "$bgpid" 2>/dev/null || return 1
		sleep 0.1
	done
	return 1
}
# build_pids: the processes of our build step inside the engine (LAMBDA_BINS=$bin).
build_pids() {
	local pid
	for pid in $(pgrep -f 'lambda-compile|build-script-build' || true); do
		tr '\0' '\n' <"/proc/$pid/environ" 2>/dev/null | grep -qx "LAMBDA_BINS=$bin" && echo "$pid"
	done
	return 0
}
# interrupted NAME SIGNAL WHAT: start a build of a new marker with the slow build
# script, send SIGNAL to WHAT (client | build | make | group) once the build runs;
# the run fails and changes nothing, then the next run (sources back to the
# package's marker, which the engine has cached, so it ends first) leaves a
# correct package that stays correct.
interrupted() {
	local name=$1 sig=$2 what=$3 pid='' before now prev
	prev=$(runs "$p" "$bin")
	prev=${prev% same}
	before=$(snap "$p")
	cp "$p/src/main.rs" "$work/main.prev"
	touch "$p/slow"
	mark "$p" "killed-$RANDOM"
	mkbg "$p" lambda-prod
	case $what in
	client) pid=$(wait_for "^$bk build .*--target runtime .*$p/.lambda/ctx\$") || true ;;
	*) for ((i = 0; i < 600; i++)); do
		pid=$(build_pids | head -n1 || true)
		[[ -z $pid ]] || break
		sleep 0.1
	done ;;
	esac
	if [[ -z $pid ]]; then
		diag "$name: the build was never seen running"
		kill -KILL -- -"$bgpid" 2>/dev/null || true
	fi
	case $what in
	client) kill -"$sig" "$pid" 2>/dev/null || true ;;
	build)
		# shellcheck disable=SC2046 # one pid per word
		kill -"$sig" $(build_pids) 2>/dev/null || true
		;;
	make) kill -"$sig" "$bgpid" ;;
	group) kill -"$sig" -- -"$bgpid" ;;
	esac
	wait "$bgpid" && brc=0 || brc=$?
	now=$(snap "$p")
	rm -f "$p/slow"
	cp "$work/main.prev" "$p/src/main.rs"
	# a client or build killed: make failed, and nothing it had was replaced
	if [[ $what == client || $what == build ]]; then
		out="make exited $brc"$'\n'$(cat "$work/bg.log")
		holds "$name: make fails, artifacts and stamps unchanged" \
			eval '[[ -n $pid && $brc -ne 0 && $now == "$before" ]]'
	fi
	mk "$p" lambda-prod
	holds "$name: the next run's package is correct and stays so" \
		eval '[[ -n $pid && $rc -eq 0 ]] && correct "$p" "$bin" "$prev" && sleep 3 && correct "$p" "$bin" "$prev"'
}
interrupted "SIGKILL of the docker client" KILL client
interrupted "SIGKILL of the build's processes in the engine" KILL build
interrupted "SIGKILL of make (its commands left running)" KILL make
interrupted "SIGTERM of make" TERM make
interrupted "SIGINT of make's process group (Ctrl-C)" INT group
holds "after the interruptions: no temp file left under target/lambda" \
	eval '[[ -z $(find "$p/target/lambda" -name ".tmp.*") ]]'

diag "at 8. a full disk: $((SECONDS - t0)) s"
# --- 8. a full disk while packaging: a small tmpfs as the project's target dir ------
q=$work/disk
fixture "$q" "$bin"
mkdir -p "$q/target"
if mount -t tmpfs -o size=2m "$run_id" "$q/target" 2>/dev/null; then
	mnt=$q/target
	mark "$q" d0
	mk "$q" lambda-prod
	[[ $rc -eq 0 ]]
	qgood=$(snap "$q")
	# leave less room than one more package (a bootstrap and its zip) needs
	need=$(du -sk "$q/target/lambda" | cut -f1)
	free=$(df -k --output=avail "$q/target" | tail -n1)
	dd if=/dev/zero of="$q/target/filler" bs=1k count=$((free - need / 2)) 2>/dev/null || true
	mark "$q" d1
	mk "$q" lambda-prod
	holds "full disk while packaging: fails naming the package and the reason, artifacts and stamps unchanged" \
		eval '[[ $rc -ne 0 && $out == *"cannot write the package of '"'$bin'"'"*"No space left on device"*"earlier package there is unchanged"* && $(snap "$q") == "$qgood" && $(runs "$q" "$bin") == "d0 same" ]]'
	holds "full disk: no temp file left" eval '[[ -z $(find "$q/target" -name ".tmp.*") ]]'
	rm -f "$q/target/filler"
	mk "$q" lambda-prod
	holds "space back: the next run's package is correct" correct "$q" "$bin" d1
else
	skip "full disk while packaging" "cannot mount a tmpfs (not root?)"
	skip "full disk: no temp file left" "cannot mount a tmpfs"
	skip "space back: the next run's package is correct" "cannot mount a tmpfs"
fi

diag "at 9. two worktrees: $((SECONDS - t0)) s"
# --- 9. two worktrees of one repo building prod at once --------------------------------
w1=$work/wt1/app w2=$work/wt2/app
mkdir -p "$work/wt1" "$work/wt2"
cp -r "$p" "$w1"
rm -rf "$w1/target" "$w1/.lambda"
(cd "$w1" && git init -q && git add -A && git -c user.name=t -c user.email=t@t commit -qm fixture &&
	git worktree add -q "$w2")
mark "$w1" tree-one
mark "$w2" tree-two
# the same directory name, so the same LAMBDA_PROJECT and image tags
"$GNUMAKE" --no-print-directory -C "$w1" -f "$buildmk" LAMBDA_BASE_IMAGE="$image" LAMBDA_PROJECT="$run_id-wt" \
	LAMBDA_DOCKER="$bk" lambda-prod >"$work/wt1.log" 2>&1 &
a=$!
"$GNUMAKE" --no-print-directory -C "$w2" -f "$buildmk" LAMBDA_BASE_IMAGE="$image" LAMBDA_PROJECT="$run_id-wt" \
	LAMBDA_DOCKER="$bk" lambda-prod >"$work/wt2.log" 2>&1 &
b=$!
ra=0 rb=0
wait "$a" || ra=$?
wait "$b" || rb=$?
out=$(tail -n5 "$work/wt1.log" "$work/wt2.log")
holds "two worktrees build prod at once: both succeed, each package is its own" \
	eval '[[ $ra -eq 0 && $rb -eq 0 && $(runs "$w1" "$bin") == "tree-one same" && $(runs "$w2" "$bin") == "tree-two same" ]]'

diag "at 10. the dev: $((SECONDS - t0)) s"
# --- 10. the dev container: two projects on one container name, a killed container ---
da=$work/deva db=$work/devb
fixture "$da" "${bin}a"
fixture "$db" "${bin}b"
dname=$run_id-dev
bad_rc=0 bad_mark=0
for r in 1 2 3; do
	mark "$da" "a-$r"
	mark "$db" "b-$r"
	pids=()
	for dd in "$da" "$db"; do
		"$GNUMAKE" --no-print-directory -C "$dd" -f "$buildmk" LAMBDA_BASE_IMAGE="$image" \
			LAMBDA_CONTAINER="$dname" LAMBDA_DOCKER="$bk" lambda-dev >"$dd.log" 2>&1 &
		pids+=($!)
	done
	for i in 0 1; do wait "${pids[i]}" || { bad_rc=$((bad_rc + 1)); tail -3 "$([[ $i == 0 ]] && echo "$da" || echo "$db").log" | sed 's/^/# /'; }; done
	[[ $("$da/target/lambda-dev/x86_64/${bin}a/bootstrap" 2>&1) == "a-$r" ]] || bad_mark=$((bad_mark + 1))
	[[ $("$db/target/lambda-dev/x86_64/${bin}b/bootstrap" 2>&1) == "b-$r" ]] || bad_mark=$((bad_mark + 1))
done
holds "two projects, one dev container name, built at once (3 rounds): all succeed" test "$bad_rc" -eq 0
holds "two projects, one dev container name: each binary is its own project's current code" \
	test "$bad_mark" -eq 0
mark "$da" a-killed
touch "$da/slow"
LAMBDA_DEV_FALLBACK=0 "$GNUMAKE" --no-print-directory -C "$da" -f "$buildmk" LAMBDA_BASE_IMAGE="$image" \
	LAMBDA_CONTAINER="$dname" LAMBDA_DOCKER="$bk" lambda-dev >"$work/kill.log" 2>&1 &
bgpid=$!
sleep 2
docker kill "$dname" >/dev/null 2>&1 || true
wait "$bgpid" || true
rm -f "$da/slow"
mark "$da" a-after
mk "$da" lambda-dev LAMBDA_CONTAINER="$dname"
holds "dev container killed mid-build: the next build succeeds with the current code" \
	eval '[[ $rc -eq 0 && $("$da/target/lambda-dev/x86_64/${bin}a/bootstrap") == a-after ]]'

diag "total: $((SECONDS - t0)) s"
echo "# $((tap_n - tap_fail))/$tap_n cases hold"
finish
