# shellcheck shell=bash
# tests/lib/profile.sh (sourced): the prod profile's default keys, read from
# docker/Dockerfile's LAMBDA_PROFILE_SETTINGS, for the native and third-party
# builds that tests and benchmarks compare with (same profile, one source).

# profile_settings DOCKERFILE: prints the keys as "key=value", one per line.
profile_settings() {
	local line
	line=$(sed -n 's/^ARG LAMBDA_PROFILE_SETTINGS="\(.*\)"$/\1/p' "$1")
	[[ -n $line ]] || { echo "profile.sh: no LAMBDA_PROFILE_SETTINGS default in $1" >&2; return 1; }
	tr ' ' '\n' <<<"$line" | sed '/^$/d'
}

# profile_config DOCKERFILE: prints cargo's --config arguments for the release
# profile, one word per line (for mapfile).
profile_config() {
	local kv
	profile_settings "$1" | while IFS= read -r kv; do
		printf '%s\n' --config "profile.release.$kv"
	done
}

# profile_env DOCKERFILE: prints CARGO_PROFILE_RELEASE_* assignments, one per line
# (TOML quotes dropped: cargo reads environment values bare).
profile_env() {
	local kv k v
	profile_settings "$1" | while IFS= read -r kv; do
		k=${kv%%=*} v=${kv#*=}
		v=${v#[\'\"]} v=${v%[\'\"]}
		k=${k//-/_}
		printf 'CARGO_PROFILE_RELEASE_%s=%s\n' "${k^^}" "$v"
	done
}
