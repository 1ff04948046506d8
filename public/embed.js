/*
 * Portico embed script: mounts a customer's billing portal in an iframe.
 *
 *   <script src="https://portal.example/embed.js"></script>
 *   <div id="billing"></div>
 *   <script>
 *     Portico.mount(document.getElementById('billing'), {
 *       url: portalLinkFromYourBackend,
 *       onEvent: function (event) { console.log(event.type, event); },
 *     });
 *   </script>
 *
 * The iframe follows the portal's height, so the page scrolls, not the frame. Messages are
 * accepted only from the portal's exact origin and from this iframe; the portal in turn
 * posts only to the origins its organisation allows. Events: ready, resize, navigate,
 * session_expired and action.
 */
(function (global) {
  'use strict';

  function mount(element, options) {
    if (!element || !options || !options.url) {
      throw new Error('Portico.mount(element, { url }) needs an element and a portal link');
    }
    var origin = new URL(options.url, global.location.href).origin;
    var frame = global.document.createElement('iframe');
    frame.src = options.url;
    frame.title = options.title || 'Billing portal';
    frame.setAttribute('referrerpolicy', 'no-referrer');
    frame.style.width = '100%';
    frame.style.border = '0';
    frame.style.display = 'block';
    frame.style.height = (options.initialHeight || 640) + 'px';
    element.appendChild(frame);

    function onMessage(message) {
      if (message.origin !== origin || message.source !== frame.contentWindow) return;
      var data = message.data;
      if (!data || data.source !== 'portico' || typeof data.type !== 'string') return;
      if (data.type === 'resize' && typeof data.height === 'number' && data.height > 0) {
        frame.style.height = Math.ceil(data.height) + 'px';
      }
      if (typeof options.onEvent === 'function') options.onEvent(data);
    }
    global.addEventListener('message', onMessage);

    return {
      iframe: frame,
      destroy: function () {
        global.removeEventListener('message', onMessage);
        frame.remove();
      },
    };
  }

  global.Portico = { mount: mount };
})(window);
