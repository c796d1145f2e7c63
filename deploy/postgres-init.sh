#!/bin/sh
# Runs once, when the PostgreSQL volume is created: the broker's least-privilege login.
# Its table privileges come from the migrations, through membership of sso_broker_runtime.
set -eu
psql -v ON_ERROR_STOP=1 --username "$POSTGRES_USER" --dbname "$POSTGRES_DB" <<SQL
DO \$\$ BEGIN
  IF NOT EXISTS (SELECT 1 FROM pg_roles WHERE rolname = 'sso_broker_runtime') THEN CREATE ROLE sso_broker_runtime NOLOGIN; END IF;
  IF NOT EXISTS (SELECT 1 FROM pg_roles WHERE rolname = 'sso_broker_app') THEN
    CREATE ROLE sso_broker_app LOGIN PASSWORD '${SSO_BROKER_APP_PASSWORD}' IN ROLE sso_broker_runtime;
  END IF;
END \$\$;
SQL
