// The page's first script, inline in the head of every page. A link's page (the answer
// to its POST) is rendered as the portal page it lands on: the address bar shows that
// page instead of the link at once, before the app starts and its router reads it.
(function () {
  var element = document.getElementById('portico-answers');
  if (!element || !window.history) return;
  try {
    var answers = JSON.parse(element.textContent);
    if (!answers.at_landing) return;
    var exchange = answers.answers.filter(function (a) {
      return a.request === 'POST /api/v1/session/exchange' && a.status === 200;
    })[0];
    if (exchange) history.replaceState(null, '', JSON.parse(exchange.body).landing_path);
  } catch (e) {}
})();
