#!/bin/bash
# cabinet-kiosk-electron postrm (electron-builder deb.afterRemove): removes
# the AppArmor profile that the postinst installed, as electron-builder's
# default postrm does, on remove and purge; then a running screen falls back
# to Chromium (the cabinet-kiosk package's launcher). Nothing of the agent's
# is touched: its package owns it. No brace-style variables (see after-install.sh).
set -e

EXE=cabinet-kiosk
SCREEN_UNIT=cabinet-kiosk-screen.service

case "$1" in
    remove|purge|abort-install|disappear)
        APPARMOR_DST=/etc/apparmor.d/$EXE
        if [ -f "$APPARMOR_DST" ]; then
            if apparmor_status --enabled >/dev/null 2>&1; then
                if ! { [ -x /usr/bin/ischroot ] && /usr/bin/ischroot; } && hash apparmor_parser 2>/dev/null; then
                    apparmor_parser --remove "$APPARMOR_DST" || true
                fi
            fi
            rm -f "$APPARMOR_DST"
        fi
        if [ -d /run/systemd/system ]; then
            deb-systemd-invoke try-restart "$SCREEN_UNIT" >/dev/null || true
        fi
        ;;
    upgrade|failed-upgrade|abort-upgrade)
        ;;
    *)
        ;;
esac

exit 0
