# shellcheck shell=bash
# tests/lib/profile.sh (sourced): the prod profile's default keys, read from
# docker/Dockerfile's LAMBDA_PROFILE_SETTINGS, for the native and third-party
# builds that tests and benchmarks compare with (same profile, one source).

# profile_load DOCKERFILE: sets profile_cfg (cargo's --config arguments) and
# profile_env (CARGO_PROFILE_RELEASE_* assignments); fails if there is no default.
profile_load() {
	local line kv k v kvs
	line=$(sed -n 's/^ARG LAMBDA_PROFILE_SETTINGS="\(.*\)"$/\1/p' "$1")
	read -ra kvs <<<"$line"
	((${#kvs[@]})) || { echo "profile.sh: no LAMBDA_PROFILE_SETTINGS default in $1" >&2; return 1; }
	# shellcheck disable=SC2034 # read by the scripts that source this file
	profile_cfg=() profile_env=()
	for kv in "${kvs[@]}"; do
		profile_cfg+=(--config "profile.release.$kv")
		# the environment takes values bare: TOML quotes dropped
		k=${kv%%=*} v=${kv#*=}
		v=${v#[\'\"]} v=${v%[\'\"]}
		k=${k//-/_}
		profile_env+=("CARGO_PROFILE_RELEASE_${k^^}=$v")
	done
}
