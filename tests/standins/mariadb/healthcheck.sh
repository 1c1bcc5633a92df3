#!/bin/bash
# Stand-in for the official mariadb image's healthcheck.sh (see the Dockerfile beside), with the
# two tests docker/compose.yaml uses; it succeeds when every test given succeeds:
#   --connect             the server accepts TCP connections, which the temporary server of the
#                         first start (socket only) does not
#   --innodb_initialized  InnoDB has finished loading its buffer pool
set -euo pipefail

for test in "$@"; do
    case "$test" in
        --connect)
            # ping exits 0 whenever the server answers, even with "access denied".
            mariadb-admin --protocol=tcp --host=127.0.0.1 --connect-timeout=2 --silent ping \
                >/dev/null 2>&1
            ;;
        --innodb_initialized)
            loaded=$(mariadb --user=root --skip-column-names --batch --execute \
                "SELECT 1 FROM information_schema.GLOBAL_STATUS
                 WHERE VARIABLE_NAME = 'INNODB_BUFFER_POOL_LOAD_STATUS'
                 AND VARIABLE_VALUE LIKE 'Buffer pool(s) load completed at%'")
            [ "$loaded" = 1 ]
            ;;
        *)
            echo "healthcheck.sh (stand-in): unsupported test $test" >&2
            exit 2
            ;;
    esac
done
