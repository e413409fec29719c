#!/bin/bash
# cabinet-kiosk deb prerm (passed to fpm as --before-remove, electron-builder.yml deb.fpm).
#
# Stops the service before dpkg deletes or replaces its files, so the agent
# closes the database and the serial port cleanly instead of running on from
# deleted files. On an upgrade the new postinst starts it again.
# No brace-style variables here either (see after-install.sh).
set -e

UNIT=cabinet-kiosk.service

case "$1" in
    remove|upgrade|deconfigure)
        if [ -d /run/systemd/system ] && command -v systemctl >/dev/null 2>&1; then
            systemctl stop "$UNIT" 2>/dev/null || true
        fi
        ;;
    failed-upgrade)
        ;;
    *)
        ;;
esac

exit 0
