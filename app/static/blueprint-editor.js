// The blueprint editor (组卷规则): add, move and remove rule rows, show only the fields of the chosen
// source, count each rule's pool of usable questions as it is edited, and pick fixed questions.
// Reads its URLs from the form's data- attributes; no inline script (CSP script-src 'self').
(function () {
  var form = document.querySelector('form[data-blueprint-editor]');
  if (!form) { return; }
  var rules = form.querySelector('[data-rules]');
  var template = document.getElementById('rule-template');
  var timers = new WeakMap();

  function owner() {
    if (form.dataset.owner !== undefined) { return form.dataset.owner; }
    var field = form.querySelector('[name="owner_unit_id"]');
    return field ? field.value : '';
  }

  function field(card, name) {
    return card.querySelector('[name$="-' + name + '"]');
  }

  function sourceOf(card) {
    return field(card, 'source_kind').value;
  }

  function showSource(card) {
    var source = sourceOf(card);
    card.querySelectorAll('[data-source]').forEach(function (part) {
      part.classList.toggle('d-none', part.getAttribute('data-source') !== source);
    });
    card.querySelectorAll('[data-not-source]').forEach(function (part) {
      part.classList.toggle('d-none', part.getAttribute('data-not-source') === source);
    });
  }

  // Rows are named rules-0-…, rules-1-… in page order, so the server reads them in that order.
  function renumber() {
    rules.querySelectorAll('[data-rule]').forEach(function (card, index) {
      card.querySelector('[data-rule-number]').textContent = index + 1;
      card.querySelectorAll('[name], [id], label[for]').forEach(function (element) {
        ['name', 'id', 'for'].forEach(function (attribute) {
          var value = element.getAttribute(attribute);
          if (value && /^rules-(\d+|__i__)-/.test(value)) {
            element.setAttribute(attribute, value.replace(/^rules-(\d+|__i__)-/, 'rules-' + index + '-'));
          }
        });
      });
    });
    total();
  }

  function total() {
    var questions = 0, points = 0;
    rules.querySelectorAll('[data-rule]').forEach(function (card) {
      var count = sourceOf(card) === 'fixed' ? card.querySelectorAll('[data-chosen] > li').length
        : parseInt(field(card, 'count').value, 10) || 0;
      questions += count;
      points += count * (parseFloat(field(card, 'points').value) || 0);
    });
    form.querySelector('[data-total]').textContent =
      '合计 ' + questions + ' 道题，满分 ' + (Math.round(points * 100) / 100) + ' 分';
  }

  function poolQuery(card) {
    var params = new URLSearchParams({owner: owner()});
    card.querySelectorAll('[name]').forEach(function (element) {
      var name = element.getAttribute('name').replace(/^rules-(\d+|__i__)-/, '');
      if (element.type === 'checkbox') {
        if (element.checked) { params.set(name, 'y'); }
      } else if (name !== element.getAttribute('name')) {
        params.set(name, element.value);
      }
    });
    return params;
  }

  function refreshPool(card) {
    var note = card.querySelector('[data-pool]');
    note.textContent = '正在统计可用题数…';
    note.className = 'small text-muted';
    fetch(form.dataset.poolUrl + '?' + poolQuery(card), {credentials: 'same-origin'})
      .then(function (response) { return response.json(); })
      .then(function (data) {
        if (data.problem) {
          note.textContent = data.problem;
          note.className = 'small text-muted';
        } else {
          note.textContent = '可用 ' + data.count + ' 道' + (data.needed ? '，需要 ' + data.needed + ' 道' : '');
          note.className = 'small fw-bold ' + (data.count < data.needed ? 'text-danger' : 'text-success');
        }
      })
      .catch(function () { note.textContent = '暂时无法统计可用题数'; });
  }

  function later(card) {
    clearTimeout(timers.get(card));
    timers.set(card, setTimeout(function () { refreshPool(card); }, 400));
    total();
  }

  function syncChosen(card) {
    var ids = Array.prototype.map.call(card.querySelectorAll('[data-chosen] > li'), function (item) {
      return item.getAttribute('data-id');
    });
    card.querySelector('[data-question-ids]').value = ids.join(',');
    later(card);
  }

  function move(element, up) {
    var other = up ? element.previousElementSibling : element.nextElementSibling;
    if (!other) { return; }
    element.parentNode.insertBefore(element, up ? other : other.nextSibling);
  }

  function chosenItem(question) {
    var item = document.createElement('li');
    item.className = 'list-group-item d-flex align-items-center gap-2 py-1';
    item.setAttribute('data-id', question.id);
    var text = document.createElement('span');
    text.className = 'flex-grow-1 small';
    text.textContent = '#' + question.id + (question.external_id ? ' · ' + question.external_id : '') + ' · ' + question.stem;
    item.appendChild(text);
    [['up', '↑', '上移'], ['down', '↓', '下移'], ['remove', '移除', '移除']].forEach(function (spec) {
      var button = document.createElement('button');
      button.type = 'button';
      button.className = 'btn btn-sm btn-link p-0' + (spec[0] === 'remove' ? ' text-danger' : '');
      button.setAttribute('data-item-action', spec[0]);
      button.setAttribute('aria-label', spec[2]);
      button.textContent = spec[1];
      item.appendChild(button);
    });
    return item;
  }

  function search(card) {
    var results = card.querySelector('[data-picker-results]');
    var params = new URLSearchParams({owner: owner(), q: card.querySelector('[data-picker-q]').value,
                                      qtype: field(card, 'qtype').value});
    results.textContent = '';
    fetch(form.dataset.questionsUrl + '?' + params, {credentials: 'same-origin'})
      .then(function (response) { return response.json(); })
      .then(function (data) {
        if (!data.questions || !data.questions.length) {
          var none = document.createElement('li');
          none.className = 'list-group-item small text-muted';
          none.textContent = '没有找到这种题型的试题';
          results.appendChild(none);
          return;
        }
        data.questions.forEach(function (question) {
          var row = document.createElement('li');
          row.className = 'list-group-item d-flex align-items-center gap-2 py-1 small';
          var text = document.createElement('span');
          text.className = 'flex-grow-1';
          text.textContent = '#' + question.id + (question.external_id ? ' · ' + question.external_id : '') +
            ' · ' + question.stem + (question.usable ? '' : '（未审核或复核中，不会被抽到）');
          var add = document.createElement('button');
          var list = card.querySelector('[data-chosen]');
          var taken = function () { add.disabled = true; add.textContent = '已加入'; };
          add.type = 'button';
          add.className = 'btn btn-sm btn-outline-primary py-0';
          add.textContent = '加入';
          if (list.querySelector('[data-id="' + question.id + '"]')) { taken(); }
          add.addEventListener('click', function () {
            if (!list.querySelector('[data-id="' + question.id + '"]')) { list.appendChild(chosenItem(question)); }
            taken();
            syncChosen(card);
          });
          row.appendChild(text);
          row.appendChild(add);
          results.appendChild(row);
        });
      });
  }

  form.addEventListener('click', function (event) {
    var target = event.target;
    var card = target.closest('[data-rule]');
    if (target.matches('[data-add-rule]')) {
      rules.appendChild(template.content.firstElementChild.cloneNode(true));
      var added = rules.lastElementChild;
      renumber();
      showSource(added);
      refreshPool(added);
      field(added, 'section').focus();
    } else if (target.matches('[data-rule-action]') && card) {
      var action = target.getAttribute('data-rule-action');
      if (action === 'remove') {
        if (rules.querySelectorAll('[data-rule]').length > 1) { card.remove(); }
      } else {
        move(card, action === 'up');
      }
      renumber();
    } else if (target.matches('[data-item-action]') && card) {
      var item = target.closest('li');
      if (target.getAttribute('data-item-action') === 'remove') { item.remove(); } else {
        move(item, target.getAttribute('data-item-action') === 'up');
      }
      syncChosen(card);
    } else if (target.matches('[data-picker-search]') && card) {
      search(card);
    }
  });

  form.addEventListener('keydown', function (event) {
    if (event.key === 'Enter' && event.target.matches('[data-picker-q]')) {
      event.preventDefault();
      search(event.target.closest('[data-rule]'));
    }
  });

  form.addEventListener('change', function (event) {
    if (event.target.matches('[name="owner_unit_id"]')) {
      rules.querySelectorAll('[data-rule]').forEach(refreshPool);
      return;
    }
    var card = event.target.closest('[data-rule]');
    if (!card) { return; }
    if (event.target.matches('[data-source-kind]')) { showSource(card); }
    later(card);
  });

  form.addEventListener('input', function (event) {
    var card = event.target.closest('[data-rule]');
    if (card && !event.target.matches('[data-picker-q]')) { later(card); }
  });

  rules.querySelectorAll('[data-rule]').forEach(function (card) {
    showSource(card);
    refreshPool(card);
  });
  total();
})();
