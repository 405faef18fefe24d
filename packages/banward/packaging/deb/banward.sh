#!/bin/sh
# /usr/bin/banward: the package's bin run by Debian's node (the one better-sqlite3 was built for).
exec /usr/bin/node /usr/lib/banward/bin/banward.js "$@"
