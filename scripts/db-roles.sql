-- The two database roles (docs/operations.md, "Database roles"). Idempotent: safe to run again.
--   psql -v owner=portal_owner -v app=portal_app -d DATABASE -f scripts/db-roles.sql
-- Run it as a role that may create roles, in the portal's database (scripts/pg also runs it in
-- template1, so that test databases made from it start with the same default privileges).
\set ON_ERROR_STOP on
SELECT format('CREATE ROLE %I LOGIN', :'owner') WHERE NOT EXISTS (SELECT FROM pg_roles WHERE rolname = :'owner') \gexec
SELECT format('CREATE ROLE %I LOGIN', :'app') WHERE NOT EXISTS (SELECT FROM pg_roles WHERE rolname = :'app') \gexec
-- Neither may bypass what the triggers and grants enforce: no superuser (session_replication_role,
-- ALTER ... DISABLE TRIGGER on any table), no row-security bypass, no new roles.
ALTER ROLE :"owner" NOSUPERUSER NOCREATEROLE NOREPLICATION NOBYPASSRLS;
ALTER ROLE :"app" NOSUPERUSER NOCREATEDB NOCREATEROLE NOREPLICATION NOBYPASSRLS;
-- The app role owns nothing and may not create schemas or objects in public (PostgreSQL 15+
-- already refuses CREATE on public to PUBLIC; older servers granted it).
REVOKE CREATE ON SCHEMA public FROM PUBLIC;
SELECT format('REVOKE CREATE ON DATABASE %I FROM PUBLIC', current_database()) \gexec
-- Everything the owner creates later (migrations, each new school's schema) is open to the app
-- role for ordinary reads and writes; the append-only tables take UPDATE/DELETE back in their
-- migrations, and a new school's schema copies the template's grants (tenants/cloning.py).
ALTER DEFAULT PRIVILEGES FOR ROLE :"owner" GRANT SELECT, INSERT, UPDATE, DELETE ON TABLES TO :"app";
ALTER DEFAULT PRIVILEGES FOR ROLE :"owner" GRANT USAGE, SELECT ON SEQUENCES TO :"app";
ALTER DEFAULT PRIVILEGES FOR ROLE :"owner" GRANT USAGE ON SCHEMAS TO :"app";
