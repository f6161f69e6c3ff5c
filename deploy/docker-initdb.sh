#!/bin/sh
# Runs once, when the postgres container initialises an empty volume
# (/docker-entrypoint-initdb.d). Creates the application's role and database:
# role parley (LOGIN CREATEDB, not a superuser) owning database parley.
set -eu
psql -v ON_ERROR_STOP=1 --username "$POSTGRES_USER" --dbname postgres \
     -v pw="$PARLEY_DB_PASSWORD" <<'SQL'
CREATE ROLE parley LOGIN CREATEDB PASSWORD :'pw';
CREATE DATABASE parley OWNER parley;
SQL
