// The SIM wait page: asks the same URL for JSON every two seconds; once the phone has answered
// (anything but "pending"), loads the page for real, which signs in or explains what happened.
(function () {
  'use strict';
  var status = document.getElementById('sim-wait-status');
  if (!status) return;
  var asked = 0;
  function ask() {
    fetch(location.href, { headers: { accept: 'application/json' }, credentials: 'same-origin', cache: 'no-store' })
      .then(function (r) {
        var json = (r.headers.get('content-type') || '').indexOf('application/json') === 0;
        return json ? r.json() : null;
      })
      .then(function (body) {
        if (body && body.pending) {
          asked += 1;
          // Say it again now and then, so that someone listening knows the page is alive.
          if (asked % 15 === 0) status.textContent = status.getAttribute('data-still');
          setTimeout(ask, 2000);
        } else {
          location.replace(location.href);
        }
      })
      .catch(function () { setTimeout(ask, 4000); });
  }
  setTimeout(ask, 2000);
})();
