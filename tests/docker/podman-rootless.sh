#!/usr/bin/env bash
# Rootless podman: the dev container runs as the host user. A user made for this
# run (subordinate ids from useradd, fuse-overlayfs storage; removed on exit with
# its containers and images) builds examples/existing-project with
# dev-container.sh --docker=podman. Rootless podman maps the host user to root
# inside; without --userns=keep-id (engine.sh's engine_create_opts) the files
# cargo writes land on the host under a subordinate uid, not the user's. The
# host must let users open /dev/net/tun and /dev/fuse (.ci/deps). Needs
# root to make the user (skipped otherwise). Prints TAP.
set -euo pipefail
src=${LAMBDA_SRCDIR:?}
# shellcheck source=tests/lib/docker-env.sh
. "$src/tests/lib/docker-env.sh" lmrl /tmp/lambda-rootless.XXXXXX
need_make
plan 6
if [[ $(id -u) -ne 0 ]] || ! command -v podman >/dev/null 2>&1; then
	for n in 1 2 3 4 5 6; do skip "rootless podman $n" "needs root (to make a user) and podman"; done
	exit 0
fi

user=lmrl$$
home=/home/$user
rl_cleanup() {
	if id "$user" >/dev/null 2>&1; then
		as_user podman rm -af >/dev/null 2>&1 || true
		as_user podman system reset -f >/dev/null 2>&1 || true
		userdel -r "$user" >/dev/null 2>&1 || true
	fi
	denv_cleanup
}
trap rl_cleanup EXIT
# The user runs lambda-make installed under the work dir (the source tree's
# parents need not be open to other users).
chmod 0755 "$work"
make -s -C "${LAMBDA_BUILD:?}" install prefix="$work/inst" >/dev/null 2>&1
# as_user CMD...: CMD as the test user, in its home (the caller's dir, a clone
# under a 0700 mktemp dir say, may be closed to it), with the installed lambda.mk
# and its module (the build's lambda-paths.mk names the configured prefix).
as_user() {
	(cd "$home" && runuser -u "$user" -- env -u XDG_RUNTIME_DIR -u LAMBDA_HOME HOME="$home" \
		LAMBDA_MK="$work/inst/share/lambda-make/lambda.mk" \
		LAMBDA_PLUGIN="$work/inst/lib/lambda-make/lambda.so" "$@")
}
useradd -m -s /bin/bash "$user"
mkdir -p "$home/.config/containers"
printf '[storage]\ndriver = "overlay"\n[storage.options.overlay]\nmount_program = "/usr/bin/fuse-overlayfs"\n' \
	>"$home/.config/containers/storage.conf"
chown -R "$user:" "$home/.config"
uid=$(id -u "$user")

t0=$SECONDS
docker save "$image" | as_user podman load -q >/dev/null
diag "builder image copied into $user's podman store in $((SECONDS - t0)) s"
ok "rootless: podman runs as $user" test "$(as_user podman info --format '{{.Host.Security.Rootless}}')" = true

proj="$work/pro ject"
cp -r "$src/examples/existing-project" "$proj"
rm -rf "$proj/target"
chown -R "$user:" "$proj"
name=$run_id-dev
# dev: one dev build as the user; output in $out, status in $rc.
dev() {
	rc=0
	out=$(as_user "$work/inst/bin/dev-container.sh" build --docker=podman --dir="$proj" --container="$name" \
		--image="$image" --function=greeter 2>&1) || rc=$?
	[[ $rc -eq 0 ]] || printf '# %s\n' "${out//$'\n'/$'\n'# }" | tail -20
}
bin=$proj/target/lambda-dev/x86_64/greeter/bootstrap
dev
is "rootless: the dev build succeeds" "$rc" 0
ok "rootless: the bootstrap is placed" test -x "$bin"
others=$(find "$proj/target" ! -user "$uid" -printf '%u %p\n' | head -3)
is "rootless: every file the build wrote is $user's (uid $uid)" "$others" ""
first=$(as_user podman inspect --format '{{.Id}}' "$name" 2>/dev/null || echo none)
printf '#[allow(dead_code)]\nconst EDIT: u32 = %d;\n' "$RANDOM" >>"$proj/src/main.rs"
dev
is "rootless: an edit rebuilds in the same container" \
	"$rc $(as_user podman inspect --format '{{.Id}}' "$name" 2>/dev/null || echo none)" "0 $first"
ok "rootless: the rebuilt bootstrap is newer than the edit" test "$bin" -nt "$proj/src/main.rs"
finish
