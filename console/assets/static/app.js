// panther console: one plain script, no framework. Every screen calls the
// public API under /api/v1 with the session cookie (and the session's CSRF
// token on changes). Text from logs is only ever set with textContent or
// setAttribute: nothing here parses a string as HTML.
'use strict';
(function () {
  const $ = (sel, root) => (root || document).querySelector(sel);
  const $$ = (sel, root) => Array.from((root || document).querySelectorAll(sel));

  // h builds an element: attributes (on* are listeners, text sets
  // textContent) and children (strings become text nodes).
  function h(tag, attrs, ...kids) {
    const e = tag.includes(':') ? document.createElementNS('http://www.w3.org/2000/svg', tag.split(':')[1]) : document.createElement(tag);
    for (const [k, v] of Object.entries(attrs || {})) {
      if (v === null || v === undefined || v === false) continue;
      if (k.startsWith('on')) e.addEventListener(k.slice(2), v);
      else if (k === 'text') e.textContent = String(v);
      else if (k === 'class' && !(e instanceof SVGElement)) e.className = v;
      else e.setAttribute(k, v === true ? '' : String(v));
    }
    for (const k of kids.flat(3)) {
      if (k === null || k === undefined || k === false) continue;
      e.append(k instanceof Node ? k : document.createTextNode(String(k)));
    }
    return e;
  }
  // safeURL keeps http(s) links only (a reference or runbook may come from
  // a detection's output, hence from a log).
  const safeURL = (u) => (typeof u === 'string' && /^https?:\/\/[^\s]+$/i.test(u) ? u : null);
  const q = (obj) => new URLSearchParams(Object.entries(obj).filter(([, v]) => v !== '' && v !== null && v !== undefined && v !== false)).toString();

  let me = null;
  const canWrite = () => me && me.role === 'write';

  class APIError extends Error {
    constructor(status, detail) {
      super((detail && detail.message) || ('HTTP ' + status));
      this.status = status; this.detail = detail || {};
    }
  }

  async function api(method, path, body, opts) {
    opts = opts || {};
    const headers = { Accept: 'application/json' };
    if (method !== 'GET' && me && me.csrf_token) headers['X-CSRF-Token'] = me.csrf_token;
    if (body !== undefined) headers['Content-Type'] = 'application/json';
    if (opts.headers) Object.assign(headers, opts.headers);
    const r = await fetch(path, { method, headers, credentials: 'same-origin', signal: opts.signal,
      body: body === undefined ? undefined : JSON.stringify(body) });
    if (r.status === 401 && !opts.noRedirect) {
      location.assign('/login?next=' + encodeURIComponent(location.pathname + location.search));
      throw new APIError(401, { message: 'signed out' });
    }
    const ct = r.headers.get('Content-Type') || '';
    const data = r.status === 204 ? null : ct.includes('json') ? await r.json() : await r.text();
    if (!r.ok) throw new APIError(r.status, data && data.error);
    return { data, headers: r.headers };
  }

  function say(msg, kind) {
    const s = $('#status');
    s.replaceChildren(msg ? h('p', { class: kind || '' , text: msg }) : '');
  }
  const fail = (e) => say(e.message + (e.detail && e.detail.hint ? ' — ' + e.detail.hint : ''), 'error');

  // Times: relative, exact on hover.
  function ago(t) {
    if (!t) return '';
    const s = (Date.now() - new Date(t).getTime()) / 1000;
    const a = Math.abs(s);
    const v = a < 60 ? Math.round(a) + 's' : a < 3600 ? Math.round(a / 60) + 'm' : a < 86400 ? Math.round(a / 3600) + 'h' : Math.round(a / 86400) + 'd';
    return s >= 0 ? v + ' ago' : 'in ' + v;
  }
  const when = (t) => (t ? h('time', { datetime: t, title: new Date(t).toISOString() }, ago(t)) : '');
  const exact = (t) => (t ? h('time', { datetime: t }, new Date(t).toISOString().replace('.000Z', 'Z')) : '');
  const sev = (s) => h('span', { class: 'sev sev-' + s }, s);

  function table(cols, rows, opts) {
    opts = opts || {};
    return h('table', { class: opts.class || '' },
      h('thead', {}, h('tr', {}, cols.map((c) => h('th', { scope: 'col', class: c.num ? 'num' : '' }, c.label)))),
      h('tbody', {}, rows.map((r) => h('tr', {}, cols.map((c) => h('td', { class: c.num ? 'num' : '' }, c.cell(r)))))));
  }

  // display turns any JSON value into text.
  const display = (v) => (v === null || v === undefined ? '' : typeof v === 'object' ? JSON.stringify(v) : String(v));

  // ---- theme, header, sign out --------------------------------------------
  function theme() {
    const saved = localStorage.getItem('theme');
    const dark = saved ? saved === 'dark' : matchMedia('(prefers-color-scheme: dark)').matches;
    document.documentElement.dataset.theme = dark ? 'dark' : 'light';
    $('#theme').addEventListener('click', () => {
      const next = document.documentElement.dataset.theme === 'dark' ? 'light' : 'dark';
      document.documentElement.dataset.theme = next;
      localStorage.setItem('theme', next);
    });
  }

  function header() {
    const screen = document.body.dataset.screen;
    const navKey = screen === 'alert' ? 'alerts' : screen === 'pack' ? 'packs' : screen;
    $$('nav a').forEach((a) => { if (a.dataset.nav === navKey) a.setAttribute('aria-current', 'page'); });
    const who = $('#who');
    if (!who) return;
    who.replaceChildren(h('span', { id: 'me' }, me.name), h('span', { class: 'chip', id: 'role' }, me.role),
      me.session ? h('button', { type: 'button', id: 'signout', onclick: signOut }, 'Sign out') : '');
  }

  async function signOut() {
    try { await api('DELETE', '/api/v1/session', undefined, { noRedirect: true }); } catch (e) { /* gone already */ }
    location.assign('/login');
  }

  // ---- sign in --------------------------------------------------------------
  function login() {
    const next = new URLSearchParams(location.search).get('next') || '/alerts';
    // Only a path of this site: never //other.host or a scheme.
    const target = /^\/(?![\/\\])/.test(next) ? next : '/alerts';
    const token = h('input', { type: 'password', id: 'token', name: 'token', autocomplete: 'off', required: true });
    const form = h('form', { class: 'login', onsubmit: async (ev) => {
      ev.preventDefault();
      try {
        await api('POST', '/api/v1/session', { token: token.value }, { noRedirect: true });
        location.assign(target);
      } catch (e) { fail(e); token.select(); }
    } },
    h('label', { for: 'token' }, 'API token (read or write)'), token,
    h('p', { class: 'muted' }, 'The token is sent once; the browser then keeps a session cookie that ends after 12 hours, 2 idle hours, or when you sign out.'),
    h('button', { class: 'primary', type: 'submit', id: 'signin' }, 'Sign in'));
    $('#screen').replaceChildren(form);
    token.focus();
  }

  // ---- alerts ---------------------------------------------------------------
  const STATUSES = ['OPEN', 'TRIAGED', 'RESOLVED', 'CLOSED'];
  const SEVERITIES = ['INFO', 'LOW', 'MEDIUM', 'HIGH', 'CRITICAL'];
  const FILTERS = ['status', 'severity', 'rule', 'group', 'assignee', 'mine', 'unacknowledged', 'q', 'from', 'sort', 'cursor'];

  async function alertsScreen() {
    const params = new URLSearchParams(location.search);
    if (!params.has('status')) params.set('status', 'OPEN,TRIAGED');
    const statuses = new Set(params.get('status').split(',').filter(Boolean));
    const field = (name, label, attrs) => h('label', {}, label, h('input', Object.assign({ name, id: 'f-' + name, value: params.get(name) || '' }, attrs || {})));
    const select = (name, label, options) => h('label', {}, label, h('select', { name, id: 'f-' + name },
      options.map(([v, t]) => h('option', { value: v, selected: (params.get(name) || '') === v }, t))));
    const check = (name, label) => h('label', { class: 'check' }, h('input', { type: 'checkbox', name, id: 'f-' + name, checked: params.get(name) === 'true' }), label);
    const form = h('form', { class: 'filters', role: 'search', 'aria-label': 'Filter alerts', onsubmit: (ev) => {
      ev.preventDefault();
      const p = {};
      p.status = $$('input[name=st]:checked', form).map((i) => i.value).join(',') || STATUSES.join(',');
      for (const n of ['severity', 'rule', 'group', 'assignee', 'q', 'from', 'sort']) p[n] = form.elements[n].value.trim();
      for (const n of ['mine', 'unacknowledged']) p[n] = form.elements[n].checked ? 'true' : '';
      location.assign('/alerts?' + q(p));
    } },
    h('fieldset', {}, h('legend', {}, 'Status'), STATUSES.map((s) => h('label', { class: 'check' },
      h('input', { type: 'checkbox', name: 'st', value: s, checked: statuses.has(s) }), s.toLowerCase()))),
    select('severity', 'At least', [['', 'any severity']].concat(SEVERITIES.map((s) => [s, s.toLowerCase()]))),
    field('rule', 'Rule', { size: 18 }), field('group', 'Group', { size: 8 }), field('assignee', 'Assignee', { size: 8 }),
    field('q', 'Text', { type: 'search', size: 16, placeholder: 'title, node, rule…' }),
    select('from', 'Seen in', [['', 'any time'], ['1h', 'last hour'], ['24h', 'last 24 h'], ['7d', 'last 7 days'], ['30d', 'last 30 days']]),
    select('sort', 'Sort', [['', 'last seen ↓'], ['last_seen', 'last seen ↑'], ['-severity', 'severity ↓'], ['-tally', 'tally ↓'], ['-first_seen', 'first seen ↓'], ['id', 'id ↑']]),
    check('unacknowledged', 'unacknowledged'), check('mine', 'mine'),
    h('button', { type: 'submit', class: 'primary', id: 'apply' }, 'Filter'));

    const marker = h('button', { type: 'button', class: 'marker', id: 'new-marker', hidden: true, onclick: () => location.reload() });
    const bulk = h('div', { class: 'bar', id: 'bulk' });
    const body = h('div', { id: 'list' });
    $('#screen').replaceChildren(form, h('div', { class: 'bar' }, marker, bulk), body);

    const listParams = {};
    for (const n of FILTERS) if (params.get(n)) listParams[n] = params.get(n);
    listParams.limit = '50';
    let res;
    try { res = await api('GET', '/api/v1/alerts?' + q(listParams)); } catch (e) { return fail(e); }
    const alerts = res.data.alerts || [];
    const selected = new Set();

    const sortLink = (key, label) => {
      const cur = params.get('sort') || '-last_seen';
      const next = cur === '-' + key ? key : '-' + key;
      const p = new URLSearchParams(location.search); p.set('sort', next); p.delete('cursor');
      const ind = cur === '-' + key ? ' ↓' : cur === key ? ' ↑' : '';
      return h('a', { href: '/alerts?' + p.toString() }, label + ind);
    };
    const rowOf = (a) => {
      const tr = h('tr', { 'data-id': a.id, tabindex: -1 },
        h('td', {}, h('input', { type: 'checkbox', class: 'pick', 'aria-label': 'select alert ' + a.id, checked: selected.has(a.id),
          onchange: (ev) => { ev.target.checked ? selected.add(a.id) : selected.delete(a.id); tr.classList.toggle('selected', ev.target.checked); bulkBar(); } })),
        h('td', {}, sev(a.severity)),
        h('td', { class: 'status' }, a.status, a.acknowledged ? h('span', { class: 'chip', title: 'acknowledged by ' + (a.ack_by || '') }, 'ack') : ''),
        h('td', {}, h('a', { href: '/alerts/' + a.id, class: 'title' }, a.title || '(no title)')),
        h('td', {}, a.node || a.dedup || ''),
        h('td', {}, a.rule_id || a.tag || ''),
        h('td', { class: 'num' }, a.tally),
        h('td', {}, when(a.first_seen)), h('td', {}, when(a.last_seen)),
        h('td', {}, a.assignee || ''), h('td', {}, a.group || ''));
      if (selected.has(a.id)) tr.classList.add('selected');
      return tr;
    };
    const tbody = h('tbody', {}, alerts.map(rowOf));
    const tbl = h('table', { id: 'alerts', 'aria-label': 'Alerts' },
      h('thead', {}, h('tr', {},
        h('th', { scope: 'col' }, h('input', { type: 'checkbox', id: 'pick-all', 'aria-label': 'select every alert of the page', onchange: (ev) => {
          $$('input.pick', tbody).forEach((i) => { if (i.checked !== ev.target.checked) { i.checked = ev.target.checked; i.dispatchEvent(new Event('change')); } });
        } })),
        h('th', { scope: 'col' }, sortLink('severity', 'Severity')), h('th', { scope: 'col' }, 'Status'), h('th', { scope: 'col' }, 'Title'),
        h('th', { scope: 'col' }, 'Node / entity'), h('th', { scope: 'col' }, 'Rule'),
        h('th', { scope: 'col', class: 'num' }, sortLink('tally', 'Tally')),
        h('th', { scope: 'col' }, sortLink('first_seen', 'First seen')), h('th', { scope: 'col' }, sortLink('last_seen', 'Last seen')),
        h('th', { scope: 'col' }, 'Assignee'), h('th', { scope: 'col' }, 'Group'))),
      tbody);
    const pager = h('div', { class: 'pager' });
    if (params.get('cursor')) { const p = new URLSearchParams(location.search); p.delete('cursor'); pager.append(h('a', { href: '/alerts?' + p }, '← First page')); }
    if (res.data.next) { const p = new URLSearchParams(location.search); p.set('cursor', res.data.next); pager.append(h('a', { href: '/alerts?' + p, id: 'next-page', rel: 'next' }, 'Next page →')); }
    body.replaceChildren(alerts.length ? tbl : h('p', { class: 'muted', id: 'empty' }, 'No alert matches these filters.'), pager);

    function bulkBar() {
      if (!canWrite()) { bulk.replaceChildren(selected.size ? h('span', { class: 'muted' }, selected.size + ' selected (read-only)') : ''); return; }
      if (!selected.size) { bulk.replaceChildren(); return; }
      const who = h('input', { id: 'bulk-assignee', 'aria-label': 'assign to', size: 10, placeholder: 'assignee' });
      const act = (label, patch, id) => h('button', { type: 'button', id, onclick: async () => {
        try {
          const r = await api('POST', '/api/v1/alerts/bulk', Object.assign({ ids: Array.from(selected) }, patch()));
          const failed = Object.keys(r.data.failed || {}).length;
          say((r.data.changed !== undefined ? r.data.changed + ' changed' : 'done') + (failed ? ', ' + failed + ' refused' : ''), failed ? 'error' : 'ok');
          setTimeout(() => location.reload(), 300);
        } catch (e) { fail(e); }
      } }, label);
      bulk.replaceChildren(h('span', { id: 'selected-count' }, selected.size + ' selected'),
        act('Acknowledge', () => ({ ack: true }), 'bulk-ack'), act('Triage', () => ({ status: 'TRIAGED' }), 'bulk-triage'),
        act('Resolve', () => ({ status: 'RESOLVED' }), 'bulk-resolve'), act('Close', () => ({ status: 'CLOSED' }), 'bulk-close'),
        who, act('Assign', () => ({ assignee: who.value.trim() }), 'bulk-assign'));
    }
    bulkBar();

    // Live: changed rows are updated in place; new alerts only raise the
    // "N new" marker, so nothing moves under the cursor.
    const seq = res.headers.get('X-Alert-Seq');
    if (window.EventSource && seq !== null && !params.get('cursor')) {
      let fresh = 0;
      const es = new EventSource('/api/v1/alerts/stream?after=' + encodeURIComponent(seq));
      es.addEventListener('alert', async (ev) => {
        let c; try { c = JSON.parse(ev.data); } catch (e) { return; }
        const tr = $('tr[data-id="' + Number(c.id) + '"]', tbody);
        if (tr) {
          try {
            const a = (await api('GET', '/api/v1/alerts/' + Number(c.id))).data;
            const row = rowOf(a); if (tr.classList.contains('cur')) row.classList.add('cur');
            row.classList.add('flash'); tr.replaceWith(row); setTimeout(() => row.classList.remove('flash'), 1200);
          } catch (e) { /* gone */ }
        } else if (c.action === 'created' || c.action === 'reopened') {
          fresh++;
          marker.textContent = fresh + ' new — show'; marker.hidden = false;
        }
      });
      es.addEventListener('reset', () => { marker.textContent = 'Changes were missed — reload'; marker.hidden = false; });
      addEventListener('beforeunload', () => es.close());
    }

    // Keyboard: j/k move, x selects, o or Enter opens, a acks, r resolves, / searches.
    let cur = -1;
    const rows = () => $$('tr', tbody);
    const move = (d) => {
      const rs = rows(); if (!rs.length) return;
      rs.forEach((r) => r.classList.remove('cur'));
      cur = Math.max(0, Math.min(rs.length - 1, cur + d));
      rs[cur].classList.add('cur'); rs[cur].focus();
    };
    const curID = () => { const r = rows()[cur]; return r ? Number(r.dataset.id) : 0; };
    const patchCur = async (patch, done) => {
      const id = curID(); if (!id || !canWrite()) return;
      try { await api('PATCH', '/api/v1/alerts/' + id, patch); say(done + ' alert ' + id, 'ok'); } catch (e) { fail(e); }
    };
    keys({ j: () => move(1), k: () => move(-1), x: () => { const r = rows()[cur]; if (r) $('input.pick', r).click(); },
      o: () => { if (curID()) location.assign('/alerts/' + curID()); }, Enter: () => { if (curID()) location.assign('/alerts/' + curID()); },
      a: () => patchCur({ ack: true }, 'acknowledged'), r: () => patchCur({ status: 'RESOLVED' }, 'resolved'),
      '/': () => $('#f-q').focus() });
  }

  // keys binds single-key shortcuts outside inputs; ? lists them.
  const KEYS = [['j / k', 'next / previous alert'], ['x', 'select the alert'], ['o, Enter', 'open the alert'], ['a', 'acknowledge'],
    ['r', 'resolve'], ['/', 'search (filter text)'], ['?', 'this list'], ['Esc', 'close']];
  function keys(map) {
    document.addEventListener('keydown', (ev) => {
      if (ev.ctrlKey || ev.metaKey || ev.altKey) return;
      const t = ev.target;
      if (t && (t.tagName === 'INPUT' || t.tagName === 'TEXTAREA' || t.tagName === 'SELECT' || t.isContentEditable)) return;
      if (ev.key === '?') { ev.preventDefault(); return help(); }
      const f = map[ev.key];
      if (f) { ev.preventDefault(); f(); }
    });
  }
  function help() {
    let d = $('#keys');
    if (!d) {
      d = h('dialog', { id: 'keys', 'aria-label': 'Keyboard shortcuts' }, h('h2', {}, 'Keys'),
        h('dl', { class: 'kv' }, KEYS.map(([k, v]) => [h('dt', {}, h('kbd', {}, k)), h('dd', {}, v)])),
        h('form', { method: 'dialog' }, h('button', { type: 'submit' }, 'Close')));
      document.body.append(d);
    }
    d.showModal();
  }

  // ---- one alert ------------------------------------------------------------
  const INDICATORS = { p_any_ip_addresses: 'ip', p_any_domain_names: 'domain', p_any_usernames: 'username', p_any_emails: 'email',
    p_any_md5_hashes: 'hash', p_any_sha1_hashes: 'hash', p_any_sha256_hashes: 'hash', p_any_aws_account_ids: 'aws_account_id',
    p_any_aws_arns: 'aws_arn', p_any_aws_instance_ids: 'aws_instance_id', p_any_trace_ids: 'trace_id' };

  // flatten turns nested JSON into [path, value] pairs for a table.
  function flatten(v, prefix, out) {
    out = out || [];
    if (v && typeof v === 'object' && !Array.isArray(v) && Object.keys(v).length) {
      for (const [k, x] of Object.entries(v)) flatten(x, prefix ? prefix + '.' + k : k, out);
    } else out.push([prefix, v]);
    return out;
  }

  // around is a day before or after a time, as RFC 3339 (a pivot's range).
  const around = (t, days) => new Date(new Date(t).getTime() + days * 86400000).toISOString().replace(/\.\d+Z$/, 'Z');

  async function alertScreen() {
    const id = Number(location.pathname.split('/').pop());
    let a;
    try { a = (await api('GET', '/api/v1/alerts/' + id)).data; } catch (e) { return fail(e); }
    document.title = '#' + a.id + ' ' + (a.title || '') + ' · panther';
    $('#title').replaceChildren(sev(a.severity), ' ', h('span', { id: 'alert-title' }, a.title || '(no title)'));
    const screen = $('#screen');
    const patch = async (p, done) => {
      try {
        await api('PATCH', '/api/v1/alerts/' + a.id, p, { headers: { 'If-Match': '"' + a.version + '"' } });
        say(done, 'ok'); setTimeout(() => location.reload(), 200);
      } catch (e) { if (e.status === 412) say('Someone changed this alert meanwhile: reload and redo.', 'error'); else fail(e); }
    };
    const actions = h('div', { class: 'bar', id: 'actions' });
    if (canWrite()) {
      const b = (label, id, p, done) => h('button', { type: 'button', id, onclick: () => patch(p, done) }, label);
      if (a.status !== 'CLOSED') {
        actions.append(a.acknowledged ? b('Unacknowledge', 'unack', { ack: false }, 'Acknowledgement taken back') : b('Acknowledge', 'ack', { ack: true }, 'Acknowledged'));
        if (a.status === 'OPEN') actions.append(b('Triage', 'triage', { status: 'TRIAGED' }, 'Triaged'));
        if (a.status === 'TRIAGED') actions.append(b('Back to open', 'untriage', { status: 'OPEN' }, 'Open again'));
        if (a.status !== 'RESOLVED') actions.append(b('Resolve', 'resolve', { status: 'RESOLVED' }, 'Resolved'));
        if (a.status === 'RESOLVED') actions.append(b('Reopen', 'reopen', { status: 'OPEN' }, 'Reopened'));
        actions.append(b('Close', 'close', { status: 'CLOSED' }, 'Closed'));
        const who = h('input', { id: 'assignee', 'aria-label': 'assignee', size: 12, value: a.assignee || '' });
        actions.append(who, h('button', { type: 'button', id: 'assign', onclick: () => patch({ assignee: who.value.trim() }, 'Assigned') }, 'Assign'),
          h('button', { type: 'button', id: 'take', onclick: () => patch({ assignee: me.name }, 'Assigned to you') }, 'Take'));
      }
    }
    const summary = h('dl', { class: 'kv', id: 'summary' },
      [['Status', h('span', { id: 'alert-status' }, a.status)],
        ['Acknowledged', a.acknowledged ? h('span', { id: 'acked' }, 'by ', a.ack_by || '?', ' ', when(a.ack_at)) : 'no'],
        ['Assignee', a.assignee || '—'], ['Group', a.group || '—'], ['Owner', a.owner || '—'],
        ['Kind', a.kind], ['Rule', a.rule_id ? h('a', { href: '/alerts?' + q({ rule: a.rule_id, status: STATUSES.join(',') }) }, a.rule_id) : '—'],
        ['Pack version', a.pack_version || '—'], ['Node', a.node || '—'], ['Tag', a.tag || '—'], ['Dedup', a.dedup || '—'],
        ['Log types', (a.log_types || []).join(', ') || '—'], ['Key', a.key]].map(([k, v]) => [h('dt', {}, k), h('dd', {}, v)]));
    const timeline = h('dl', { class: 'kv', id: 'timeline' },
      [['Tally', String(a.tally)], ['First seen', exact(a.first_seen)], ['Last seen', exact(a.last_seen)], ['Created', exact(a.created_at)],
        ['Updated', exact(a.updated_at)]].map(([k, v]) => [h('dt', {}, k), h('dd', {}, v)]));
    const about = h('section', { 'aria-labelledby': 'h-about' }, h('h2', { id: 'h-about' }, 'Detection'),
      a.description ? h('p', { class: 'text', id: 'description' }, a.description) : h('p', { class: 'muted' }, 'No description.'),
      a.runbook ? [h('h3', {}, 'Runbook'), h('p', { class: 'text', id: 'runbook' }, a.runbook)] : '',
      a.reference ? h('p', {}, 'Reference: ', safeURL(a.reference) ? h('a', { href: safeURL(a.reference), rel: 'noopener noreferrer', target: '_blank' }, a.reference) : h('span', {}, a.reference)) : '');

    // Context (alert_context, or an event's fields) as a table; JSON on demand.
    const ctxData = a.alert_context !== undefined ? a.alert_context : a.fields;
    const ctxPairs = ctxData ? flatten(ctxData, '') : [];
    const ctxJSON = h('pre', { hidden: true, id: 'context-json' }, JSON.stringify(ctxData === undefined ? null : ctxData, null, 2));
    const context = h('section', { 'aria-labelledby': 'h-ctx' }, h('h2', { id: 'h-ctx' }, a.kind === 'event' ? 'Fields' : 'Alert context'),
      ctxPairs.length ? table([{ label: 'Field', cell: (r) => r[0] }, { label: 'Value', cell: (r) => display(r[1]) }], ctxPairs, { class: 'context' }) : h('p', { class: 'muted' }, 'None.'),
      ctxPairs.length ? h('button', { type: 'button', id: 'context-toggle', onclick: () => { ctxJSON.hidden = !ctxJSON.hidden; } }, 'JSON') : '', ctxJSON);

    const notes = h('section', { 'aria-labelledby': 'h-notes' }, h('h2', { id: 'h-notes' }, 'Notes'),
      h('ul', { class: 'plain', id: 'notes' }, (a.notes || []).map((n) => h('li', {}, h('strong', {}, n.author), ' ', when(n.at), h('div', { class: 'text' }, n.text)))));
    if (canWrite()) {
      const text = h('textarea', { id: 'note-text', rows: 3, 'aria-label': 'note', maxlength: 65536 });
      notes.append(h('form', { id: 'note-form', onsubmit: async (ev) => {
        ev.preventDefault();
        if (!text.value.trim()) return;
        try { await api('POST', '/api/v1/alerts/' + a.id + '/notes', { text: text.value }); location.reload(); } catch (e) { fail(e); }
      } }, text, h('button', { type: 'submit', id: 'add-note' }, 'Add note')));
    }

    const history = h('section', { 'aria-labelledby': 'h-hist' }, h('h2', { id: 'h-hist' }, 'History'),
      table([{ label: 'When', cell: (c) => exact(c.at) }, { label: 'Who', cell: (c) => c.who + ' (' + c.by + ')' }, { label: 'What', cell: (c) => c.what },
        { label: 'Change', cell: (c) => [c.from || '', c.from || c.to ? ' → ' : '', c.to || '', c.text ? ' ' + c.text : ''].join('') }], a.history || [], { class: 'history' }));

    const deliveries = h('section', { 'aria-labelledby': 'h-deliv' }, h('h2', { id: 'h-deliv' }, 'Deliveries'),
      (a.deliveries || []).length ? table([{ label: 'Destination', cell: (d) => d.destination }, { label: 'Reason', cell: (d) => d.reason },
        { label: 'Status', cell: (d) => d.status }, { label: 'Attempts', num: true, cell: (d) => d.attempts },
        { label: 'Last', cell: (d) => [d.last_status ? String(d.last_status) : '', d.last_error ? ' ' + d.last_error : ''].join('') },
        { label: '', cell: (d) => (canWrite() ? h('button', { type: 'button', class: 'resend', onclick: async () => {
          try { await api('POST', '/api/v1/deliveries/' + d.id + '/resend', {}); say('Queued again', 'ok'); } catch (e) { fail(e); }
        } }, 'Resend') : '') }], a.deliveries) : h('p', { class: 'muted' }, 'Sent nowhere.'));

    // Pivots: each indicator of the alert's events, searched across the lake.
    const inds = new Map();
    for (const s of a.samples || []) {
      for (const [col, kind] of Object.entries(INDICATORS)) for (const v of (s && s[col]) || []) inds.set(kind + '\u0000' + v, [kind, v]);
    }
    const pivots = h('section', { 'aria-labelledby': 'h-pivots' }, h('h2', { id: 'h-pivots' }, 'Search this'),
      inds.size ? h('ul', { class: 'plain', id: 'pivots' }, Array.from(inds.values()).map(([k, v]) => h('li', {}, h('span', { class: 'chip' }, k), ' ',
        h('a', { href: '/search?' + q({ kind: k, value: v, from: around(a.first_seen, -1), to: around(a.last_seen, 1) }) }, v)))) : h('p', { class: 'muted' }, 'No indicator in the samples.'));
    const related = h('section', { 'aria-labelledby': 'h-rel' }, h('h2', { id: 'h-rel' }, 'Related alerts'), h('div', { id: 'related' }, h('p', { class: 'muted loading' }, 'Loading…')));
    const events = h('section', { 'aria-labelledby': 'h-events' }, h('h2', { id: 'h-events' }, 'Events'), h('div', { id: 'events' }, h('p', { class: 'muted loading' }, 'Loading…')));

    screen.replaceChildren(actions, h('div', { class: 'grid2' }, h('div', {}, summary, about, context), h('div', {}, h('h2', {}, 'Timeline'), timeline, notes, pivots, related)),
      events, history, deliveries);

    // Related: the same rule (or node), and the same dedup string.
    (async () => {
      const lists = [];
      try {
        if (a.rule_id) lists.push(['Same rule', (await api('GET', '/api/v1/alerts?' + q({ rule: a.rule_id, status: STATUSES.join(','), limit: 10 }))).data.alerts]);
        if (a.node) lists.push(['Same node', (await api('GET', '/api/v1/alerts?' + q({ node: a.node, status: STATUSES.join(','), limit: 10 }))).data.alerts]);
      } catch (e) { /* shown empty */ }
      const items = [];
      for (const [label, list] of lists) for (const r of list || []) if (r.id !== a.id) items.push(h('li', {}, h('span', { class: 'chip' }, label), ' ', sev(r.severity), ' ',
        h('a', { href: '/alerts/' + r.id }, r.title || '#' + r.id), ' ', h('span', { class: 'muted' }, r.status), ' ', when(r.last_seen)));
      $('#related').replaceChildren(items.length ? h('ul', { class: 'plain' }, items) : h('p', { class: 'muted' }, 'None.'));
    })();
    // Events from the lake, with a column picker; the samples without a lake.
    (async () => {
      let tables = [];
      try {
        tables = (await api('GET', '/api/v1/alerts/' + a.id + '/events')).data.tables || [];
      } catch (e) {
        if (a.samples && a.samples.length) tables = [{ table: 'samples (the lake is not available: ' + e.message + ')', columns: Object.keys(a.samples[0]), rows: a.samples }];
        else return $('#events').replaceChildren(h('p', { class: 'muted' }, e.message));
      }
      if (!tables.length && a.samples && a.samples.length) tables = [{ table: 'samples', columns: Object.keys(a.samples[0]), rows: a.samples }];
      $('#events').replaceChildren(...tables.map(eventTable));
      if (!tables.length) $('#events').replaceChildren(h('p', { class: 'muted' }, 'No events.'));
    })();
    keys({ a: () => canWrite() && !a.acknowledged && patch({ ack: true }, 'Acknowledged'), r: () => canWrite() && patch({ status: 'RESOLVED' }, 'Resolved'),
      '/': () => location.assign('/search') });
  }

  // eventTable shows rows with a column picker (p_ columns hidden at
  // first) and each row's JSON on demand.
  function eventTable(t) {
    const cols = t.columns || [];
    const shown = new Set(cols.filter((c) => !c.startsWith('p_') || c === 'p_event_time').slice(0, 8));
    const wrap = h('div', { class: 'events' });
    const draw = () => {
      const list = cols.filter((c) => shown.has(c));
      const rows = [];
      for (const r of t.rows || []) {
        const json = h('tr', { hidden: true }, h('td', { colspan: list.length + 1 }, h('pre', {}, JSON.stringify(r, null, 2))));
        rows.push(h('tr', {}, h('td', {}, h('button', { type: 'button', class: 'ghost', 'aria-label': 'JSON of the row', onclick: () => { json.hidden = !json.hidden; } }, '{}')),
          list.map((c) => h('td', {}, display(r[c])))), json);
      }
      tableEl.replaceChildren(h('thead', {}, h('tr', {}, h('th', {}, ''), list.map((c) => h('th', { scope: 'col' }, c)))), h('tbody', {}, rows));
    };
    const tableEl = h('table', {});
    const picker = h('details', {}, h('summary', {}, 'Columns (' + cols.length + ')'), h('div', { class: 'bar' }, cols.map((c) => h('label', { class: 'check' },
      h('input', { type: 'checkbox', checked: shown.has(c), onchange: (ev) => { ev.target.checked ? shown.add(c) : shown.delete(c); draw(); } }), c))));
    draw();
    wrap.append(h('h3', {}, t.table, ' ', h('span', { class: 'muted' }, '(' + (t.rows || []).length + ' rows)')), picker, h('div', { class: 'scroll' }, tableEl));
    return wrap;
  }

  // ---- search ---------------------------------------------------------------
  const KINDS = ['ip', 'domain', 'username', 'email', 'hash', 'aws_account_id', 'aws_arn', 'aws_instance_id', 'trace_id'];
  let running = null; // the AbortController of the search in flight

  function grid(cols, rows) {
    return h('div', { class: 'scroll' }, h('table', { class: 'grid' },
      h('thead', {}, h('tr', {}, cols.map((c) => h('th', { scope: 'col', title: c.type || '' }, c.name)))),
      h('tbody', {}, rows.map((r) => h('tr', {}, r.map((v) => h('td', {}, display(v))))))));
  }

  async function searchScreen() {
    const params = new URLSearchParams(location.search);
    const range = h('fieldset', { id: 'range' }, h('legend', {}, 'Time'),
      h('select', { id: 's-since', 'aria-label': 'time range' }, [['1h', 'last hour'], ['24h', 'last 24 h'], ['7d', 'last 7 days'], ['30d', 'last 30 days'], ['', 'from … to']]
        .map(([v, t]) => h('option', { value: v, selected: (params.get('since') || (params.get('from') ? '' : '7d')) === v }, t))),
      h('input', { id: 's-from', 'aria-label': 'from (RFC 3339 or a date)', placeholder: 'from 2026-11-10', size: 20, value: params.get('from') || '' }),
      h('input', { id: 's-to', 'aria-label': 'to (RFC 3339 or a date)', placeholder: 'to', size: 20, value: params.get('to') || '' }),
      h('label', { class: 'check' }, 'timeout ', h('select', { id: 's-timeout' }, ['10s', '30s', '60s', '5m'].map((v) => h('option', { value: v, selected: (params.get('timeout') || '60s') === v }, v)))));
    const rangeParams = () => {
      const since = $('#s-since').value;
      const p = { timeout: $('#s-timeout').value };
      if (since) p.since = since; else { p.from = $('#s-from').value.trim(); p.to = $('#s-to').value.trim(); }
      return p;
    };
    const sql = h('textarea', { id: 'sql', rows: 6, 'aria-label': 'SQL', spellcheck: 'false', autocomplete: 'off', 'aria-autocomplete': 'list', 'aria-controls': 'suggest' },
      params.get('sql') || 'SELECT p_event_time, p_log_type, * FROM aws_cloudtrail ORDER BY p_event_time DESC LIMIT 100');
    const suggest = h('div', { class: 'suggest', id: 'suggest', role: 'listbox', hidden: true });
    const sqlForm = h('form', { id: 'sql-form', 'aria-label': 'SQL search', onsubmit: (ev) => {
      ev.preventDefault(); location.assign('/search?' + q(Object.assign({ sql: sql.value }, rangeParams())));
    } }, h('label', { for: 'sql' }, 'SQL (read-only; tables and columns are offered as you type)'), sql, suggest,
    h('div', { class: 'bar' }, h('button', { type: 'submit', class: 'primary', id: 'run-sql' }, 'Run'), h('span', { class: 'muted' }, 'Ctrl+Enter runs')));
    sql.addEventListener('keydown', (ev) => { if (ev.key === 'Enter' && (ev.ctrlKey || ev.metaKey)) { ev.preventDefault(); sqlForm.requestSubmit(); } });
    const kind = h('select', { id: 'ind-kind', 'aria-label': 'indicator kind' }, KINDS.map((k) => h('option', { value: k, selected: params.get('kind') === k }, k)));
    const val = h('input', { id: 'ind-value', 'aria-label': 'indicator value', size: 28, value: params.get('value') || '', placeholder: '203.0.113.7' });
    const indForm = h('form', { id: 'ind-form', class: 'bar', 'aria-label': 'Indicator search', onsubmit: (ev) => {
      ev.preventDefault(); if (!val.value.trim()) return;
      location.assign('/search?' + q(Object.assign({ kind: kind.value, value: val.value.trim() }, rangeParams())));
    } }, h('strong', {}, 'Indicator across every table:'), kind, val, h('button', { type: 'submit', id: 'run-ind' }, 'Search'));
    const saved = h('details', { id: 'saved' }, h('summary', {}, 'Saved queries'), h('div', {}, 'Loading…'));
    const out = h('div', { id: 'results' });
    $('#screen').replaceChildren(range, indForm, sqlForm, saved, out);

    // Completion: the tables and columns of the lake.
    let words = [];
    api('GET', '/api/v1/search/tables').then((r) => {
      const set = new Set();
      for (const t of r.data || []) { set.add(t.table); for (const c of t.columns || []) set.add(c.name); }
      words = Array.from(set).sort();
    }).catch(() => {});
    const wordAt = () => { const m = /[A-Za-z_][A-Za-z0-9_]*$/.exec(sql.value.slice(0, sql.selectionStart)); return m ? m[0] : ''; };
    sql.addEventListener('input', () => {
      const w = wordAt();
      const hits = w.length ? words.filter((x) => x.toLowerCase().startsWith(w.toLowerCase()) && x !== w).slice(0, 12) : [];
      suggest.replaceChildren(...hits.map((x) => h('button', { type: 'button', role: 'option', onclick: () => {
        const pos = sql.selectionStart, wl = wordAt().length;
        sql.setRangeText(x, pos - wl, pos, 'end'); suggest.hidden = true; sql.focus();
      } }, x)));
      suggest.hidden = !hits.length;
    });

    api('GET', '/api/v1/search/queries').then((r) => {
      const list = r.data || [];
      saved.lastChild.replaceChildren(list.length ? h('ul', { class: 'plain' }, list.map((s) => h('li', {},
        h('a', { href: '/search?' + q({ query: s.name }) }, s.name), s.lookback ? h('span', { class: 'muted' }, ' (' + s.lookback + ')') : '',
        s.description ? h('div', { class: 'muted' }, s.description) : ''))) : h('p', { class: 'muted' }, 'No saved query.'));
    }).catch((e) => saved.lastChild.replaceChildren(h('p', { class: 'error' }, e.message)));

    const req = {};
    for (const k of ['sql', 'kind', 'value', 'query', 'since', 'from', 'to', 'timeout']) if (params.get(k)) req[k] = params.get(k);
    if (!req.sql && !req.value && !req.query) return;
    if (!req.since && !req.from && !req.to && !req.query) req.since = '7d';
    const ctl = new AbortController();
    running = ctl;
    const cancel = h('button', { type: 'button', id: 'cancel', onclick: () => ctl.abort() }, 'Cancel');
    out.replaceChildren(h('p', { class: 'bar' }, h('span', { id: 'running' }, 'Running…'), cancel));
    const dl = (format) => '/api/v1/search?' + q(Object.assign({}, req, { format, limit: 10000 }));
    const downloads = h('span', { class: 'bar' }, 'Download: ', h('a', { href: dl('csv'), id: 'dl-csv', download: 'search.csv' }, 'CSV'),
      h('a', { href: dl('jsonl'), id: 'dl-json', download: 'search.jsonl' }, 'JSON lines'));
    try {
      const r = (await api('GET', '/api/v1/search?' + q(req), undefined, { signal: ctl.signal })).data;
      const info = h('p', { class: 'muted', id: 'search-info' }, r.range ? 'range ' + r.range + ' · ' : '', r.elapsed_ms + ' ms', r.truncated ? ' · cut at the row limit' : '');
      if (r.tables) {
        const empty = r.tables.filter((t) => !t.count).length;
        r.tables = r.tables.filter((t) => t.count);
        if (empty) info.append(' · not in ' + empty + ' other tables');
        out.replaceChildren(info, downloads, h('div', {}, r.tables.length ? r.tables.map((t) => h('section', { class: 'ind-table' }, h('h2', {}, t.table, ' ', h('span', { class: 'muted' }, '(' + t.count + ' rows)')),
          grid(t.columns, t.rows))) : h('p', { id: 'no-rows' }, 'Found nowhere in this range.')));
      } else {
        out.replaceChildren(info, downloads, h('p', { class: 'muted', id: 'row-count' }, r.rows.length + ' rows'), grid(r.columns, r.rows));
      }
    } catch (e) {
      if (e.name === 'AbortError') return out.replaceChildren(h('p', { id: 'cancelled' }, 'Cancelled.'));
      const d = e.detail || {};
      const parts = [h('p', { class: 'error', id: 'search-error' }, e.message, d.line ? ' (line ' + d.line + ', column ' + d.column + ')' : '')];
      if (d.line && req.sql) {
        const line = req.sql.split('\n')[d.line - 1] || '';
        parts.push(h('pre', { id: 'error-at' }, line + '\n' + ' '.repeat(Math.max(0, (d.column || 1) - 1)) + '^'));
        // Put the cursor where the error is.
        const lines = req.sql.split('\n'); let off = 0;
        for (let i = 0; i < d.line - 1; i++) off += lines[i].length + 1;
        sql.focus(); sql.setSelectionRange(off + (d.column || 1) - 1, off + (d.column || 1) - 1);
      }
      out.replaceChildren(...parts);
    } finally { running = null; }
  }

  // ---- dashboard ------------------------------------------------------------
  function barChart(series, bucket) {
    // Stacked bars by severity; each bar has a <title> with its numbers,
    // and the legend names the colours.
    const W = 900, H = 180, pad = 30;
    const totals = series.map((b) => b.counts.reduce((x, y) => x + y, 0));
    const max = Math.max(1, ...totals);
    const bw = (W - pad) / Math.max(1, series.length);
    const svg = h('svg:svg', { viewBox: `0 0 ${W} ${H + 20}`, width: '100%', role: 'img', 'aria-label': 'alerts over time by severity, one bar per ' + bucket, id: 'chart-series' });
    svg.append(h('svg:line', { x1: pad, y1: H, x2: W, y2: H, class: 'axis' }), h('svg:text', { x: 0, y: 10 }, String(max)), h('svg:text', { x: 0, y: H }, '0'));
    series.forEach((b, i) => {
      let y = H;
      const g = h('svg:g', {}, h('svg:title', {}, new Date(b.at).toISOString() + ': ' + SEVERITIES.map((s, k) => s.toLowerCase() + ' ' + b.counts[k]).join(', ')));
      b.counts.forEach((c, k) => {
        if (!c) return;
        const hh = (c / max) * (H - 10);
        y -= hh;
        g.append(h('svg:rect', { x: pad + i * bw + 1, y, width: Math.max(1, bw - 2), height: hh, class: 'bar-' + SEVERITIES[k] }));
      });
      svg.append(g);
    });
    if (series.length) {
      svg.append(h('svg:text', { x: pad, y: H + 15 }, new Date(series[0].at).toISOString().slice(0, 16).replace('T', ' ')),
        h('svg:text', { x: W - 110, y: H + 15 }, new Date(series[series.length - 1].at).toISOString().slice(0, 16).replace('T', ' ')));
    }
    return h('figure', {}, svg, h('figcaption', { class: 'bar' }, SEVERITIES.map((s) => h('span', { class: 'sev sev-' + s }, s.toLowerCase()))));
  }
  function hbars(items, label, value, id) {
    const max = Math.max(1, ...items.map(value));
    return h('table', { id }, h('tbody', {}, items.map((it) => h('tr', {}, h('td', {}, label(it)), h('td', { class: 'num' }, String(value(it))),
      h('td', { class: 'barcell' }, h('svg:svg', { viewBox: '0 0 100 10', width: '160', height: '10', 'aria-hidden': 'true' },
        h('svg:rect', { x: 0, y: 0, height: 10, width: Math.max(1, 100 * value(it) / max), class: 'hbar' })))))));
  }
  const dur = (s) => (!s ? '—' : s < 90 ? Math.round(s) + ' s' : s < 5400 ? Math.round(s / 60) + ' min' : (s / 3600).toFixed(1) + ' h');

  // metrics reads Prometheus text into {name: [{labels, value}]}.
  function metrics(text) {
    const out = {};
    for (const line of text.split('\n')) {
      const m = /^([a-zA-Z_:][a-zA-Z0-9_:]*)(\{([^}]*)\})?\s+(\S+)/.exec(line);
      if (!m) continue;
      const labels = {};
      for (const l of (m[3] || '').matchAll(/([a-zA-Z_][a-zA-Z0-9_]*)="((?:[^"\\]|\\.)*)"/g)) labels[l[1]] = l[2];
      (out[m[1]] = out[m[1]] || []).push({ labels, value: Number(m[4]) });
    }
    return out;
  }

  async function dashboardScreen() {
    const params = new URLSearchParams(location.search);
    const from = params.get('from') || '7d';
    const pick = h('form', { class: 'bar', onsubmit: (ev) => { ev.preventDefault(); location.assign('/dashboard?' + q({ from: $('#d-from').value })); } },
      h('label', { for: 'd-from' }, 'Range'), h('select', { id: 'd-from' }, [['24h', 'last 24 h'], ['7d', 'last 7 days'], ['30d', 'last 30 days']]
        .map(([v, t]) => h('option', { value: v, selected: v === from }, t))), h('button', { type: 'submit' }, 'Show'));
    $('#screen').replaceChildren(pick, h('div', { id: 'dash' }, 'Loading…'));
    const bucket = from === '24h' ? '1h' : from === '7d' ? '6h' : '24h';
    const days = { '24h': 1, '7d': 7, '30d': 30 }[from] || 7;
    let st, note = '';
    try {
      st = (await api('GET', '/api/v1/alerts/stats?' + q({ from, bucket, top: 10 }))).data;
      if (!st.total && !params.get('from')) {
        // Nothing lately (a replay of old logs): show the range up to the last alert.
        const last = ((await api('GET', '/api/v1/alerts?' + q({ status: STATUSES.join(','), sort: '-last_seen', limit: 1 }))).data.alerts || [])[0];
        if (last) {
          const to = around(last.last_seen, 0.5 / 24);
          st = (await api('GET', '/api/v1/alerts/stats?' + q({ from: around(to, -days), to, bucket, top: 10 }))).data;
          note = 'No alert in the ' + from + ' up to now: showing the ' + from + ' up to the last alert (' + new Date(last.last_seen).toISOString().slice(0, 16).replace('T', ' ') + ' UTC).';
        }
      }
    } catch (e) { return fail(e); }
    const stat = (label, v, id) => h('div', { class: 'stat', id }, h('div', { class: 'big' }, v), h('div', { class: 'muted' }, label));
    const ingest = h('section', { id: 'dash-ingest' }, h('h2', {}, 'Ingest'), h('p', { class: 'muted loading' }, 'Loading…'));
    $('#dash').replaceChildren(note ? h('p', { class: 'muted', id: 'dash-note' }, note) : '',
      h('div', { class: 'stats' }, stat('alerts', String(st.total), 'stat-total'),
        STATUSES.map((s) => stat(s.toLowerCase(), String((st.by_status || {})[s] || 0), 'stat-' + s)),
        stat('mean time to acknowledge (' + st.acked + ')', dur(st.mtta_seconds), 'stat-mtta'),
        stat('mean time to resolve (' + st.resolved + ')', dur(st.mttr_seconds), 'stat-mttr')),
      h('h2', {}, 'Alerts over time'), barChart(st.series || [], st.bucket),
      h('div', { class: 'grid2' },
        h('section', {}, h('h2', {}, 'Noisiest rules'), (st.rules || []).length ? hbars(st.rules, (r) => h('a', { href: '/alerts?' + q({ rule: r.rule_id, status: STATUSES.join(',') }) }, r.rule_id), (r) => r.alerts, 'top-rules') : h('p', { class: 'muted' }, 'None.')),
        h('section', {}, h('h2', {}, 'Top entities'), (st.entities || []).length ? hbars(st.entities, (e) => h('a', { href: '/alerts?' + q({ q: e.entity, status: STATUSES.join(',') }) }, e.entity), (e) => e.alerts, 'top-entities') : h('p', { class: 'muted' }, 'None.'))),
      ingest);
    try {
      const m = metrics((await api('GET', '/metrics', undefined, { headers: { Accept: 'text/plain' } })).data);
      const byType = (m.panther_events_parsed_total || []).reduce((acc, x) => { acc[x.labels.log_type] = (acc[x.labels.log_type] || 0) + x.value; return acc; }, {});
      const sum = (n) => (m[n] || []).reduce((a, x) => a + x.value, 0);
      const types = Object.entries(byType).sort((a, b) => b[1] - a[1]);
      const ruleErr = (m.panther_rule_errors_total || []).filter((x) => x.value > 0);
      ingest.replaceChildren(h('h2', {}, 'Ingest (since the server started)'),
        h('div', { class: 'stats' }, stat('events parsed', String(sum('panther_events_parsed_total')), 'stat-events'),
          stat('parse errors (dead letters)', String(sum('panther_events_rejected_total')), 'stat-rejected'),
          stat('rule errors', String(sum('panther_rule_errors_total')), 'stat-rule-errors')),
        h('div', { class: 'grid2' }, h('section', {}, h('h3', {}, 'Events per log type'), types.length ? hbars(types, (t) => t[0], (t) => t[1], 'by-log-type') : h('p', { class: 'muted' }, 'None yet.')),
          h('section', {}, h('h3', {}, 'Rule errors'), ruleErr.length ? hbars(ruleErr, (x) => x.labels.rule, (x) => x.value, 'rule-errors') : h('p', { class: 'muted' }, 'None.'))),
        h('p', {}, h('a', { href: '/ingest' }, 'Rates, inputs and dead letters →')));
    } catch (e) { ingest.replaceChildren(h('h2', {}, 'Ingest'), h('p', { class: 'muted' }, 'No ingest metrics here: ' + e.message)); }
  }

  // ---- packs ----------------------------------------------------------------
  async function packsScreen() {
    let list;
    try { list = (await api('GET', '/api/v1/packs')).data; } catch (e) { return fail(e); }
    list = Array.isArray(list) ? list : list.packs || [];
    const rules = h('section', { id: 'detections' }, h('h2', {}, 'Detections (last 7 days)'), h('p', { class: 'muted loading' }, 'Loading…'));
    $('#screen').replaceChildren(list.length ? table([
      { label: 'Pack', cell: (p) => h('a', { href: '/packs/' + encodeURIComponent(p.id) }, p.id) }, { label: 'Name', cell: (p) => p.display_name || '' },
      { label: 'Active version', num: true, cell: (p) => (p.active ? String(p.active) : 'none') }, { label: 'Versions', num: true, cell: (p) => String(p.versions) },
      { label: 'Detections', num: true, cell: (p) => String(p.detections) }, { label: 'Updated', cell: (p) => when(p.updated) }], list, { class: 'packs' })
      : h('p', { class: 'muted' }, 'No pack uploaded yet: panther upload sends one.'), rules);
    try {
      const st = (await api('GET', '/api/v1/alerts/stats?' + q({ from: '7d', top: 1000 }))).data;
      // Rule errors since the server started, from /metrics (absent: none known).
      const errs = {};
      try {
        const m = metrics((await api('GET', '/metrics', undefined, { headers: { Accept: 'text/plain' } })).data);
        for (const x of m.panther_rule_errors_total || []) errs[x.labels.rule] = (errs[x.labels.rule] || 0) + x.value;
      } catch (e) { /* no metrics here */ }
      for (const id of Object.keys(errs)) if (!(st.rules || []).some((r) => r.rule_id === id)) (st.rules = st.rules || []).push({ rule_id: id, alerts: 0, tally: 0, open: 0 });
      rules.replaceChildren(h('h2', {}, 'Detections (last 7 days)'), (st.rules || []).length ? table([
        { label: 'Rule', cell: (r) => h('a', { href: '/alerts?' + q({ rule: r.rule_id, status: STATUSES.join(',') }) }, r.rule_id) },
        { label: 'Alerts', num: true, cell: (r) => String(r.alerts) }, { label: 'Events', num: true, cell: (r) => String(r.tally) },
        { label: 'Open', num: true, cell: (r) => String(r.open) }, { label: 'Rule errors', num: true, cell: (r) => String(errs[r.rule_id] || 0) },
        { label: 'Last alert', cell: (r) => when(r.last_seen) }], st.rules) : h('p', { class: 'muted' }, 'No alert in 7 days.'));
    } catch (e) { rules.replaceChildren(h('p', { class: 'error' }, e.message)); }
  }

  async function packScreen() {
    const id = decodeURIComponent(location.pathname.split('/').pop());
    let p, etag;
    try { const r = await api('GET', '/api/v1/packs/' + encodeURIComponent(id)); p = r.data; etag = r.headers.get('ETag'); } catch (e) { return fail(e); }
    $('#title').replaceChildren('Pack ', h('span', { id: 'pack-id' }, p.id), p.display_name ? ' — ' + p.display_name : '');
    const change = async (path, body, done) => {
      try {
        await api('POST', '/api/v1/packs/' + encodeURIComponent(p.id) + path, body, { headers: etag ? { 'If-Match': etag } : {} });
        say(done, 'ok'); setTimeout(() => location.reload(), 200);
      } catch (e) { fail(e); }
    };
    const versions = p.version_list || [];
    const bar = h('div', { class: 'bar', id: 'pack-actions' }, h('span', {}, 'Active: ', h('strong', { id: 'active' }, p.active ? 'version ' + p.active : 'none')));
    if (canWrite() && p.rollback_to) bar.append(h('button', { type: 'button', id: 'rollback', onclick: () => change('/rollback', {}, 'Rolled back to version ' + p.rollback_to) }, 'Roll back to version ' + p.rollback_to));
    const diff = h('section', { id: 'diff' });
    const showDiff = (a, b) => {
      // What changed from version a to version b, by detection fingerprint.
      const da = a.detections || {}, db = b.detections || {};
      const rows = [];
      for (const k of new Set([...Object.keys(da), ...Object.keys(db)])) {
        if (!(k in da)) rows.push(['added', k]); else if (!(k in db)) rows.push(['removed', k]); else if (da[k] !== db[k]) rows.push(['changed', k]);
      }
      rows.sort((x, y) => (x[1] < y[1] ? -1 : 1));
      diff.replaceChildren(h('h2', {}, 'Version ' + a.version + ' → ' + b.version),
        rows.length ? table([{ label: 'Change', cell: (r) => r[0] }, { label: 'Detection', cell: (r) => r[1] }], rows) : h('p', { class: 'muted' }, 'Same detections.'));
    };
    const hist = table([{ label: 'Version', num: true, cell: (v) => String(v.version) }, { label: 'Active', cell: (v) => (v.active ? 'active' : '') },
      { label: 'Uploaded', cell: (v) => exact(v.created) }, { label: 'By', cell: (v) => v.created_by }, { label: 'Detections', num: true, cell: (v) => String(Object.keys(v.detections || {}).length) },
      { label: 'Tests', num: true, cell: (v) => String(v.tests) }, { label: 'Digest', cell: (v) => (v.digest || '').slice(0, 19) },
      { label: '', cell: (v) => [
        versions.find((x) => x.version < v.version) ? h('button', { type: 'button', class: 'diff', onclick: () => showDiff(versions.find((x) => x.version < v.version), v) }, 'Diff') : '',
        canWrite() && !v.active ? h('button', { type: 'button', class: 'activate', 'data-version': v.version, onclick: () => change('/versions/' + v.version + '/activate', undefined, 'Version ' + v.version + ' active') }, 'Activate') : '',
        h('a', { href: '/api/v1/packs/' + encodeURIComponent(p.id) + '/versions/' + v.version + '/download' }, 'zip')] }], versions, { class: 'versions' });
    $('#screen').replaceChildren(bar, h('h2', {}, 'History'), hist, diff);
  }

  // ---- ingest ---------------------------------------------------------------
  async function ingestScreen() {
    const box = h('div', { id: 'ingest' }, 'Loading…');
    $('#screen').replaceChildren(box);
    let st;
    try { st = (await api('GET', '/api/v1/status')).data; } catch (e) { return fail(e); }
    const d = st.detections || {};
    const kv = (pairs, id) => h('dl', { class: 'kv', id }, pairs.map(([k, v]) => [h('dt', {}, k), h('dd', {}, v)]));
    const rate = h('p', { id: 'rate', class: 'muted' }, 'Measuring events/s…');
    const dead = h('section', {}, h('h2', {}, 'Rejected records (dead letters)'), h('div', { id: 'dead' }, 'Loading…'));
    box.replaceChildren(h('div', { class: 'grid2' },
      h('section', {}, h('h2', {}, 'Pipeline'), rate, kv([['Up', st.uptime], ['Events', String(d.events)], ['Alerts', String(d.alerts)], ['Lag', (d.lag_seconds || 0).toFixed(1) + ' s'],
        ['Processed entry', String(d.processed_seq)], ['Committed to the lake (last commit)', String(d.committed_seq)], ['Read back at start', String(d.recovered_entries)],
        ['Queue', st.queue_entries + ' entries, ' + st.queue_bytes + ' bytes'], ['Journal', st.wal_segments + ' segments, ' + st.wal_bytes + ' bytes'],
        ['Rules running', String(d.rules)], ['Packs', (d.packs || []).map((p) => p.pack + '@' + p.version).join(', ') || 'none'],
        ['Disabled after timeouts', (d.disabled_after_timeouts || []).join(', ') || 'none']], 'pipeline')),
      h('section', {}, h('h2', {}, 'Inputs'), table([{ label: 'Name', cell: (i) => i.name }, { label: 'Network', cell: (i) => i.network }, { label: 'Address', cell: (i) => i.addr }], st.inputs || [], { class: 'inputs' }))),
    dead);
    // The rate: two samples of the event count a few seconds apart.
    setTimeout(async () => {
      try {
        const st2 = (await api('GET', '/api/v1/status')).data;
        rate.textContent = (((st2.detections || {}).events - d.events) / 5).toFixed(1) + ' events/s over the last 5 s';
      } catch (e) { rate.textContent = ''; }
    }, 5000);
    try {
      const r = (await api('GET', '/api/v1/deadletters?limit=100')).data;
      const list = r.dead_letters || [];
      $('#dead').replaceChildren(h('p', { class: 'muted' }, r.total + ' in all; the last ' + list.length + ':'),
        list.length ? table([{ label: 'Where', cell: (x) => [x.input, x.source, x.line ? 'line ' + x.line : ''].filter(Boolean).join(' · ') },
          { label: 'Reason', cell: (x) => x.reason || '' }, { label: 'Record', cell: (x) => h('code', { class: 'text' }, x.record || (x.record_base64 ? 'base64: ' + x.record_base64 : x.size + ' bytes')) }], list, { class: 'dead' }) : '');
    } catch (e) { $('#dead').replaceChildren(h('p', { class: 'error' }, e.message)); }
  }

  // ---- boot -----------------------------------------------------------------
  const SCREENS = { alerts: alertsScreen, alert: alertScreen, search: searchScreen, dashboard: dashboardScreen, packs: packsScreen, pack: packScreen, ingest: ingestScreen };
  async function boot() {
    theme();
    const screen = document.body.dataset.screen;
    if (screen === 'login') return login();
    try { me = (await api('GET', '/api/v1/session')).data; } catch (e) { return; }
    document.body.classList.add('role-' + me.role);
    header();
    const f = SCREENS[screen];
    if (f) await f();
  }
  document.addEventListener('DOMContentLoaded', boot);
})();
