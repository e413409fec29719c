#!/bin/bash
# cabinet-kiosk deb postrm (electron-builder deb.afterRemove; fpm uses it as is).
#
# dpkg calls it with "remove", "purge", "upgrade", "disappear",
# "failed-upgrade", "abort-install" or "abort-upgrade". It replaces
# electron-builder's default postrm and repeats its steps (the /usr/bin link,
# the AppArmor profile) on remove and purge only: on "upgrade" the new
# package's postinst has already set everything up again.
#
# Kept on purpose, even on purge:
#   - /var/lib/cabinet-kiosk: the parcel database, the outbox not yet sent to
#     the cloud, the audit log and the generated cabinet secret. Purging a
#     package never deletes parcels without asking; remove it by hand once the
#     data is no longer needed: sudo rm -rf /var/lib/cabinet-kiosk
#   - the users cabinet-kiosk (it owns those files; deleting it would leave
#     them to whatever account gets its uid next) and cabinet-screen (the
#     kiosk session's user, perhaps logged in right now). Debian keeps system users.
# No brace-style variables here either (see after-install.sh).
set -e

APP_DIR=/opt/cabinet-kiosk
EXE=cabinet-kiosk
STATE_DIR=/var/lib/cabinet-kiosk
CONF_DIR=/etc/cabinet-kiosk
UNITS="cabinet-kiosk-screen.service cabinet-kiosk-agent.service cabinet-kiosk.service"
UNIT_DIR=/lib/systemd/system
UDEV_RULE=/etc/udev/rules.d/99-cabinet-kiosk.rules

systemd_running() { [ -d /run/systemd/system ] && command -v systemctl >/dev/null 2>&1; }

remove_app() {
    for unit in $UNITS; do
        if systemd_running; then
            # Normally stopped by the prerm already.
            systemctl stop "$unit" 2>/dev/null || true
        fi
        if command -v systemctl >/dev/null 2>&1; then
            systemctl disable "$unit" 2>/dev/null || true
        fi
        # Installed by the postinst, not by dpkg: remove them here.
        rm -f "$UNIT_DIR/$unit"
    done
    if systemd_running; then
        systemctl daemon-reload || true
        for unit in $UNITS; do
            systemctl reset-failed "$unit" 2>/dev/null || true
        done
    fi

    # electron-builder's default postrm: the /usr/bin link ...
    if type update-alternatives >/dev/null 2>&1; then
        update-alternatives --remove "$EXE" "$APP_DIR/$EXE" || true
    else
        rm -f "/usr/bin/$EXE"
    fi
    # ... and the AppArmor profile, unloaded before it is deleted.
    APPARMOR_DST=/etc/apparmor.d/$EXE
    if [ -f "$APPARMOR_DST" ]; then
        if apparmor_status --enabled >/dev/null 2>&1; then
            if ! { [ -x /usr/bin/ischroot ] && /usr/bin/ischroot; } && hash apparmor_parser 2>/dev/null; then
                apparmor_parser --remove "$APPARMOR_DST" || true
            fi
        fi
        rm -f "$APPARMOR_DST"
    fi
}

case "$1" in
    remove|abort-install|disappear)
        remove_app
        ;;
    purge)
        remove_app
        # Configuration (staff PINs, maybe cabinet.secret) and the udev rule go.
        # A copy of the configuration stays beside the database it belongs to.
        if [ -f "$CONF_DIR/config.yaml" ] && [ -d "$STATE_DIR" ]; then
            cp -p "$CONF_DIR/config.yaml" "$STATE_DIR/config.yaml.purged" || true
        fi
        rm -rf "$CONF_DIR"
        rm -f "$UDEV_RULE"
        if command -v udevadm >/dev/null 2>&1 && [ -d /run/udev ]; then
            udevadm control --reload-rules || true
        fi
        echo "cabinet-kiosk: kept $STATE_DIR (parcel database) and the users cabinet-kiosk and cabinet-screen; delete them by hand when no longer needed"
        ;;
    upgrade|failed-upgrade|abort-upgrade)
        ;;
    *)
        ;;
esac

exit 0
