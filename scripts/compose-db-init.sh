#!/bin/sh
# First start of compose.yaml's PostgreSQL: the two roles (scripts/db-roles.sql) with their
# passwords, and the portal's database handed to the owner role.
set -eu
run() { psql -v ON_ERROR_STOP=1 -qX -U "$POSTGRES_USER" -d "$POSTGRES_DB" -v owner=portal_owner -v app=portal_app "$@"; }
run -f /portal/db-roles.sql
run -v owner_password="$PORTAL_OWNER_PASSWORD" -v app_password="$PORTAL_APP_PASSWORD" <<'SQL'
ALTER ROLE :"owner" PASSWORD :'owner_password';
ALTER ROLE :"app" PASSWORD :'app_password';
ALTER DATABASE portal OWNER TO portal_owner;
ALTER SCHEMA public OWNER TO portal_owner;
SQL
