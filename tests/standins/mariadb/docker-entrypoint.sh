#!/bin/bash
# Stand-in for the official mariadb image's docker-entrypoint.sh (see the Dockerfile beside).
# On an empty data directory: create the system tables, set the root password and create
# MARIADB_DATABASE and MARIADB_USER / MARIADB_PASSWORD. Then run the server in the foreground,
# as the mysql user, listening on every interface of the container.
set -euo pipefail

datadir=/var/lib/mysql

# A value as a quoted SQL string literal.
sql_string() {
    local value=${1//\\/\\\\}
    printf "'%s'" "${value//\'/\'\'}"
}

initialise() {
    : "${MARIADB_ROOT_PASSWORD:?the stand-in needs MARIADB_ROOT_PASSWORD}"
    echo "entrypoint: initialising a new database in $datadir"
    mariadb-install-db --user=mysql --datadir="$datadir" --skip-test-db >/dev/null
    # A temporary server without networking: nothing can connect before the set-up is done.
    mariadbd --user=mysql --datadir="$datadir" --skip-networking \
        --socket=/run/mysqld/init.sock &
    local pid=$!
    for _ in $(seq 60); do
        mariadb-admin --socket=/run/mysqld/init.sock --silent ping 2>/dev/null && break
        sleep 0.5
    done
    {
        # root keeps socket authentication (used by healthcheck.sh) and gets the password.
        echo "ALTER USER root@localhost IDENTIFIED VIA unix_socket" \
             "OR mysql_native_password USING PASSWORD($(sql_string "$MARIADB_ROOT_PASSWORD"));"
        if [ -n "${MARIADB_DATABASE:-}" ]; then
            echo "CREATE DATABASE IF NOT EXISTS \`$MARIADB_DATABASE\`;"
        fi
        if [ -n "${MARIADB_USER:-}" ]; then
            echo "CREATE USER $(sql_string "$MARIADB_USER")@'%'" \
                 "IDENTIFIED BY $(sql_string "${MARIADB_PASSWORD:?MARIADB_USER needs MARIADB_PASSWORD}");"
            if [ -n "${MARIADB_DATABASE:-}" ]; then
                echo "GRANT ALL ON \`$MARIADB_DATABASE\`.* TO $(sql_string "$MARIADB_USER")@'%';"
            fi
        fi
    } | mariadb --socket=/run/mysqld/init.sock --user=root
    mariadb-admin --socket=/run/mysqld/init.sock --user=root shutdown
    wait "$pid"
}

if [ "${1:-}" = mariadbd ]; then
    chown -R mysql:mysql "$datadir" /run/mysqld
    if [ ! -d "$datadir/mysql" ]; then
        initialise
    fi
    shift
    exec mariadbd --user=mysql --datadir="$datadir" --bind-address=0.0.0.0 \
        --skip-name-resolve "$@"
fi
exec "$@"
