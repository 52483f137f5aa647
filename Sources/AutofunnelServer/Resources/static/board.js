// The board's small JavaScript layer: drag and drop (or the per-card select) moves a deal through the JSON API, the
// same transition path as every other client. Missing required fields open a dialog with an input per field; losing
// asks for the reason and the comment. Every text from the server is set with textContent, never as HTML.
(() => {
  'use strict';
  const board = document.getElementById('board');
  if (!board) return;
  const csrf = document.querySelector('meta[name="csrf-token"]').content;
  const fields = JSON.parse(board.dataset.fields || '{}');
  const labels = document.getElementById('labels').dataset;
  const errorBox = document.getElementById('board-error');
  const fieldsDialog = document.getElementById('fields-dialog');
  const lostDialog = document.getElementById('lost-dialog');
  let pending = null;

  const ru = () => document.documentElement.lang === 'ru';
  const message = (e) => (ru() ? e.messageRu || e.message : e.message);
  const problemText = (data) => {
    if (!data) return labels.failed;
    const errors = data.errors || [];
    return errors.length ? errors.map(message).join(' ') : data.detail || data.title || labels.failed;
  };
  const show = (box, text) => { box.textContent = text || ''; box.hidden = !text; };

  async function send(method, url, body, form) {
    const headers = { 'X-CSRF-Token': csrf, Accept: 'application/json' };
    if (!form) headers['Content-Type'] = 'application/json';
    const response = await fetch(url, {
      method, credentials: 'same-origin', headers, body: form ? body : JSON.stringify(body),
    });
    // A page route answers a lost session by sending the browser to sign in: that is a failure, not a success.
    if (response.redirected) return { ok: false, status: 401, data: null };
    let data = null;
    try { data = await response.json(); } catch (_) { data = null; }
    return { ok: response.ok, status: response.status, data };
  }

  const cardsOf = (stage) => board.querySelector(`section.column[data-stage="${CSS.escape(stage)}"] .column-cards`);
  const bump = (stage, by) => {
    const count = board.querySelector(`section.column[data-stage="${CSS.escape(stage)}"] .column-count`);
    if (count) count.textContent = String(Number(count.textContent) + by);
  };

  function restore(p) {
    p.home.insertBefore(p.card, p.next && p.next.parentNode === p.home ? p.next : null);
    p.card.focus();
  }

  // The card as the server shows it now (after the dialog saved values, its amount or contact changed).
  async function refresh(p) {
    const response = await fetch(`/board/${board.dataset.pipeline}/column/${encodeURIComponent(p.stage)}`, { credentials: 'same-origin' });
    if (!response.ok || response.redirected) return;
    const holder = document.createElement('template');
    holder.innerHTML = await response.text();
    const fresh = holder.content.getElementById('deal-' + p.id);
    if (fresh && p.card.isConnected) { p.card.replaceWith(fresh); fresh.focus(); }
  }

  function done(p) {
    bump(p.from, -1);
    if (p.stage === 'won' || p.stage === 'lost') {
      p.card.remove();
    } else {
      bump(p.stage, 1);
      const age = p.card.querySelector('.card-age');
      if (age) { age.classList.remove('warn', 'over'); }
      p.card.focus();
      if (p.filled) refresh(p);
    }
  }

  function move(card, stage) {
    show(errorBox, '');
    const column = card.closest('section.column');
    if (!column || !stage || stage === column.dataset.stage) return;
    const p = { card, id: card.dataset.deal, from: column.dataset.stage, stage, home: card.parentNode, next: card.nextSibling };
    if (stage === 'lost') { openLost(p); return; }
    if (stage !== 'won') cardsOf(stage).prepend(card);
    attempt(p);
  }

  async function attempt(p) {
    const r = p.stage === 'won'
      ? await send('POST', `/api/v1/deals/${p.id}/close`, { result: 'won' })
      : await send('POST', `/api/v1/deals/${p.id}/move`, { stage: p.stage });
    if (r.ok) { done(p); return; }
    const errors = (r.data && r.data.errors) || [];
    const missing = errors.filter((e) => e.rule === 'requiredField' && e.field);
    if (r.status === 422 && missing.length > 0 && missing.length === errors.length) { openFields(p, missing); return; }
    restore(p);
    show(errorBox, problemText(r.data));
  }

  function input(ref, field) {
    const id = 'fill-' + ref.replace(/\./g, '-');
    const wrap = document.createElement('div');
    wrap.className = 'fill';
    const label = document.createElement('label');
    label.htmlFor = id;
    label.textContent = field.name;
    wrap.append(label);
    let control;
    if (field.type === 'enum' || field.type === 'user') {
      control = document.createElement('select');
      const none = new Option(labels.choose, '');
      control.append(none);
      for (const [value, text] of field.options || []) control.append(new Option(text, value));
      control.required = true;
    } else if (field.type === 'boolean') {
      control = document.createElement('input');
      control.type = 'checkbox';
      label.prepend(control);
      label.append('');
    } else {
      control = document.createElement('input');
      control.type = { number: 'number', money: 'number', date: 'date', datetime: 'datetime-local', phone: 'tel', email: 'email' }[field.type] || 'text';
      if (control.type === 'number') control.step = 'any';
      control.required = true;
    }
    control.id = id;
    control.name = ref;
    if (field.type !== 'boolean') wrap.append(control);
    if (field.type === 'money') {
      const currencyLabel = document.createElement('label');
      currencyLabel.htmlFor = id + '-currency';
      currencyLabel.textContent = labels.currencyLabel;
      const currency = document.createElement('input');
      currency.id = id + '-currency';
      currency.name = ref + '.currency';
      currency.value = board.dataset.currency || 'RUB';
      currency.maxLength = 3;
      currency.required = true;
      wrap.append(currencyLabel, currency);
    }
    return wrap;
  }

  function openFields(p, missing) {
    pending = p;
    const box = document.getElementById('fields-inputs');
    box.replaceChildren(...missing.map((e) => input(e.field, fields[e.field] || { name: message(e), type: 'text' })));
    show(document.getElementById('fields-error'), '');
    fieldsDialog.showModal();
  }

  document.getElementById('fields-form').addEventListener('submit', async (event) => {
    event.preventDefault();
    const p = pending;
    if (!p) return;
    const form = new URLSearchParams();
    form.append('_csrf', csrf);
    for (const el of document.getElementById('fields-inputs').querySelectorAll('input, select')) {
      form.append(el.name, el.type === 'checkbox' ? String(el.checked) : el.value);
    }
    const r = await send('POST', `/deals/${p.id}/fill`, form, true);
    if (!r.ok) { show(document.getElementById('fields-error'), problemText(r.data)); return; }
    pending = null;
    p.filled = true;
    fieldsDialog.close('saved');
    attempt(p);
  });

  // The dialog closes first: closing gives focus back to what had it before, and the card should end up with it.
  function cancel(dialog) {
    const p = pending;
    pending = null;
    if (dialog.open) dialog.close('cancel');
    if (p) restore(p);
  }
  document.getElementById('fields-cancel').addEventListener('click', () => cancel(fieldsDialog));
  document.getElementById('lost-cancel').addEventListener('click', () => cancel(lostDialog));
  fieldsDialog.addEventListener('cancel', (e) => { e.preventDefault(); cancel(fieldsDialog); });
  lostDialog.addEventListener('cancel', (e) => { e.preventDefault(); cancel(lostDialog); });

  function openLost(p) {
    pending = p;
    document.getElementById('lost-comment').value = '';
    show(document.getElementById('lost-error'), '');
    lostDialog.showModal();
  }

  document.getElementById('lost-form').addEventListener('submit', async (event) => {
    event.preventDefault();
    const p = pending;
    if (!p) return;
    const body = { result: 'lost', reason: document.getElementById('lost-reason').value };
    const comment = document.getElementById('lost-comment').value.trim();
    if (comment) body.comment = comment;
    const r = await send('POST', `/api/v1/deals/${p.id}/close`, body);
    if (!r.ok) { show(document.getElementById('lost-error'), problemText(r.data)); return; }
    pending = null;
    lostDialog.close('lost');
    done(p);
  });

  board.addEventListener('dragstart', (e) => {
    const card = e.target.closest && e.target.closest('.card');
    if (!card) return;
    e.dataTransfer.setData('text/plain', card.dataset.deal);
    e.dataTransfer.effectAllowed = 'move';
    card.classList.add('dragging');
  });
  board.addEventListener('dragend', (e) => { if (e.target.classList) e.target.classList.remove('dragging'); });
  board.addEventListener('dragover', (e) => {
    if (e.target.closest && e.target.closest('.column, .dropzone')) { e.preventDefault(); e.dataTransfer.dropEffect = 'move'; }
  });
  board.addEventListener('drop', (e) => {
    const zone = e.target.closest && e.target.closest('.column, .dropzone');
    if (!zone) return;
    e.preventDefault();
    const card = document.getElementById('deal-' + e.dataTransfer.getData('text/plain'));
    if (card) move(card, zone.dataset.stage || zone.dataset.outcome);
  });
  // The keyboard's way: the card's ⇄ button asks for the stage in a dialog, then moves as a drop does.
  const moveDialog = document.getElementById('move-dialog');
  let moving = null;
  board.addEventListener('click', (e) => {
    const button = e.target.closest && e.target.closest('button.card-move');
    if (!button) return;
    moving = button.closest('.card');
    const select = document.getElementById('move-select');
    select.value = moving.closest('section.column').dataset.stage;
    moveDialog.showModal();
  });
  document.getElementById('move-form').addEventListener('submit', (event) => {
    event.preventDefault();
    const card = moving;
    moving = null;
    moveDialog.close('move');
    if (card) move(card, document.getElementById('move-select').value);
  });
  document.getElementById('move-cancel').addEventListener('click', () => {
    const card = moving;
    moving = null;
    moveDialog.close('cancel');
    if (card) card.focus();
  });
  board.addEventListener('click', async (e) => {
    const more = e.target.closest && e.target.closest('a.column-more');
    if (!more) return;
    e.preventDefault();
    const response = await fetch(more.href, { credentials: 'same-origin' });
    if (!response.ok) { show(errorBox, labels.failed); return; }
    const holder = document.createElement('template');
    holder.innerHTML = await response.text();
    const cards = holder.content.querySelector('.column-cards');
    const target = more.parentNode;
    more.remove();
    if (cards) target.append(...cards.childNodes);
  });
})();
