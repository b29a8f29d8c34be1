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

  fetch(agent + '/v1/certificates')
    .then(function (r) { if (!r.ok) throw new Error('agent'); return r.json(); })
    .then(function (certs) {
      statusEl.textContent = '';
      if (!certs.length) return show('usb-nocert');
      var list = document.getElementById('usb-list');
      certs.forEach(function (c) {
        var li = document.createElement('li');
        var b = document.createElement('button');
        b.type = 'button';
        b.className = 'method';
        var expired = new Date(c.notAfter) < new Date();
        var name = document.createElement('span');
        name.className = 'method-label';
        name.textContent = c.subject;
        var hint = document.createElement('span');
        hint.className = 'method-hint';
        hint.textContent = c.issuer + ' — ' + texts.valid_until + ' ' + new Date(c.notAfter).toLocaleDateString(document.documentElement.lang) + (expired ? ' ' + texts.expired : '');
        b.appendChild(name);
        b.appendChild(hint);
        b.addEventListener('click', function () { sign(c); });
        li.appendChild(b);
        list.appendChild(li);
      });
      show('usb-certs');
    })
    .catch(function () { statusEl.textContent = ''; show('usb-noagent'); });
})();
