// Keyboard shortcuts on the review form (progressive enhancement: the form works without them).
// With a criterion's rating focused: a digit picks that rating, "n" picks N/A, and the focus
// moves to the next criterion's rating, so a whole card is rated with one key per criterion.
"use strict";
document.addEventListener("keydown", function (event) {
  var target = event.target;
  if (!(target instanceof HTMLInputElement) || target.type !== "radio" ||
      target.name.indexOf("rating.") !== 0 || event.ctrlKey || event.metaKey || event.altKey) {
    return;
  }
  var value = /^[0-9]$/.test(event.key) ? event.key : (event.key === "n" ? "na" : null);
  if (value === null) {
    return;
  }
  var group = document.getElementsByName(target.name);
  var chosen = null;
  for (var i = 0; i < group.length; i++) {
    if (group[i].value === value) {
      chosen = group[i];
    }
  }
  if (chosen === null) {
    return;
  }
  event.preventDefault();
  chosen.checked = true;
  var fieldsets = Array.prototype.slice.call(document.querySelectorAll("fieldset.criterion[id^='rate-']"));
  var here = fieldsets.indexOf(chosen.closest("fieldset"));
  var next = fieldsets[here + 1];
  if (next) {
    var checked = next.querySelector("input[type=radio]:checked") || next.querySelector("input[type=radio]");
    checked.focus();
  } else {
    var save = document.querySelector("form.stack button[type=submit]");
    if (save) {
      save.focus();
    }
  }
});
