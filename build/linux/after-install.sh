#!/bin/bash
# cabinet-kiosk-electron postinst (electron-builder deb.afterInstall): the
# Electron shell of the screen, installed in /opt/cabinet-kiosk. Everything
# else — the agent, /usr/bin/cabinet-kiosk, the users, both systemd units, the
# udev rule, the configuration — belongs to the cabinet-kiosk package, built by
# scripts/build-deb.mjs, which this one depends on. Its screen launcher
# (/usr/libexec/cabinet-kiosk/screen) runs this shell when it is installed,
# else Chromium.
#
# It replaces electron-builder's default postinst and repeats its steps except
# the /usr/bin link (that name is the agent package's command): the
# chrome-sandbox mode and the AppArmor profile.
#
# electron-builder expands ${...} macros (a dollar sign, a brace, letters)
# in this file and fails on unknown ones: write variables as $NAME only.
set -e

APP_DIR=/opt/cabinet-kiosk
RES_DIR=$APP_DIR/resources
EXE=cabinet-kiosk
SCREEN_UNIT=cabinet-kiosk-screen.service

# Chromium's sandbox: user namespaces when the kernel allows them, else the
# setuid helper.
if ! { [[ -L /proc/self/ns/user ]] && unshare --user true; }; then
    chmod 4755 "$APP_DIR/chrome-sandbox" || true
else
    chmod 0755 "$APP_DIR/chrome-sandbox" || true
fi

# AppArmor profile that allows user namespaces (Ubuntu 24.04 and later); skipped
# where AppArmor cannot parse it (Ubuntu 22.04) and not loaded in a chroot.
if apparmor_status --enabled >/dev/null 2>&1; then
    APPARMOR_SRC=$RES_DIR/apparmor-profile
    APPARMOR_DST=/etc/apparmor.d/$EXE
    if [ -f "$APPARMOR_SRC" ] && apparmor_parser --skip-kernel-load --debug "$APPARMOR_SRC" >/dev/null 2>&1; then
        cp -f "$APPARMOR_SRC" "$APPARMOR_DST"
        if ! { [ -x /usr/bin/ischroot ] && /usr/bin/ischroot; } && hash apparmor_parser 2>/dev/null; then
            apparmor_parser --replace --write-cache --skip-read-cache "$APPARMOR_DST" || echo "cabinet-kiosk-electron: warning: could not load the AppArmor profile" >&2
        fi
    else
        echo "cabinet-kiosk-electron: skipping the AppArmor profile (this AppArmor does not support it)"
    fi
fi

# A running screen (Chromium, or the previous shell) switches to this one.
if [ -d /run/systemd/system ]; then
    deb-systemd-invoke try-restart "$SCREEN_UNIT" >/dev/null || true
fi

exit 0
