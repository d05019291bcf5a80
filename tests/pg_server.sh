#!/bin/sh
# pg_server.sh - a private PostgreSQL server for the tests, in a
# directory of its own, listening on a Unix socket there only (no TCP).
#   pg_server.sh start DIR   initdb and start; prints the conninfo
#   pg_server.sh stop DIR    stop it and remove DIR
#   pg_server.sh kill DIR    stop it as a crash would (immediate: no
#                            checkpoint; the next start recovers)
#   pg_server.sh restart DIR start it again on the data it has
# The server refuses to run as root: as root it runs as user postgres
# (Debian's postgresql package makes it), or nobody.
set -e
cmd=$1
dir=$2
bindir=$(pg_config --bindir)
if [ "$(id -u)" = 0 ]; then
	user=postgres
	id postgres >/dev/null 2>&1 || user=nobody
	as="runuser -u $user --"
else
	as=
fi
run_server() {
	$as "$bindir/pg_ctl" -D "$dir/data" -l "$dir/server.log" -w \
	    -o "-k $dir -c listen_addresses= -c fsync=off -c max_connections=40" \
	    start >/dev/null ||
	    { cat "$dir/server.log" >&2; exit 1; }
}

case $cmd in
start)
	rm -rf "$dir"
	mkdir -p "$dir"
	[ -z "$as" ] || chown "$user" "$dir"
	$as "$bindir/initdb" -D "$dir/data" -A trust -U points --no-sync \
	    -E UTF8 --locale=C >"$dir/initdb.log" 2>&1 ||
	    { cat "$dir/initdb.log" >&2; exit 1; }
	run_server
	echo "host=$dir user=points dbname=postgres"
	;;
restart)
	run_server
	;;
kill)
	$as "$bindir/pg_ctl" -D "$dir/data" -m immediate -w stop >/dev/null
	;;
stop)
	if [ -d "$dir/data" ]; then
		$as "$bindir/pg_ctl" -D "$dir/data" -m fast -w stop \
		    >/dev/null 2>&1 || true
	fi
	rm -rf "$dir"
	;;
*)
	echo "usage: pg_server.sh start|stop|kill|restart DIR" >&2
	exit 2
	;;
esac
