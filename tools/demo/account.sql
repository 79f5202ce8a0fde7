-- The bank's account-opening tables (the middle platform's schema `account`), as this service
-- reads them. The service does not own them and never migrates them: this is a fixture of the
-- demo, the tests and the benchmarks, shaped like the bank's tables (columns and the indexes the
-- lookups rely on, see README "What the service expects of the bank's tables"). Every timestamp is
-- timestamptz; the legacy date and time strings are formatted from them in the bank's zone.
CREATE SCHEMA IF NOT EXISTS account;

-- Code tables: a code and its Chinese name.
CREATE TABLE account.industry     (code text PRIMARY KEY, name text NOT NULL);
CREATE TABLE account.job          (code text PRIMARY KEY, name text NOT NULL);
CREATE TABLE account.id_issue_city (code text PRIMARY KEY, name text NOT NULL);
CREATE TABLE account.id_issue_way (code text PRIMARY KEY, name text NOT NULL);
CREATE TABLE account.country      (code text PRIMARY KEY, name text NOT NULL);

-- The application master (Account.CreateMaster): one row per application.
CREATE TABLE account.create_master (
    seq_no                text PRIMARY KEY,
    phone_number          text,
    idno                  text,
    name                  text,
    mgm_code              text,
    status                text,
    reject_memo           text,
    create_time           timestamptz NOT NULL DEFAULT now(),
    update_time           timestamptz,
    is_first_use          boolean NOT NULL DEFAULT false,
    is_archived           boolean NOT NULL DEFAULT false,
    last_step_time        timestamptz,
    member_profile_seq_no text
);
-- Lookup paths: newest first within a phone or an idno, so the ORDER BY comes off the index.
CREATE INDEX create_master_phone_idx ON account.create_master (phone_number, create_time DESC, seq_no);
CREATE INDEX create_master_idno_idx  ON account.create_master (idno, create_time DESC, seq_no);

-- The step break point (斷點): one per application, eleven steps.
CREATE TABLE account.step_break_point (
    seq_no              text PRIMARY KEY,
    create_master_seq_no text NOT NULL UNIQUE REFERENCES account.create_master (seq_no),
    step01_state text, step01_update_time timestamptz,
    step02_state text, step02_update_time timestamptz,
    step03_state text, step03_update_time timestamptz,
    step04_state text, step04_update_time timestamptz,
    step05_state text, step05_update_time timestamptz,
    step06_state text, step06_update_time timestamptz,
    step07_state text, step07_update_time timestamptz,
    step08_state text, step08_update_time timestamptz,
    step09_state text, step09_update_time timestamptz,
    step10_state text, step10_update_time timestamptz,
    step11_state text, step11_update_time timestamptz,
    create_time timestamptz NOT NULL DEFAULT now(),
    update_time timestamptz
);

-- Create details (開戶申請明細): many per application.
CREATE TABLE account.create_detail (
    seq_no                       text PRIMARY KEY,
    create_master_seq_no         text NOT NULL REFERENCES account.create_master (seq_no),
    imei                         text,
    ipv4                         text,
    ipv6                         text,
    device_record                text,
    gps                          text,
    term_general_agrmt           text,
    term_member_service          text,
    term_point_marketing_agrmt   text,
    term_common_marketing_agrmt  text,
    term_personal_agrmt          text,
    is_agreed_3th_party_used     boolean NOT NULL DEFAULT false,
    agreed_date                  timestamptz,
    apply_purpose                text,
    industry_code                text REFERENCES account.industry (code),
    job_code                     text REFERENCES account.job (code),
    organization                 text,
    is_salary_account            boolean NOT NULL DEFAULT false,
    acverinput_bank              text,
    acverinput_acc_no            text,
    acverinput_date              timestamptz,
    is_fatca                     boolean NOT NULL DEFAULT false,
    is_pay_taxes                 boolean NOT NULL DEFAULT false,
    is_tw_tax_payer              boolean NOT NULL DEFAULT false,
    idno                         text,
    name                         text,
    aboriginal_name              text,
    gender                       text,
    spouse                       text,
    birth_year                   text,
    birth_month                  text,
    birth_date                   text,
    id_issue_year                text,
    id_issue_month               text,
    id_issue_date                text,
    id_issue_city_code           text REFERENCES account.id_issue_city (code),
    id_issue_way_code            text REFERENCES account.id_issue_way (code),
    resident_city                text,
    resident_district            text,
    resident_address             text,
    resident_postal_code         text,
    first_front                  text,
    first_back                   text,
    ocr_sec_front_image_id       text,
    is_modified                  boolean NOT NULL DEFAULT false,
    video_view_file_name         text,
    video_sound_file_name        text,
    card_face                    text,
    card_name                    text,
    card_email                   text,
    card_city                    text,
    card_area                    text,
    card_address                 text,
    card_address_code            text,
    user_id                      text,
    psd                          text, -- encrypted password: stored upstream, never served
    create_account_status        text,
    create_time                  timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX create_detail_master_idx ON account.create_detail (create_master_seq_no, create_time, seq_no);

-- Document resends (補件): many per application.
CREATE TABLE account.document_resend (
    seq_no               bigint PRIMARY KEY,
    create_master_seq_no text NOT NULL REFERENCES account.create_master (seq_no),
    resend_prod_type     text,
    resend_reason        text,
    category             text,
    ocr_image_id         text, -- the image of FIRST/SECOND_CERTIFICATE and LOSS_NATIONALITY_PROOF resends
    resend_status        text,
    resend_reject_reason text,
    create_time          timestamptz NOT NULL DEFAULT now(),
    update_time          timestamptz
);
CREATE INDEX document_resend_master_idx ON account.document_resend (create_master_seq_no, create_time, seq_no);

-- EDD surveys tied to an EDD resend.
CREATE TABLE account.edd_survey (
    seq_no                  bigint PRIMARY KEY,
    document_resend_seq_no  bigint NOT NULL REFERENCES account.document_resend (seq_no),
    create_time             timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX edd_survey_resend_idx ON account.edd_survey (document_resend_seq_no, seq_no);

-- Financial statements (財力證明) and the resend-to-statement mapping.
CREATE TABLE account.financial_statement (
    file_id     text PRIMARY KEY,
    image_id    text,
    create_time timestamptz NOT NULL DEFAULT now()
);
CREATE TABLE account.resend_to_financial_mapping (
    seq_no                 bigint PRIMARY KEY,
    document_resend_seq_no bigint NOT NULL REFERENCES account.document_resend (seq_no),
    file_id                text NOT NULL REFERENCES account.financial_statement (file_id),
    is_delete              boolean NOT NULL DEFAULT false,
    create_time            timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX resend_to_financial_mapping_resend_idx ON account.resend_to_financial_mapping (document_resend_seq_no, seq_no);

-- Manual review flag details.
CREATE TABLE account.aml_flag_detail (
    seq_no              bigint PRIMARY KEY,
    is_in_sanction_list boolean NOT NULL DEFAULT false,
    is_in_peps_list     boolean NOT NULL DEFAULT false,
    risk_level          text,
    rarely_word         boolean NOT NULL DEFAULT false
);
CREATE TABLE account.ocr_flag_detail (
    seq_no               bigint PRIMARY KEY,
    create_master_seq_no text REFERENCES account.create_master (seq_no),
    birth_year           text,
    birth_month          text,
    birth_date           text,
    id_issue_year        text,
    id_issue_month       text,
    id_issue_date        text,
    id_issue_city        text,
    id_issue_way_code    text REFERENCES account.id_issue_way (code),
    city                 text,
    district             text,
    address              text,
    postal_code          text,
    first_back           text,
    first_front          text,
    second_front         text,
    name                 text,
    aboriginal_name      text,
    spouse               text,
    birth_place          text,
    military             text,
    natural_father       text,
    natural_mother       text,
    gender               text,
    bar_code             text,
    serial_no            text,
    create_time          timestamptz NOT NULL DEFAULT now(),
    update_time          timestamptz
);
CREATE TABLE account.z21_flag_detail (
    seq_no              bigint PRIMARY KEY,
    z21_result_code     text,
    z21_result_message  text,
    z21_new_buss_count  text
);
CREATE TABLE account.z22_flag_detail (
    seq_no               bigint PRIMARY KEY,
    z22_act_type         text,
    z22_msg_new_sub_code text
);

-- Manual review flags (開戶註記): many per application, the newest is the current one.
CREATE TABLE account.manual_review_flag (
    seq_no                       bigint PRIMARY KEY,
    create_master_seq_no         text NOT NULL REFERENCES account.create_master (seq_no),
    p2566                        boolean NOT NULL DEFAULT false,
    ocr                          bigint REFERENCES account.ocr_flag_detail (seq_no),
    z21                          bigint REFERENCES account.z21_flag_detail (seq_no),
    z22                          bigint REFERENCES account.z22_flag_detail (seq_no),
    aml                          bigint REFERENCES account.aml_flag_detail (seq_no),
    ocr_scan_error               boolean NOT NULL DEFAULT false,
    same_ip_diff_email           boolean NOT NULL DEFAULT false,
    born_in_usa                  boolean NOT NULL DEFAULT false,
    rarely_word                  boolean NOT NULL DEFAULT false,
    first_front_scan_error       boolean NOT NULL DEFAULT false,
    first_back_scan_error        boolean NOT NULL DEFAULT false,
    second_scan_error            boolean NOT NULL DEFAULT false,
    same_ip_with_diff_pid        boolean NOT NULL DEFAULT false,
    same_ip_with_diff_pid_time   timestamptz,
    z21_exceed_times             text,
    special                      bigint NOT NULL DEFAULT 0, -- bitmask: 1 NextUserLoan
    create_time                  timestamptz NOT NULL DEFAULT now(),
    update_time                  timestamptz
);
CREATE INDEX manual_review_flag_master_idx ON account.manual_review_flag (create_master_seq_no, create_time, seq_no);

-- Tax residence of other countries, by the applicant's idno.
CREATE TABLE account.pay_taxes (
    seq_no       bigint PRIMARY KEY,
    idno         text NOT NULL,
    country_code text REFERENCES account.country (code),
    taxes_no     text,
    create_time  timestamptz NOT NULL DEFAULT now(),
    update_time  timestamptz
);
CREATE INDEX pay_taxes_idno_idx ON account.pay_taxes (idno, create_time, seq_no);

-- Teller check records (審核): many per application.
CREATE TABLE account.teller_check_record (
    seq_no               bigint PRIMARY KEY,
    create_master_seq_no text NOT NULL REFERENCES account.create_master (seq_no),
    teller_no            text,
    teller_check_time    timestamptz,
    teller_memo          text,
    manager_no           text,
    manager_check_time   timestamptz,
    manager_memo         text,
    check_status         text,
    create_time          timestamptz NOT NULL DEFAULT now(),
    update_time          timestamptz
);
CREATE INDEX teller_check_record_master_idx ON account.teller_check_record (create_master_seq_no, create_time, seq_no);

-- The bank's abnormal-account list (異常帳號), by ID number.
CREATE TABLE account.abnormal_account (
    idno        text PRIMARY KEY,
    reason      text,
    create_time timestamptz NOT NULL DEFAULT now()
);
