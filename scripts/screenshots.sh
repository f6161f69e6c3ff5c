#!/usr/bin/env bash
# `make screenshots`: the main pages of a seeded demo, rendered by headless
# Chromium at phone (390 px) and laptop (1280 px) widths, into screenshots/
# (gitignored): landing, log-in, sign-up, inbox, a conversation,
# notifications, account; and the inbox and conversation in dark mode.
#
# By default it starts its own throwaway stack (scripts/stack.sh up in a temp
# directory, free ports; `parley seed` runs on its first start) and stops it
# afterwards. Set PARLEY_SCREENSHOT_URL=https://127.0.0.1:8443 to use a stack
# that is already running and seeded instead. PARLEY_BIN picks the parley
# executable, as for stack.sh (else a release build).
#
# The signed-in pages need the session cookie, and headless Chromium's
# --screenshot takes no cookie: the script logs in as alice with curl (a real
# form post, CSRF token included), then drives Chromium through the DevTools
# protocol over --remote-debugging-pipe (no network port, no websocket, only
# Python's standard library) to set that cookie and capture each page.
#
# Environment: PARLEY_SCREENSHOT_USER (alice), PARLEY_SCREENSHOT_PASSWORD
# (parley-demo), PARLEY_SCREENSHOT_DIR (screenshots).
set -euo pipefail

# shellcheck source=scripts/lib.sh
. "$(dirname -- "${BASH_SOURCE[0]}")/lib.sh"
cd "$PARLEY_ROOT"

ensure_packages chromium python3 curl

OUT=${PARLEY_SCREENSHOT_DIR:-$PARLEY_ROOT/screenshots}
USER_NAME=${PARLEY_SCREENSHOT_USER:-alice}
PASSWORD=${PARLEY_SCREENSHOT_PASSWORD:-parley-demo}
WORK=$(mktemp -d /tmp/parley-shots.XXXXXX)
chmod 0755 "$WORK"
STACK_DATA=

cleanup() {
    local rc=$?
    if [[ -n $STACK_DATA ]]; then
        log "stopping the screenshot stack"
        PARLEY_DATA_DIR=$STACK_DATA "$PARLEY_ROOT/scripts/stack.sh" down >/dev/null 2>&1 || true
        rm -rf -- "$STACK_DATA"
    fi
    rm -rf -- "$WORK"
    exit "$rc"
}
trap cleanup EXIT

if [[ -n ${PARLEY_SCREENSHOT_URL:-} ]]; then
    BASE=${PARLEY_SCREENSHOT_URL%/}
else
    STACK_DATA=$(mktemp -d /tmp/parley-shots-stack.XXXXXX)
    chmod 0755 "$STACK_DATA"
    mapfile -t ports < <(free_ports 3)
    log "starting a demo stack in $STACK_DATA"
    PARLEY_DATA_DIR=$STACK_DATA PARLEY_PG_PORT=${ports[0]} PARLEY_HTTP_PORT=${ports[1]} \
        PARLEY_HTTPS_PORT=${ports[2]} "$PARLEY_ROOT/scripts/stack.sh" up
    BASE=https://127.0.0.1:${ports[2]}
fi

# ---------------------------------------------------------------- log in with curl
JAR=$WORK/cookies.txt
log "logging in as $USER_NAME"
login_page=$(curl -fsSk -c "$JAR" -b "$JAR" "$BASE/login")
token=$(grep -o 'name="csrf_token" value="[^"]*"' <<<"$login_page" | head -n1 | sed 's/.*value="//; s/"$//')
[[ -n $token ]] || die "no CSRF token on $BASE/login"
status=$(curl -sSk -o /dev/null -w '%{http_code}' -c "$JAR" -b "$JAR" \
    --data-urlencode "csrf_token=$token" --data-urlencode "username=$USER_NAME" \
    --data-urlencode "password=$PASSWORD" "$BASE/login")
[[ $status == 303 ]] || die "log-in as $USER_NAME answered $status (seeded? password?)"
SESSION=$(awk '$6 == "__Host-parley_session" { print $7 }' "$JAR")
[[ -n $SESSION ]] || die "no session cookie after logging in"

# A conversation with replies and an edit: the seed's "Weekend hike", else the first.
inbox=$(curl -fsSk -b "$JAR" "$BASE/inbox")
conversation=$(grep -o 'href="/conversations/[0-9a-f-]*">Weekend hike<' <<<"$inbox" | head -n1 | sed 's/href="//; s/">.*//' || true)
[[ -n $conversation ]] || conversation=$(grep -o 'href="/conversations/[0-9a-f-]\{36\}"' <<<"$inbox" | head -n1 | sed 's/href="//; s/"$//' || true)
[[ -n $conversation ]] || die "no conversation in $USER_NAME's inbox (was the demo seeded?)"

# ---------------------------------------------------------------- Chromium
mkdir -p "$OUT"
log "rendering pages from $BASE into ${OUT#"$PARLEY_ROOT"/}/"
python3 - "$BASE" "$SESSION" "$OUT" "$WORK/profile" "$conversation" <<'PY'
import base64, json, os, subprocess, sys, time

base, session, out, profile, conversation = sys.argv[1:6]
pages = [  # (name, path, signed in)
    ("landing", "/", False),
    ("login", "/login", False),
    ("signup", "/signup", False),
    ("inbox", "/inbox", True),
    ("conversation", conversation, True),
    ("notifications", "/notifications", True),
    ("account", "/account", True),
]
# (label, width, height, mobile, dark colour scheme, pages): dark mode for two pages only.
widths = [("phone", 390, 844, True, False, None), ("laptop", 1280, 800, False, False, None),
          ("phone-dark", 390, 844, True, True, {"inbox", "conversation"})]

# DevTools over a pipe: Chromium reads commands on fd 3, writes replies on fd 4,
# each a JSON text followed by NUL.
to_chrome_r, to_chrome_w = os.pipe()
from_chrome_r, from_chrome_w = os.pipe()
def child_fds():
    # Via fresh numbers first, so neither dup2 clobbers the other's source; pipes are
    # close-on-exec, and dup2 onto the same number would keep that flag.
    r, w = os.dup(to_chrome_r), os.dup(from_chrome_w)
    os.dup2(r, 3)
    os.dup2(w, 4)
    os.set_inheritable(3, True)
    os.set_inheritable(4, True)
chrome = subprocess.Popen(
    ["chromium", "--headless", "--remote-debugging-pipe", "--no-sandbox", "--disable-gpu",
     "--ignore-certificate-errors", "--hide-scrollbars", "--no-first-run", "--no-default-browser-check",
     "--disable-extensions", "--disable-background-networking", "--force-color-profile=srgb",
     "--lang=en-US", f"--user-data-dir={profile}", "about:blank"],
    preexec_fn=child_fds, close_fds=False, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
os.close(to_chrome_r)
os.close(from_chrome_w)
writer = os.fdopen(to_chrome_w, "wb", buffering=0)
reader = os.fdopen(from_chrome_r, "rb", buffering=0)
buffer = b""
next_id = 0
events = []

def receive():
    global buffer
    while b"\0" not in buffer:
        chunk = reader.read(65536)
        if not chunk:
            raise SystemExit("chromium closed the DevTools pipe")
        buffer += chunk
    message, buffer = buffer.split(b"\0", 1)
    return json.loads(message)

def call(method, params=None, session_id=None, timeout=30):
    global next_id
    next_id += 1
    message = {"id": next_id, "method": method, "params": params or {}}
    if session_id:
        message["sessionId"] = session_id
    writer.write(json.dumps(message).encode() + b"\0")
    deadline = time.time() + timeout
    while time.time() < deadline:
        reply = receive()
        if reply.get("id") == next_id:
            if "error" in reply:
                raise SystemExit(f"{method}: {reply['error']}")
            return reply.get("result", {})
        events.append(reply)
    raise SystemExit(f"{method}: no answer")

def wait_for(event, session_id, timeout=30):
    deadline = time.time() + timeout
    while time.time() < deadline:
        for index, message in enumerate(events):
            if message.get("method") == event and message.get("sessionId") == session_id:
                del events[:index + 1]
                return
        events.append(receive())
    raise SystemExit(f"timed out waiting for {event}")

try:
    for label, width, height, mobile, dark, only in widths:
        for name, path, signed_in in pages:
            if only is not None and name not in only:
                continue
            target = call("Target.createTarget", {"url": "about:blank"})["targetId"]
            sid = call("Target.attachToTarget", {"targetId": target, "flatten": True})["sessionId"]
            call("Page.enable", session_id=sid)
            call("Network.enable", session_id=sid)
            call("Network.clearBrowserCookies", session_id=sid)
            if signed_in:
                call("Network.setCookie", {"name": "__Host-parley_session", "value": session, "url": base + "/",
                                           "secure": True, "httpOnly": True, "sameSite": "Lax", "path": "/"}, session_id=sid)
            call("Emulation.setDeviceMetricsOverride", {"width": width, "height": height, "deviceScaleFactor": 1,
                                                        "mobile": mobile}, session_id=sid)
            call("Emulation.setEmulatedMedia", {"features": [{"name": "prefers-color-scheme",
                                                              "value": "dark" if dark else "light"}]}, session_id=sid)
            events.clear()
            call("Page.navigate", {"url": base + path}, session_id=sid)
            wait_for("Page.loadEventFired", sid)
            time.sleep(0.2)
            size = call("Page.getLayoutMetrics", session_id=sid)["cssContentSize"]
            full = max(height, int(size["height"] + 0.5))
            shot = call("Page.captureScreenshot", {"format": "png", "captureBeyondViewport": True,
                                                   "clip": {"x": 0, "y": 0, "width": width, "height": full, "scale": 1}},
                        session_id=sid)
            file = os.path.join(out, f"{name}-{label}.png")
            with open(file, "wb") as f:
                f.write(base64.b64decode(shot["data"]))
            print(f"  {file}  ({width}×{full})")
            call("Target.closeTarget", {"targetId": target})
finally:
    try:
        call("Browser.close", timeout=5)
    except BaseException:
        pass
    try:
        chrome.wait(timeout=10)
    except subprocess.TimeoutExpired:
        chrome.kill()
PY
log "done: $(find "$OUT" -name '*.png' | wc -l) PNG files in ${OUT#"$PARLEY_ROOT"/}/"
