#!/usr/bin/env python3
"""Live updates (issue 14) through the test stack's real nginx (Nchan) and parley, in a real
headless Chromium (Debian's `chromium`, driven by PyPI's playwright; no browser download).

scripts/test.sh runs it after `swift test`, with the stack's environment:
PARLEY_TEST_HTTPS_URL, PARLEY_TEST_DATABASE_URL, PARLEY_TEST_NGINX_PREFIX,
PARLEY_TEST_NGINX_CONF, PARLEY_TEST_LOG_DIR. It stops, starts and reloads that nginx.

  1. two users on the same conversation page: one posts through the form, the other's page
     shows the message within 1 s, without a reload; an edit shows up there too (text and
     "edited" mark); the other's inbox tab moves the conversation up with the new preview,
     and the header's unread badge counts it;
  2. a non-participant's subscription gets 403 (and no credentials 401); resumes with
     Last-Event-ID on an empty channel are let in, with a `resync` first;
  3. a post whose transaction rolls back reaches no subscriber;
  4. nginx stopped for 3 s while messages are committed: every one arrives once it is back;
  5. `nginx -s reload` with 200 subscribers: all reconnect and resume, nothing is lost;
  6. two reloads of parley (SIGHUP to its master): after each, a committed message still
     arrives (one worker of each generation runs the publisher);
  and after all of it, nginx's error log shows no worker that exited on a signal.
"""
import asyncio
import json
import os
import signal
import subprocess
import sys
import time
import uuid

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "..", "bench"))
import live  # noqa: E402  (bench/live.py: the SSE client)

BASE = os.environ["PARLEY_TEST_HTTPS_URL"].rstrip("/")
DATABASE_URL = os.environ["PARLEY_TEST_DATABASE_URL"]
NGINX_PREFIX = os.environ["PARLEY_TEST_NGINX_PREFIX"].rstrip("/")
NGINX_CONF = os.environ.get("PARLEY_TEST_NGINX_CONF", NGINX_PREFIX + "/conf/nginx.conf")
ERROR_LOG = os.path.join(os.environ["PARLEY_TEST_LOG_DIR"], "nginx-error.log")
NGINX_PIDFILE = os.environ.get("PARLEY_TEST_NGINX_PIDFILE", NGINX_PREFIX + "/nginx.pid")
PARLEY_PIDFILE = os.environ["PARLEY_TEST_PARLEY_PIDFILE"]
CHROMIUM = os.environ.get("PARLEY_CHROMIUM", "/usr/bin/chromium")
PASSWORD = "correct horse battery staple 9"

failures = []


def check(condition, what):
    print(("ok   " if condition else "FAIL ") + what, flush=True)
    if not condition:
        failures.append(what)


# ---------------------------------------------------------------------------- set-up


def run(coro):
    return asyncio.run(coro)


async def register(name):
    status, _, body = await live.request(BASE, "POST", "/api/register/", body={
        "username": name, "email": f"{name}@example.com", "password": PASSWORD, "first_name": name, "last_name": ""})
    if status != 201:
        raise RuntimeError(f"register {name}: {status} {body[:200]!r}")
    user = json.loads(body)
    user["token"] = await live.token(BASE, name, PASSWORD)
    user["name"] = name
    return user


async def conversation(owner, others, title):
    status, _, body = await live.request(BASE, "POST", "/api/conversations/", headers={"Authorization": f"Bearer {owner['token']}"},
                                         body={"participant_ids": [u["user_id"] for u in others], "title": title})
    if status != 201:
        raise RuntimeError(f"conversation: {status} {body[:200]!r}")
    return json.loads(body)["conversation_id"]


def psql(sql):
    """Runs SQL as the app's role (the transaction control is the test's own)."""
    result = subprocess.run(["psql", "-X", "-q", "-v", "ON_ERROR_STOP=1", "-At", DATABASE_URL, "-c", sql],
                            capture_output=True, text=True, timeout=30)
    if result.returncode != 0:
        raise RuntimeError(f"psql: {result.stderr.strip()}")
    return result.stdout.strip()


def insert_message(conversation_id, sender_id, text):
    """A committed message written straight to the database (as the bulk import or another
    host would): the outbox trigger, not the HTTP path, is what publishes it."""
    return psql(f"INSERT INTO messages (conversation_id, sender_id, message_body) "
                f"VALUES ('{conversation_id}', '{sender_id}', '{text}') RETURNING message_id")


def nginx_pid():
    with open(NGINX_PIDFILE) as f:
        return int(f.read().strip())


def nginx_start():
    subprocess.run(["nginx", "-p", NGINX_PREFIX + "/", "-c", NGINX_CONF, "-e", ERROR_LOG], check=True, stdin=subprocess.DEVNULL)


def nginx_stop():
    pid = nginx_pid()
    os.kill(pid, signal.SIGQUIT)
    for _ in range(200):
        try:
            os.kill(pid, 0)
        except ProcessLookupError:
            return
        time.sleep(0.05)
    raise RuntimeError("nginx did not stop within 10 s")


def parley_workers():
    with open(PARLEY_PIDFILE) as f:
        master = int(f.read().strip())
    with open(f"/proc/{master}/task/{master}/children") as f:
        return master, set(int(pid) for pid in f.read().split())


async def parley_reload():
    """SIGHUP to parley's master; returns once the old worker processes have all gone."""
    master, before = parley_workers()
    os.kill(master, signal.SIGHUP)
    return await wait_until(lambda: len(parley_workers()[1]) >= 1 and not (parley_workers()[1] & before), 20)


def crashed_workers(since):
    with open(ERROR_LOG, errors="replace") as f:
        f.seek(since)
        return [line.strip() for line in f if "exited on signal" in line]


async def wait_until(predicate, timeout):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if predicate():
            return True
        await asyncio.sleep(0.05)
    return predicate()


# ---------------------------------------------------------------------------- 1. browser


def browser_test(alice, bob, conversation_id):
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=["--no-sandbox"])
        try:
            pages = {}
            for user in (alice, bob):
                context = browser.new_context(ignore_https_errors=True)
                page = context.new_page()
                page.goto(BASE + "/login")
                page.fill("#username", user["name"])
                page.fill("#password", PASSWORD)
                with page.expect_navigation():
                    page.click("form.auth button[type=submit], main form button[type=submit]")
                pages[user["name"]] = (context, page)
            a = pages[alice["name"]][1]
            b = pages[bob["name"]][1]
            b_inbox = pages[bob["name"]][0].new_page()
            b_inbox.goto(BASE + "/inbox")
            for page in (a, b):
                page.goto(f"{BASE}/conversations/{conversation_id}")
            # Both streams (user and conversation) open on both pages, one on the inbox.
            for page, streams in ((a, 2), (b, 2), (b_inbox, 1)):
                page.wait_for_selector(f'body[data-live-open="{streams}"]', timeout=10000)
            check(b.evaluate("document.querySelector('[data-live-notifications] .badge') === null"),
                  "bob's header shows no unread badge before")

            text = f"live hello {uuid.uuid4().hex[:8]}"
            a.fill("#message_body", text)
            with a.expect_navigation():
                a.click("form#compose button[type=submit]")
            posted = time.monotonic()
            body = b.locator("ol.messages .message-body", has_text=text)
            try:
                body.wait_for(timeout=1000)
                seen = time.monotonic() - posted
            except Exception:
                seen = None
            check(seen is not None, f"bob's open conversation page shows alice's message within 1 s, no reload "
                                    f"({'%.0f ms' % (seen * 1000) if seen is not None else 'not seen'})")
            check(b.evaluate("performance.getEntriesByType('navigation').length") == 1 and
                  b.url.endswith(conversation_id), "bob's page was not reloaded")
            try:
                b_inbox.locator(".conversation-list > li:first-child .conversation-preview", has_text=text).wait_for(timeout=2000)
                inbox_ok = True
            except Exception:
                inbox_ok = False
            check(inbox_ok, "bob's inbox tab shows the conversation first, with the new message as its preview")
            try:
                b.locator("[data-live-notifications] .badge").wait_for(timeout=2000)
                badge = b.locator("[data-live-notifications] .badge").inner_text()
            except Exception:
                badge = ""
            check(badge.strip().startswith("1"), f"bob's header unread badge counts the new message ({badge!r})")

            message_id = a.evaluate(
                f"Array.from(document.querySelectorAll('ol.messages > li.message')).filter(li => li.textContent.includes({json.dumps(text)})).map(li => li.id.slice(2))[0]")
            check(bool(message_id), "alice's own page shows her message after the redirect")
            edited = text + " (edited)"
            a.goto(f"{BASE}/messages/{message_id}/edit")
            a.fill("textarea[name=message_body]", edited)
            with a.expect_navigation():
                a.click("main form button[type=submit]")
            edited_at = time.monotonic()
            try:
                b.locator(f"#m-{message_id} .message-body", has_text="(edited)").wait_for(timeout=1000)
                b.locator(f"#m-{message_id} .message-edited").wait_for(timeout=500)
                edit_seen = time.monotonic() - edited_at
            except Exception:
                edit_seen = None
            check(edit_seen is not None, f"the edit shows on bob's page, text and 'edited' mark "
                                         f"({'%.0f ms' % (edit_seen * 1000) if edit_seen is not None else 'not seen'})")
            check(b.locator(f"#m-{message_id}").count() == 1, "the message is on bob's page once")

            # Reply in place: the Reply link of the message live.js inserted moves the page's one
            # form under that message (reply.js); Cancel puts it back; the reply lands under it.
            b.click(f"#m-{message_id} .reply-link")
            check(b.evaluate(f"document.querySelector('#m-{message_id} > form#compose') !== null"),
                  "Reply moves the page's form under the message")
            check(b.locator("form#compose input[name=parent_message]").input_value() == message_id,
                  "the form answers that message")
            check(b.evaluate("document.activeElement && document.activeElement.id") == "message_body",
                  "the reply box has the focus")
            b.click("form#compose .cancel-reply")
            check(b.evaluate("document.querySelector('ol.messages form#compose') === null && "
                             "document.querySelector('form#compose input[name=parent_message]') === null"),
                  "Cancel reply puts the form back as a new message")
            b.click(f"#m-{message_id} .reply-link")
            reply_text = f"in-place reply {uuid.uuid4().hex[:8]}"
            b.fill("#message_body", reply_text)
            with b.expect_navigation():
                b.click("form#compose button[type=submit]")
            check(b.locator(f"#m-{message_id} .replies .message-body", has_text=reply_text).count() == 1,
                  "bob's reply sits under alice's message")
            b.goto(f"{BASE}/conversations/{conversation_id}?reply={message_id}#compose")
            check(b.evaluate(f"document.querySelector('#m-{message_id} > form#compose input[name=parent_message]') !== null"),
                  "a ?reply= link opened directly puts the form under its message too")
        finally:
            browser.close()


# ---------------------------------------------------------------------------- 2–5. streams


async def stream_tests(alice, bob, carol, conversation_id):
    auth = {"Authorization": f"Bearer {alice['token']}"}
    path = f"/api/conversations/{conversation_id}/events/"

    # 2. Only participants.
    outsider = live.Subscriber(BASE, path, {"Authorization": f"Bearer {carol['token']}"}, reconnect=False).start()
    anonymous = live.Subscriber(BASE, path, {}, reconnect=False).start()
    own = live.Subscriber(BASE, f"/api/users/{alice['user_id']}/events/", auth, reconnect=False).start()
    others = live.Subscriber(BASE, f"/api/users/{bob['user_id']}/events/", auth, reconnect=False).start()
    await wait_until(lambda: outsider.statuses and anonymous.statuses and own.statuses and others.statuses, 10)
    check(outsider.statuses[:1] == [403], f"a non-participant's subscription gets 403 ({outsider.statuses})")
    check(anonymous.statuses[:1] == [401], f"a subscription without credentials gets 401 ({anonymous.statuses})")
    check(own.statuses[:1] == [200], f"a user's own channel: 200 ({own.statuses})")
    check(others.statuses[:1] == [403], f"someone else's user channel: 403 ({others.statuses})")
    for s in (outsider, anonymous, own, others):
        await s.stop()

    # 3. A rolled-back post reaches nobody; the committed one after it does.
    watcher = live.Subscriber(BASE, path, auth).start()
    await asyncio.wait_for(watcher.connected.wait(), 10)
    psql(f"BEGIN; INSERT INTO messages (conversation_id, sender_id, message_body) "
         f"VALUES ('{conversation_id}', '{bob['user_id']}', 'rolled back'); ROLLBACK;")
    marker = insert_message(conversation_id, bob["user_id"], "after the rollback")
    await wait_until(lambda: marker in watcher.message_ids(), 5)
    bodies = [p.get("message", {}).get("message_body") for _, p, _ in watcher.events if p.get("message")]
    check(marker in watcher.message_ids(), "the committed message after the rollback arrives")
    check("rolled back" not in bodies, "the rolled-back message reaches no subscriber")

    # Resuming with an event id on a channel that holds nothing (a fresh conversation here;
    # every channel after a reload) aborts an Nchan 1.3.6 worker from the 2nd subscriber
    # on, unless parley's check puts a `resync` there first.
    empty = await conversation(alice, [bob], "Live empty channel")
    resumers = []
    for _ in range(20):
        s = live.Subscriber(BASE, f"/api/conversations/{empty}/events/", auth, reconnect=False)
        s.last_event_id = "1796520711:0"
        resumers.append(s.start())
    await wait_until(lambda: all(s.events for s in resumers), 10)
    check(all(s.statuses[:1] == [200] for s in resumers), "20 resumes with Last-Event-ID on an empty channel are let in")
    check(all(s.events and s.events[0][0] == "resync" for s in resumers), "each of them gets `resync` first")
    for s in resumers:
        await s.stop()

    # 4. nginx down for 3 s while messages are committed.
    nginx_stop()
    stopped = time.monotonic()
    during = [insert_message(conversation_id, bob["user_id"], f"while nginx is down {i}") for i in range(3)]
    await asyncio.sleep(max(0, 3 - (time.monotonic() - stopped)))
    nginx_start()
    arrived = await wait_until(lambda: all(m in watcher.message_ids() for m in during), 15)
    check(arrived, f"nginx stopped for 3 s: every message committed meanwhile arrives once it is back "
                   f"({sum(m in watcher.message_ids() for m in during)}/3)")
    await watcher.stop()

    # 5. nginx -s reload with 200 subscribers.
    subscribers = await live.subscribe_many(BASE, path, auth, 200, batch=100)
    before = insert_message(conversation_id, bob["user_id"], "before the reload")
    await wait_until(lambda: all(before in s.message_ids() for s in subscribers), 5)
    os.kill(nginx_pid(), signal.SIGHUP)
    sent = [before]
    for i in range(3):
        await asyncio.sleep(0.3)
        sent.append(insert_message(conversation_id, bob["user_id"], f"around the reload {i}"))
    await asyncio.sleep(1)
    sent.append(insert_message(conversation_id, bob["user_id"], "after the reload"))
    complete = lambda s: all(m in s.message_ids() for m in sent)  # noqa: E731
    await wait_until(lambda: all(complete(s) for s in subscribers), 20)
    reconnected = sum(1 for s in subscribers if s.connections >= 2)
    whole = sum(1 for s in subscribers if complete(s))
    check(reconnected == 200, f"nginx -s reload: all 200 subscribers reconnected ({reconnected})")
    check(whole == 200, f"nginx -s reload: all 200 got every message sent around it ({whole}/200)")
    if whole != 200:
        print("     per message:", [sum(m in s.message_ids() for s in subscribers) for m in sent])
        print("     one subscriber:", subscribers[0].statuses, [(n, p.get("message_id")) for n, p, _ in subscribers[0].events][-12:])
    for s in subscribers:
        await s.stop()

    # 6. Two reloads of parley: the publisher runs in one worker of each new generation.
    watcher = live.Subscriber(BASE, path, auth).start()
    await asyncio.wait_for(watcher.connected.wait(), 10)
    for reload in (1, 2):
        reloaded = await parley_reload()
        check(reloaded, f"parley reload {reload}: a new generation of workers took over")
        sent = insert_message(conversation_id, bob["user_id"], f"after parley reload {reload}")
        arrived = await wait_until(lambda: sent in watcher.message_ids(), 10)
        check(arrived, f"parley reload {reload}: a message committed afterwards arrives")
    await watcher.stop()


def main():
    log_start = os.path.getsize(ERROR_LOG) if os.path.exists(ERROR_LOG) else 0
    suffix = uuid.uuid4().hex[:8]

    async def users():
        alice, bob, carol = [await register(f"{n}_{suffix}") for n in ("live_a", "live_b", "live_c")]
        browser_conversation = await conversation(alice, [bob], f"Live browser {suffix}")
        stream_conversation = await conversation(alice, [bob], f"Live streams {suffix}")
        return alice, bob, carol, browser_conversation, stream_conversation

    alice, bob, carol, browser_conversation, stream_conversation = run(users())
    started = time.monotonic()
    browser_test(alice, bob, browser_conversation)
    run(stream_tests(alice, bob, carol, stream_conversation))
    crashes = crashed_workers(log_start)
    check(not crashes, f"no nginx worker exited on a signal ({crashes[:3]})")
    print(f"live tests: {len(failures)} failed, {time.monotonic() - started:.1f} s", flush=True)
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
