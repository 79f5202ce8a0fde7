// The customer-service console (客服主控台): one page, no library, no request to any other host.
// It sends one trusted GraphQL document (documents/lookup.graphql) by its SHA-256, read from
// the server's manifest; the server normalises and validates the conditions and this page
// shows its messages. Personal data is masked until the agent reveals one application.
'use strict';

(function () {
  const OPERATION = 'ConsoleLookup';
  const FIELDS = ['phone', 'idno', 'seqNo'];
  const CREDENTIALS = 'createinfo.console.credentials'; // sessionStorage: {key, agent}

  // Field-level codes: the server's message goes next to the field.
  const FIELD_OF_CODE = { INVALID_PHONE: 'phone', INVALID_IDNO: 'idno', INVALID_SEQNO: 'seqNo' };
  const FIELD_LABEL = { phone: '手機號碼', idno: '身分證字號', seqNo: '進件序號' };
  const MESSAGE_OF_CODE = {
    MISSING_QUERY_CONDITION: '請輸入手機號碼、身分證字號或進件序號，至少一項。',
    TOO_MANY_RESULTS: '符合的開戶進件太多，未列出。請再加一個條件（例如手機號碼加身分證字號）縮小範圍。',
    UNAUTHORIZED: '未通過驗證：請輸入正確的 API 金鑰與客服人員代號。',
    SERVICE_UNAVAILABLE: '資料庫暫時無法使用，請稍後再試；持續發生請通知系統管理員。',
    TIMEOUT: '查詢逾時，請稍後再試。',
    TOO_MANY_REQUESTS: '查詢過於頻繁，請稍候再試。',
    PERSISTED_QUERY_NOT_FOUND: '主控台版本與服務不符，請重新整理頁面。',
    UNTRUSTED_DOCUMENT: '主控台版本與服務不符，請重新整理頁面。',
    INVALID_REQUEST: '查詢格式錯誤。',
  };

  const RESEND_CATEGORY = {
    FIRST_CERTIFICATE: '第一證件', SECOND_CERTIFICATE: '第二證件', EDD: 'EDD 問卷',
    FINANCIAL_PROOF: '財力證明', LOSS_NATIONALITY_PROOF: '喪失國籍證明',
  };
  const RESEND_STATUS = { B1: '作管新增補件單', B2: 'APP已補件未審', B3: '審核通過', B4: '審核未通過' };
  const Z21_EXCEED = { R: '限制驗證', '3N': '開戶日至今累計超過3次查無紀錄', W: '白名單內' };
  const SPECIAL = { NextUserLoan: '非存戶貸款' };

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
    const fresh = card(clear);
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
  }
  function showMessage(kind, code, text, detail) {
    const m = $('#message');
    m.className = 'message ' + kind;
    m.dataset.code = code;
    m.replaceChildren(el('strong', {}, text));
    if (detail) m.append(el('span', { class: 'detail' }, detail));
    m.hidden = false;
  }
  function showError(code, serverMessage) {
    const field = FIELD_OF_CODE[code];
    if (field) {
      $('#' + field + '-error').textContent = FIELD_LABEL[field] + '格式錯誤：' + serverMessage;
      $('#' + field).setAttribute('aria-invalid', 'true');
      $('#' + field).focus();
      showMessage('error', code, '請修正標示的欄位後再查詢。');
      return;
    }
    const known = MESSAGE_OF_CODE[code];
    showMessage('error', code, known || '系統發生錯誤，請稍後再試。', '代碼 ' + code + (serverMessage ? '：' + serverMessage : ''));
  }

  // ---- the lookup ----
  let seq = 0;
  async function lookup(conditions) {
    const mine = ++seq;
    clearMessages();
    const vars = {};
    for (const f of FIELDS) if (conditions[f] && conditions[f].trim() !== '') vars[f] = conditions[f];
    $('#submit').disabled = true;
    $('#results').replaceChildren();
    $('#results').setAttribute('aria-busy', 'true');
    try {
      const hash = await loadHash();
      const headers = await authHeaders(conditions);
      if (!headers) return;
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
        showError('UNAUTHORIZED', err ? err.message : '');
        pendingRetry = conditions;
        askCredentials(MESSAGE_OF_CODE.UNAUTHORIZED);
        return;
      }
      if (code) {
        showError(code, err.message);
        return;
      }
      if (!body || !body.data || !Array.isArray(body.data.applications)) {
        showError('HTTP_' + resp.status, '');
        return;
      }
      render(vars, body.data.applications, received);
    } catch (e) {
      if (mine !== seq) return;
      showMessage('error', 'NETWORK', '無法連線到查詢服務，請檢查網路或稍後再試。');
    } finally {
      if (mine === seq) {
        $('#submit').disabled = false;
        $('#results').removeAttribute('aria-busy');
        window.createinfoConsole.completed++;
      }
    }
  }

  // ---- rendering ----
  function render(vars, apps, received) {
    const results = $('#results');
    if (apps.length === 0) {
      showMessage('empty', 'EMPTY', '查無資料：沒有符合條件的開戶進件。', '請確認號碼是否正確，或改用其他條件查詢。');
      return;
    }
    const summary = $('#summary');
    summary.textContent = '共 ' + apps.length + ' 筆開戶進件，最新在前。';
    summary.hidden = false;
    const frag = document.createDocumentFragment();
    for (const a of apps) frag.append(card(a));
    results.replaceChildren(frag);
    // For the browser test's figure: from the response to the frame that shows the result.
    requestAnimationFrame(() => {
      window.createinfoConsole.lastPaintMs = performance.now() - received;
    });
  }

  function stepsOf(a) {
    const sbp = a.stepBreakPoint;
    return sbp && Array.isArray(sbp.steps) ? sbp.steps : [];
  }

  function card(a) {
    const t = $('#app-template').content.firstElementChild.cloneNode(true);
    const pii = new Personal();
    t.dataset.seqno = a.seqNo;
    const steps = stepsOf(a);
    const last = a.stepBreakPoint && a.stepBreakPoint.lastCompletedStep;
    const complete = steps.length > 0 && steps.every((s) => s.done);
    const outcome = $('.outcome', t);
    outcome.textContent = complete ? '開戶成功' : '開戶中斷';
    outcome.classList.add(complete ? 'ok' : 'stopped');
    $('.status', t).textContent = '狀態 ' + dash(a.status);
    $('.archived', t).hidden = !a.isArchived;
    $('.seqno', t).textContent = a.seqNo;

    const facts = $('.facts', t);
    const fact = (label, value, cls) => facts.append(el('div', { class: cls || null }, el('dt', {}, label), el('dd', {}, value)));
    fact('姓名', pii.span('name', a.name, { 'data-field': 'name' }));
    fact('身分證字號', pii.span('idno', a.idno, { 'data-field': 'idno' }));
    fact('手機號碼', pii.span('phone', a.phoneNumber, { 'data-field': 'phone' }));
    fact('建立時間', dateTime(a.createDate, a.createTime));
    fact('最後步驟完成時間', dash(a.lastStepDateTime));
    fact('更新時間', dateTime(a.updateDate, a.updateTime));
    fact('首次使用', a.isFirstUse ? '是' : '否');
    fact('邀請碼', dash(a.mgmCode));
    if (a.rejectMemo) fact('備註', a.rejectMemo, 'wide');

    // The step bar: done, not done, where the customer stopped.
    const bar = $('.steps', t);
    for (const s of steps) {
      const isLast = last && s.number === last.number;
      bar.append(el('li', {
        class: 'step ' + (s.done ? 'done' : 'todo') + (isLast ? ' last' : ''),
        'data-step': s.number,
        title: s.number + '. ' + s.name + (s.done ? '：已完成' : '：未完成'),
      }, el('span', { class: 'num' }, s.number), el('span', { class: 'name' }, s.name),
      isLast && !complete ? el('span', { class: 'stop' }, '▲ 停在此步之後') : null));
    }
    $('.where', t).textContent = steps.length === 0 ? '（無斷點紀錄）'
      : complete ? '：11 步全部完成'
      : last ? '：停在第 ' + last.number + ' 步（' + last.name + '）之後'
      : '：尚未完成任何步驟';

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

  function flags(a, box) {
    const f = a.manualReviewFlag;
    const out = [];
    const badge = (kind, cls, text) => out.push(el('span', { class: 'badge ' + cls, 'data-flag': kind }, text));
    if (f) {
      const aml = f.amlFlagDetail;
      if (aml) {
        const parts = [];
        if (aml.isInSanctionList) parts.push('制裁名單');
        if (aml.isInPepsList) parts.push('PEPs 名單');
        if (aml.riskLevel) parts.push('風險等級 ' + aml.riskLevel);
        if (aml.rarelyWord) parts.push('罕見字（第二字面）');
        const serious = aml.isInSanctionList || aml.isInPepsList || aml.riskLevel === 'HIGH';
        badge('aml', serious ? 'danger' : 'info', 'AML：' + (parts.join('、') || '無異常'));
      }
      if (f.rarelyWord) badge('rarelyWord', 'warn', '罕見字');
      if (f.ocrFlagDetail) badge('ocr', 'warn', 'OCR：客戶修改證件資料');
      if (f.ocrScanError) badge('ocrScanError', 'warn', 'OCR：證件身分證字號與輸入不同');
      if (f.firstFrontScanError) badge('firstFrontScanError', 'warn', '第一證件正面掃描失敗');
      if (f.firstBackScanError) badge('firstBackScanError', 'warn', '第一證件背面掃描失敗');
      if (f.secondScanError) badge('secondScanError', 'warn', '第二證件掃描失敗');
      if (f.z21FlagDetail) badge('z21', 'info', 'Z21：' + [f.z21FlagDetail.z21ResultCode, f.z21FlagDetail.z21ResultMessage].filter(Boolean).join(' '));
      if (f.z21ExceedTimes) badge('z21ExceedTimes', 'info', 'Z21 放行：' + f.z21ExceedTimes + (Z21_EXCEED[f.z21ExceedTimes] ? ' ' + Z21_EXCEED[f.z21ExceedTimes] : ''));
      if (f.z22FlagDetail) badge('z22', 'warn', 'Z22：' + [f.z22FlagDetail.z22ActType, f.z22FlagDetail.z22MsgNewSubCode].filter(Boolean).join(' '));
      if (f.p2566) badge('p2566', 'danger', '他行驗證失敗 5 次以上');
      if (f.sameIpDiffEmail) badge('sameIpDiffEmail', 'warn', '同一 IP 不同電子郵件');
      if (f.sameIpWithDiffPid) badge('sameIpWithDiffPid', 'warn', '同一 IP 不同 ID 7 日內開戶' + (f.sameIpWithDiffPidDatetime ? '（' + f.sameIpWithDiffPidDatetime + '）' : ''));
      if (f.bornInUSA) badge('bornInUSA', 'warn', '出生地美國未填美國稅籍');
      for (const s of f.special) badge('special', 'info', '特殊註記：' + s + (SPECIAL[s] ? ' ' + SPECIAL[s] : ''));
    }
    if (out.length === 0) out.push(el('span', { class: 'none' }, '無註記'));
    box.append(...out);
  }

  function table(headers, rows) {
    return el('table', {},
      el('thead', {}, el('tr', {}, headers.map((h) => el('th', {}, h)))),
      el('tbody', {}, rows.map((r) => el('tr', {}, r.map((c) => el('td', {}, c))))));
  }

  function details(a, box, pii) {
    if (a.createDetails.length === 0) { box.append(el('span', { class: 'none' }, '無')); return; }
    box.append(table(['開戶目的', '行業別', '職業', '戶籍地址', '他行驗證銀行', '明細狀態'],
      a.createDetails.map((d) => [
        dash(d.applyPurpose),
        d.industry ? d.industry.name : '—',
        d.job ? d.job.name : '—',
        el('span', {}, d.residentPostalCode ? d.residentPostalCode + ' ' : '', pii.span('address', d.residentAddress)),
        dash(d.acverinputBank),
        dash(d.createAccountStatus),
      ])));
  }

  function resends(a, box) {
    if (a.documentResends.length === 0) { box.append(el('span', { class: 'none' }, '無')); return; }
    box.append(table(['類別', '補件內容', '狀態', '原因', '未通過原因', '建立', '更新'],
      a.documentResends.map((r) => [
        dash(r.category) + (RESEND_CATEGORY[r.category] ? ' ' + RESEND_CATEGORY[r.category] : ''),
        r.resendContent.length ? el('span', { class: 'content' }, r.resendContent.map((c) => el('code', {}, c))) : '—',
        r.resendStatus ? el('span', { class: 'badge ' + (r.resendStatus === 'B4' ? 'danger' : r.resendStatus === 'B3' ? 'ok' : 'info') },
          r.resendStatus + (RESEND_STATUS[r.resendStatus] ? ' ' + RESEND_STATUS[r.resendStatus] : '')) : '—',
        dash(r.resendReason),
        dash(r.resendRejectReason),
        dash(r.createDateTime),
        dash(r.updateDateTime),
      ])));
  }

  function tellers(a, box) {
    if (a.tellerCheckRecords.length === 0) { box.append(el('span', { class: 'none' }, '無')); return; }
    box.append(table(['審核狀態', '經辦', '經辦審核時間', '經辦備註', '主管', '主管覆核時間', '主管備註'],
      a.tellerCheckRecords.map((r) => [
        dash(r.checkStatus), dash(r.tellerNo), dateTime(r.tellerCheckDate, r.tellerCheckTime), dash(r.tellerMemo),
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
    window.createinfoConsole = { completed: 0, lastPaintMs: null };
    const back = window.consoleAuth ? await window.consoleAuth.ready : null; // a sign-in finished
    showWho();
    $('#search').addEventListener('submit', (e) => {
      e.preventDefault();
      lookup(formConditions());
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

    // Deep link: /console/?phone=0988123456 (also idno, seqNo). The conditions leave the
    // address bar (and so the browser history) once read.
    const params = new URLSearchParams(location.search);
    let linked = false;
    for (const f of FIELDS) {
      const v = params.get(f);
      if (v !== null) {
        $('#' + f).value = v;
        linked = true;
      }
    }
    if (location.search) history.replaceState(null, '', location.pathname);
    if (back) { // the conditions looked up when sign-in was needed
      for (const f of FIELDS) $('#' + f).value = back[f] || '';
      linked = true;
    }
    if (linked) lookup(formConditions());
    else $('#phone').focus();
  }

  if (document.readyState === 'loading') document.addEventListener('DOMContentLoaded', start);
  else start();
})();
