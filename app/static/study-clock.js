// The lesson page's study clock (study/lesson.html, settings in #study-clock's data- attributes):
// claim the clock when the page is visible, then beat while visible and recently used.
// Between heartbeats the shown time counts on every second while the page would earn it; each
// answered heartbeat sets it back to the server's figure (`base`, counted from `syncedAt`), and a
// pause shows the server's figure again, since time before a pause is never credited.
(function () {
  var box = document.getElementById('study-clock');
  var every = Number(box.dataset.heartbeat) * 1000, idle = Number(box.dataset.idle) * 1000;
  var required = Number(box.dataset.required), token = null, lastInput = Date.now(), starting = false, paused = false;
  var base = Number(box.dataset.seconds), syncedAt = Date.now();
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
  function earning() {
    return token !== null && !paused && document.visibilityState === 'visible' && Date.now() - lastInput <= idle;
  }
  function tick() { show(earning() ? base + Math.floor((Date.now() - syncedAt) / 1000) : base); }
  function sync(seconds, at) {
    if (seconds !== null && seconds !== undefined) { base = seconds; }
    syncedAt = at; tick();
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
    var sent = Date.now();
    post(box.dataset.startUrl).then(function (data) {
      token = data.token; sync(null, sent); resume.classList.add('d-none'); say('计时中。');
    }).catch(function () { say('无法开始计时，请刷新页面。'); }).finally(function () { starting = false; });
  }
  function beat() {
    if (!token) { return; }
    if (document.visibilityState !== 'visible' || Date.now() - lastInput > idle) {
      token = null; paused = true; tick();
      say('已暂停：页面不在前台或较长时间没有操作。'); return;
    }
    var sent = Date.now();
    post(box.dataset.beatUrl, {token: token}).then(function (data) {
      if (!data.active) {
        token = null; tick(); resume.classList.remove('d-none');
        say('您在其他页面或设备上打开了学习页面，此页面已停止计时。'); return;
      }
      sync(data.seconds, sent);
      say(data.completed ? '本课时已完成，可以继续下一课时。' : '计时中。');
    }).catch(function () { say('网络异常，稍后自动重试。'); });
  }
  resume.addEventListener('click', start);
  document.addEventListener('visibilitychange', function () {
    if (document.visibilityState === 'visible' && !token && resume.classList.contains('d-none')) { paused = false; start(); }
  });
  if (document.visibilityState === 'visible') { start(); }
  setInterval(beat, every);
  setInterval(tick, 1000);
})();
