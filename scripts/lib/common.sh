# Shared helpers for the project's scripts. Source it: `. "$(dirname "$0")/lib/common.sh"`.
# Every installer here is idempotent: it checks first, installs only what is missing,
# and runs `apt-get update` at most once per machine boot.
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
TOOLS="$ROOT/.tools"          # venv, node_modules, AOT framework copies: never committed
mkdir -p "$TOOLS"

log() { printf '\033[1m==> %s\033[0m\n' "$*" >&2; }

as_root() { if [ "$(id -u)" = 0 ]; then "$@"; else sudo "$@"; fi; }

# need_apt PKG...: install the Debian packages that are not installed yet.
need_apt() {
    local missing=()
    for p in "$@"; do
        dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
    done
    [ ${#missing[@]} -eq 0 ] && return 0
    local stamp=/tmp/.devian-apt-updated
    if [ ! -f "$stamp" ]; then
        log "apt-get update"
        as_root env DEBIAN_FRONTEND=noninteractive apt-get -o DPkg::Lock::Timeout=900 update -qq >&2
        touch "$stamp"
    fi
    log "apt-get install ${missing[*]}"
    as_root env DEBIAN_FRONTEND=noninteractive apt-get -o DPkg::Lock::Timeout=900 install -y -qq --no-install-recommends "${missing[@]}" >&2
}

# need_venv: a Python venv in .tools/venv with the interop peers. Prints nothing; sets PY.
need_venv() {
    PY="$TOOLS/venv/bin/python"
    if ! "$PY" -c 'import websockets, cryptography' 2>/dev/null; then
        log "python venv with websockets"
        python3 -m venv "$TOOLS/venv" >&2
        "$TOOLS/venv/bin/pip" install -q --disable-pip-version-check 'websockets>=13,<16' 'cryptography>=42' >&2
    fi
    export PY
}

# need_node: node_modules in .tools/node with ws and playwright-core. Sets NODE_PATH.
need_node() {
    command -v node >/dev/null || need_apt nodejs npm
    if [ ! -d "$TOOLS/node/node_modules/ws" ] || [ ! -d "$TOOLS/node/node_modules/playwright-core" ]; then
        log "npm install ws playwright-core"
        mkdir -p "$TOOLS/node"
        [ -f "$TOOLS/node/package.json" ] || echo '{"name":"devian-test-peers","private":true}' > "$TOOLS/node/package.json"
        (cd "$TOOLS/node" && npm install --silent --no-audit --no-fund ws@8 playwright-core@1 >&2)
    fi
    export NODE_PATH="$TOOLS/node/node_modules"
}

# need_mono: Mono 6.8 with mcs.
need_mono() {
    command -v mcs >/dev/null && command -v mono >/dev/null || need_apt mono-devel
}

# cargo_release_build: the workspace's native library and example tools, release mode.
native_build() {
    log "cargo build --release (native library and tools)"
    (cd "$ROOT" && cargo build --release -q -p devian-ws-ffi -p devian-websocket --examples --lib >&2)
}

# need_wasm_bindgen [VERSION]: the wasm-bindgen CLI of exactly VERSION, by default the
# wasm-bindgen crate's version in webgl/Cargo.lock (they must match). A cold install compiles
# for about 4.5 minutes; a lock lets callers start it early in the background and call it
# again later without a second install. No --locked: the CLI's lockfile pins a yanked webpki-roots.
need_wasm_bindgen() {
    local want="${1:-$(awk '/^name = "wasm-bindgen"$/ { getline; gsub(/[^0-9.]/, ""); print; exit }' "$ROOT/webgl/Cargo.lock")}"
    [ -n "$want" ] || { echo "no wasm-bindgen version in webgl/Cargo.lock" >&2; return 1; }
    if [ "$(wasm-bindgen --version 2>/dev/null)" = "wasm-bindgen $want" ]; then return 0; fi
    (
        flock 9
        if [ "$(wasm-bindgen --version 2>/dev/null)" = "wasm-bindgen $want" ]; then exit 0; fi
        log "cargo install wasm-bindgen-cli $want"
        cargo install -q --force wasm-bindgen-cli --version "$want" >&2
    ) 9>"$TOOLS/.wasm-bindgen-cli.lock"
}

# webgl_cargo CARGO-ARGS...: Debian's cargo/rustc (rustc-web) on webgl/ for wasm32-unknown-unknown,
# std built from source (rustup cannot download that target here). Output: target/webgl.
webgl_cargo() {
    need_apt rustc-web cargo-web rust-web-src rust-web-llvm lld-22
    (cd "$ROOT/webgl" && env CARGO_TARGET_DIR="$ROOT/target/webgl" RUSTC=/usr/bin/rustc RUSTC_BOOTSTRAP=1 \
        /usr/bin/cargo "$@" --target wasm32-unknown-unknown -Zbuild-std=std,panic_abort)
}

# csharp_sources [tests]: the C# files Devian.Network.csproj (or the test project) compiles,
# one per line: the one file list every mcs build here uses.
csharp_sources() {
    local project="$ROOT/csharp-bindings/Devian.Network.csproj"
    [ "${1:-}" = tests ] && project="$ROOT/csharp-bindings/Devian.Network.Tests.csproj"
    python3 "$ROOT/scripts/lib/csharp_sources.py" "$project"
}

# need_cargo_fuzz: cargo-fuzz for rustup's nightly toolchain (fuzzing needs nightly's sanitizers).
need_cargo_fuzz() {
    rustup run nightly rustc --version >/dev/null 2>&1 || { log "rustup toolchain install nightly"; rustup toolchain install nightly --profile minimal >&2; }
    command -v cargo-fuzz >/dev/null || { log "cargo install cargo-fuzz"; cargo install -q cargo-fuzz >&2; }
}
