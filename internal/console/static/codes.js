// codes.js: the one place where the console turns the codes it is served into the Chinese the
// agent reads. Sources, in order: the bank's specification (the seed beside CONTRACT.md: apply
// purposes, resend statuses, Z21 release reasons, special bits), CONTRACT.md (resend
// categories, the error table), and where neither gives a name, the plain translation of a
// self-describing English code (PENDING, APPROVED, HIGH…). A code no table holds shows as
// 「未知代碼（X）」, never blank and never as a bare code, so that a new code is noticed rather
// than hidden. The browser tests check that every code of the demo data and of CONTRACT.md has
// a name here, and that every message the page can show is Chinese.
'use strict';

window.createinfoCodes = (function () {
  const tables = {
    // 開戶目的 (createDetails.applyPurpose, comma-joined): the seed's list.
    applyPurpose: {
      DEPOSIT_TRANSACTION: '一般交易／儲蓄', INVESTMENT: '投資理財', LOAN: '貸款', E_BILL: '繳費',
    },
    // 補件類別 (documentResends.category): the seed's field table.
    resendCategory: {
      FIRST_CERTIFICATE: '第一證件', SECOND_CERTIFICATE: '第二證件', EDD: 'EDD 問卷',
      FINANCIAL_PROOF: '財力證明', LOSS_NATIONALITY_PROOF: '喪失國籍證明',
    },
    // 補件狀態 (documentResends.resendStatus): the seed's field table.
    resendStatus: { B1: '作管新增補件單', B2: 'APP 已補件未審', B3: '審核通過', B4: '審核未通過' },
    // 審核狀態 (tellerCheckRecords.checkStatus): the seed names the field only; the values are
    // the English words, translated.
    checkStatus: { PENDING: '待審核', APPROVED: '核准', REJECTED: '不核准' },
    // AML 風險等級 (amlFlagDetail.riskLevel).
    riskLevel: { HIGH: '高', MEDIUM: '中', LOW: '低' },
    // Z21 驗證放行原因 (manualReviewFlag.z21ExceedTimes): the seed's field table.
    z21Exceed: { R: '限制驗證', '3N': '開戶日至今累計超過 3 次查無紀錄', W: '白名單內，不進行中斷開戶' },
    // 特殊註記 (manualReviewFlag.special): the seed's bit names. A set bit the bank has not
    // named is served as BIT_<value> (CONTRACT.md); it shows as 未命名註記 with its value.
    special: { NextUserLoan: '非存戶貸款' },
    // 他行驗證銀行 (createDetails.acverinputBank): the banks' public three-digit codes of the
    // demo data; any other shows as 銀行代號 N (the code is the name agents use).
    bank: { '808': '玉山銀行', '812': '台新銀行' },
    // 開戶申請狀態 (status, createDetails.createAccountStatus): neither the seed nor CONTRACT.md
    // gives these codes a meaning (the seed says only 開戶申請狀態). Listed so that the page
    // says so instead of guessing; replace null with the bank's name once it is known.
    status: { L0: null, L1: null, L2: null, L3: null, L4: null },
  };

  const unknown = (code) => '未知代碼（' + code + '）';

  // name is the Chinese of code in table kind.
  function name(kind, code) {
    if (code === null || code === undefined || code === '') return '—';
    const t = tables[kind] || {};
    if (kind === 'special') {
      const bit = /^BIT_([0-9]+)$/.exec(code);
      if (bit) return '未命名註記（位元值 ' + bit[1] + '）';
    }
    if (kind === 'bank' && !Object.prototype.hasOwnProperty.call(t, code)) return '銀行代號 ' + code;
    if (kind === 'status' && Object.prototype.hasOwnProperty.call(t, code)) {
      return t[code] || '代碼 ' + code + '（銀行代碼表未提供說明）';
    }
    return Object.prototype.hasOwnProperty.call(t, code) && t[code] ? t[code] : unknown(code);
  }

  // names is name over a comma-joined list (applyPurpose), joined with 、.
  function names(kind, list) {
    if (!list) return '—';
    return list.split(',').map((c) => c.trim()).filter(Boolean).map((c) => name(kind, c)).join('、');
  }

  // The field of each field-level error code, and its rule in the agent's words.
  const field = {
    INVALID_PHONE: { field: 'phone', text: '手機號碼需為 09 開頭共 10 碼，可輸入 +886' },
    INVALID_IDNO: { field: 'idno', text: '身分證字號需為字母開頭共 10 碼，末 8 碼為數字' },
    INVALID_SEQNO: { field: 'seqNo', text: '進件序號限英文字母、數字與 -，最多 64 碼' },
  };

  // The message of every error code of CONTRACT.md (and the page's own: EMPTY, NETWORK, HTTP).
  const message = {
    INVALID_PHONE: '請修正標示的欄位後再查詢。',
    INVALID_IDNO: '請修正標示的欄位後再查詢。',
    INVALID_SEQNO: '請修正標示的欄位後再查詢。',
    MISSING_QUERY_CONDITION: '請輸入手機號碼、身分證字號或進件序號，至少一項。',
    TOO_MANY_RESULTS: '符合的開戶進件太多，未列出。請再加一個條件（例如手機號碼加身分證字號）縮小範圍。',
    UNAUTHORIZED: '未通過驗證：請輸入正確的 API 金鑰與客服人員代號。',
    FORBIDDEN: '您的帳號沒有這項查詢的權限，請洽系統管理員。',
    TOO_MANY_REQUESTS: '查詢過於頻繁，請稍候一分鐘再試。',
    PAYLOAD_TOO_LARGE: '查詢條件過長，請縮短後再試。',
    METHOD_NOT_ALLOWED: '主控台版本與服務不符，請重新整理頁面。',
    PERSISTED_QUERY_NOT_FOUND: '主控台版本與服務不符，請重新整理頁面。',
    UNTRUSTED_DOCUMENT: '主控台版本與服務不符，請重新整理頁面。',
    INVALID_REQUEST: '查詢格式錯誤，請重新整理頁面後再試。',
    SERVICE_UNAVAILABLE: '查詢服務暫時無法使用（資料庫或稽核紀錄），請稍後再試；持續發生請通知系統管理員。',
    TIMEOUT: '查詢逾時，請稍後再試。',
    INTERNAL_ERROR: '系統發生錯誤，請稍後再試；持續發生請通知系統管理員。',
    NETWORK: '無法連線到查詢服務，請檢查網路或稍後再試。',
    EMPTY: '查無資料：沒有符合條件的開戶進件。',
  };
  const signIn = '本服務需要登入：請輸入 API 金鑰與客服人員代號。';

  // errorText is what the page says for code: never the server's English, never blank.
  function errorText(code) {
    return message[code] || '系統發生錯誤，請稍後再試；持續發生請通知系統管理員。';
  }
  // detail is the small line for the help desk: the code, labelled in Chinese.
  function detail(code) { return '錯誤代碼：' + code + '（請提供給系統管理員）'; }

  return { tables, name, names, field, message, errorText, detail, signIn, unknown };
})();
