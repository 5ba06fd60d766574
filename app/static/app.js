// Send the CSRF token with every htmx and fetch request that changes state.
(function () {
  var token = document.querySelector('meta[name="csrf-token"]').content;
  document.body.addEventListener('htmx:configRequest', function (event) {
    event.detail.headers['X-CSRFToken'] = token;
  });
  window.csrfFetch = function (url, options) {
    options = options || {};
    options.headers = Object.assign({'X-CSRFToken': token}, options.headers || {});
    options.credentials = 'same-origin';
    return fetch(url, options);
  };
  // Ask before destructive actions: <form data-confirm="确定删除？">
  document.addEventListener('submit', function (event) {
    var message = event.target.getAttribute('data-confirm');
    if (message && !window.confirm(message)) { event.preventDefault(); }
  });
})();
