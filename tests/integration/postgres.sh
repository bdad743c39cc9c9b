#!/usr/bin/env bash
# postgres.sh SERVER: the postgres_stdio example against a real PostgreSQL (Debian's
# package) started here in a temporary directory on a free loopback port, and stopped at
# the end. Start-up refusals, credentials from files, a wrong password, then the
# TypeScript SDK client over stdio (postgres_client.mjs).
set -u
server=$(realpath "$1")
here=$(cd "$(dirname "$0")" && pwd)
source "$here/ports.sh"
node="${WARDEN_NPM_DIR:?}/node_modules/.bin/node"
bin=$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -1)
[ -x "$bin/initdb" ] || { echo "postgres.sh: PostgreSQL is not installed (Debian: postgresql)"; exit 1; }
dir=$(mktemp -d)
chmod 755 "$dir"
as_pg=()
if [ "$(id -u)" -eq 0 ]; then as_pg=(runuser -u postgres --); chown postgres "$dir"; fi
pg() { "${as_pg[@]}" "$@"; }
stop() { pg "$bin/pg_ctl" -D "$dir/data" -m immediate stop >/dev/null 2>&1; rm -rf "$dir"; }
trap stop EXIT
passed=0 failed=0
ok() { echo "ok - $1"; passed=$((passed+1)); }
bad() { echo "not ok - $1"; failed=$((failed+1)); }

admin_pw=$(openssl rand -hex 16)
writer_pw=$(openssl rand -hex 16)
printf '%s\n' "$admin_pw" > "$dir/pw" && chmod 644 "$dir/pw"
pg "$bin/initdb" -D "$dir/data" -U admin --pwfile="$dir/pw" -A scram-sha-256 >/dev/null || { echo "initdb failed"; exit 1; }
rm -f "$dir/pw"
port=
for _ in 1 2 3 4 5; do
  p=$(pick_port) || break
  if pg "$bin/pg_ctl" -D "$dir/data" -l "$dir/pg.log" -w -t 30 \
       -o "-p $p -c listen_addresses=127.0.0.1 -k $dir" start >/dev/null; then port=$p; break; fi
done
[ -n "$port" ] || { echo "postgres.sh: PostgreSQL did not start:"; tail -20 "$dir/pg.log"; exit 1; }
export PGPASSWORD=$admin_pw
psql() { "$bin/psql" -X -q -v ON_ERROR_STOP=1 -h 127.0.0.1 -p "$port" -U admin "$@"; }
psql -d postgres -c "CREATE DATABASE shop" &&
psql -d shop <<SQL || { echo "postgres.sh: schema set-up failed"; exit 1; }
CREATE ROLE writer LOGIN PASSWORD '$writer_pw';
CREATE TABLE products (id int PRIMARY KEY, name text NOT NULL, price numeric(10,2), tags jsonb, active bool);
CREATE SEQUENCE products_seq;
INSERT INTO products VALUES (1, 'pen', 1.50, '["office"]', true), (2, 'lamp', 19.90, '["home"]', true),
                            (3, 'o''clock', 120.00, NULL, false);
ALTER TABLE products OWNER TO writer;
ALTER SEQUENCE products_seq OWNER TO writer;
SQL
unset PGPASSWORD
url="postgresql://127.0.0.1:$port/shop"

out=$(env -u DATABASE_URL -u DB_USER -u DB_PASSWORD "$server" 2>&1 </dev/null); rc=$?
if [ $rc -eq 78 ] && grep -q DATABASE_URL <<<"$out" && grep -q DB_USER <<<"$out" && grep -q DB_PASSWORD <<<"$out"; then
  ok "without credentials it refuses to start and names all three"
else bad "missing credentials: $rc $out"; fi

printf '%s\n' "$writer_pw" > "$dir/db_password" && chmod 644 "$dir/db_password"
out=$(DATABASE_URL=$url DB_USER=writer DB_PASSWORD_FILE="$dir/db_password" "$server" 2>&1 </dev/null); rc=$?
if [ $rc -eq 78 ] && grep -q "chmod 600" <<<"$out"; then ok "a password file others can read is refused, with the fix"
else bad "group-readable password file: $rc $out"; fi
chmod 600 "$dir/db_password"

# A wrong password: it starts (the database may come later), warns, and each call says why.
if DATABASE_URL=$url DB_USER=writer DB_PASSWORD=wrong-password-0000 "$node" -e '
    const path = require("node:path"), url = require("node:url");
    const sdk = (p) => import(url.pathToFileURL(path.join(process.env.WARDEN_NPM_DIR, "node_modules/@modelcontextprotocol/sdk/dist/esm", p)).href);
    (async () => {
      const { Client } = await sdk("client/index.js"); const { StdioClientTransport } = await sdk("client/stdio.js");
      const t = new StdioClientTransport({ command: process.argv[1], args: [], stderr: "pipe",
        env: { PATH: process.env.PATH, DATABASE_URL: process.env.DATABASE_URL, DB_USER: "writer", DB_PASSWORD: "wrong-password-0000" } });
      let err = ""; t.stderr.on("data", (d) => { err += d; });
      const c = new Client({ name: "t", version: "1" }); await c.connect(t);
      const r = await c.callTool({ name: "query", arguments: { sql: "SELECT 1" } });
      await c.close();
      const ok = r.isError && /password authentication failed/.test(r.content[0].text) &&
                 /password authentication failed/.test(err) && !err.includes("wrong-password-0000") &&
                 !r.content[0].text.includes("wrong-password-0000");
      process.exit(ok ? 0 : 1);
    })().catch((e) => { console.error(e); process.exit(1); });' "$server"; then
  ok "a wrong password: a warning at start-up and a clear tool error, the password in neither"
else bad "wrong password"; fi

restart="${as_pg[*]} $bin/pg_ctl -D $dir/data -l $dir/pg.log -w -t 30 -o '-p $port -c listen_addresses=127.0.0.1 -k $dir' restart"
if DATABASE_URL=$url DB_USER=writer DB_PASSWORD_FILE="$dir/db_password" DB_SECRET_CHECK="$writer_pw" PG_RESTART="$restart" \
     "$node" "$here/postgres_client.mjs" "$server"; then
  ok "the TypeScript SDK client over stdio: read-only SQL, refusals, a database restart"
else bad "the TypeScript SDK client over stdio"; fi
echo "$passed passed, $failed failed"
[ "$failed" -eq 0 ]
