// The lesson page's study clock (study/lesson.html, settings in #study-clock's data- attributes):
// claim the clock when the page is visible, then beat while visible and recently used.
(function () {
  var box = document.getElementById('study-clock');
  var every = Number(box.dataset.heartbeat) * 1000, idle = Number(box.dataset.idle) * 1000;
  var required = Number(box.dataset.required), token = null, lastInput = Date.now(), starting = false, paused = false;
  var stateEl = document.getElementById('study-state'), resume = document.getElementById('study-resume');
  ['mousemove', 'keydown', 'scroll', 'wheel', 'touchstart', 'click'].forEach(function (name) {
    document.addEventListener(name, function () {
      lastInput = Date.now();
      // Back from a pause: start a fresh interval, so time away never earns.
      if (paused && document.visibilityState === 'visible') { paused = false; start(); }
    }, {passive: true});
  });
  function say(text) { stateEl.textContent = text; }
  function post(url, data) {
    return window.csrfFetch(url, {method: 'POST', body: new URLSearchParams(data || {}),
      headers: {'Accept': 'application/json'}}).then(function (r) { return r.ok ? r.json() : Promise.reject(r); });
  }
  function show(seconds) {
    document.getElementById('study-seconds').textContent = Math.floor(seconds / 60) + ' 分 ' + (seconds % 60) + ' 秒';
    var pct = required ? Math.min(100, Math.floor(seconds * 100 / required)) : 100;
    var bar = document.querySelector('#study-bar .progress-bar');
    bar.style.width = pct + '%';
    bar.classList.toggle('bg-success', pct >= 100);
    bar.parentElement.setAttribute('aria-valuenow', pct);
  }
  function start() {
    if (starting) { return; }
    starting = true;
    post(box.dataset.startUrl).then(function (data) {
      token = data.token; resume.classList.add('d-none'); say('计时中。');
    }).catch(function () { say('无法开始计时，请刷新页面。'); }).finally(function () { starting = false; });
  }
  function beat() {
    if (!token) { return; }
    if (document.visibilityState !== 'visible' || Date.now() - lastInput > idle) {
      token = null; paused = true;
      say('已暂停：页面不在前台或较长时间没有操作。'); return;
    }
    post(box.dataset.beatUrl, {token: token}).then(function (data) {
      if (!data.active) {
        token = null; resume.classList.remove('d-none');
        say('您在其他页面或设备上打开了学习页面，此页面已停止计时。'); return;
      }
      if (data.seconds !== null) { show(data.seconds); }
      say(data.completed ? '本课时已完成，可以继续下一课时。' : '计时中。');
    }).catch(function () { say('网络异常，稍后自动重试。'); });
  }
  resume.addEventListener('click', start);
  document.addEventListener('visibilitychange', function () {
    if (document.visibilityState === 'visible' && !token && resume.classList.contains('d-none')) { paused = false; start(); }
  });
  if (document.visibilityState === 'visible') { start(); }
  setInterval(beat, every);
})();
