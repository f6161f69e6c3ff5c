// Live updates for Parley's pages: new messages, edits and unread counts appear without a
// reload. The pages work the same without this script; it only adds to what the server
// rendered. No framework, no build step; loaded with `defer` by the layout for signed-in
// visitors, allowed by the CSP's `script-src 'self'`.
//
// Subscriptions are EventSource streams held by nginx (Nchan): /live/conversations/<id> on
// a conversation page (its messages created, edited, deleted) and /live/users/<id> on every
// page (new notifications, unread counts). nginx asks parley whether the session may listen.
// Delivery is at least once: events are applied idempotently and repeats of an outbox event
// are dropped by its `event_id`. After a network drop the browser reconnects with
// Last-Event-ID and Nchan replays what was missed; when the stream was refused or closed for
// good (403, 502, nginx restarting) this script reconnects itself, with `last_event_id`.
// A `resync` event (nginx lost its buffer, e.g. after a reload) refetches the page's lists.
(function () {
  'use strict';

  var body = document.body;
  var userID = body && body.getAttribute('data-live-user');
  if (!userID || typeof window.EventSource !== 'function') return;

  var reduceMotion = window.matchMedia && window.matchMedia('(prefers-reduced-motion: reduce)').matches;
  var seenEvents = new Set();

  // ------------------------------------------------------------------ streams

  // How many streams are open, as `data-live-open` on <body> (for tests and curious users).
  var openStreams = 0;
  function setOpenStreams(change) {
    openStreams += change;
    body.setAttribute('data-live-open', String(openStreams));
  }

  // subscribe(url, handlers): an EventSource on url whose named events go to handlers[name].
  function subscribe(url, handlers) {
    var lastEventID = '';
    var retryDelay = 1000;
    var source = null;
    var isOpen = false;

    function open() {
      var target = url + (lastEventID ? '?last_event_id=' + encodeURIComponent(lastEventID) : '');
      source = new EventSource(target);
      source.onopen = function () {
        retryDelay = 1000;
        if (!isOpen) { isOpen = true; setOpenStreams(1); }
      };
      Object.keys(handlers).forEach(function (name) {
        source.addEventListener(name, function (event) {
          if (event.lastEventId) lastEventID = event.lastEventId;
          var data;
          try { data = JSON.parse(event.data); } catch (e) { return; }
          if (data && data.event_id != null) {
            if (seenEvents.has(data.event_id)) return;
            seenEvents.add(data.event_id);
            // Repeats come within seconds of the original: the last thousand ids are plenty.
            if (seenEvents.size > 1000) seenEvents.delete(seenEvents.values().next().value);
          }
          handlers[name](data);
        });
      });
      source.onerror = function () {
        // CONNECTING: the browser retries by itself (with Last-Event-ID). CLOSED: it gave up
        // (a non-200 answer); try again later, backing off.
        if (isOpen) { isOpen = false; setOpenStreams(-1); }
        if (source.readyState !== EventSource.CLOSED) return;
        source.close();
        window.setTimeout(open, retryDelay + Math.random() * 500);
        retryDelay = Math.min(retryDelay * 2, 30000);
      };
    }

    open();
    window.addEventListener('pagehide', function () { if (source) source.close(); });
  }

  // ------------------------------------------------------------------ helpers

  function element(tag, className, text) {
    var node = document.createElement(tag);
    if (className) node.className = className;
    if (text != null) node.textContent = text;
    return node;
  }

  function timeElement(iso) {
    var node = element('time', null, 'just now');
    node.setAttribute('datetime', iso);
    node.setAttribute('title', new Date(iso).toUTCString());
    return node;
  }

  function highlight(node) {
    if (reduceMotion) return;
    node.classList.add('live-new');
    window.setTimeout(function () { node.classList.remove('live-new'); }, 2000);
  }

  // The count badge inside `container` (<span class="badge">N<span class="visually-hidden">
  // unread</span></span>), created or removed as the count needs.
  function setBadge(container, count, before) {
    var badge = container.querySelector('.badge');
    if (!count) {
      if (badge) badge.remove();
      return;
    }
    if (!badge) {
      badge = element('span', 'badge');
      if (before) container.insertBefore(badge, before); else container.appendChild(badge);
      container.insertBefore(document.createTextNode(' '), badge);
    }
    badge.textContent = String(count);
    badge.appendChild(element('span', 'visually-hidden', ' unread'));
    badge.setAttribute('title', count + ' unread');
  }

  // ------------------------------------------------------------------ conversation page

  var thread = document.querySelector('[data-live-conversation]');

  function systemText(message) {
    var actor = message.sender.username;
    var member = message.member ? message.member.username : '';
    switch (message.kind) {
      case 'member_added': return actor + ' added ' + member;
      case 'member_removed': return actor + ' removed ' + member;
      case 'member_left': return member + ' left';
      default: return '';
    }
  }

  function editedMark(message) {
    var link = element('a', 'message-edited', 'edited just now');
    link.href = '/messages/' + message.message_id + '/history';
    link.title = 'See earlier versions';
    return link;
  }

  // A message as partials/message.mustache renders it.
  function renderMessage(message) {
    var item = element('li', 'message');
    item.id = 'm-' + message.message_id;
    if (message.kind && message.kind !== 'message') {
      item.classList.add('system-line');
      var line = element('p', null, systemText(message) + ' ');
      line.appendChild(timeElement(message.sent_at));
      item.appendChild(line);
      return item;
    }
    var sender = message.sender.username;
    var article = element('article');
    article.setAttribute('aria-label', 'Message from ' + sender);
    var meta = element('div', 'message-meta');
    meta.appendChild(element('span', 'author', sender));
    meta.appendChild(document.createTextNode(' '));
    meta.appendChild(timeElement(message.sent_at));
    if (message.edited) meta.appendChild(editedMark(message));
    article.appendChild(meta);
    article.appendChild(element('div', 'message-body', message.message_body));

    var actions = element('div', 'message-actions');
    if (message.sender.user_id === userID) {
      var edit = element('a', null, 'Edit');
      edit.href = '/messages/' + message.message_id + '/edit';
      edit.appendChild(element('span', 'visually-hidden', ' your message'));
      actions.appendChild(edit);
    }
    // The Reply link of the server's pages (reply.js moves the page's form under the message).
    var reply = element('a', 'reply-link', 'Reply');
    reply.href = '?reply=' + message.message_id + '#compose';
    reply.appendChild(element('span', 'visually-hidden', ' to ' + sender));
    actions.appendChild(reply);
    article.appendChild(actions);
    item.appendChild(article);
    return item;
  }

  function updateMessage(item, message) {
    var text = item.querySelector(':scope > article .message-body');
    if (text && text.textContent !== message.message_body) {
      text.textContent = message.message_body;
      highlight(item);
    }
    var meta = item.querySelector(':scope > article .message-meta');
    if (meta && message.edited && !meta.querySelector('.message-edited')) meta.appendChild(editedMark(message));
  }

  function messageCreated(data) {
    var message = data.message;
    if (!thread || !message) return;
    var existing = document.getElementById('m-' + message.message_id);
    if (existing) { updateMessage(existing, message); return; }
    var item = renderMessage(message);
    var parent = message.parent_message && document.getElementById('m-' + message.parent_message);
    if (parent) {
      var replies = parent.querySelector(':scope > ol.replies');
      if (!replies) { replies = element('ol', 'replies'); parent.appendChild(replies); }
      replies.appendChild(item);
    } else {
      thread.appendChild(item);
    }
    var empty = document.querySelector('p.empty');
    if (empty) empty.remove();
    highlight(item);
  }

  function messageEdited(data) {
    var message = data.message;
    if (!message) return;
    var existing = document.getElementById('m-' + message.message_id);
    if (existing) updateMessage(existing, message); else messageCreated(data);
  }

  function messageDeleted(data) {
    var item = document.getElementById('m-' + data.message_id);
    if (!item) return;
    // Its replies stay, as top-level messages (the server keeps them too).
    var replies = item.querySelector(':scope > ol.replies');
    if (replies) {
      while (replies.firstElementChild) item.parentNode.insertBefore(replies.firstElementChild, item.nextSibling);
    }
    item.remove();
  }

  // ------------------------------------------------------------------ header and inbox

  var inbox = document.querySelector('[data-live-inbox]');

  function setNotificationCount(count) {
    var link = document.querySelector('[data-live-notifications]');
    if (link && typeof count === 'number') setBadge(link, count);
  }

  function inboxItem(conversationID) {
    if (!inbox) return null;
    var link = inbox.querySelector('a.conversation-link[href="/conversations/' + conversationID + '"]');
    return link ? link.closest('li') : null;
  }

  function setConversationUnread(item, count) {
    var head = item.querySelector('.conversation-head');
    if (!head) return;
    setBadge(head, count, head.querySelector('time'));
    item.classList.toggle('has-unread', count > 0);
  }

  var reloadNotice = null;
  function showReloadNotice() {
    if (reloadNotice || !inbox) return;
    reloadNotice = element('p', 'flash flash-info');
    reloadNotice.setAttribute('role', 'status');
    var link = element('a', null, 'New conversations: reload the inbox');
    link.href = window.location.pathname + window.location.search;
    reloadNotice.appendChild(link);
    inbox.parentNode.insertBefore(reloadNotice, inbox);
  }

  function notificationCreated(data) {
    setNotificationCount(data.unread_notifications);
    if (!inbox) return;
    var item = inboxItem(data.conversation);
    if (!item) { showReloadNotice(); return; }
    if (typeof data.unread_count === 'number') setConversationUnread(item, data.unread_count);
    var message = data.message;
    if (message) {
      var preview = item.querySelector('.conversation-preview');
      if (preview) {
        preview.textContent = '';
        preview.classList.remove('muted');
        if (message.kind && message.kind !== 'message') {
          preview.textContent = systemText(message);
        } else {
          preview.appendChild(element('span', 'preview-sender', message.sender.username + ':'));
          preview.appendChild(document.createTextNode(' ' + message.message_body));
        }
      }
      var time = item.querySelector('.conversation-head time');
      if (time) { time.textContent = 'just now'; time.setAttribute('datetime', message.sent_at); }
    }
    if (inbox.firstElementChild !== item) inbox.insertBefore(item, inbox.firstElementChild);
    highlight(item);
  }

  function unreadChanged(data) {
    setNotificationCount(data.unread_notifications);
    var item = inboxItem(data.conversation);
    if (item && typeof data.unread_count === 'number') setConversationUnread(item, data.unread_count);
  }

  // ------------------------------------------------------------------ resync

  // Refetch this page and take its lists and badge: what a lost buffer may have hidden.
  // Spread over a few seconds, since every open page gets the same resync at once.
  var resyncTimer = null;
  function resync() {
    if (resyncTimer) return;
    resyncTimer = window.setTimeout(function () {
      resyncTimer = null;
      fetch(window.location.href, { credentials: 'same-origin', headers: { Accept: 'text/html' } })
        .then(function (response) { return response.ok ? response.text() : null; })
        .then(function (html) {
          if (!html) return;
          var fresh = new DOMParser().parseFromString(html, 'text/html');
          [['[data-live-conversation]', thread], ['[data-live-inbox]', inbox]].forEach(function (pair) {
            var replacement = fresh.querySelector(pair[0]);
            if (replacement && pair[1]) pair[1].replaceChildren.apply(pair[1], Array.from(replacement.childNodes).map(function (node) { return document.importNode(node, true); }));
          });
          var freshBadge = fresh.querySelector('[data-live-notifications] .badge');
          setNotificationCount(freshBadge ? parseInt(freshBadge.textContent, 10) || 0 : 0);
        })
        .catch(function () {});
    }, Math.random() * 3000);
  }

  // ------------------------------------------------------------------ start

  subscribe('/live/users/' + userID, {
    'notification.created': notificationCreated,
    'unread.changed': unreadChanged,
    resync: resync,
  });
  if (thread) {
    subscribe('/live/conversations/' + thread.getAttribute('data-live-conversation'), {
      'message.created': messageCreated,
      'message.edited': messageEdited,
      'message.deleted': messageDeleted,
      resync: resync,
    });
  }
})();
