// The customer-service console (客服主控台): one page, no library, no request to any other host.
// It sends one trusted GraphQL document (documents/lookup.graphql) by its SHA-256, read from
// the server's manifest; the server normalises and validates the conditions and this page
// shows its messages. Personal data is masked until the agent reveals one application.
'use strict';

(function () {
  const OPERATION = 'ConsoleLookup';
  const FIELDS = ['phone', 'idno', 'seqNo'];
  const CREDENTIALS = 'createinfo.console.credentials'; // sessionStorage: {key, agent}

  // Every code's Chinese and every message: codes.js, loaded before this file.
  const CODES = window.createinfoCodes;

  const $ = (sel, root) => (root || document).querySelector(sel);

  // el builds an element; children are nodes or strings (always text, never HTML).
  function el(tag, attrs, ...children) {
    const e = document.createElement(tag);
    for (const [k, v] of Object.entries(attrs || {})) {
      if (v === null || v === undefined || v === false) continue;
      if (k === 'class') e.className = v;
      else e.setAttribute(k, v === true ? '' : v);
    }
    for (const c of children.flat()) {
      if (c === null || c === undefined || c === false) continue;
      e.append(c instanceof Node ? c : String(c));
    }
    return e;
  }

  // Masks (on screen only; the agent reveals one application with a click).
  const mask = {
    name(s) {
      const c = Array.from(s);
      if (c.length <= 1) return '○';
      if (c.length === 2) return c[0] + '○';
      return c[0] + '○'.repeat(c.length - 2) + c[c.length - 1];
    },
    idno(s) { return s.length <= 6 ? '*'.repeat(s.length) : s.slice(0, 3) + '*'.repeat(s.length - 6) + s.slice(-3); },
    phone(s) { return s.length <= 7 ? '*'.repeat(s.length) : s.slice(0, 4) + '*'.repeat(s.length - 7) + s.slice(-3); },
    address(s) {
      const c = Array.from(s);
      return c.length <= 3 ? '○'.repeat(c.length) : c.slice(0, 3).join('') + '○'.repeat(Math.min(c.length - 3, 8));
    },
  };

  // Personal data in one application card: masked until revealed.
  class Personal {
    constructor() { this.items = []; this.revealed = false; }
    span(kind, value, extra) {
      if (value === null || value === undefined || value === '') return el('span', { class: 'none' }, '—');
      const s = el('span', Object.assign({ class: 'pii masked', 'data-pii': kind }, extra || {}), mask[kind](value));
      this.items.push({ s, kind, value });
      return s;
    }
    toggle() {
      this.revealed = !this.revealed;
      for (const { s, kind, value } of this.items) {
        s.textContent = this.revealed ? value : mask[kind](value);
        s.classList.toggle('masked', !this.revealed);
      }
      return this.revealed;
    }
  }

  const dash = (v) => (v === null || v === undefined || v === '' ? '—' : v);
  const dateTime = (d, t) => (d ? d + (t ? ' ' + t : '') : '—');

  // ---- credentials (production: asked once per browser session) ----
  function credentials() {
    try { return JSON.parse(sessionStorage.getItem(CREDENTIALS) || 'null'); } catch { return null; }
  }
  function showWho() {
    if (window.consoleAuth && window.consoleAuth.enabled) return showSignedIn();
    const c = credentials();
    $('#who').hidden = !c;
    $('#who-agent').textContent = c ? '客服人員 ' + c.agent : '';
  }
  let pendingRetry = null;
  function askCredentials(why) {
    $('#sign-in-error').textContent = why || '';
    const d = $('#sign-in');
    if (!d.open) d.showModal();
    $('#sign-in-key').focus();
  }

  // ---- the manifest: the hash of our document ----
  let documentHash = null;
  async function loadHash() {
    if (documentHash) return documentHash;
    const r = await fetch('manifest.json', { cache: 'no-cache' });
    if (!r.ok) throw new Error('manifest ' + r.status);
    const m = await r.json();
    const op = (m.operations || []).find((o) => o.name === OPERATION);
    if (!op) throw new Error('no ' + OPERATION + ' in the manifest');
    documentHash = op.id;
    return documentHash;
  }

  // ---- sign-in through the provider (auth.js) ----
  function showSignedIn() {
    const who = window.consoleAuth.who();
    $('#who').hidden = !who;
    $('#who-agent').textContent = who ? '客服人員 ' + who : '';
  }
  // authHeaders are the request's headers with the caller's credentials: the signed-in agent's
  // token, or the API key typed in; null when the page is leaving to sign in.
  async function authHeaders(conditions) {
    const headers = { 'Content-Type': 'application/json' };
    const auth = window.consoleAuth;
    if (auth && auth.enabled) {
      const h = auth.header();
      if (!h) {
        await auth.signIn(conditions);
        return null;
      }
      headers.Authorization = h;
      return headers;
    }
    const c = credentials();
    if (c) {
      headers.Authorization = 'Bearer ' + c.key;
      headers['X-Agent-Id'] = c.agent;
    }
    return headers;
  }
  // hashOf is the hash of one of the console's trusted documents, by operation name.
  async function hashOf(name) {
    const r = await fetch('manifest.json', { cache: 'no-cache' });
    if (!r.ok) throw new Error('manifest ' + r.status);
    const op = ((await r.json()).operations || []).find((o) => o.name === name);
    if (!op) throw new Error('no ' + name + ' in the manifest');
    return op.id;
  }
  // revealCard: when agents get personal data masked by the server, the button asks for a
  // reason and fetches the application in clear (revealApplication: its own audit row), then
  // redraws the card with it; otherwise it toggles the on-screen masks, as before.
  async function revealCard(a, t, pii, btn) {
    const auth = window.consoleAuth;
    const local = () => {
      const shown = pii.toggle();
      btn.textContent = shown ? '遮蔽個資' : '顯示個資';
      t.classList.toggle('revealed', shown);
    };
    if (!auth || !auth.reveals || t.dataset.clear) return local();
    const headers = await authHeaders(formConditions());
    if (!headers) return;
    const r = await auth.reveal(a.seqNo, headers, hashOf);
    if (!r) return;
    if (r.code === 'FORBIDDEN') return local(); // not an agent: the data is clear already
    if (r.code === 'UNAUTHORIZED' && auth.enabled) return auth.signIn(formConditions());
    if (r.code) return showError(r.code, r.message);
    if (!r.application) return;
    const c = r.application;
    const clear = Object.assign({}, a, c, {
      createDetails: (a.createDetails || []).map((d, i) => Object.assign({}, d, (c.createDetails || [])[i] || {})),
    });
    const fresh = card(factsOf(clear));
    fresh.dataset.clear = 'revealed';
    t.replaceWith(fresh);
    $('.reveal', fresh).click();
  }

  // ---- messages ----
  function clearMessages() {
    for (const f of FIELDS) {
      $('#' + f + '-error').textContent = '';
      $('#' + f).removeAttribute('aria-invalid');
    }
    const m = $('#message');
    m.hidden = true;
    m.textContent = '';
    m.removeAttribute('data-code');
    $('#summary').hidden = true;
    $('#overview').hidden = true;
    $('#overview-list').replaceChildren();
  }
  function showMessage(kind, code, text, detail) {
    const m = $('#message');
    m.className = 'message ' + kind;
    m.dataset.code = code;
    m.replaceChildren(el('strong', {}, text));
    if (detail) m.append(el('span', { class: 'detail' }, detail));
    m.hidden = false;
  }
  // showError shows code in Chinese (codes.js), next to its field for a field's rule; the
  // server's own message is English for developers and is not shown. The code stays in a small
  // detail line for the help desk.
  function showError(code) {
    const rule = CODES.field[code];
    if (rule) {
      $('#' + rule.field + '-error').textContent = rule.text;
      $('#' + rule.field).setAttribute('aria-invalid', 'true');
      $('#' + rule.field).focus();
    }
    showMessage('error', code, CODES.errorText(code), CODES.detail(code));
  }

  // ---- the lookup ----
  let seq = 0;
  async function lookup(conditions) {
    const mine = ++seq;
    clearMessages();
    const vars = {};
    for (const f of FIELDS) if (conditions[f] && conditions[f].trim() !== '') vars[f] = conditions[f];
    $('#results').replaceChildren();
    $('#results').setAttribute('aria-busy', 'true');
    try {
      const hash = await loadHash();
      const headers = await authHeaders(conditions);
      if (!headers) return;
      const c = credentials();
      const resp = await fetch('../graphql', {
        method: 'POST',
        headers,
        cache: 'no-store',
        credentials: 'same-origin',
        body: JSON.stringify({
          operationName: OPERATION,
          variables: vars,
          extensions: { persistedQuery: { version: 1, sha256Hash: hash } },
        }),
      });
      let body = null;
      try { body = await resp.json(); } catch { body = null; }
      if (mine !== seq) return; // a newer lookup started
      const received = performance.now();
      const err = body && body.errors && body.errors[0];
      const code = err && err.extensions && err.extensions.code;
      if ((code === 'UNAUTHORIZED' || resp.status === 401) && window.consoleAuth && window.consoleAuth.enabled) {
        window.consoleAuth.signIn(conditions); // expired or refused: back through sign-in, with the conditions
        return;
      }
      if (code === 'UNAUTHORIZED' || resp.status === 401) {
        sessionStorage.removeItem(CREDENTIALS);
        showWho();
        // Asked for the first time: no error yet, only the request to sign in.
        if (c) showError('UNAUTHORIZED');
        else showMessage('empty', 'UNAUTHORIZED', CODES.signIn);
        pendingRetry = conditions;
        askCredentials(c ? CODES.message.UNAUTHORIZED : '');
        return;
      }
      if (code) {
        showError(code);
        return;
      }
      if (!body || !body.data || !Array.isArray(body.data.applications)) {
        showError('HTTP_' + resp.status);
        return;
      }
      render(vars, body.data.applications, received);
    } catch (e) {
      if (mine !== seq) return;
      showMessage('error', 'NETWORK', CODES.errorText('NETWORK'), CODES.detail('NETWORK'));
    } finally {
      if (mine === seq) {
        $('#results').removeAttribute('aria-busy');
        window.createinfoConsole.completed++;
      }
    }
  }

  // ---- rendering ----
  function render(vars, apps, received) {
    const results = $('#results');
    if (apps.length === 0) {
      showMessage('empty', 'EMPTY', CODES.errorText('EMPTY'), '請確認號碼是否正確，或改用其他條件查詢。');
      return;
    }
    const summary = $('#summary');
    summary.textContent = '共 ' + apps.length + ' 筆開戶進件，最新在前。';
    summary.hidden = false;
    const facts = apps.map(factsOf);
    const lines = document.createDocumentFragment();
    for (const f of facts) lines.append(overviewLine(f));
    $('#overview-list').replaceChildren(lines);
    $('#overview').hidden = false;
    const frag = document.createDocumentFragment();
    for (const f of facts) frag.append(card(f));
    results.replaceChildren(frag);
    // For the browser test's figures: from the response to the frame that shows the result,
    // and to that frame laid out (the layout the browser does next anyway, done here to time it).
    requestAnimationFrame(() => {
      window.createinfoConsole.lastPaintMs = performance.now() - received;
      void document.body.offsetHeight;
      window.createinfoConsole.lastLayoutMs = performance.now() - received;
      // A deep link leaves the focus nowhere: put it on the overview, where ↑/↓ and Enter
      // work. A typed search keeps it in its field. (Here, not above: focusing lays the page
      // out at once, and the frame does that next anyway.)
      if (document.activeElement === document.body) $('#overview-list button').focus();
    });
  }

  function stepsOf(a) {
    const sbp = a.stepBreakPoint;
    return sbp && Array.isArray(sbp.steps) ? sbp.steps : [];
  }

  // factsOf derives, once per application, what both its overview line and its card say.
  function factsOf(a) {
    const steps = stepsOf(a);
    const complete = steps.length > 0 && steps.every((s) => s.done);
    const stuck = steps.find((s) => !s.done) || null; // the first step not completed
    // 補件 still open: every resend not yet approved (B3).
    const pending = a.documentResends.filter((r) => r.resendStatus !== 'B3').length;
    const f = a.manualReviewFlag;
    const attention = [];
    if (f) {
      const aml = f.amlFlagDetail;
      if (aml && (aml.isInSanctionList || aml.isInPepsList || aml.riskLevel === 'HIGH')) attention.push('AML 命中');
      if (f.z21FlagDetail) attention.push('Z21');
      if (f.z22FlagDetail) attention.push('Z22');
    }
    // The last thing that happened: the latest of the times served (all "YYYY-MM-DD hh:mm:ss"
    // in the bank's zone, so they compare as strings).
    const times = [dateTime(a.createDate, a.createTime), dateTime(a.updateDate, a.updateTime), a.lastStepDateTime]
      .concat(a.documentResends.flatMap((r) => [r.createDateTime, r.updateDateTime]))
      .filter((t) => t && t !== '—');
    const lastActivity = times.length ? times.reduce((x, y) => (y > x ? y : x)) : '—';
    return { a, steps, complete, stuck, pending, attention, lastActivity, next: complete ? null : nextStep(a, stuck) };
  }

  const stepText = (s) => '第 ' + s.number + ' 步：' + s.name;

  // nextStep is the one sentence an interrupted card says the customer must do, from the data:
  // the newest 補件 (by its status and reasons) while one is open, else the step to go on from.
  function nextStep(a, stuck) {
    const newest = a.documentResends.reduce((x, r) => (!x || (r.createDateTime || '') >= (x.createDateTime || '') ? r : x), null);
    const from = stuck ? '請客戶從第 ' + stuck.number + ' 步' + stuck.name + '繼續' : null;
    if (newest && newest.resendStatus !== 'B3') {
      const what = CODES.name('resendCategory', newest.category);
      const why = (label, v) => (v ? '（' + label + '：' + v + '）' : '');
      switch (newest.resendStatus) {
        case 'B4': return '請客戶補' + what + why('審核未過', newest.resendRejectReason) + '。';
        case 'B2': return '客戶已補' + what + '，待作管審核；請客戶等候審核結果。';
        default: return '請客戶補' + what + why('補件原因', newest.resendReason) + '。';
      }
    }
    if (from) return from + '。';
    return '斷點紀錄不完整，請依下方開戶斷點與補件紀錄說明。';
  }

  function overviewLine(x) {
    const a = x.a;
    const parts = [
      ['ov-outcome ' + (x.complete ? 'ok' : 'stopped'), (x.complete ? '✓ 開戶成功' : '! 開戶中斷')],
      ['ov-step', x.complete ? '已完成' : x.stuck ? '卡在' + stepText(x.stuck) : '無斷點紀錄'],
      ['ov-pending', x.pending ? '補件待處理 ' + x.pending + ' 件' : '無待補件'],
      ['ov-flags' + (x.attention.length ? ' attention' : ''), x.attention.length ? '注意：' + x.attention.join('、') : '無注意註記'],
      ['ov-time', '最後活動 ' + x.lastActivity],
      ['ov-seq', '序號 …' + a.seqNo.slice(-6)],
    ];
    // Read aloud as one sentence, its parts separated (the spans are laid out as columns).
    const label = parts.map((p) => p[1].replace(/^[✓!] /, '')).join('，');
    return el('li', {}, el('button', { type: 'button', class: 'ov-line', 'data-seqno': a.seqNo, 'aria-label': label, title: a.seqNo },
      parts.map(([cls, text]) => el('span', { class: cls }, text))));
  }

  // jump shows the card of seqNo and gives it the focus.
  function jump(seqNo) {
    const c = [...document.querySelectorAll('#results article.app')].find((e) => e.dataset.seqno === seqNo);
    if (!c) return;
    c.scrollIntoView({ block: 'start' });
    c.focus({ preventScroll: true });
  }

  function card(x) {
    const a = x.a;
    const t = $('#app-template').content.firstElementChild.cloneNode(true);
    const pii = new Personal();
    t.dataset.seqno = a.seqNo;
    t.setAttribute('aria-label', (x.complete ? '開戶成功' : '開戶中斷') + '，進件序號 ' + a.seqNo);
    const { steps, complete, stuck } = x;
    const outcome = $('.outcome', t);
    outcome.textContent = (complete ? '✓ 開戶成功' : '! 開戶中斷') + (complete ? '' : stuck ? '：卡在' + stepText(stuck) : '');
    outcome.classList.add(complete ? 'ok' : 'stopped');
    $('.archived', t).hidden = !a.isArchived;
    $('.seqno', t).textContent = a.seqNo;
    const copied = $('.copied', t);
    const copy = $('.copy', t);
    copy.setAttribute('aria-label', '複製進件序號 ' + a.seqNo);
    copy.addEventListener('click', () => copyText(a.seqNo, copied));
    if (x.next) {
      $('.next', t).hidden = false;
      $('.next-text', t).textContent = x.next;
    }

    const facts = $('.facts', t);
    const fact = (label, value, cls) => facts.append(el('div', { class: cls || null }, el('dt', {}, label), el('dd', {}, value)));
    fact('姓名', pii.span('name', a.name, { 'data-field': 'name' }));
    fact('身分證字號', pii.span('idno', a.idno, { 'data-field': 'idno' }));
    fact('手機號碼', pii.span('phone', a.phoneNumber, { 'data-field': 'phone' }));
    fact('開戶申請狀態', el('span', { 'data-code': a.status || '' }, CODES.name('status', a.status)));
    fact('建立時間', dateTime(a.createDate, a.createTime));
    fact('最後步驟完成時間', dash(a.lastStepDateTime));
    fact('更新時間', dateTime(a.updateDate, a.updateTime));
    fact('首次使用', a.isFirstUse ? '是' : '否');
    fact('邀請碼', dash(a.mgmCode));
    if (a.rejectMemo) fact('備註', a.rejectMemo, 'wide');

    // The step bar: done (✓), not done, and the step the customer is stuck on.
    const bar = $('.steps', t);
    for (const s of steps) {
      const isStuck = stuck && s.number === stuck.number;
      bar.append(el('li', {
        class: 'step ' + (s.done ? 'done' : 'todo') + (isStuck ? ' stuck' : ''),
        'data-step': s.number,
      }, el('span', { class: 'num' }, (s.done ? '✓ ' : '') + s.number), el('span', { class: 'name' }, s.name),
      el('span', { class: 'sr' }, s.done ? '（已完成）' : '（未完成）'),
      isStuck ? el('span', { class: 'stop' }, '▲ 卡在此步') : null));
    }
    $('.where', t).textContent = steps.length === 0 ? '（無斷點紀錄）'
      : complete ? '：11 步全部完成'
      : '：卡在' + stepText(stuck);

    flags(a, $('.flags', t));

    const ab = $('.abnormal', t);
    if (a.abnormalPid.length === 0) ab.append(el('span', { class: 'none' }, '無'));
    else for (const id of a.abnormalPid) ab.append(el('span', { class: 'badge danger pid', 'data-field': 'abnormalPid' }, pii.span('idno', id)));

    details(a, $('.details', t), pii);
    resends(a, $('.resends', t));
    tellers(a, $('.tellers', t));

    const btn = $('.reveal', t);
    btn.addEventListener('click', () => revealCard(a, t, pii, btn));
    if (pii.items.length === 0) btn.hidden = true;
    return t;
  }

  // copyText puts text on the clipboard and says so next to the button.
  async function copyText(text, status) {
    try {
      await navigator.clipboard.writeText(text);
      status.textContent = '已複製';
    } catch {
      status.textContent = '無法複製，請手動選取序號';
    }
  }

  function flags(a, box) {
    const f = a.manualReviewFlag;
    const out = [];
    const badge = (kind, cls, text, code) => out.push(el('span', { class: 'badge ' + cls, 'data-flag': kind, 'data-code': code || null }, text));
    if (f) {
      const aml = f.amlFlagDetail;
      if (aml) {
        const parts = [];
        if (aml.isInSanctionList) parts.push('制裁名單');
        if (aml.isInPepsList) parts.push('PEPs 名單');
        if (aml.riskLevel) parts.push('風險等級' + CODES.name('riskLevel', aml.riskLevel));
        if (aml.rarelyWord) parts.push('罕見字（第二字面）');
        const serious = aml.isInSanctionList || aml.isInPepsList || aml.riskLevel === 'HIGH';
        badge('aml', serious ? 'danger' : 'info', (serious ? '⚠ AML 命中：' : 'AML：') + (parts.join('、') || '無異常'), aml.riskLevel);
      }
      if (f.rarelyWord) badge('rarelyWord', 'warn', '罕見字');
      if (f.ocrFlagDetail) badge('ocr', 'warn', 'OCR：客戶修改證件資料');
      if (f.ocrScanError) badge('ocrScanError', 'warn', 'OCR：證件身分證字號與輸入不同');
      if (f.firstFrontScanError) badge('firstFrontScanError', 'warn', '第一證件正面掃描失敗');
      if (f.firstBackScanError) badge('firstBackScanError', 'warn', '第一證件背面掃描失敗');
      if (f.secondScanError) badge('secondScanError', 'warn', '第二證件掃描失敗');
      const z21 = f.z21FlagDetail;
      if (z21) badge('z21', 'info', 'Z21 驗證結果：' + (z21.z21ResultMessage || '未提供說明'), z21.z21ResultCode);
      if (f.z21ExceedTimes) badge('z21ExceedTimes', 'info', 'Z21 放行原因：' + CODES.name('z21Exceed', f.z21ExceedTimes), f.z21ExceedTimes);
      const z22 = f.z22FlagDetail;
      if (z22) badge('z22', 'warn', 'Z22 驗證結果：' + (z22.z22MsgNewSubCode || '未提供說明'), z22.z22ActType);
      if (f.p2566) badge('p2566', 'danger', '他行驗證失敗 5 次以上');
      if (f.sameIpDiffEmail) badge('sameIpDiffEmail', 'warn', '同一 IP 不同電子郵件');
      if (f.sameIpWithDiffPid) badge('sameIpWithDiffPid', 'warn', '同一 IP 不同 ID 7 日內開戶' + (f.sameIpWithDiffPidDatetime ? '（' + f.sameIpWithDiffPidDatetime + '）' : ''));
      if (f.bornInUSA) badge('bornInUSA', 'warn', '出生地美國未填美國稅籍');
      for (const s of f.special) badge('special', 'info', '特殊註記：' + CODES.name('special', s), s);
    }
    if (out.length === 0) out.push(el('span', { class: 'none' }, '無註記'));
    box.append(...out);
  }

  function table(caption, headers, rows) {
    return el('table', {},
      el('caption', { class: 'sr' }, caption),
      el('thead', {}, el('tr', {}, headers.map((h) => el('th', { scope: 'col' }, h)))),
      el('tbody', {}, rows.map((r) => el('tr', {}, r.map((c) => el('td', {}, c))))));
  }

  // coded shows a code's Chinese name, the code itself kept in data-code for the help desk.
  const coded = (kind, code) => el('span', { 'data-code': code || null }, CODES.name(kind, code));

  function details(a, box, pii) {
    if (a.createDetails.length === 0) { box.append(el('span', { class: 'none' }, '無')); return; }
    box.append(table('申請明細', ['開戶目的', '行業別', '職業', '戶籍地址', '他行驗證銀行', '明細狀態'],
      a.createDetails.map((d) => [
        el('span', { 'data-code': d.applyPurpose || null }, CODES.names('applyPurpose', d.applyPurpose)),
        d.industry ? d.industry.name : '—',
        d.job ? d.job.name : '—',
        el('span', {}, d.residentPostalCode ? d.residentPostalCode + ' ' : '', pii.span('address', d.residentAddress)),
        coded('bank', d.acverinputBank),
        coded('status', d.createAccountStatus),
      ])));
  }

  function resends(a, box) {
    if (a.documentResends.length === 0) { box.append(el('span', { class: 'none' }, '無')); return; }
    const cls = { B4: 'danger', B3: 'ok' };
    const mark = { B4: '✗ ', B3: '✓ ' };
    box.append(table('補件紀錄', ['類別', '補件內容', '狀態', '原因', '未通過原因', '建立', '更新'],
      a.documentResends.map((r) => [
        coded('resendCategory', r.category),
        r.resendContent.length ? el('span', { class: 'content' }, r.resendContent.map((c) => el('code', {}, c))) : '—',
        r.resendStatus ? el('span', { class: 'badge ' + (cls[r.resendStatus] || 'info'), 'data-code': r.resendStatus },
          (mark[r.resendStatus] || '') + CODES.name('resendStatus', r.resendStatus)) : '—',
        dash(r.resendReason),
        dash(r.resendRejectReason),
        dash(r.createDateTime),
        dash(r.updateDateTime),
      ])));
  }

  function tellers(a, box) {
    if (a.tellerCheckRecords.length === 0) { box.append(el('span', { class: 'none' }, '無')); return; }
    box.append(table('審核紀錄', ['審核狀態', '經辦', '經辦審核時間', '經辦備註', '主管', '主管覆核時間', '主管備註'],
      a.tellerCheckRecords.map((r) => [
        coded('checkStatus', r.checkStatus), dash(r.tellerNo), dateTime(r.tellerCheckDate, r.tellerCheckTime), dash(r.tellerMemo),
        dash(r.managerNo), dateTime(r.managerCheckDate, r.managerCheckTime), dash(r.managerMemo),
      ])));
  }

  // ---- wiring ----
  function formConditions() {
    const c = {};
    for (const f of FIELDS) c[f] = $('#' + f).value;
    return c;
  }

  async function start() {
    // For the browser tests: lookups finished, and the last one's time to paint.
    window.createinfoConsole = { completed: 0, lastPaintMs: null, lastLayoutMs: null };
    const back = window.consoleAuth ? await window.consoleAuth.ready : null; // a sign-in finished
    showWho();
    $('#search').addEventListener('submit', (e) => {
      e.preventDefault();
      lookup(formConditions());
    });
    // The overview: a click (or Enter) jumps to the card; ↑/↓ move between the lines.
    $('#overview-list').addEventListener('click', (e) => {
      const b = e.target.closest('button.ov-line');
      if (b) jump(b.dataset.seqno);
    });
    $('#overview-list').addEventListener('keydown', (e) => {
      if (e.key !== 'ArrowDown' && e.key !== 'ArrowUp') return;
      const lines = [...document.querySelectorAll('#overview-list button.ov-line')];
      const i = lines.indexOf(document.activeElement);
      if (i < 0) return;
      e.preventDefault();
      const n = lines[Math.min(lines.length - 1, Math.max(0, i + (e.key === 'ArrowDown' ? 1 : -1)))];
      n.focus();
    });
    $('#search').addEventListener('reset', () => {
      seq++;
      clearMessages();
      $('#results').replaceChildren();
    });
    $('#sign-out').addEventListener('click', () => {
      if (window.consoleAuth && window.consoleAuth.enabled) return window.consoleAuth.signOut();
      sessionStorage.removeItem(CREDENTIALS);
      showWho();
      $('#results').replaceChildren();
      clearMessages();
    });
    $('#sign-in-form').addEventListener('submit', (e) => {
      const key = $('#sign-in-key').value.trim();
      const agent = $('#sign-in-agent').value.trim();
      if (!key || !/^[0-9A-Za-z._@-]{1,64}$/.test(agent)) {
        e.preventDefault();
        $('#sign-in-error').textContent = '請輸入金鑰與客服人員代號（英數字與 . _ @ -，最多 64 字）。';
        return;
      }
      sessionStorage.setItem(CREDENTIALS, JSON.stringify({ key, agent }));
      $('#sign-in-key').value = '';
      showWho();
      const retry = pendingRetry;
      pendingRetry = null;
      if (retry) lookup(retry);
    });

    // Deep link (read by deepLink below, before anything else ran).
    let linked = false;
    for (const f of FIELDS) {
      const v = deepLink.get(f);
      if (v !== null) {
        $('#' + f).value = v;
        linked = true;
      }
    }
    if (back) { // the conditions looked up when sign-in was needed
      for (const f of FIELDS) $('#' + f).value = back[f] || '';
      linked = true;
    }
    if (linked) lookup(formConditions());
    else $('#phone').focus();
    // A fragment link opened in the console's own window (target="createinfo-console") while it
    // shows /console/ does not load the page again: read and clear it here too.
    window.addEventListener('hashchange', () => {
      const link = new URLSearchParams(location.hash.slice(1));
      history.replaceState(null, '', location.pathname);
      if (!FIELDS.some((f) => link.get(f) !== null)) return;
      for (const f of FIELDS) $('#' + f).value = link.get(f) || '';
      lookup(formConditions());
    });
  }

  // Deep link: posted to /console/ (the server puts it in a meta element), /console/#phone=…
  // or /console/?phone=… (also idno, seqNo). Read and removed from the page and the address bar
  // as soon as the script runs, before the page requests anything. What the browser's history
  // keeps of each form is in the README (TestDeepLinkHistory): only the posted one stays out.
  const deepLink = (() => {
    const params = new URLSearchParams(location.search);
    for (const [k, v] of new URLSearchParams(location.hash.slice(1))) params.set(k, v);
    const posted = document.querySelector('meta[name="createinfo-deep-link"]');
    if (posted) {
      for (const [k, v] of new URLSearchParams(posted.content)) params.set(k, v);
      posted.remove();
    }
    if (location.search || location.hash) history.replaceState(null, '', location.pathname);
    return params;
  })();

  if (document.readyState === 'loading') document.addEventListener('DOMContentLoaded', start);
  else start();
})();
