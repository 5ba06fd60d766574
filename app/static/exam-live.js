// The live view (监考): poll the exam's JSON every 10 seconds and update each person's row in place.
(function () {
  var table = document.querySelector('table[data-live-url]');
  var filter = document.querySelector('[data-live-filter]');
  var STATES = ['not_started', 'in_progress', 'overdue', 'finished'];

  function left(seconds) {
    return seconds === null || seconds === undefined ? '' : Math.floor(seconds / 60) + ' 分 ' + (seconds % 60) + ' 秒';
  }

  function applyFilter() {
    if (!table) { return; }
    var wanted = filter ? filter.value : '';
    table.querySelectorAll('tbody tr[data-person]').forEach(function (row) {
      var shown = !wanted || row.dataset.state === wanted || (wanted === 'flagged' && row.dataset.flagged === 'yes');
      row.classList.toggle('d-none', !shown);
    });
  }

  function update(data) {
    data.rows.forEach(function (person) {
      var row = table.querySelector('tr[data-person="' + person.person_id + '"]');
      if (!row) { return; }
      var set = function (name, text) {
        var cell = row.querySelector('[data-field="' + name + '"]');
        if (cell) { cell.textContent = text; }
      };
      set('state_label', person.state_label);
      set('attempts', person.attempts > 1 ? '第 ' + person.attempts + ' 次' : '');
      set('started', person.started);
      set('saved', person.saved);
      set('left', left(person.seconds_left));
      set('score', person.score);
      set('switches', person.switches);
      var badge = row.querySelector('[data-field="state_label"]');
      STATES.forEach(function (state) { badge.classList.toggle('live-state-' + state, state === person.state); });
      row.querySelector('[data-field="flagged"]').classList.toggle('d-none', !person.flagged);
      row.querySelector('[data-when-running]').classList.toggle(
        'd-none', person.state !== 'in_progress' && person.state !== 'overdue');
      var link = row.querySelector('[data-attempt-link]');
      if (link && person.attempt_id) { link.href = table.dataset.attemptUrl.replace(/0$/, person.attempt_id); }
      if (link) { link.classList.toggle('d-none', !person.attempt_id); }
      row.dataset.state = person.state;
      row.dataset.flagged = person.flagged ? 'yes' : 'no';
    });
    Object.keys(data.counts).forEach(function (state) {
      var count = document.querySelector('[data-count="' + state + '"]');
      if (count) { count.textContent = data.counts[state]; }
    });
    var at = document.querySelector('[data-live-at]');
    if (at) { at.textContent = data.at; }
    applyFilter();
  }

  function poll() {
    fetch(table.dataset.liveUrl, {credentials: 'same-origin', headers: {'Accept': 'application/json'}})
      .then(function (response) { return response.ok ? response.json() : null; })
      .then(function (data) { if (data) { update(data); } })
      .catch(function () { /* the next poll tries again */ });
  }

  if (filter) { filter.addEventListener('change', applyFilter); }
  if (table) { setInterval(poll, 10000); }
})();
