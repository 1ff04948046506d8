// The page's first script, inline in the head of every page.
//
// On a link's page (`GET /session/<token>`, which uses nothing up) it posts the link at
// once. The server exchanges it and answers with the page rendered as the landing tab (for
// the invoice list, with its first rows) and the API answers it was rendered from. This
// script puts that page's body in place of the skeleton, hands the answers to the app, and
// shows the landing tab's address instead of the link. The app waits for
// `__porticoOpening` before it loads at all: its files are fetched only from here, once the
// answer is in (on a phone's connection they would share it with the answer and slow the
// first rows), and compiling its WASM would hold up the page on a busy phone. It then takes
// over that page without asking again.
//
// On the answer to the POST itself (a browser without scripts sent it with the page's
// button) it only puts the landing tab's address in place of the link.
(function () {
  // Until the app has taken the page over (`app::start`), a click on one of its buttons
  // (a tap, or Enter or Space on it) would do nothing: it is held, and given to the button
  // once the app is live. Its forms wait too: Enter in a field would have the browser send
  // the form itself, a page load with the customer's details in its address; it clicks the
  // form's button instead, which is held the same way. What is typed or picked in a field
  // meanwhile is noted, since the app knows nothing of it and, taking the page over, sets the
  // field back to what it holds; once the app is live it is put back and announced, in the
  // order it was done.
  var root = document.documentElement;
  root.setAttribute('data-app', 'starting');
  document.addEventListener(
    'submit',
    function (event) {
      if (root.hasAttribute('data-app')) event.preventDefault();
    },
    true
  );

  // A portal link followed before the app starts is a plain page load. Once the app
  // hydrates the page, it is held too, and followed by the app once it is live; and
  // where this page cannot keep the session (storage is blocked in some third-party
  // iframes), it is held from the start, as a page load would open signed out.
  var linksWait = false;
  var wanted = null;
  function hold(event) {
    if (event.button !== 0 || event.metaKey || event.ctrlKey || event.shiftKey || event.altKey) return;
    var target = event.target;
    if (!target.closest) return;
    var control = target.closest('.portico button');
    if (!control && (linksWait || root.getAttribute('data-app') === 'hydrating')) {
      var link = target.closest('a[href]');
      if (link && !link.target && !link.hasAttribute('download') && link.origin === location.origin &&
          link.pathname.indexOf('/portal/') === 0) {
        control = link;
      }
    }
    if (!control) return;
    event.preventDefault();
    wanted = control;
    root.setAttribute('data-held', '');
  }
  var typed = [];
  function note(event) {
    var field = event.target;
    // A file's name cannot be set by a script.
    if (!/^(INPUT|SELECT|TEXTAREA)$/.test(field.tagName) || field.type === 'file') return;
    if (!field.closest('.portico')) return;
    typed = typed.filter(function (t) {
      return t.field !== field;
    });
    typed.push({ field: field, value: field.value, checked: field.checked });
  }
  if (window.MutationObserver) {
    document.addEventListener('click', hold, true);
    document.addEventListener('input', note, true);
    document.addEventListener('change', note, true);
    // Once the app is live (it removes `data-app`), the app takes the clicks. This runs
    // after the app's writes to its fields as it took the page over: it queues them as
    // microtasks, all before the one that brings this observer the change.
    new MutationObserver(function (changes, observer) {
      if (root.hasAttribute('data-app')) return;
      observer.disconnect();
      document.removeEventListener('click', hold, true);
      document.removeEventListener('input', note, true);
      document.removeEventListener('change', note, true);
      root.removeAttribute('data-held');
      typed.forEach(function (t) {
        if (!t.field.isConnected) return;
        if (t.field.type === 'checkbox' || t.field.type === 'radio') t.field.checked = t.checked;
        else t.field.value = t.value;
        t.field.dispatchEvent(new Event('input', { bubbles: true }));
        t.field.dispatchEvent(new Event('change', { bubbles: true }));
      });
      if (wanted && wanted.isConnected) wanted.click();
    }).observe(root, { attributes: true, attributeFilter: ['data-app'] });
  }

  // The page is the landing tab: its address replaces the link's, and the session is
  // kept for this tab as the app keeps it (`session.rs`), so that a link followed before
  // the app has started opens signed in.
  function landed(answers) {
    if (!answers.at_landing) return;
    var exchange = answers.answers.filter(function (a) {
      return a.request === 'POST /api/v1/session/exchange' && a.status === 200;
    })[0];
    if (!exchange) return;
    var opened = JSON.parse(exchange.body);
    try {
      sessionStorage.setItem(
        'portico.session.' + opened.organisation_id,
        JSON.stringify({
          token: opened.session_token,
          organisation_id: opened.organisation_id,
          return_url: opened.return_url,
          locale: opened.locale,
        })
      );
    } catch (e) {
      linksWait = true;
    }
    if (window.history) history.replaceState(null, '', opened.landing_path);
  }

  var given = document.getElementById('portico-answers');
  if (given) {
    try {
      landed(JSON.parse(given.textContent));
    } catch (e) {}
    return;
  }

  var link = /^\/session\/[^\/]+$/.exec(location.pathname);
  if (!link || !window.fetch || !window.DOMParser) return;
  // The skeleton is replaced once the parser is done with it (not at DOMContentLoaded,
  // which also waits for the stylesheet).
  var parsed = new Promise(function (resolve) {
    if (document.readyState !== 'loading') return resolve();
    document.addEventListener('readystatechange', function () {
      if (document.readyState !== 'loading') resolve();
    });
  });
  window.__porticoOpening = fetch(location.pathname, {
    method: 'POST',
    // Only what this page lacks: the body, the answers and the landing tab's preloads.
    headers: { Accept: 'text/html', 'X-Portico-Part': 'body' },
  })
    .then(function (response) {
      return response.text();
    })
    .then(function (html) {
      return parsed.then(function () {
        // Its inline styles (the same branding as this page's) would only be refused by
        // this page's policy.
        html = html.replace(/<(style)\b[\s\S]*?<\/\1>/g, '');
        var page = new DOMParser().parseFromString(html, 'text/html');
        var answers = page.getElementById('portico-answers');
        if (!answers) return;
        // The skeleton becomes the page the server rendered; its scripts have run here
        // already (they only set up the hydration's globals).
        var body = page.body;
        Array.prototype.slice.call(body.querySelectorAll('script')).forEach(function (s) {
          s.remove();
        });
        // The app's files and the landing tab's chunks: this page asked for none of
        // them, so that they would not hold up this answer on a slow connection.
        Array.prototype.slice
          .call(page.head.querySelectorAll('link[rel=preload], link[rel=modulepreload]'))
          .forEach(function (hint) {
            if (!document.querySelector('link[href="' + hint.getAttribute('href') + '"]')) {
              document.head.appendChild(document.importNode(hint, true));
            }
          });
        // The parsed nodes move into this page as they are (appending adopts them): copying
        // them first cost more than parsing them, before the rows could show.
        document.head.appendChild(answers);
        document.documentElement.lang = page.documentElement.lang;
        document.title = page.title;
        var start = document.body.querySelectorAll('script');
        document.body.replaceChildren.apply(
          document.body,
          Array.prototype.slice.call(body.childNodes).concat(Array.prototype.slice.call(start))
        );
        landed(JSON.parse(answers.textContent));
        // The open tab in view in the tab bar, as the app keeps it (by hand: scrollIntoView
        // could also scroll an embedding page).
        var bar = document.querySelector('nav.tabs');
        var current = bar && bar.querySelector('[aria-current=page]');
        if (current) {
          var b = bar.getBoundingClientRect();
          var t = current.getBoundingClientRect();
          bar.scrollLeft += t.left - b.left - (b.width - t.width) / 2;
        }
      });
    })
    .catch(function () {});
})();
