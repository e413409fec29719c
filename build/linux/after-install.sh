#!/bin/bash
# cabinet-kiosk deb postinst (electron-builder deb.afterInstall; fpm uses it as is).
#
# Idempotent: dpkg runs it on every install and upgrade ("configure"), and it
# may be run again by hand. It replaces electron-builder's default postinst,
# so it repeats that one's steps first (the /usr/bin link, chrome-sandbox,
# AppArmor profile), then sets the kiosk up as two processes, two users:
#   - system user cabinet-kiosk runs the agent (cabinet-kiosk-agent.service):
#     no login shell, in dialout, owns the 0700 data dir /var/lib/cabinet-kiosk
#   - user cabinet-screen is the kiosk session (display manager autologin) and
#     runs the window (cabinet-kiosk-screen.service): in video/render/audio,
#     never in dialout, no access to /var/lib/cabinet-kiosk; its group may read
#     the agent's endpoint file /run/cabinet-kiosk/screen-url
#   - udev rule for USB-serial adapters
#   - /etc/cabinet-kiosk/config.yaml from the default, only when absent
#   - both units: installed, enabled on first install, (re)started
#   - migration from the single unit cabinet-kiosk.service (agent and window as
#     one process, one user) of earlier versions
#
# electron-builder expands ${...} macros (a dollar sign, a brace, letters)
# in this file and fails on unknown ones: write variables as $NAME only.
set -e

APP_DIR=/opt/cabinet-kiosk
RES_DIR=$APP_DIR/resources
EXE=cabinet-kiosk
SVC_USER=cabinet-kiosk
STATE_DIR=/var/lib/cabinet-kiosk
SCREEN_USER=cabinet-screen
SCREEN_HOME=/var/lib/cabinet-screen
CONF_DIR=/etc/cabinet-kiosk
CONF_FILE=$CONF_DIR/config.yaml
AGENT_UNIT=cabinet-kiosk-agent.service
SCREEN_UNIT=cabinet-kiosk-screen.service
OLD_UNIT=cabinet-kiosk.service
UNIT_DIR=/lib/systemd/system
UDEV_RULE=/etc/udev/rules.d/99-cabinet-kiosk.rules
LIGHTDM_CONF=/etc/lightdm/lightdm.conf.d/50-cabinet-kiosk.conf

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

# --- migration from the single unit ----------------------------------------

# Earlier versions ran agent and window as one unit, as user cabinet-kiosk,
# who was also the autologin user. Stop and remove that unit; the new units
# below take over (the data folder, the configuration and the user stay).
migrated=no
if [ -e "$UNIT_DIR/$OLD_UNIT" ]; then
    migrated=yes
    if [ -d /run/systemd/system ] && command -v systemctl >/dev/null 2>&1; then
        systemctl stop "$OLD_UNIT" 2>/dev/null || true
    fi
    if command -v systemctl >/dev/null 2>&1; then
        systemctl disable "$OLD_UNIT" 2>/dev/null || true
    fi
    rm -f "$UNIT_DIR/$OLD_UNIT"
    echo "cabinet-kiosk: replaced $OLD_UNIT by $AGENT_UNIT (agent, user $SVC_USER) and $SCREEN_UNIT (window, user $SCREEN_USER)"
fi

# --- the agent's user --------------------------------------------------------

# Group dialout owns the serial ports on Debian/Ubuntu; create it elsewhere.
if ! getent group dialout >/dev/null; then
    groupadd --system dialout
fi

# A system account without a password or a login shell: nobody logs in as
# the agent. Its home is the data folder.
if ! getent passwd "$SVC_USER" >/dev/null; then
    useradd --system --user-group \
        --home-dir "$STATE_DIR" --no-create-home \
        --shell /usr/sbin/nologin \
        --comment "cabinet-kiosk agent" \
        "$SVC_USER"
fi
usermod -a -G dialout "$SVC_USER"
# An earlier version made it the autologin user: no shell, no GPU, sound or
# video groups any more (the window runs as the screen user now).
usermod --shell /usr/sbin/nologin "$SVC_USER"
for grp in video render audio; do
    if getent group "$grp" | cut -d: -f4 | tr ',' '\n' | grep -qx "$SVC_USER"; then
        gpasswd -d "$SVC_USER" "$grp" >/dev/null || warn "could not take $SVC_USER out of group $grp"
    fi
done

# The data folder: the agent's alone (the agent also keeps it 0700 at every start).
install -d -m 0700 -o "$SVC_USER" -g "$SVC_USER" "$STATE_DIR"
chmod 0700 "$STATE_DIR"
# Left from the single-unit days: the X session's cookie of the old autologin user.
rm -f "$STATE_DIR/.Xauthority"

# --- the kiosk session's user (the screen) -----------------------------------

# The user the display manager logs in; it runs the window. A real shell (the
# display manager starts its session through it), its home outside the data
# folder. Never in dialout.
if ! getent passwd "$SCREEN_USER" >/dev/null; then
    useradd --system --user-group \
        --home-dir "$SCREEN_HOME" --create-home \
        --shell /bin/bash \
        --comment "cabinet-kiosk touchscreen session" \
        "$SCREEN_USER"
fi
install -d -m 0750 -o "$SCREEN_USER" -g "$SCREEN_USER" "$SCREEN_HOME"
# GPU and sound devices for the window, where those groups exist.
for grp in video render audio; do
    if getent group "$grp" >/dev/null; then
        usermod -a -G "$grp" "$SCREEN_USER"
    fi
done
if getent group dialout | cut -d: -f4 | tr ',' '\n' | grep -qx "$SCREEN_USER"; then
    gpasswd -d "$SCREEN_USER" dialout >/dev/null || warn "could not take $SCREEN_USER out of dialout"
fi
# The agent gives its endpoint file to the screen's group: it must be in it
# (the agent unit also says SupplementaryGroups=cabinet-screen).
usermod -a -G "$SCREEN_USER" "$SVC_USER"

# The LightDM drop-in that INSTALL.md has technicians write: an earlier
# version logged the agent's user in; the window's user is the one now.
if [ -f "$LIGHTDM_CONF" ] && grep -q "^autologin-user=$SVC_USER\$" "$LIGHTDM_CONF"; then
    sed -i "s/^autologin-user=$SVC_USER\$/autologin-user=$SCREEN_USER/" "$LIGHTDM_CONF"
    echo "cabinet-kiosk: $LIGHTDM_CONF now logs in $SCREEN_USER (reboot to apply)"
fi

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

# --- systemd units -------------------------------------------------------------

# A unit file absent (first install, after a remove, or coming from the single
# unit) is enabled; otherwise a technician's `systemctl disable` survives upgrades.
enable_units=""
for unit in "$AGENT_UNIT" "$SCREEN_UNIT"; do
    if [ ! -e "$UNIT_DIR/$unit" ] || [ "$migrated" = yes ]; then
        enable_units="$enable_units $unit"
    fi
    install -D -m 0644 "$RES_DIR/linux/$unit" "$UNIT_DIR/$unit"
done

if command -v systemctl >/dev/null 2>&1; then
    systemd_running=no
    if [ -d /run/systemd/system ]; then
        systemd_running=yes
        systemctl daemon-reload || warn "systemctl daemon-reload failed"
    fi
    for unit in $enable_units; do
        # Only creates the symlink: works in a chroot (image builds) as well.
        systemctl enable "$unit" || warn "could not enable $unit"
    done
    if [ "$systemd_running" = yes ]; then
        for unit in "$AGENT_UNIT" "$SCREEN_UNIT"; do
            if systemctl --quiet is-enabled "$unit" 2>/dev/null; then
                # No-block: the screen waits up to a minute for the X server.
                systemctl --no-block restart "$unit" || warn "could not start $unit"
            fi
        done
    fi
else
    warn "systemd not found: start '$APP_DIR/$EXE agent' as $SVC_USER and '$APP_DIR/$EXE' as $SCREEN_USER yourself (INSTALL.md)"
fi

exit 0
