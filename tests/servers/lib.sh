# lib.sh - shared by start, stop and ctl: start and stop one service of a
# test-server directory.  Sourced, not run.  Everything is found through
# DIR/env (or DIR/env.partial while start is still running).

SERVERS_HERE=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
PY=/usr/bin/python3
: "${MAILTUI_TEST_START_TIMEOUT:=30}"

die() {
	echo "tests/servers: $*" >&2
	exit 1
}

# load_env DIR: source DIR/env into this shell.
load_env() {
	local dir=$1
	if [ -f "$dir/env" ]; then
		. "$dir/env"
	elif [ -f "$dir/env.partial" ]; then
		. "$dir/env.partial"
	else
		die "$dir is not a test-server directory (no env file)"
	fi
}

# running PID: true while PID runs.  A zombie does not count: our servers
# are reparented to init, which may reap them only later.
running() {
	local stat
	stat=$(cat "/proc/$1/stat" 2>/dev/null) || return 1
	stat=${stat##*) }
	[ "${stat%% *}" != Z ]
}

# pid_alive PIDFILE: true when the pid in PIDFILE runs.
pid_alive() {
	[ -s "$1" ] || return 1
	running "$(cat "$1")"
}

# kill_session SID: end every process left in session SID (Dovecot's
# master calls setsid, so its children share the master's pid as session).
kill_session() {
	local sid=$1 pids
	pids=$(ps -eo pid=,sid=,stat= | awk -v s="$sid" '$2 == s && $3 !~ /^Z/ { print $1 }')
	[ -n "$pids" ] || return 0
	kill -KILL $pids 2>/dev/null || true
}

# wait_gone PID SECONDS: poll until PID has exited.
wait_gone() {
	local pid=$1 n=$(( $2 * 50 ))
	while running "$pid" && [ $n -gt 0 ]; do
		sleep 0.02
		n=$(( n - 1 ))
	done
	! running "$pid"
}

dovecot_log_tail() {
	if [ -f "$MAILTUI_TEST_DOVECOT_LOG" ]; then
		echo "--- last lines of $MAILTUI_TEST_DOVECOT_LOG:" >&2
		tail -n 30 "$MAILTUI_TEST_DOVECOT_LOG" >&2
	fi
}

start_dovecot() {
	local pidfile="$MAILTUI_TEST_DIR/dovecot/run/master.pid"
	pid_alive "$pidfile" && return 0
	$PY "$SERVERS_HERE/probe.py" free "$MAILTUI_TEST_IMAP_PORT" \
		"$MAILTUI_TEST_IMAPS_PORT" "$MAILTUI_TEST_POP3_PORT" \
		"$MAILTUI_TEST_POP3S_PORT" >/dev/null ||
		die "a Dovecot port is busy ($MAILTUI_TEST_IMAP_PORT, $MAILTUI_TEST_IMAPS_PORT, $MAILTUI_TEST_POP3_PORT, $MAILTUI_TEST_POP3S_PORT); set MAILTUI_TEST_PORT_BASE"
	if ! dovecot -c "$MAILTUI_TEST_DOVECOT_CONF" </dev/null \
		>>"$MAILTUI_TEST_DIR/dovecot/stderr.log" 2>&1; then
		cat "$MAILTUI_TEST_DIR/dovecot/stderr.log" >&2
		dovecot_log_tail
		die "dovecot failed to start"
	fi
	if ! $PY "$SERVERS_HERE/probe.py" wait "$MAILTUI_TEST_START_TIMEOUT" \
		"$MAILTUI_TEST_CA" \
		"imap:imap:$MAILTUI_TEST_IMAP_PORT:plain" \
		"imaps:imap:$MAILTUI_TEST_IMAPS_PORT:implicit" \
		"pop3:pop3:$MAILTUI_TEST_POP3_PORT:plain" \
		"pop3s:pop3:$MAILTUI_TEST_POP3S_PORT:implicit"; then
		dovecot_log_tail
		die "dovecot did not answer on every port"
	fi
}

stop_dovecot() {
	local pidfile="$MAILTUI_TEST_DIR/dovecot/run/master.pid" pid
	[ -s "$pidfile" ] || return 0
	pid=$(cat "$pidfile")
	if running "$pid"; then
		kill -TERM "$pid" 2>/dev/null || true
		wait_gone "$pid" 10 || kill -KILL "$pid" 2>/dev/null || true
		wait_gone "$pid" 5 || true
	fi
	kill_session "$pid"
	rm -f "$pidfile"
	$PY "$SERVERS_HERE/probe.py" closed 10 "$MAILTUI_TEST_IMAP_PORT" \
		"$MAILTUI_TEST_IMAPS_PORT" "$MAILTUI_TEST_POP3_PORT" \
		"$MAILTUI_TEST_POP3S_PORT" || die "dovecot ports still open after stop"
}

start_smtp() {
	local pidfile="$MAILTUI_TEST_DIR/smtp/smtpd.pid" n
	pid_alive "$pidfile" && return 0
	$PY "$SERVERS_HERE/probe.py" free "$MAILTUI_TEST_SMTP_PORT" \
		"$MAILTUI_TEST_SMTPS_PORT" >/dev/null ||
		die "an SMTP port is busy ($MAILTUI_TEST_SMTP_PORT, $MAILTUI_TEST_SMTPS_PORT); set MAILTUI_TEST_PORT_BASE"
	rm -f "$pidfile"
	# setsid + closed stdio: the server outlives start and never holds the
	# caller's pipes open.
	setsid $PY "$SERVERS_HERE/smtpd.py" \
		--host "$MAILTUI_TEST_HOST" \
		--port "$MAILTUI_TEST_SMTP_PORT" \
		--smtps-port "$MAILTUI_TEST_SMTPS_PORT" \
		--cert "$MAILTUI_TEST_DIR/tls/server.pem" \
		--key "$MAILTUI_TEST_DIR/tls/server-key.pem" \
		--users "$MAILTUI_TEST_DIR/dovecot/users" \
		--mail-root "$MAILTUI_TEST_DIR/mail" \
		--uid "$MAILTUI_TEST_MAIL_UID" --gid "$MAILTUI_TEST_MAIL_GID" \
		--domain "$MAILTUI_TEST_DOMAIN" \
		--log "$MAILTUI_TEST_SMTP_LOG" \
		--pidfile "$pidfile" \
		</dev/null >>"$MAILTUI_TEST_DIR/smtp/smtpd.log" 2>&1 &
	n=$(( MAILTUI_TEST_START_TIMEOUT * 20 ))
	while [ ! -s "$pidfile" ] && [ $n -gt 0 ]; do
		running $! || break
		sleep 0.05
		n=$(( n - 1 ))
	done
	if ! $PY "$SERVERS_HERE/probe.py" wait "$MAILTUI_TEST_START_TIMEOUT" \
		"$MAILTUI_TEST_CA" \
		"smtp:smtp:$MAILTUI_TEST_SMTP_PORT:plain" \
		"smtps:smtp:$MAILTUI_TEST_SMTPS_PORT:implicit"; then
		echo "--- $MAILTUI_TEST_DIR/smtp/smtpd.log:" >&2
		tail -n 30 "$MAILTUI_TEST_DIR/smtp/smtpd.log" >&2
		die "the SMTP server did not answer"
	fi
}

# kill_dovecot: a crash, not a shutdown: SIGKILL to the master and every
# child at once (fault tests; a graceful stop takes Dovecot over a second).
kill_dovecot() {
	local pidfile="$MAILTUI_TEST_DIR/dovecot/run/master.pid" pid
	[ -s "$pidfile" ] || return 0
	pid=$(cat "$pidfile")
	kill -KILL "$pid" 2>/dev/null || true
	kill_session "$pid"
	wait_gone "$pid" 5 || true
	rm -f "$pidfile"
	$PY "$SERVERS_HERE/probe.py" closed 10 "$MAILTUI_TEST_IMAP_PORT" \
		"$MAILTUI_TEST_IMAPS_PORT" "$MAILTUI_TEST_POP3_PORT" \
		"$MAILTUI_TEST_POP3S_PORT" || die "dovecot ports still open after kill"
}

kill_smtp() {
	local pidfile="$MAILTUI_TEST_DIR/smtp/smtpd.pid" pid
	[ -s "$pidfile" ] || return 0
	pid=$(cat "$pidfile")
	kill -KILL "$pid" 2>/dev/null || true
	wait_gone "$pid" 5 || true
	rm -f "$pidfile"
	$PY "$SERVERS_HERE/probe.py" closed 10 "$MAILTUI_TEST_SMTP_PORT" \
		"$MAILTUI_TEST_SMTPS_PORT" || die "SMTP ports still open after kill"
}

stop_smtp() {
	local pidfile="$MAILTUI_TEST_DIR/smtp/smtpd.pid" pid
	[ -s "$pidfile" ] || return 0
	pid=$(cat "$pidfile")
	if running "$pid"; then
		kill -TERM "$pid" 2>/dev/null || true
		wait_gone "$pid" 10 || kill -KILL "$pid" 2>/dev/null || true
		wait_gone "$pid" 5 || true
	fi
	rm -f "$pidfile"
	$PY "$SERVERS_HERE/probe.py" closed 10 "$MAILTUI_TEST_SMTP_PORT" \
		"$MAILTUI_TEST_SMTPS_PORT" || die "SMTP ports still open after stop"
}
