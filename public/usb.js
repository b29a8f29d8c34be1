// Talks to the person's local signing agent (docs/usb-agent-protocol.md) and posts the signature.
(function () {
  'use strict';
  var root = document.getElementById('usb');
  if (!root) return;
  var agent = root.getAttribute('data-agent');
  var challenge = root.getAttribute('data-challenge');
  var statusEl = document.getElementById('usb-status');
  var errorEl = document.getElementById('usb-error');
  var texts = {};
  var tpl = document.getElementById('usb-texts');
  tpl.content.querySelectorAll('[data-key]').forEach(function (el) { texts[el.getAttribute('data-key')] = el.textContent; });

  function show(id) { document.getElementById(id).hidden = false; }
  function fail(key) { errorEl.textContent = texts[key] || texts.agent; errorEl.hidden = false; statusEl.textContent = ''; }

  function sign(cert) {
    errorEl.hidden = true;
    statusEl.textContent = texts.signing;
    fetch(agent + '/v1/sign', { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ certificateId: cert.id, data: challenge }) })
      .then(function (r) { return r.json().then(function (b) { return { ok: r.ok, body: b }; }); })
      .then(function (res) {
        if (!res.ok) return fail(res.body.error);
        var form = document.getElementById('usb-form');
        form.elements.signature.value = res.body.signature;
        form.elements.chain.value = JSON.stringify([cert.certificate].concat(cert.chain || []));
        form.submit();
      })
      .catch(function () { fail('agent'); });
  }

  // The certificates in people's words, read by the server from the certificates themselves.
  function describe(certs) {
    var form = document.getElementById('usb-form');
    return fetch(form.getAttribute('data-describe'), {
      method: 'POST', credentials: 'same-origin', headers: { 'content-type': 'application/json', accept: 'application/json' },
      body: JSON.stringify({ _csrf: form.elements._csrf.value, certificates: certs.map(function (c) { return c.certificate; }) }),
    }).then(function (r) { return r.ok ? r.json() : []; }).catch(function () { return []; });
  }

  function line(cls, text) {
    var el = document.createElement('span');
    el.className = cls;
    el.textContent = text;
    return el;
  }

  function list(certs, summaries) {
    var ul = document.getElementById('usb-list');
    ul.textContent = '';
    certs.forEach(function (c, i) {
      var s = summaries[i];
      var li = document.createElement('li');
      var b = document.createElement('button');
      b.type = 'button';
      b.className = 'method';
      if (s) {
        b.appendChild(line('method-label', s.holder + (s.organisation ? ' — ' + s.organisation : '')));
        if (s.idKind) b.appendChild(line('method-hint', s.idKind + ' ' + s.idMasked));
        b.appendChild(line('method-hint', texts.issued_by + ' ' + s.issuer));
        b.appendChild(line('method-hint', texts.valid_until + ' ' + s.validUntil + (s.expired ? ' ' + texts.expired : '')));
      } else {
        b.appendChild(line('method-label', texts.unknown));
      }
      b.addEventListener('click', function () { sign(c); });
      li.appendChild(b);
      ul.appendChild(li);
    });
    show('usb-certs');
  }

  function search() {
    document.getElementById('usb-noagent').hidden = true;
    statusEl.textContent = texts.searching || statusEl.textContent;
    fetch(agent + '/v1/certificates')
      .then(function (r) { if (!r.ok) throw new Error('agent'); return r.json(); })
      .then(function (certs) {
        if (!certs.length) { statusEl.textContent = ''; return show('usb-nocert'); }
        return describe(certs).then(function (summaries) { statusEl.textContent = ''; list(certs, summaries); });
      })
      .catch(function () { statusEl.textContent = ''; show('usb-noagent'); });
  }

  var retry = document.getElementById('usb-retry');
  if (retry) retry.addEventListener('click', search);
  texts.searching = statusEl.textContent;
  search();
})();
