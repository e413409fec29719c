#!/bin/bash
# cabinet-kiosk deb prerm (passed to fpm as --before-remove, electron-builder.yml deb.fpm).
#
# Stops both services before dpkg deletes or replaces their files: the window
# first, then the agent, which closes the database and the serial port cleanly
# instead of running on from deleted files. On an upgrade the new postinst
# starts them again. The single unit of earlier versions is stopped too.
# No brace-style variables here either (see after-install.sh).
set -e

UNITS="cabinet-kiosk-screen.service cabinet-kiosk-agent.service cabinet-kiosk.service"

case "$1" in
    remove|upgrade|deconfigure)
        if [ -d /run/systemd/system ] && command -v systemctl >/dev/null 2>&1; then
            for unit in $UNITS; do
                systemctl stop "$unit" 2>/dev/null || true
            done
        fi
        ;;
    failed-upgrade)
        ;;
    *)
        ;;
esac

exit 0
