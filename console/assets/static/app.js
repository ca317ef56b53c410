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
        h('a', { href: '/search?' + q({ kind: k, value: v, since: '7d' }) }, v)))) : h('p', { class: 'muted' }, 'No indicator in the samples.'));
    const related = h('section', { 'aria-labelledby': 'h-rel' }, h('h2', { id: 'h-rel' }, 'Related alerts'), h('div', { id: 'related' }, h('p', { class: 'muted' }, 'Loading…')));
    const events = h('section', { 'aria-labelledby': 'h-events' }, h('h2', { id: 'h-events' }, 'Events'), h('div', { id: 'events' }, h('p', { class: 'muted' }, 'Loading…')));

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

  // ---- boot -----------------------------------------------------------------
  const SCREENS = { alerts: alertsScreen, alert: alertScreen };
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
