#!/bin/sh
# Adds Annodesk to this user's application menu (freedesktop: a .desktop file and the hicolor icons under
# $XDG_DATA_HOME, ~/.local/share by default), pointing at the annodesk program beside this script.
# Run it from the unpacked bundle: ./install-desktop-entry.sh; ./install-desktop-entry.sh --uninstall removes it.
set -eu
here=$(cd "$(dirname "$0")" && pwd)
data=${XDG_DATA_HOME:-$HOME/.local/share}
sizes="16 24 32 48 64 128 256 512"
if [ "${1:-}" = "--uninstall" ]; then
    rm -f "$data/applications/annodesk.desktop"
    for size in $sizes; do rm -f "$data/icons/hicolor/${size}x${size}/apps/annodesk.png"; done
    echo "removed the Annodesk menu entry"
    exit 0
fi
if [ ! -x "$here/annodesk" ]; then
    echo "install-desktop-entry.sh: $here/annodesk is not there: run this script from the unpacked bundle" >&2
    exit 2
fi
mkdir -p "$data/applications"
for size in $sizes; do
    mkdir -p "$data/icons/hicolor/${size}x${size}/apps"
    cp "$here/share/icons/hicolor/${size}x${size}/apps/annodesk.png" "$data/icons/hicolor/${size}x${size}/apps/"
done
# Exec: the program's absolute path, quoted as the Desktop Entry spec asks (a path with spaces still works).
sed "s|^Exec=.*|Exec=\"$here/annodesk\"|" "$here/share/applications/annodesk.desktop" \
    > "$data/applications/annodesk.desktop"
command -v update-desktop-database >/dev/null && update-desktop-database -q "$data/applications" || true
command -v gtk-update-icon-cache >/dev/null && gtk-update-icon-cache -q -t "$data/icons/hicolor" || true
echo "added Annodesk to the application menu ($data/applications/annodesk.desktop)"
