#!/bin/bash
# cabinet-kiosk deb postinst (electron-builder deb.afterInstall; fpm uses it as is).
#
# Idempotent: dpkg runs it on every install and upgrade ("configure"), and it
# may be run again by hand. It replaces electron-builder's default postinst,
# so it repeats that one's steps first (the /usr/bin link, chrome-sandbox,
# AppArmor profile), then sets the kiosk up:
#   - system user cabinet-kiosk (home = state dir /var/lib/cabinet-kiosk), in dialout
#   - udev rule for USB-serial adapters
#   - /etc/cabinet-kiosk/config.yaml from the default, only when absent
#   - systemd unit: installed, enabled on first install, (re)started
#
# electron-builder expands ${...} macros (a dollar sign, a brace, letters)
# in this file and fails on unknown ones: write variables as $NAME only.
set -e

APP_DIR=/opt/cabinet-kiosk
RES_DIR=$APP_DIR/resources
EXE=cabinet-kiosk
SVC_USER=cabinet-kiosk
STATE_DIR=/var/lib/cabinet-kiosk
CONF_DIR=/etc/cabinet-kiosk
CONF_FILE=$CONF_DIR/config.yaml
UNIT=cabinet-kiosk.service
UNIT_DIR=/lib/systemd/system
UDEV_RULE=/etc/udev/rules.d/99-cabinet-kiosk.rules

warn() { echo "cabinet-kiosk: warning: $*" >&2; }

# --- what electron-builder's default postinst does -------------------------

if type update-alternatives >/dev/null 2>&1; then
    # Remove a previous link that does not use update-alternatives.
    if [ -L "/usr/bin/$EXE" ] && [ -e "/usr/bin/$EXE" ] && [ "$(readlink "/usr/bin/$EXE")" != "/etc/alternatives/$EXE" ]; then
        rm -f "/usr/bin/$EXE"
    fi
    update-alternatives --install "/usr/bin/$EXE" "$EXE" "$APP_DIR/$EXE" 100 || ln -sf "$APP_DIR/$EXE" "/usr/bin/$EXE"
else
    ln -sf "$APP_DIR/$EXE" "/usr/bin/$EXE"
fi

# Chromium's sandbox: user namespaces when the kernel allows them, else the
# setuid helper.
if ! { [[ -L /proc/self/ns/user ]] && unshare --user true; }; then
    chmod 4755 "$APP_DIR/chrome-sandbox" || true
else
    chmod 0755 "$APP_DIR/chrome-sandbox" || true
fi

if hash update-mime-database 2>/dev/null; then
    update-mime-database /usr/share/mime || true
fi
if hash update-desktop-database 2>/dev/null; then
    update-desktop-database /usr/share/applications || true
fi

# AppArmor profile that allows user namespaces (Ubuntu 24.04 and later); skipped
# where AppArmor cannot parse it (Ubuntu 22.04) and not loaded in a chroot.
if apparmor_status --enabled >/dev/null 2>&1; then
    APPARMOR_SRC=$RES_DIR/apparmor-profile
    APPARMOR_DST=/etc/apparmor.d/$EXE
    if [ -f "$APPARMOR_SRC" ] && apparmor_parser --skip-kernel-load --debug "$APPARMOR_SRC" >/dev/null 2>&1; then
        cp -f "$APPARMOR_SRC" "$APPARMOR_DST"
        if ! { [ -x /usr/bin/ischroot ] && /usr/bin/ischroot; } && hash apparmor_parser 2>/dev/null; then
            apparmor_parser --replace --write-cache --skip-read-cache "$APPARMOR_DST" || warn "could not load the AppArmor profile"
        fi
    else
        echo "cabinet-kiosk: skipping the AppArmor profile (this AppArmor does not support it)"
    fi
fi

# --- service user ----------------------------------------------------------

# Group dialout owns the serial ports on Debian/Ubuntu; create it elsewhere.
if ! getent group dialout >/dev/null; then
    groupadd --system dialout
fi

# A system account without a password. It is also the user the display
# manager logs in automatically (docs/INSTALL.md), hence a real shell and its
# home in the service's state directory, where the X session writes
# ~/.Xauthority for the service to read.
if ! getent passwd "$SVC_USER" >/dev/null; then
    useradd --system --user-group \
        --home-dir "$STATE_DIR" --no-create-home \
        --shell /bin/bash \
        --comment "cabinet-kiosk parcel cabinet" \
        "$SVC_USER"
fi
usermod -a -G dialout "$SVC_USER"
svc_home=$(getent passwd "$SVC_USER" | cut -d: -f6)
if [ "$svc_home" != "$STATE_DIR" ]; then
    warn "user $SVC_USER exists with home $svc_home, not $STATE_DIR: the X session's ~/.Xauthority is not where the service looks (XAUTHORITY in cabinet-kiosk.service)"
fi
# GPU and sound devices for the window, where those groups exist.
for grp in video render audio; do
    if getent group "$grp" >/dev/null; then
        usermod -a -G "$grp" "$SVC_USER"
    fi
done

# Created here as well as by systemd (StateDirectory=) so that the autologin
# session finds its home before the service first starts.
install -d -m 0750 -o "$SVC_USER" -g "$SVC_USER" "$STATE_DIR"

# --- serial access: udev rule ----------------------------------------------

install -D -m 0644 "$RES_DIR/linux/99-cabinet-kiosk.rules" "$UDEV_RULE"
if command -v udevadm >/dev/null 2>&1 && [ -d /run/udev ]; then
    udevadm control --reload-rules || warn "udevadm could not reload the rules"
    udevadm trigger --subsystem-match=tty --action=change || true
fi

# --- configuration: never overwrite the technician's file ------------------

install -d -m 0755 "$CONF_DIR"
if [ ! -e "$CONF_FILE" ]; then
    # Readable by the service only: it holds the staff PINs.
    install -m 0640 -o root -g "$SVC_USER" "$RES_DIR/config.default.yaml" "$CONF_FILE"
    echo "cabinet-kiosk: wrote $CONF_FILE (demo cabinet on the simulator); edit it for the real cabinet"
fi

# --- systemd unit ------------------------------------------------------------

# The unit file is absent on a first install and after a remove: only then is
# the service enabled, so that a technician's `systemctl disable` survives
# upgrades.
first_setup=no
if [ ! -e "$UNIT_DIR/$UNIT" ]; then
    first_setup=yes
fi
install -D -m 0644 "$RES_DIR/linux/$UNIT" "$UNIT_DIR/$UNIT"

if command -v systemctl >/dev/null 2>&1; then
    systemd_running=no
    if [ -d /run/systemd/system ]; then
        systemd_running=yes
        systemctl daemon-reload || warn "systemctl daemon-reload failed"
    fi
    if [ "$first_setup" = yes ]; then
        # Only creates the symlink: works in a chroot (image builds) as well.
        systemctl enable "$UNIT" || warn "could not enable $UNIT"
    fi
    if [ "$systemd_running" = yes ] && systemctl --quiet is-enabled "$UNIT" 2>/dev/null; then
        # No-block: the unit waits up to a minute for the X server.
        systemctl --no-block restart "$UNIT" || warn "could not start $UNIT"
    fi
else
    warn "systemd not found: start $APP_DIR/$EXE yourself (docs/INSTALL.md)"
fi

exit 0
