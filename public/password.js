// Password fields: a "show password" button beside each, and the rule checklist ticked while the
// person types (every unmet rule at once). The page works without it: the server checks the rule.
(function () {
  'use strict';
  var words = document.body.dataset;
  document.querySelectorAll('input[type=password]').forEach(function (input) {
    var button = document.createElement('button');
    button.type = 'button';
    button.className = 'link pw-toggle';
    button.setAttribute('aria-controls', input.id);
    button.setAttribute('aria-pressed', 'false');
    button.textContent = words.pwShow;
    button.addEventListener('click', function () {
      var shown = input.type === 'text';
      input.type = shown ? 'password' : 'text';
      button.setAttribute('aria-pressed', String(!shown));
      button.textContent = shown ? words.pwShow : words.pwHide;
    });
    input.insertAdjacentElement('afterend', button);
  });

  var list = document.getElementById('password-rules');
  if (!list) return;
  var input = document.getElementById(list.getAttribute('data-for'));
  var tests = {
    too_short: function (v) { return Array.from(v).length >= 8; },
    needs_lower: function (v) { return /\p{Ll}/u.test(v); },
    needs_upper: function (v) { return /\p{Lu}/u.test(v); },
    needs_digit: function (v) { return /\p{Nd}/u.test(v); },
    needs_special: function (v) { return /[^\p{L}\p{Nd}]/u.test(v); },
  };
  var items = list.querySelectorAll('li[data-rule]');
  items.forEach(function (li) {
    var state = document.createElement('span');
    state.className = 'visually-hidden';
    li.appendChild(state);
  });
  function update() {
    items.forEach(function (li) {
      var met = tests[li.getAttribute('data-rule')](input.value);
      li.classList.toggle('met', met);
      li.lastChild.textContent = ' (' + (met ? words.pwMet : words.pwUnmet) + ')';
    });
  }
  input.addEventListener('input', update);
  update();
})();
