# shellcheck shell=bash
# engine2.sh (sourced by tests/docker/registry.sh and bench/registry/run): a real
# registry (Debian's docker-registry) and a second, empty Docker engine, both on
# loopback, both started here and removed on every exit path (e2_cleanup, which
# the caller's EXIT trap must call). Needs $work (a scratch dir) and $run_id.
#   e2_registry [AUTH]  serve a registry on a free port: $reg (127.0.0.1:PORT);
#                       AUTH=htpasswd: pushes and pulls need a login (none is made)
#   e2_engine           a second dockerd with its own config, data root, exec root,
#                       pidfile, unix socket ($e2_sock) and tcp://127.0.0.1:PORT
#                       ($e2_tcp), its own bridge (never --bridge=none: that deletes
#                       the main engine's docker0), --iptables=false
#   e2_reset            stop it and start it again with an empty data root
#   e2 ARGS...          the Debian 20.10 client against it
# The storage driver is the main engine's (fuse-overlayfs here, /etc/docker/daemon.json).

e2_pids=() e2_bridge='' e2_sock='' e2_tcp='' reg='' e2_root=''

# e2_port: a free loopback TCP port.
e2_port() {
	python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'
}

e2_wait() { # e2_wait SECONDS CMD...: retry CMD until it succeeds
	local n=$1
	shift
	until "$@" >/dev/null 2>&1; do
		((n-- > 0)) || return 1
		sleep 1
	done
}

e2_registry() {
	local port dir=${work:?}/registry
	port=$(e2_port)
	mkdir -p "$dir/data"
	{
		printf 'version: 0.1\nlog:\n  level: warn\nstorage:\n  filesystem:\n    rootdirectory: %s\n' "$dir/data"
		printf '  delete:\n    enabled: true\nhttp:\n  addr: 127.0.0.1:%s\n' "$port"
		if [[ ${1:-} == htpasswd ]]; then
			# a bcrypt entry for user "ci" (password "s3cret-h20"), made by python's crypt
			python3 -W ignore -c 'import crypt; print("ci:" + crypt.crypt("s3cret-h20", crypt.mksalt(crypt.METHOD_BLOWFISH)))' >"$dir/htpasswd"
			printf 'auth:\n  htpasswd:\n    realm: test\n    path: %s\n' "$dir/htpasswd"
		fi
	} >"$dir/config.yml"
	docker-registry serve "$dir/config.yml" >"$dir/log" 2>&1 &
	e2_pids+=($!)
	reg=127.0.0.1:$port
	# any HTTP answer (401 with auth) means it serves
	e2_wait 20 curl -sS -o /dev/null "http://$reg/v2/" ||
		[[ ${1:-} == htpasswd ]] || { cat "$dir/log" >&2; return 1; }
}

# e2_bridge_up: a bridge of the second engine's own, on a /24 no route uses yet.
e2_bridge_up() {
	local n
	e2_bridge=lmt2br$((RANDOM % 1000))
	for n in $(seq 200 250); do
		ip route | grep -q "^10\.$n\.77\." && continue
		ip link add "$e2_bridge" type bridge || return 1
		ip addr add "10.$n.77.1/24" dev "$e2_bridge"
		ip link set "$e2_bridge" up
		return 0
	done
	return 1
}

e2_start() {
	local d=$e2_root port
	mkdir -p "$d/data" "$d/exec"
	# fresh config each time: the default /etc/docker/daemon.json sets data-root
	printf '{"storage-driver": "%s", "mtu": 1400}\n' "$(docker info --format '{{.Driver}}')" >"$d/daemon.json"
	port=$(e2_port)
	e2_sock=$d/docker.sock
	e2_tcp=tcp://127.0.0.1:$port
	dockerd --config-file "$d/daemon.json" --data-root "$d/data" --exec-root "$d/exec" \
		--pidfile "$d/docker.pid" -H "unix://$e2_sock" -H "$e2_tcp" \
		--bridge="$e2_bridge" --iptables=false --ip-masq=false >"$d/log" 2>&1 &
	e2_dpid=$!
	e2_wait 60 /usr/bin/docker -H "unix://$e2_sock" info || { tail -20 "$d/log" >&2; return 1; }
}

e2_engine() {
	e2_root=$(mktemp -d /tmp/lmt-engine2.XXXXXX)
	e2_bridge_up
	e2_start
}

e2_stop() {
	[[ -n ${e2_dpid:-} ]] || return 0
	kill "$e2_dpid" 2>/dev/null || true
	e2_wait 30 bash -c "! kill -0 $e2_dpid" || kill -9 "$e2_dpid" 2>/dev/null || true
	e2_dpid=''
	# containerd-shims of ours, if any, end with the exec root's containers
	[[ -z $e2_root ]] || umount -R "$e2_root/exec" 2>/dev/null || true
}

e2_reset() {
	e2_stop
	[[ -z $e2_root ]] || { umount -R "$e2_root/data" 2>/dev/null || true; rm -rf "$e2_root/data" "$e2_root/exec"; }
	e2_start
}

e2() { /usr/bin/docker -H "unix://$e2_sock" "$@"; }

e2_cleanup() {
	local p
	e2_stop
	for p in "${e2_pids[@]}"; do kill "$p" 2>/dev/null || true; done
	[[ -z $e2_bridge ]] || ip link del "$e2_bridge" 2>/dev/null || true
	if [[ -n $e2_root ]]; then
		umount -R "$e2_root/data" 2>/dev/null || true
		rm -rf "$e2_root"
	fi
}
