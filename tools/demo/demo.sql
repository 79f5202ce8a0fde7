-- The demo dataset of CONTRACT.md: the seed's sample application with every child the sample
-- shows, three more applications on the same phone whose idnos are on the abnormal-account
-- list, and a second application of the sample's idno under another phone. Every INSERT skips
-- rows already there, so loading twice changes nothing.

INSERT INTO account.industry (code, name) VALUES
  ('14220', '公用事業設施工程業'), ('64110', '銀行業'), ('85101', '國民小學')
ON CONFLICT DO NOTHING;
INSERT INTO account.job (code, name) VALUES
  ('10009', '軍人(士官以下)'), ('20001', '金融業專業人員'), ('30002', '教師')
ON CONFLICT DO NOTHING;
INSERT INTO account.id_issue_city (code, name) VALUES
  ('10001', '北縣'), ('63000', '北市'), ('66000', '中市')
ON CONFLICT DO NOTHING;
INSERT INTO account.id_issue_way (code, name) VALUES ('1', '領發'), ('2', '補發'), ('3', '換發')
ON CONFLICT DO NOTHING;
INSERT INTO account.country (code, name) VALUES ('TW', '台灣'), ('US', '美國'), ('JP', '日本')
ON CONFLICT DO NOTHING;

INSERT INTO account.create_master (seq_no, phone_number, idno, name, mgm_code, status, reject_memo,
    create_time, update_time, is_first_use, is_archived, last_step_time, member_profile_seq_no) VALUES
  -- The seed's sample: interrupted after step 5.
  ('0A80d1d572650511ea8a30acde48001122', '0988123456', 'N123456789', '王小明', 'xxx', 'L0', 'xxx',
   '2020-02-12 07:51:28+08', '2020-02-12 07:51:28+08', true, true, '2020-02-12 07:51:28+08',
   'BB80d1d572650511ea8a30acde48001122'),
  -- Same phone, idnos on the abnormal-account list.
  ('DEMO-APP-A-01', '0988123456', 'A123456789', '陳大文', NULL, 'L4', NULL,
   '2021-03-01 10:00:00+08', '2021-03-01 10:30:00+08', true, false, '2021-03-01 10:30:00+08', 'MP-A123456789'),
  ('DEMO-APP-B-01', '0988123456', 'B123456789', '林美麗', 'MGM123', 'L1', NULL,
   '2021-05-01 09:00:00+08', '2021-05-01 09:10:00+08', false, false, NULL, NULL),
  ('DEMO-APP-C-01', '0988123456', 'C123456789', '張志明', NULL, 'L2', '客戶放棄',
   '2019-12-01 15:00:00+08', '2019-12-02 08:00:00+08', true, true, NULL, NULL),
  -- The sample's idno under another phone: a successful application.
  ('DEMO-APP-N-02', '0912345678', 'N123456789', '王小明', NULL, 'L4', NULL,
   '2022-01-10 14:00:00+08', '2022-01-10 14:40:00+08', false, false, '2022-01-10 14:40:00+08', 'BB80d1d572650511ea8a30acde48001122')
ON CONFLICT DO NOTHING;

INSERT INTO account.step_break_point (seq_no, create_master_seq_no,
    step01_state, step01_update_time, step02_state, step02_update_time, step03_state, step03_update_time,
    step04_state, step04_update_time, step05_state, step05_update_time, step06_state, step06_update_time,
    step07_state, step07_update_time, step08_state, step08_update_time, step09_state, step09_update_time,
    step10_state, step10_update_time, step11_state, step11_update_time, create_time, update_time) VALUES
  ('SBP-0A80d1d572650511ea8a30acde48001122', '0A80d1d572650511ea8a30acde48001122',
   'Y', '2020-02-12 07:51:28+08', 'Y', '2020-02-12 07:52:10+08', 'Y', '2020-02-12 07:53:40+08',
   'Y', '2020-02-12 07:55:02+08', 'Y', '2020-02-12 07:58:45+08', NULL, NULL, NULL, NULL, NULL, NULL,
   NULL, NULL, NULL, NULL, NULL, NULL, '2020-02-12 07:51:28+08', '2020-02-12 07:58:45+08'),
  ('SBP-DEMO-APP-A-01', 'DEMO-APP-A-01',
   'Y', '2021-03-01 10:00:00+08', 'Y', '2021-03-01 10:02:00+08', 'Y', '2021-03-01 10:05:00+08',
   'Y', '2021-03-01 10:08:00+08', 'Y', '2021-03-01 10:11:00+08', 'Y', '2021-03-01 10:14:00+08',
   'Y', '2021-03-01 10:17:00+08', 'Y', '2021-03-01 10:20:00+08', 'Y', '2021-03-01 10:23:00+08',
   'Y', '2021-03-01 10:26:00+08', 'Y', '2021-03-01 10:30:00+08', '2021-03-01 10:00:00+08', '2021-03-01 10:30:00+08'),
  ('SBP-DEMO-APP-B-01', 'DEMO-APP-B-01',
   'Y', '2021-05-01 09:00:00+08', 'Y', '2021-05-01 09:05:00+08', 'Y', '2021-05-01 09:10:00+08',
   NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL,
   '2021-05-01 09:00:00+08', '2021-05-01 09:10:00+08'),
  ('SBP-DEMO-APP-C-01', 'DEMO-APP-C-01',
   'Y', '2019-12-01 15:00:00+08', 'Y', '2019-12-01 15:02:00+08', 'Y', '2019-12-01 15:04:00+08',
   'Y', '2019-12-01 15:06:00+08', 'Y', '2019-12-01 15:08:00+08', 'Y', '2019-12-01 15:10:00+08',
   'Y', '2019-12-01 15:12:00+08', 'Y', '2019-12-01 15:14:00+08', NULL, NULL, NULL, NULL, NULL, NULL,
   '2019-12-01 15:00:00+08', '2019-12-01 15:14:00+08'),
  ('SBP-DEMO-APP-N-02', 'DEMO-APP-N-02',
   'Y', '2022-01-10 14:00:00+08', 'Y', '2022-01-10 14:04:00+08', 'Y', '2022-01-10 14:08:00+08',
   'Y', '2022-01-10 14:12:00+08', 'Y', '2022-01-10 14:16:00+08', 'Y', '2022-01-10 14:20:00+08',
   'Y', '2022-01-10 14:24:00+08', 'Y', '2022-01-10 14:28:00+08', 'Y', '2022-01-10 14:32:00+08',
   'Y', '2022-01-10 14:36:00+08', 'Y', '2022-01-10 14:40:00+08', '2022-01-10 14:00:00+08', '2022-01-10 14:40:00+08')
ON CONFLICT DO NOTHING;

INSERT INTO account.create_detail (seq_no, create_master_seq_no, imei, ipv4, ipv6, device_record, gps,
    term_general_agrmt, term_member_service, term_point_marketing_agrmt, term_common_marketing_agrmt,
    term_personal_agrmt, is_agreed_3th_party_used, agreed_date, apply_purpose, industry_code, job_code,
    organization, is_salary_account, acverinput_bank, acverinput_acc_no, acverinput_date, is_fatca,
    is_pay_taxes, is_tw_tax_payer, idno, name, aboriginal_name, gender, spouse, birth_year, birth_month,
    birth_date, id_issue_year, id_issue_month, id_issue_date, id_issue_city_code, id_issue_way_code,
    resident_city, resident_district, resident_address, resident_postal_code, first_front, first_back,
    ocr_sec_front_image_id, is_modified, video_view_file_name, video_sound_file_name, card_face,
    card_name, card_email, card_city, card_area, card_address, card_address_code, user_id, psd,
    create_account_status, create_time) VALUES
  ('0AD80d1d572650511ea8a30acde48001122', '0A80d1d572650511ea8a30acde48001122', 'xxx', '127.0.0.1',
   '2001:0db8:86a3:08d3:1319:8a2e:0370:7344', 'xxx', 'xxxxxxxxxx', 'TermGeneralAcc:V1.0',
   'TermMemberService:V1.0', 'TermPointMarketingAgrmt:V1.0', 'TermCommonMarketingAgrmt:V1.0',
   'TermPersonalAgrmt', true, '2020-05-13T09:44:50.780Z', 'DEPOSIT_TRANSACTION,E_BILL', '14220', '10009',
   '將來商業銀行', false, '808', 'xxxxxxxxxx', '2020-05-13T09:44:50.780Z', false, false, true,
   'N123456789', '王小明', 'string', 'F', 'string', '94', '02', '02', '94', '02', '02', '10001', '2',
   '28', '279', 'xxxxxxxxxx', '231', 'xxx', 'xxx', 'xxx', true, 'xxx', 'xxx', 'xxx', 'xxxxxxx',
   '12345@gmail.com', '28', '279', 'xxxxxxxx', '231', 'xxxxxxx', 'ENCRYPTED-PASSWORD-NEVER-SERVED',
   'L1', '2020-02-12 07:52:10+08'),
  ('CD-DEMO-APP-A-01', 'DEMO-APP-A-01', '356938035643809', '10.1.2.3', NULL, 'DEV-A', NULL,
   'TermGeneralAcc:V1.0', 'TermMemberService:V1.0', NULL, NULL, 'TermPersonalAgrmt', true,
   '2021-03-01T02:05:00.000Z', 'DEPOSIT_TRANSACTION,INVESTMENT', '64110', '20001', '將來商業銀行', true,
   '812', '00012345678901', '2021-03-01T02:08:00.000Z', false, false, true, 'A123456789', '陳大文', NULL,
   'M', NULL, '79', '06', '15', '105', '07', '01', '63000', '3', '63', '630', '信義路五段7號', '110',
   'IMG-A-FRONT', 'IMG-A-BACK', 'IMG-A-SEC', false, 'video-a.mp4', 'sound-a.wav', 'CF01', 'CHEN TA WEN',
   'a@example.com', '63', '630', '信義路五段7號', '110', 'chenta', 'ENCRYPTED', 'L4', '2021-03-01 10:05:00+08'),
  ('CD-DEMO-APP-B-01', 'DEMO-APP-B-01', NULL, '10.1.2.4', NULL, 'DEV-B', NULL,
   'TermGeneralAcc:V1.0', 'TermMemberService:V1.0', NULL, NULL, NULL, false, NULL, 'LOAN', NULL, NULL,
   NULL, false, NULL, NULL, NULL, false, false, true, 'B123456789', '林美麗', NULL, 'F', NULL, NULL,
   NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, false, NULL, NULL,
   NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, 'L1', '2021-05-01 09:05:00+08'),
  ('CD-DEMO-APP-N-02', 'DEMO-APP-N-02', '356938035643810', '10.9.8.7', NULL, 'DEV-N2', NULL,
   'TermGeneralAcc:V1.1', 'TermMemberService:V1.0', NULL, NULL, 'TermPersonalAgrmt', true,
   '2022-01-10T06:10:00.000Z', 'DEPOSIT_TRANSACTION', '85101', '30002', '新北市立國小', false, '808',
   'yyyyyyyyyy', '2022-01-10T06:12:00.000Z', false, false, true, 'N123456789', '王小明', NULL, 'F', NULL,
   '94', '02', '02', '108', '05', '20', '66000', '1', '66', '660', '台灣大道一段1號', '400', 'IMG-N-F',
   'IMG-N-B', NULL, false, NULL, NULL, 'CF02', 'WANG HSIAO MING', 'n@example.com', '66', '660',
   '台灣大道一段1號', '400', 'wangxm', 'ENCRYPTED', 'L4', '2022-01-10 14:08:00+08')
ON CONFLICT DO NOTHING;

INSERT INTO account.document_resend (seq_no, create_master_seq_no, resend_prod_type, resend_reason,
    category, ocr_image_id, resend_status, resend_reject_reason, create_time, update_time) VALUES
  (1, '0A80d1d572650511ea8a30acde48001122', 'CREATEACCOUNT', '我就是要補件', 'FIRST_CERTIFICATE',
   'OCR1234894894994', 'B1', '', '2020-04-09 05:21:07+08', '2020-04-09 05:21:07+08'),
  (2, '0A80d1d572650511ea8a30acde48001122', 'CREATEACCOUNT', '補財力證明', 'FINANCIAL_PROOF',
   NULL, 'B1', '', '2020-04-09 05:21:07+08', '2020-04-09 05:21:07+08'),
  (3, 'DEMO-APP-B-01', 'CREATEACCOUNT', '請填寫EDD問卷', 'EDD', NULL, 'B2', NULL,
   '2021-05-02 10:00:00+08', '2021-05-03 11:00:00+08'),
  (4, 'DEMO-APP-B-01', 'CREATEACCOUNT', '補喪失國籍證明', 'LOSS_NATIONALITY_PROOF', NULL, 'B1', NULL,
   '2021-05-02 10:05:00+08', NULL),
  (5, 'DEMO-APP-B-01', 'LOAN', '第二證件不清楚', 'SECOND_CERTIFICATE', 'OCR-B-SECOND-01', 'B4',
   '影像模糊', '2021-05-02 10:10:00+08', '2021-05-04 09:00:00+08')
ON CONFLICT DO NOTHING;

INSERT INTO account.edd_survey (seq_no, document_resend_seq_no, create_time) VALUES
  (7001, 3, '2021-05-03 10:00:00+08'), (7002, 3, '2021-05-03 10:30:00+08')
ON CONFLICT DO NOTHING;

INSERT INTO account.financial_statement (file_id, image_id, create_time) VALUES
  ('FILE-00001', 'imageId00001', '2020-04-09 06:00:00+08'),
  ('FILE-00002', 'imageId00002', '2020-04-09 06:01:00+08'),
  ('FILE-00003', 'imageId00003', '2020-04-09 06:02:00+08')
ON CONFLICT DO NOTHING;
INSERT INTO account.resend_to_financial_mapping (seq_no, document_resend_seq_no, file_id, is_delete, create_time) VALUES
  (1, 2, 'FILE-00001', false, '2020-04-09 06:00:00+08'),
  (2, 2, 'FILE-00003', true,  '2020-04-09 06:02:00+08'), -- deleted: its image must not appear
  (3, 2, 'FILE-00002', false, '2020-04-09 06:03:00+08')
ON CONFLICT DO NOTHING;

INSERT INTO account.aml_flag_detail (seq_no, is_in_sanction_list, is_in_peps_list, risk_level, rarely_word) VALUES
  (1, true, false, 'HIGH', true), (2, false, false, 'LOW', false)
ON CONFLICT DO NOTHING;
INSERT INTO account.ocr_flag_detail (seq_no, create_master_seq_no, birth_year, birth_month, birth_date,
    id_issue_year, id_issue_month, id_issue_date, id_issue_city, id_issue_way_code, city, district,
    address, postal_code, first_back, first_front, second_front, name, aboriginal_name, spouse,
    birth_place, military, natural_father, natural_mother, gender, bar_code, serial_no, create_time,
    update_time) VALUES
  (1, '0A80d1d572650511ea8a30acde48001122', '94', '01', '01', '94', '01', '01', '10001', '2', '28', '278',
   '台北市', '123', '1029473828', '1020493810', NULL, '王小明', NULL, NULL, '臺灣省', NULL, NULL, NULL, 'F',
   '', '', '2020-02-12 00:11:22+08', '2020-02-12 00:11:22+08')
ON CONFLICT DO NOTHING;
INSERT INTO account.z21_flag_detail (seq_no, z21_result_code, z21_result_message, z21_new_buss_count) VALUES
  (1, 'N', '查無資料', '5')
ON CONFLICT DO NOTHING;
INSERT INTO account.z22_flag_detail (seq_no, z22_act_type, z22_msg_new_sub_code) VALUES
  (1, 'A0,F1,B2', '因身分證遺失')
ON CONFLICT DO NOTHING;

INSERT INTO account.manual_review_flag (seq_no, create_master_seq_no, p2566, ocr, z21, z22, aml,
    ocr_scan_error, same_ip_diff_email, born_in_usa, rarely_word, first_front_scan_error,
    first_back_scan_error, second_scan_error, same_ip_with_diff_pid, same_ip_with_diff_pid_time,
    z21_exceed_times, special, create_time, update_time) VALUES
  (1, '0A80d1d572650511ea8a30acde48001122', false, 1, 1, 1, 1, false, true, true, true, false, true, true,
   false, NULL, '3N', 1, '2020-02-12 11:22:33+08', '2020-02-12 11:22:33+08'),
  -- An older and a newer flag of application C: the newer one carries a bit with no name yet.
  (2, 'DEMO-APP-C-01', true, NULL, NULL, NULL, 2, false, false, false, false, false, false, false,
   false, NULL, NULL, 0, '2019-12-01 15:05:00+08', NULL),
  (3, 'DEMO-APP-C-01', false, NULL, NULL, NULL, NULL, false, false, false, false, false, false, false,
   true, '2019-12-01 15:13:00+08', 'R', 5, '2019-12-01 15:13:00+08', '2019-12-01 15:13:00+08')
ON CONFLICT DO NOTHING;

INSERT INTO account.pay_taxes (seq_no, idno, country_code, taxes_no, create_time, update_time) VALUES
  (1, 'N123456789', 'TW', 'xxxxxx', '2020-02-20 11:20:04+08', '2020-02-20 11:20:04+08'),
  (2, 'N123456789', 'US', '123-45-6789', '2020-02-20 11:20:05+08', '2020-02-20 11:20:05+08')
ON CONFLICT DO NOTHING;

INSERT INTO account.teller_check_record (seq_no, create_master_seq_no, teller_no, teller_check_time,
    teller_memo, manager_no, manager_check_time, manager_memo, check_status, create_time, update_time) VALUES
  (1, '0A80d1d572650511ea8a30acde48001122', 'T00123', '2020-02-12 07:51:28+08', '證件待補',
   'M00045', '2020-02-12 07:51:28+08', '同意', 'PENDING', '2020-04-09 05:21:07+08', '2020-04-09 05:21:07+08'),
  (2, 'DEMO-APP-A-01', 'T00123', '2021-03-02 09:00:00+08', '資料齊全', 'M00045',
   '2021-03-02 10:00:00+08', '核准', 'APPROVED', '2021-03-01 10:31:00+08', '2021-03-02 10:00:00+08')
ON CONFLICT DO NOTHING;

INSERT INTO account.abnormal_account (idno, reason, create_time) VALUES
  ('A123456789', '警示帳戶', '2021-06-01 00:00:00+08'),
  ('B123456789', '衍生管制帳戶', '2021-06-01 00:00:00+08'),
  ('C123456789', '警示帳戶', '2021-06-01 00:00:00+08')
ON CONFLICT DO NOTHING;
