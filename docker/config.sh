# shellcheck shell=bash
# config.sh: the settings as the C core validates and normalises them, for the
# scripts: they ask lambda.mk ($(lambda-config)) instead of keeping rules of
# their own. Sourced by build-lambda.sh and dev-container.sh.

# config_mk HERE: the lambda.mk to drive, as an absolute path on stdout: $LAMBDA_MK, else the one
# beside an installation's scripts (HERE is their real dir, HERE/.. holds
# lambda.mk), else pkg-config's; status 1 if there is none.
config_mk() {
	local mk=${LAMBDA_MK:-}
	if [[ -z $mk && -f $1/../lambda.mk ]]; then mk=$(cd -- "$1/.." && pwd)/lambda.mk; fi
	if [[ -z $mk ]]; then mk=$(pkg-config --variable=mkfile lambda-make 2>/dev/null || true); fi
	[[ -n $mk && -f $mk ]] || return 1
	# absolute: config_read runs make from /
	printf '%s/%s\n' "$(cd -- "$(dirname -- "$mk")" && pwd)" "${mk##*/}"
}

# config_make MK DIR ARGS...: make on lambda.mk MK in DIR, as a make of its own
# (the caller's make flags do not apply). NAME=VALUE arguments are settings:
# each '$' is doubled, because make expands a command-line variable, so a
# value's text ('$(shell ...)') stays text and never runs.
config_make() {
	local mk=$1 dir=$2
	shift 2
	env -u MAKEFLAGS -u MFLAGS -u MAKELEVEL make --no-print-directory -C "$dir" -f "$mk" "${@//\$/\$\$}"
}

# config_read MK NAME=VALUE...: validate the settings; on success the normalised
# record's fields are in the associative array cfg (target_arch, targets,
# runtime, container_name, epoch, the layout dirs own_dir, bin_dir, pkg_dir,
# dev_dir, functions: blank-separated; cargo_flags: one word per flag). On an invalid setting, the status is 2 and cfg_error holds the
# core's one-line message (without make's decoration).
config_read() {
	local mk=$1 out rc=0 key
	shift
	# from /: the settings need no project, and the caller's dir may be unreadable
	out=$(config_make "$mk" / -s "$@" lambda-config 2>&1) || rc=$?
	if ((rc)); then
		out=${out##*\*\*\* lambda-config: }
		# shellcheck disable=SC2034 # the caller's
		cfg_error=${out%.  Stop.}
		return 2
	fi
	cfg=([cargo_flags]="${out#*cargo_flags=}")
	out=${out%% cargo_flags=*}
	for key in $out; do
		cfg[${key%%=*}]=${key#*=}
		cfg[${key%%=*}]=${cfg[${key%%=*}]//,/ }
	done
}
