// The lesson quiz (study/quiz.html): ask before handing in while some questions are unanswered.
// The form holds the question to ask in data-unanswered ("{n}" is the count); every question is an
// element with data-question. The server grades whatever is sent, answered or not.
(function () {
  var form = document.querySelector('form[data-unanswered]');
  if (!form) { return; }
  function answered(question) {
    return Array.prototype.some.call(question.querySelectorAll('input, textarea, select'), function (field) {
      if (field.type === 'radio' || field.type === 'checkbox') { return field.checked; }
      return field.type !== 'hidden' && field.value.trim() !== '';
    });
  }
  form.addEventListener('submit', function (event) {
    var missing = Array.prototype.filter.call(form.querySelectorAll('[data-question]'), function (question) {
      return !answered(question);
    }).length;
    if (missing && !window.confirm(form.dataset.unanswered.replace('{n}', missing))) { event.preventDefault(); }
  });
})();
