#!/bin/sh
# Runs once, when the PostgreSQL volume is first initialised (mounted into the official image's
# /docker-entrypoint-initdb.d/ by docker-compose.yml): creates the broker's least-privilege login.
# Its table privileges come from the migrations, through membership of sso_broker_runtime.
#
# The password never passes through the shell or a SQL string built by hand: psql reads it from
# the environment (\getenv) and quotes it as a SQL literal (:'app_password' and format's %L), so
# any character is safe, including ' and \. The heredoc is quoted: the shell expands nothing in it.
# Needs psql 15 or later (\getenv).
set -eu
if [ -z "${SSO_BROKER_APP_PASSWORD:-}" ]; then
  echo "postgres-init.sh: SSO_BROKER_APP_PASSWORD is empty; set it to the broker login's password" >&2
  exit 1
fi
psql -v ON_ERROR_STOP=1 --no-psqlrc --username "$POSTGRES_USER" --dbname "$POSTGRES_DB" <<'SQL'
\getenv app_password SSO_BROKER_APP_PASSWORD
SELECT 'CREATE ROLE sso_broker_runtime NOLOGIN'
 WHERE NOT EXISTS (SELECT 1 FROM pg_roles WHERE rolname = 'sso_broker_runtime') \gexec
SELECT format('CREATE ROLE sso_broker_app LOGIN PASSWORD %L IN ROLE sso_broker_runtime', :'app_password')
 WHERE NOT EXISTS (SELECT 1 FROM pg_roles WHERE rolname = 'sso_broker_app') \gexec
SQL
