// The page's first script, inline in the head of every page. On a link's page it trades
// the link for a session at once, then starts the reads the landing page makes first,
// while the app itself still downloads; the app's client takes each answer once
// (`__porticoStarted["METHOD path"]`) instead of asking again.
(function () {
  var link = /^\/session\/([^\/]+)$/.exec(location.pathname);
  if (!link || !window.fetch) return;
  var started = (window.__porticoStarted = {});
  started['POST /api/v1/session/exchange'] = fetch('/api/v1/session/exchange', {
    method: 'POST',
    headers: { 'Content-Type': 'application/json' },
    body: JSON.stringify({ token: decodeURIComponent(link[1]) }),
  }).then(function (response) {
    if (!response.ok) return response;
    // The exchange's answer is handed on only once its reads are registered, so that the
    // app, which asks for them right after, always finds them.
    return response
      .clone()
      .json()
      .then(function (opened) {
        // The landing tab's code, when it is not in the first bundle.
        (opened.preload || []).forEach(function (path) {
          if (path.indexOf('/pkg/') !== 0) return;
          var hint = document.createElement('link');
          hint.rel = 'preload';
          hint.as = 'fetch';
          hint.type = 'application/wasm';
          hint.crossOrigin = '';
          hint.href = path;
          document.head.appendChild(hint);
        });
        (opened.prefetch || []).forEach(function (path) {
          if (path.indexOf('/api/v1/portal/') !== 0) return;
          started['GET ' + path] = fetch(path, {
            headers: { Authorization: 'Bearer ' + opened.session_token },
          }).then(function (answer) {
            answer.porticoToken = opened.session_token;
            return answer;
          });
        });
      }, function () {})
      .then(function () {
        return response;
      });
  });
})();
