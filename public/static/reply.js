// Reply in place on a conversation page. Each message's Reply link (`?reply=<id>#compose`)
// opens, without this script, the page with its one form set to answer that message; with it,
// the form moves under the message instead, set to answer it, and "Cancel reply" puts it back.
// The server renders one form per page rather than one per message (bench/README.md, "One
// form per conversation page"). Loaded with `defer` by the conversation page.
(function () {
  'use strict';

  var form = document.getElementById('compose');
  var thread = document.querySelector('ol.messages');
  if (!form || !thread) return;
  var textarea = form.querySelector('textarea[name="message_body"]');
  var label = form.querySelector('label[for="message_body"]');
  var actions = form.querySelector('.actions');
  var parent = form.querySelector('input[name="parent_message"]');
  var cancel = form.querySelector('.cancel-reply');
  // Where the form goes back to.
  var home = document.createComment('compose');
  form.parentNode.insertBefore(home, form);

  function cancelLink() {
    if (!cancel) {
      cancel = document.createElement('a');
      cancel.className = 'cancel-reply';
      cancel.textContent = 'Cancel reply';
      actions.appendChild(document.createTextNode(' '));
      actions.appendChild(cancel);
    }
    cancel.href = location.pathname + '#compose';
    cancel.hidden = false;
    return cancel;
  }

  function replyTo(item) {
    var article = item.querySelector(':scope > article');
    var author = article && article.querySelector('.author');
    if (!parent) {
      parent = document.createElement('input');
      parent.type = 'hidden';
      parent.name = 'parent_message';
      form.insertBefore(parent, form.firstChild);
    }
    parent.value = item.id.slice(2);
    if (label) label.textContent = 'Your reply to ' + (author ? author.textContent : '');
    cancelLink();
    item.insertBefore(form, article ? article.nextSibling : item.firstChild);
    form.classList.add('is-inline');
    if (textarea) textarea.focus();
  }

  function reset() {
    if (parent) { parent.remove(); parent = null; }
    if (label) label.textContent = 'New message';
    if (cancel) cancel.hidden = true;
    home.parentNode.insertBefore(form, home);
    form.classList.remove('is-inline');
    if (/[?&]reply=/.test(location.search)) history.replaceState(null, '', location.pathname + location.hash);
    if (textarea) textarea.focus();
  }

  // Opened as ?reply=<id> (the link followed before this script ran, or in a new tab): the
  // form goes under that message too, when it is on this page.
  var opened = parent && document.getElementById('m-' + parent.value);
  if (opened && thread.contains(opened)) {
    replyTo(opened);
    // After the browser's own scroll to #compose, which comes once the page has loaded.
    window.addEventListener('load', function () { opened.scrollIntoView({ block: 'start' }); });
  }

  document.addEventListener('click', function (event) {
    var link = event.target.closest ? event.target.closest('a.reply-link, a.cancel-reply') : null;
    if (!link || event.button !== 0 || event.metaKey || event.ctrlKey || event.shiftKey || event.altKey) return;
    if (link.classList.contains('cancel-reply')) {
      event.preventDefault();
      reset();
      return;
    }
    var item = link.closest('li.message');
    if (!item || !thread.contains(item)) return;
    event.preventDefault();
    replyTo(item);
  });
})();
