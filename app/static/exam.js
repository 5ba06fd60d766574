// The exam page (exams/take.html; settings in #exam's data- attributes). Everything goes through
// the JSON API (/api/v1, ../shared/API.md): the paper comes from GET /attempts/<id>, each answer is
// saved with PUT /attempts/<id>/answers/<slot> and a per-slot increasing `seq`, the page submits
// with POST /attempts/<id>/submit and reports integrity events to POST /attempts/<id>/events.
//
// Nothing is lost offline: every change is first written to localStorage (key exam-attempt:<id>:
// the last seq used per slot, the unsent answers, the local flags), then sent debounced and in
// order; a network failure leaves it queued and retries with backoff and on the `online` event.
// A reload restores unsent answers over the server's. The clock is the server's: the offset is
// taken from every API response, never from the client's own time.
//
// A practice (data-practice) adds the 核对 button from exam-practice.js, which uses the hooks this
// script exposes as window.ExamPage (flush the queue, whether a slot has unsent answers, lock a
// slot, the request helper, and callbacks once the paper is drawn). A checked slot's answer is
// final: its save answers 409 with `checked`, and the page takes the server's answer back.
(function () {
  'use strict';
  var root = document.getElementById('exam');
  if (!root) { return; }
  var api = root.dataset.api, resultUrl = root.dataset.resultUrl, untimed = root.dataset.untimed === '1';
  var csrf = document.querySelector('meta[name="csrf-token"]').content;
  var onePerPage = root.dataset.onePerPage === '1';
  var switchLimit = root.dataset.switchLimit === '' ? null : Number(root.dataset.switchLimit);
  var storeKey = 'exam-attempt:' + root.dataset.attempt;
  var DEBOUNCE = 800, MAX_WAIT = 5000, BACKOFF = [1000, 2000, 4000, 8000, 15000, 30000];
  var OFFLINE = '网络已断开，答案已保存在本机，恢复后将自动提交到服务器。';
  var $ = function (id) { return document.getElementById(id); };

  // ---- time: the server's clock -------------------------------------------------------------
  var offset = Date.parse(root.dataset.serverTime) - Date.now();
  var deadline = Date.parse(root.dataset.deadline);
  function serverNow() { return Date.now() + offset; }
  function syncTime(body, sentAt) {
    if (body && body.server_time) {
      offset = Date.parse(body.server_time) - (sentAt + Date.now()) / 2;
    }
    if (body && body.deadline) { deadline = Date.parse(body.deadline); }
  }

  // ---- the local store ------------------------------------------------------------------------
  function loadStore() {
    var data = null;
    try { data = JSON.parse(window.localStorage.getItem(storeKey)); } catch (e) { data = null; }
    data = data && typeof data === 'object' ? data : {};
    return {seq: data.seq || {}, pending: data.pending || {}, flags: data.flags || [], order: data.order || 0};
  }
  var store = loadStore();
  function persist() {
    try { window.localStorage.setItem(storeKey, JSON.stringify(store)); } catch (e) { /* full: kept in memory */ }
  }
  function forget() { try { window.localStorage.removeItem(storeKey); } catch (e) { /* nothing to do */ } }

  // ---- requests ----------------------------------------------------------------------------
  // Resolves {status, body, sentAt}; rejects only on a network failure (status 0).
  function call(method, url, data, keepalive) {
    var sentAt = Date.now();
    var options = {method: method, credentials: 'same-origin', keepalive: !!keepalive,
      headers: {'Accept': 'application/json', 'X-CSRFToken': csrf}};
    if (data !== undefined) {
      options.headers['Content-Type'] = 'application/json';
      options.body = JSON.stringify(data);
    }
    return fetch(url, options).then(function (response) {
      return response.json().catch(function () { return {}; }).then(function (body) {
        if (response.ok) { syncTime(body, sentAt); }
        return {status: response.status, body: body};
      });
    });
  }

  // ---- the paper --------------------------------------------------------------------------
  var questions = [], bySlot = {}, saved = {}, inflight = {}, errors = {}, locked = {}, current = 0;
  var finished = false, finishing = false;

  function empty(response) {
    if (response === null || response === undefined || response === '') { return true; }
    if (Array.isArray(response)) {
      return response.every(function (item) { return item === null || item === undefined || item === ''; });
    }
    return typeof response === 'string' && response.trim() === '';
  }

  function el(tag, className, text) {
    var node = document.createElement(tag);
    if (className) { node.className = className; }
    if (text !== undefined) { node.textContent = text; }
    return node;
  }

  // A renderer draws a slot's inputs, reads them as the API's response, sets them from one, and
  // names the DOM event that means "the answer changed".
  function choiceRenderer(inputType) {
    return {
      event: 'change',
      render: function (q, box) {
        q.options.forEach(function (option) {
          var label = el('label', 'exam-option');
          var input = el('input', 'form-check-input');
          input.type = inputType; input.name = 'answer-' + q.slot; input.value = option.key;
          var text = el('span', 'exam-option-text');
          text.innerHTML = option.text_html;  // sanitised on the server (nh3)
          label.append(input, el('span', 'exam-option-key', option.key + '.'), text);
          box.appendChild(label);
        });
      },
      read: function (box) {
        var keys = Array.prototype.map.call(box.querySelectorAll('input:checked'), function (i) { return i.value; });
        if (!keys.length) { return null; }
        return inputType === 'radio' ? keys[0] : keys;
      },
      set: function (box, response) {
        var chosen = Array.isArray(response) ? response : [response];
        box.querySelectorAll('input').forEach(function (i) { i.checked = chosen.indexOf(i.value) >= 0; });
      }
    };
  }

  var textRenderer = {
    event: 'input',
    render: function (q, box) {
      var area = el('textarea', 'form-control exam-essay');
      area.rows = 6; area.setAttribute('aria-label', '第 ' + q.slot + ' 题的答案');
      box.appendChild(area);
    },
    read: function (box) { var v = box.querySelector('textarea').value; return v.trim() === '' ? null : v; },
    set: function (box, response) { box.querySelector('textarea').value = typeof response === 'string' ? response : ''; }
  };

  // One renderer per question type of the API's Slot; an unknown type is answered as text.
  var TYPES = {
    single: choiceRenderer('radio'),
    multiple: choiceRenderer('checkbox'),
    truefalse: {
      event: 'change',
      render: function (q, box) {
        [['true', '对'], ['false', '错']].forEach(function (pair) {
          var label = el('label', 'exam-option');
          var input = el('input', 'form-check-input');
          input.type = 'radio'; input.name = 'answer-' + q.slot; input.value = pair[0];
          label.append(input, el('span', 'exam-option-text', pair[1]));
          box.appendChild(label);
        });
      },
      read: function (box) { var c = box.querySelector('input:checked'); return c ? c.value === 'true' : null; },
      set: function (box, response) {
        box.querySelectorAll('input').forEach(function (i) { i.checked = response !== null && i.value === String(response); });
      }
    },
    fill: {
      event: 'input',
      render: function (q, box) {
        for (var i = 0; i < (q.blanks || 1); i++) {
          var input = el('input', 'form-control exam-blank');
          input.type = 'text'; input.autocomplete = 'off';
          input.placeholder = '第 ' + (i + 1) + ' 空'; input.setAttribute('aria-label', '第 ' + (i + 1) + ' 空');
          box.appendChild(input);
        }
      },
      read: function (box) {
        var values = Array.prototype.map.call(box.querySelectorAll('input'), function (i) { return i.value; });
        return empty(values) ? null : values;
      },
      set: function (box, response) {
        box.querySelectorAll('input').forEach(function (input, i) {
          input.value = Array.isArray(response) && typeof response[i] === 'string' ? response[i] : '';
        });
      }
    },
    essay: textRenderer
  };
  function typeOf(q) { return TYPES[q.type] || textRenderer; }

  // What the page shows for a slot: the unsent local answer, else the server's.
  function responseOf(slot) {
    if (store.pending[slot]) { return store.pending[slot].response; }
    return saved[slot] ? saved[slot].response : null;
  }

  function renderPaper() {
    var list = $('exam-questions');
    list.textContent = '';
    var section = null;
    questions.forEach(function (q, index) {
      if (q.section !== section && !onePerPage) {
        section = q.section;
        list.appendChild(el('h2', 'h6 exam-section', q.section));
      }
      var card = el('article', 'card exam-q mb-3');
      card.id = 'q-' + q.slot; card.dataset.slot = q.slot;
      var head = el('div', 'card-header d-flex align-items-center gap-2 flex-wrap');
      head.append(el('span', 'fw-bold', '第 ' + q.slot + ' 题'), el('span', 'small text-muted', '（' + q.points + ' 分）'));
      if (onePerPage) { head.appendChild(el('span', 'small text-muted', q.section)); }
      var mark = el('span', 'exam-mark ms-auto'); mark.setAttribute('aria-live', 'polite');
      var flag = el('button', 'btn btn-sm btn-outline-warning exam-flag', '标记');
      flag.type = 'button'; flag.setAttribute('aria-pressed', 'false');
      flag.addEventListener('click', function () { toggleFlag(q.slot); });
      head.append(mark, flag);
      var body = el('div', 'card-body');
      var stem = el('div', 'exam-stem markdown mb-2');
      stem.innerHTML = q.stem_html;  // sanitised on the server (nh3)
      var box = el('div', 'exam-answer');
      typeOf(q).render(q, box);
      var clear = el('button', 'btn btn-link btn-sm px-0 exam-clear', '清除本题答案');
      clear.type = 'button';
      clear.addEventListener('click', function () { typeOf(q).set(box, null); changed(q.slot); });
      var error = el('p', 'exam-error text-danger small mb-0 d-none');
      body.append(stem, box, clear, error);
      card.append(head, body);
      if (onePerPage && index !== current) { card.classList.add('d-none'); }
      list.appendChild(card);
      typeOf(q).set(box, responseOf(q.slot));
      box.addEventListener(typeOf(q).event, function () { changed(q.slot); });
    });
    renderNav();
    questions.forEach(function (q) { showMark(q.slot); });
    showPager();
  }

  function renderNav() {
    var grid = $('exam-nav-grid');
    grid.textContent = '';
    questions.forEach(function (q, index) {
      var button = el('button', 'exam-nav-btn', String(q.slot));
      button.type = 'button'; button.dataset.slot = q.slot;
      button.addEventListener('click', function () { goTo(index); });
      grid.appendChild(button);
    });
    updateNav();
  }

  function updateNav() {
    var answered = 0;
    questions.forEach(function (q, index) {
      var button = document.querySelector('.exam-nav-btn[data-slot="' + q.slot + '"]');
      var done = !empty(responseOf(q.slot)), flagged = store.flags.indexOf(q.slot) >= 0;
      if (done) { answered += 1; }
      button.classList.toggle('answered', done);
      button.classList.toggle('flagged', flagged);
      button.classList.toggle('current', onePerPage && index === current);
      button.setAttribute('aria-label', '第 ' + q.slot + ' 题，' + (done ? '已答' : '未答') + (flagged ? '，已标记' : ''));
      var card = $('q-' + q.slot);
      var flag = card.querySelector('.exam-flag');
      flag.classList.toggle('active', flagged);
      flag.setAttribute('aria-pressed', flagged ? 'true' : 'false');
      flag.textContent = flagged ? '已标记' : '标记';
    });
    $('exam-count').textContent = '已答 ' + answered + ' / ' + questions.length;
  }

  function showMark(slot) {
    var card = $('q-' + slot);
    if (!card) { return; }
    var mark = card.querySelector('.exam-mark'), text, kind;
    if (inflight[slot]) { text = '保存中'; kind = 'saving'; }
    else if (store.pending[slot]) { text = '未保存'; kind = 'unsaved'; }
    else if (saved[slot]) { text = '已保存'; kind = 'saved'; }
    else { text = '未作答'; kind = 'blank'; }
    mark.textContent = text; mark.dataset.state = kind;
    var error = card.querySelector('.exam-error');
    error.textContent = errors[slot] || '';
    error.classList.toggle('d-none', !errors[slot]);
  }

  function toggleFlag(slot) {
    var at = store.flags.indexOf(slot);
    if (at >= 0) { store.flags.splice(at, 1); } else { store.flags.push(slot); }
    persist(); updateNav();
  }

  function goTo(index) {
    var q = questions[index];
    if (!q) { return; }
    if (onePerPage) {
      $('q-' + questions[current].slot).classList.add('d-none');
      current = index;
      $('q-' + q.slot).classList.remove('d-none');
      showPager(); updateNav();
      root.scrollIntoView({block: 'start'});
    } else {
      $('q-' + q.slot).scrollIntoView({block: 'start', behavior: 'smooth'});
    }
    var nav = $('exam-nav');
    if (window.bootstrap && window.innerWidth < 992 && nav.classList.contains('show')) {
      window.bootstrap.Collapse.getOrCreateInstance(nav).hide();
    }
  }

  function showPager() {
    if (!onePerPage) { return; }
    $('exam-pager').classList.remove('d-none');
    $('exam-position').textContent = '第 ' + (current + 1) + ' / ' + questions.length + ' 题';
    $('exam-prev').disabled = current === 0;
    $('exam-next').disabled = current === questions.length - 1;
  }
  $('exam-prev').addEventListener('click', function () { goTo(current - 1); });
  $('exam-next').addEventListener('click', function () { goTo(current + 1); });

  // ---- saving: queue in localStorage, send in order -----------------------------------------
  var debounceTimer = null, firstUnsent = null, retryTimer = null, attempts = 0;
  var flushing = null, again = false, offline = false;

  function changed(slot) {
    if (finished || finishing || locked[slot]) { return; }
    var q = bySlot[slot];
    var response = typeOf(q).read($('q-' + slot).querySelector('.exam-answer'));
    store.order += 1;
    store.pending[slot] = {response: response, seq: null, order: store.order};
    delete errors[slot];
    persist(); showMark(slot); updateNav();
    if (firstUnsent === null) { firstUnsent = Date.now(); }
    clearTimeout(debounceTimer);
    debounceTimer = setTimeout(flush, Date.now() - firstUnsent >= MAX_WAIT ? 0 : DEBOUNCE);
  }

  function nextPending() {
    var best = null;
    Object.keys(store.pending).forEach(function (slot) {
      if (best === null || store.pending[slot].order < store.pending[best].order) { best = slot; }
    });
    return best;
  }

  // Send every queued answer, oldest change first; resolves when the queue is empty or stopped.
  function flush() {
    clearTimeout(debounceTimer); firstUnsent = null;
    if (flushing) { again = true; return flushing; }
    clearTimeout(retryTimer);
    flushing = sendNext().then(function (drained) {
      flushing = null;
      if (again) { again = false; return flush(); }
      if (drained && finishing) { submitNow(); }
      return drained;
    });
    return flushing;
  }

  function sendNext() {
    var slot = nextPending();
    if (slot === null) { allSent(); return Promise.resolve(true); }
    var entry = store.pending[slot];
    if (entry.seq === null) {
      var stored = saved[slot] ? saved[slot].seq : 0, disk = loadStore().seq[slot] || 0;  // another tab's, too
      entry.seq = Math.max(store.seq[slot] || 0, disk, stored) + 1;
      store.seq[slot] = entry.seq;
      persist();  // before sending: a reload never reuses this number
    }
    var sent = {seq: entry.seq, response: entry.response};
    inflight[slot] = true; showMark(slot);
    return call('PUT', api + '/answers/' + slot, sent).then(function (result) {
      delete inflight[slot];
      return answered(slot, sent, result);
    }, function () {
      delete inflight[slot]; showMark(slot);
      return stop(OFFLINE);
    });
  }

  function settle(slot, sent) {
    var entry = store.pending[slot];
    if (entry && entry.seq === sent.seq) { delete store.pending[slot]; }  // not changed since
    persist(); showMark(slot); updateNav();
  }

  function answered(slot, sent, result) {
    var status = result.status, body = result.body || {};
    if (status === 200) {
      saved[slot] = {seq: sent.seq, response: sent.response};
      settle(slot, sent);
      attempts = 0;
      return sendNext();
    }
    if (status === 409 && typeof body.seq === 'number') {
      // The server holds a newer save (another tab or device): a local change made after this one
      // keeps its place in the queue and gets a higher seq; otherwise the server's answer stands.
      store.seq[slot] = Math.max(store.seq[slot] || 0, body.seq);
      var entry = store.pending[slot];
      if (entry && entry.seq !== sent.seq) { entry.seq = null; persist(); return sendNext(); }
      delete store.pending[slot]; persist();
      return adoptServer(slot).then(sendNext);
    }
    if (status === 409 && body.checked) {  // a practice slot already checked: its answer is final
      errors[slot] = body.error;
      delete store.pending[slot]; persist();
      return adoptServer(slot).then(sendNext);
    }
    if (status === 409) { goToResult(); return Promise.resolve(false); }  // the attempt is closed
    if (status === 422 || status === 404) {
      errors[slot] = (body.error || '答案格式不正确') + '，本题答案未保存，请重新作答。';
      delete store.pending[slot]; persist(); showMark(slot); updateNav();
      return sendNext();
    }
    if (status === 400 || status === 401 || status === 403) {
      return stop('无法保存答案：' + (body.error || '登录已失效') + ' 答案已保存在本机，请在新标签页登录后回到此页，或刷新页面。');
    }
    return stop('服务器暂时无法保存，答案已保存在本机，稍后将自动重试。');
  }

  function adoptServer(slot) {
    return call('GET', api).then(function (result) {
      if (result.status !== 200) { return; }
      var answer = (result.body.answers || {})[slot];
      if (answer) { saved[slot] = answer; } else { delete saved[slot]; }
      if (!store.pending[slot]) { typeOf(bySlot[slot]).set($('q-' + slot).querySelector('.exam-answer'), responseOf(slot)); }
      showMark(slot); updateNav();
    }, function () { /* offline: the mark shows what we know */ });
  }

  function stop(message) {
    offline = true;
    notice(message);
    var wait = BACKOFF[Math.min(attempts, BACKOFF.length - 1)];
    attempts += 1;
    clearTimeout(retryTimer);
    retryTimer = setTimeout(flush, wait);
    return Promise.resolve(false);
  }

  function allSent() {
    attempts = 0;
    if (offline) { offline = false; notice(''); }
  }

  function notice(text) {
    var box = $('exam-notice');
    box.textContent = text;
    box.classList.toggle('d-none', !text);
  }
  var tipTimer = null;
  function tip(text) {
    var box = $('exam-tip');
    box.textContent = text; box.classList.remove('d-none');
    clearTimeout(tipTimer);
    tipTimer = setTimeout(function () { box.classList.add('d-none'); }, 8000);
  }

  window.addEventListener('online', function () { attempts = 0; flush(); sendEvents(); });
  window.addEventListener('offline', function () {
    if (nextPending() !== null) { notice(OFFLINE); offline = true; }
  });

  // ---- the countdown ----------------------------------------------------------------------
  var warned = false;
  function two(n) { return (n < 10 ? '0' : '') + n; }
  function tick() {
    if (finished) { return; }
    var left = Math.max(0, Math.ceil((deadline - serverNow()) / 1000));
    var h = Math.floor(left / 3600), m = Math.floor(left % 3600 / 60), s = left % 60;
    var clock = $('exam-clock');
    clock.textContent = untimed ? '不限时' : '剩余 ' + (h ? h + ':' + two(m) : m) + ':' + two(s);
    clock.classList.toggle('text-danger', !untimed && left <= 300);
    if (left <= 300 && left > 0 && !warned) { warned = true; tip('距离考试结束不到 5 分钟，时间到时将自动交卷。'); }
    if (left === 0 && !finishing) {
      finish('时间到，正在提交答案并交卷……');
    }
  }

  // ---- submitting -------------------------------------------------------------------------
  function finish(message) {
    finishing = true;
    root.querySelectorAll('.exam-answer input, .exam-answer textarea, .exam-clear').forEach(function (i) { i.disabled = true; });
    $('exam-submit').disabled = true;
    tip(message);
    flush();  // submits once the queue is empty
  }

  var submitting = false;
  function submitNow() {
    if (submitting || finished) { return; }
    submitting = true;
    call('POST', api + '/submit').then(function (result) {
      submitting = false;
      if (result.status === 200 || result.status === 404 || result.status === 409) { goToResult(); return; }
      retrySubmit('交卷未成功：' + ((result.body || {}).error || '服务器暂时无法处理') + '，稍后自动重试。');
    }, function () {
      submitting = false;
      retrySubmit('网络已断开，恢复后将自动交卷。');
    });
  }
  function retrySubmit(message) {
    notice(message);
    var wait = BACKOFF[Math.min(attempts, BACKOFF.length - 1)];
    attempts += 1;
    clearTimeout(retryTimer);
    retryTimer = setTimeout(flush, wait);
  }

  function goToResult() {
    if (finished) { return; }
    finished = true;
    forget();
    window.location.assign(resultUrl);
  }

  var dialog = $('exam-confirm');
  $('exam-submit').addEventListener('click', function () {
    if (finishing) { return; }
    var blank = questions.filter(function (q) { return empty(responseOf(q.slot)); }).map(function (q) { return q.slot; });
    var flagged = store.flags.slice().sort(function (a, b) { return a - b; });
    var body = $('exam-confirm-body');
    body.textContent = '';
    body.appendChild(el('p', blank.length ? 'text-danger exam-unanswered' : 'exam-unanswered',
      blank.length ? '还有 ' + blank.length + ' 题未作答：第 ' + blank.join('、') + ' 题。' : '全部题目均已作答。'));
    if (flagged.length) { body.appendChild(el('p', 'small', '您标记了第 ' + flagged.join('、') + ' 题，可返回检查。')); }
    if (nextPending() !== null) { body.appendChild(el('p', 'small text-muted', '有答案尚未保存到服务器，交卷时会先提交。')); }
    dialog.showModal();
  });
  $('exam-confirm-cancel').addEventListener('click', function () { dialog.close(); });
  $('exam-confirm-ok').addEventListener('click', function () {
    dialog.close();
    finish('正在交卷……');
  });

  // ---- integrity events -------------------------------------------------------------------
  var events = [], eventTimer = null, sendingEvents = false, wasFullscreen = !!document.fullscreenElement;
  var switches = 0;
  function showSwitches(count) {
    switches = count;
    $('exam-switches').textContent = switchLimit === null ? (count ? '切屏 ' + count + ' 次' : '')
      : '切屏 ' + count + ' / ' + switchLimit + ' 次';
  }
  function report(type) {
    if (finished || !questions.length) { return; }
    events.push({type: type, client_time: new Date().toISOString()});
    clearTimeout(eventTimer);
    if (type === 'hidden') { sendEvents(true); } else { eventTimer = setTimeout(sendEvents, 1000); }
  }
  function sendEvents(keepalive) {
    if (sendingEvents || !events.length || finished) { return; }
    sendingEvents = true;
    var batch = events.splice(0, 100);
    call('POST', api + '/events', {events: batch}, keepalive === true).then(function (result) {
      sendingEvents = false;
      var body = result.body || {};
      if (result.status === 200) {
        if (body.switches > switches) {
          tip('已记录离开考试页面 ' + body.switches + ' 次' +
            (body.limit !== null && body.limit !== undefined ? '，超过 ' + body.limit + ' 次将自动交卷。' : '。'));
        }
        if (body.limit !== undefined) { switchLimit = body.limit; }
        showSwitches(body.switches);
        if (body.state !== 'in_progress') { goToResult(); return; }
      } else if (result.status === 409) {
        goToResult(); return;
      } else if (result.status >= 500 || result.status === 429) {
        events = batch.concat(events);
      }
      if (events.length) { eventTimer = setTimeout(sendEvents, 1000); }
    }, function () {
      sendingEvents = false;
      events = batch.concat(events);
      eventTimer = setTimeout(sendEvents, 5000);
    });
  }
  // Reloading or leaving the page hides it too; that is not a 切屏 (the new page says 'visible').
  var unloading = false;
  window.addEventListener('beforeunload', function () { unloading = true; });
  window.addEventListener('pagehide', function () { unloading = true; });
  window.addEventListener('pageshow', function () { unloading = false; });
  document.addEventListener('visibilitychange', function () {
    if (!unloading) { report(document.hidden ? 'hidden' : 'visible'); }
  });
  window.addEventListener('blur', function () { if (!unloading) { report('blur'); } });
  window.addEventListener('focus', function () { report('focus'); });
  document.addEventListener('fullscreenchange', function () {
    if (wasFullscreen && !document.fullscreenElement) { report('fullscreen_exit'); }
    wasFullscreen = !!document.fullscreenElement;
  });
  document.addEventListener('paste', function () { report('paste'); });

  // ---- start: load the attempt, restore unsent answers, run ---------------------------------
  function start(attempt) {
    if (attempt.state !== 'in_progress') { goToResult(); return; }
    questions = attempt.questions;
    questions.forEach(function (q) { bySlot[q.slot] = q; });
    saved = {};
    Object.keys(attempt.answers || {}).forEach(function (slot) { saved[slot] = attempt.answers[slot]; });
    Object.keys(store.pending).forEach(function (slot) {
      var entry = store.pending[slot], server = saved[slot] ? saved[slot].seq : 0;
      // A queued answer the server already holds (same or newer seq) is done; an unsent one wins.
      if (!bySlot[slot] || (entry.seq !== null && entry.seq <= server)) { delete store.pending[slot]; }
    });
    Object.keys(saved).forEach(function (slot) { store.seq[slot] = Math.max(store.seq[slot] || 0, saved[slot].seq); });
    persist();
    showSwitches(attempt.switches || 0);
    renderPaper();
    ready.forEach(function (callback) { callback(questions); });
    $('exam-submit').disabled = false;
    tick();
    setInterval(tick, 500);
    if (!document.hidden) { report('visible'); }  // back on the page (after a reload, too)
    if (nextPending() !== null) { flush(); }
  }

  // ---- hooks for exam-practice.js (the 核对 of a practice) ------------------------------------
  var ready = [];
  window.ExamPage = {
    api: api,
    call: call,
    flush: function () { return flush() || Promise.resolve(true); },
    unsent: function (slot) { return !!store.pending[slot] || !!inflight[slot]; },
    lock: function (slot) {
      locked[slot] = true;
      var card = $('q-' + slot);
      if (card) { card.querySelectorAll('.exam-answer input, .exam-answer textarea, .exam-clear').forEach(function (i) { i.disabled = true; }); }
    },
    onReady: function (callback) { ready.push(callback); }
  };

  function load(wait) {
    call('GET', api).then(function (result) {
      if (result.status === 200) { notice(''); start(result.body); return; }
      if (result.status === 404) { notice('找不到这次作答。'); return; }
      notice((result.body || {}).error || '试题加载失败，正在重试……');
      setTimeout(function () { load(Math.min(wait * 2, 30000)); }, wait);
    }, function () {
      notice('无法连接服务器，正在重试……');
      setTimeout(function () { load(Math.min(wait * 2, 30000)); }, wait);
    });
  }
  load(1000);
})();
