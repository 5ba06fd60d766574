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
    if (message && !window.confirm(message)) { event.preventDefault(); return; }
    // Show a busy note while a slow upload posts: <form data-busy="id-of-the-hidden-note">
    var busy = event.target.getAttribute('data-busy');
    if (busy) { document.getElementById(busy).classList.remove('d-none'); }
  });
  // A "select all" box: <input type="checkbox" data-check-all="name-of-the-boxes">
  document.addEventListener('click', function (event) {
    var name = event.target.getAttribute && event.target.getAttribute('data-check-all');
    if (!name) { return; }
    document.querySelectorAll('input[name="' + name + '"]').forEach(function (box) {
      box.checked = event.target.checked;
    });
  });
})();
