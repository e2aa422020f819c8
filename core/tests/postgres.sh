#!/usr/bin/env bash
# Runs the PostgreSQL store's tests (core/tests/postgres.rs) against a throwaway cluster.
#
#   core/tests/postgres.sh                 # the tests
#   core/tests/postgres.sh CMD [ARGS...]   # any command with DEALER_PORTAL_PG_URL set, e.g.
#   core/tests/postgres.sh cargo bench -p dealer-portal-benches --features postgres --bench postgres
#
# Uses the PostgreSQL server binaries on the PATH or in /usr/lib/postgresql/*/bin; when there are
# none and we are root (CI, a fresh Debian machine), installs Debian's `postgresql` package.
# Elsewhere: `sudo apt-get install postgresql` (Debian, Ubuntu), `brew install postgresql`, or
# any server you may scribble on: DEALER_PORTAL_PG_URL=postgresql://user@host:port/db
#   cargo test -p dealer-portal --features postgres --test postgres
#
# The cluster lives in a temporary directory, listens on 127.0.0.1 on a free port (and on a
# socket in that directory), runs as the `postgres` user when we are root (initdb refuses root),
# trusts local connections, and is stopped and deleted on exit, whatever happens.
#
# TLS, as a deployment runs it: the script makes a CA and a server certificate for localhost and
# 127.0.0.1 (openssl CLI), and the server has `ssl=on` and a pg_hba.conf that takes TCP
# connections over TLS only (`hostssl`), but for one role, `dealer_plain`, allowed in plaintext
# (`hostnossl`) for the plaintext tests and the bench's plaintext peer. The tests' URL is the
# deployment's path, TLS with the certificate and host name checked:
#   DEALER_PORTAL_PG_URL        postgresql://postgres@127.0.0.1:PORT/DB?sslmode=verify-full&sslrootcert=DIR/ca.crt
#   DEALER_PORTAL_PG_PLAIN_URL  postgresql://dealer_plain@127.0.0.1:PORT/DB?sslmode=disable
#   DEALER_PORTAL_PG_TLS_DIR    ca.crt (the server's CA), wrong-ca.crt (another CA)
#   DEALER_PORTAL_PG_PORT, DEALER_PORTAL_PG_DB
set -euo pipefail

cd "$(dirname "$0")/../.."

log() { printf 'postgres.sh: %s\n' "$*" >&2; }

find_bin() {
    if command -v initdb >/dev/null 2>&1 && command -v pg_ctl >/dev/null 2>&1; then
        dirname "$(readlink -f "$(command -v initdb)")"
        return
    fi
    local d
    for d in $(printf "%s\n" /usr/lib/postgresql/*/bin | sort -V -r); do
        if [ -x "$d/initdb" ] && [ -x "$d/pg_ctl" ]; then
            echo "$d"
            return
        fi
    done
}

PGBIN="$(find_bin)"
if [ -z "$PGBIN" ]; then
    if [ "$(id -u)" != 0 ]; then
        log "no PostgreSQL server found (initdb, pg_ctl); install one (Debian: sudo apt-get install postgresql) or set DEALER_PORTAL_PG_URL and run cargo test -p dealer-portal --features postgres --test postgres"
        exit 1
    fi
    log "installing PostgreSQL from Debian's packages"
    export DEBIAN_FRONTEND=noninteractive
    apt-get update -qq
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends postgresql openssl >/dev/null
    PGBIN="$(find_bin)"
    if [ -z "$PGBIN" ]; then
        log "the postgresql package installed no initdb/pg_ctl"
        exit 1
    fi
fi
log "using $("$PGBIN/pg_ctl" --version)"
if ! command -v openssl >/dev/null 2>&1; then
    if [ "$(id -u)" != 0 ]; then
        log "no openssl CLI to make the test certificates; install it (Debian: sudo apt-get install openssl)"
        exit 1
    fi
    log "installing openssl from Debian's packages"
    apt-get update -qq
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends openssl >/dev/null
fi

# Who runs the server: ourselves, or `postgres` when we are root.
RUN=()
if [ "$(id -u)" = 0 ]; then
    if ! id postgres >/dev/null 2>&1; then
        useradd --system --home-dir /var/lib/postgresql --shell /bin/bash postgres
    fi
    RUN=(runuser -u postgres --)
fi

DIR="$(mktemp -d "${TMPDIR:-/tmp}/dealer-portal-pg.XXXXXX")"
chmod 755 "$DIR"
[ "${#RUN[@]}" -eq 0 ] || chown postgres "$DIR"
DATA="$DIR/data"
SOCK="$DIR"
LOGFILE="$DIR/server.log"
STARTED=""

cleanup() {
    local rc=$?
    if [ -n "$STARTED" ]; then
        "${RUN[@]}" "$PGBIN/pg_ctl" -D "$DATA" -m fast -w stop >/dev/null 2>&1 || true
    fi
    if [ "$rc" != 0 ] && [ -f "$LOGFILE" ]; then
        log "server log (last lines):"
        tail -n 30 "$LOGFILE" >&2 || true
    fi
    rm -rf "$DIR"
    exit "$rc"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

"${RUN[@]}" "$PGBIN/initdb" -D "$DATA" -U postgres --auth=trust --encoding=UTF8 \
    --locale=C.UTF-8 >/dev/null 2>"$DIR/initdb.err" ||
    "${RUN[@]}" "$PGBIN/initdb" -D "$DATA" -U postgres --auth=trust --encoding=UTF8 \
        --no-locale >/dev/null 2>>"$DIR/initdb.err" || {
    cat "$DIR/initdb.err" >&2
    exit 1
}

# The certificates: a CA, a server certificate it signs (localhost, 127.0.0.1), another CA.
TLS="$DIR/tls"
mkdir -p "$TLS"
cat >"$TLS/openssl.cnf" <<'CNF'
[req]
distinguished_name = dn
prompt = no
[dn]
CN = dealer-portal test
[ca]
basicConstraints = critical,CA:TRUE
keyUsage = critical,keyCertSign,cRLSign
subjectKeyIdentifier = hash
[server]
basicConstraints = critical,CA:FALSE
keyUsage = critical,digitalSignature,keyEncipherment
extendedKeyUsage = serverAuth
subjectAltName = DNS:localhost,IP:127.0.0.1
subjectKeyIdentifier = hash
authorityKeyIdentifier = keyid
CNF
for ca in ca wrong-ca; do
    openssl req -x509 -new -nodes -newkey ec -pkeyopt ec_paramgen_curve:P-256 \
        -config "$TLS/openssl.cnf" -extensions ca -subj "/CN=dealer-portal test $ca" -days 2 \
        -keyout "$TLS/$ca.key" -out "$TLS/$ca.crt" 2>/dev/null
done
openssl req -new -nodes -newkey ec -pkeyopt ec_paramgen_curve:P-256 -config "$TLS/openssl.cnf" \
    -subj "/CN=localhost" -keyout "$TLS/server.key" -out "$TLS/server.csr" 2>/dev/null
openssl x509 -req -in "$TLS/server.csr" -CA "$TLS/ca.crt" -CAkey "$TLS/ca.key" -CAcreateserial \
    -days 2 -extfile "$TLS/openssl.cnf" -extensions server -out "$TLS/server.crt" 2>/dev/null
rm -f "$TLS/server.csr" "$TLS/ca.key" "$TLS/wrong-ca.key"
chmod 600 "$TLS/server.key"
[ "${#RUN[@]}" -eq 0 ] || chown postgres "$TLS/server.key"

# TCP over TLS only, but for the plaintext role; the socket for the script's own commands.
cat >"$DATA/pg_hba.conf" <<'HBA'
local     all all                       trust
hostssl   all all          127.0.0.1/32 trust
hostnossl all dealer_plain 127.0.0.1/32 trust
HBA

port_in_use() { (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null; }

PORT=""
for _ in 1 2 3 4 5 6 7 8; do
    candidate=$((20000 + RANDOM % 40000))
    port_in_use "$candidate" && continue
    if "${RUN[@]}" "$PGBIN/pg_ctl" -D "$DATA" -l "$LOGFILE" -w -t 60 \
        -o "-p $candidate -k $SOCK -c listen_addresses=127.0.0.1 -c max_connections=200 -c ssl=on -c ssl_cert_file=$TLS/server.crt -c ssl_key_file=$TLS/server.key" \
        start >/dev/null; then
        PORT="$candidate"
        STARTED=1
        break
    fi
done
if [ -z "$PORT" ]; then
    log "could not start PostgreSQL on a free port"
    exit 1
fi

DB=dealer_portal_test
"$PGBIN/createdb" -h "$SOCK" -p "$PORT" -U postgres "$DB"
"$PGBIN/createuser" -h "$SOCK" -p "$PORT" -U postgres --superuser dealer_plain
export DEALER_PORTAL_PG_URL="postgresql://postgres@127.0.0.1:$PORT/$DB?sslmode=verify-full&sslrootcert=$TLS/ca.crt"
export DEALER_PORTAL_PG_PLAIN_URL="postgresql://dealer_plain@127.0.0.1:$PORT/$DB?sslmode=disable"
# The server's own client tools (pg_dump, for the erasure test), of the server's version.
export DEALER_PORTAL_PG_BIN="$PGBIN"
export DEALER_PORTAL_PG_TLS_DIR="$TLS" DEALER_PORTAL_PG_PORT="$PORT" DEALER_PORTAL_PG_DB="$DB"
log "PostgreSQL on 127.0.0.1:$PORT (TLS; plaintext for dealer_plain only), database $DB"

if [ "$#" -eq 0 ]; then
    set -- cargo test -p dealer-portal --features postgres --test postgres --test postgres_tls
fi
"$@"
