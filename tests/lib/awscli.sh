# shellcheck shell=bash
# awscli.sh (sourced): the AWS CLI from PyPI in a virtualenv made here, cached
# under ${XDG_CACHE_HOME:-$HOME/.cache}/lambda-make/venv-awscli-<version> (one
# venv per pinned version; built in a temp dir and renamed, so an interrupted
# install is never taken for a good one). Sets aws_cli (the aws command) or
# returns 1 with the reason on stderr. No AWS account is needed: awscli_env
# prints the dummy credentials and region it signs requests with.
readonly AWSCLI_VERSION=1.46.3

awscli_setup() {
	local cache=${XDG_CACHE_HOME:-$HOME/.cache}/lambda-make venv tmp
	venv=$cache/venv-awscli-$AWSCLI_VERSION
	if [[ ! -x $venv/bin/aws ]]; then
		mkdir -p "$cache"
		# a venv records its own path: build it beside where it will live
		tmp=$venv.new.$$
		rm -rf "$tmp"
		if ! python3 -m venv "$tmp" >&2 ||
			! "$tmp/bin/pip" install -q --disable-pip-version-check "awscli==$AWSCLI_VERSION" >&2; then
			rm -rf "$tmp"
			echo "awscli.sh: cannot install awscli $AWSCLI_VERSION from PyPI (python3-venv missing?)" >&2
			return 1
		fi
		# the venv's scripts name $tmp in their #! line: point them at $venv
		find "$tmp/bin" -maxdepth 1 -type f -exec sed -i "1s|$tmp|$venv|" {} +
		mv -T "$tmp" "$venv" 2>/dev/null || rm -rf "$tmp"
	fi
	# shellcheck disable=SC2034 # for the sourcing test
	aws_cli=$venv/bin/aws
}

# awscli_env: the environment for an aws call against a local endpoint.
awscli_env() {
	printf '%s\n' AWS_ACCESS_KEY_ID=lambdamake AWS_SECRET_ACCESS_KEY=lambdamake \
		AWS_DEFAULT_REGION=us-east-1 AWS_CONFIG_FILE=/dev/null \
		AWS_SHARED_CREDENTIALS_FILE=/dev/null AWS_EC2_METADATA_DISABLED=true AWS_PAGER=
}
