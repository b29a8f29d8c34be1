// "Gửi lại OTP" during the resend cooldown: disabled, counting down, then enabled (the server
// refuses an early resend anyway; without this script the page shows when it ends).
(function () {
  'use strict';
  var button = document.getElementById('otp-resend');
  if (!button || !button.getAttribute('data-wait')) return;
  var left = Number(button.getAttribute('data-wait'));
  var after = document.getElementById('otp-resend-after');
  if (after) after.hidden = true;
  function tick() {
    if (left <= 0) {
      button.disabled = false;
      button.textContent = button.getAttribute('data-label');
      return;
    }
    button.disabled = true;
    button.textContent = button.getAttribute('data-countdown').replace('{seconds}', String(left));
    left -= 1;
    setTimeout(tick, 1000);
  }
  tick();
})();
