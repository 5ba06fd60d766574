// 阅卷: keyboard moves between answers (J next, K previous, outside an input), Ctrl+Enter saves
// from the comment box, Esc leaves a field. The links carry data-grading-next / -previous.
(function () {
  "use strict";
  function go(selector) {
    var link = document.querySelector(selector);
    if (link) { window.location.href = link.href; }
  }
  document.addEventListener("keydown", function (event) {
    var target = event.target;
    var typing = target && (target.tagName === "INPUT" || target.tagName === "TEXTAREA" || target.tagName === "SELECT");
    if (typing) {
      if (event.key === "Escape") { target.blur(); }
      if (event.key === "Enter" && (event.ctrlKey || event.metaKey) && target.form) {
        event.preventDefault();
        target.form.requestSubmit();
      }
      return;
    }
    if (event.ctrlKey || event.metaKey || event.altKey) { return; }
    if (event.key === "j" || event.key === "J" || event.key === "ArrowRight") { go("[data-grading-next]"); }
    if (event.key === "k" || event.key === "K" || event.key === "ArrowLeft") { go("[data-grading-previous]"); }
  });
})();
