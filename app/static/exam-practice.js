// 核对 on a practice's exam page (exams/take.html with data-practice="1"), on top of exam.js's
// window.ExamPage: a button per question sends the queued answers, then POST …/slots/<slot>/check
// (API: the slot's result with the correct answer and the explanation); the feedback shows under
// the question, whose answer is then locked. GET …/checks draws the checks again after a reload.
(function () {
  'use strict';
  var root = document.getElementById('exam');
  var page = window.ExamPage;
  if (!root || root.dataset.practice !== '1' || !page) { return; }
  var LABELS = {correct: ['回答正确', 'success'], partial: ['部分正确', 'warning'], wrong: ['回答错误', 'danger'],
    pending: ['待教官评分', 'secondary']};

  function el(tag, className, text) {
    var node = document.createElement(tag);
    if (className) { node.className = className; }
    if (text !== undefined) { node.textContent = text; }
    return node;
  }
  function words(response) {
    if (response === null || response === undefined || response === '') { return '（未作答）'; }
    if (response === true) { return '对'; }
    if (response === false) { return '错'; }
    if (Array.isArray(response)) { return response.map(function (r) { return r === '' || r === null ? '（空）' : String(r); }).join('、'); }
    return String(response);
  }
  function parts(slot) {
    var card = document.getElementById('q-' + slot);
    return card ? {card: card, button: card.querySelector('.exam-check'), note: card.querySelector('.exam-check-note')} : null;
  }

  function show(result) {
    var p = parts(result.slot);
    if (!p) { return; }
    page.lock(result.slot);
    if (p.button) { p.button.remove(); }
    var label = LABELS[result.status] || LABELS.wrong;
    var box = p.card.querySelector('.exam-feedback') || el('div', 'exam-feedback alert mt-2 mb-0');
    box.className = 'exam-feedback alert mt-2 mb-0 alert-' + label[1];
    box.setAttribute('role', 'status');
    box.textContent = '';
    var head = el('p', 'mb-1 fw-bold', label[0]);
    if (result.score !== undefined && result.max !== undefined) {
      head.appendChild(el('span', 'fw-normal small ms-2', '得分 ' + result.score + ' / ' + result.max));
    }
    box.appendChild(head);
    if (result.correct_response !== undefined) {
      box.appendChild(el('p', 'mb-1', (result.status === 'pending' ? '参考答案：' : '正确答案：') + words(result.correct_response)));
    }
    if (result.explanation_html) {
      var explanation = el('div', 'small markdown');
      explanation.innerHTML = '解析：' + result.explanation_html;  // sanitised on the server (nh3)
      box.appendChild(explanation);
    }
    p.card.querySelector('.card-body').appendChild(box);
    if (p.note) { p.note.textContent = ''; }
  }

  function check(slot) {
    var p = parts(slot);
    p.button.disabled = true; p.note.textContent = '正在核对……';
    page.flush().then(function () {
      if (page.unsent(slot)) { throw new Error('本题答案尚未保存到服务器，请稍后再核对。'); }
      return page.call('POST', page.api + '/slots/' + slot + '/check');
    }).then(function (result) {
      if (result.status === 200) { show(result.body); return; }
      throw new Error((result.body || {}).error || '核对未成功，请稍后重试。');
    }).catch(function (error) {
      var again = parts(slot);
      if (!again || !again.button) { return; }
      again.button.disabled = false;
      again.note.textContent = error && error.message && error.message !== 'Failed to fetch' ? error.message : '网络已断开，恢复后再核对。';
    });
  }

  page.onReady(function (questions) {
    questions.forEach(function (q) {
      var card = document.getElementById('q-' + q.slot);
      var row = el('div', 'd-flex flex-wrap align-items-center gap-2 mt-2');
      var button = el('button', 'btn btn-outline-success btn-sm btn-touch exam-check', '核对');
      button.type = 'button';
      button.addEventListener('click', function () { check(q.slot); });
      row.append(button, el('span', 'small text-muted exam-check-note'));
      card.querySelector('.card-body').appendChild(row);
    });
    page.call('GET', root.dataset.checks).then(function (result) {
      if (result.status === 200) { (result.body.items || []).forEach(show); }
    }, function () { /* offline: the buttons stay */ });
  });
})();
