#!/usr/bin/env bash
# Runs a command with a real Secret Service: meant to be run under `dbus-run-session --`, it
# starts gnome-keyring's secrets component on that session bus with a login keyring unlocked by
# a throwaway password (in a throwaway HOME), then runs the command. The keychain tests use it.
set -euo pipefail
export HOME="${KEYRING_HOME:?KEYRING_HOME must name a temporary directory}"
mkdir -p "$HOME/.local/share/keyrings"
eval "$(printf 'throwaway-test-password' | gnome-keyring-daemon --unlock --components=secrets)"
export GNOME_KEYRING_CONTROL
exec "$@"
