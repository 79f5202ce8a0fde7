package store

import "createinfo/models"

// Resends reads each application's resends with the sources of their content, in one
// statement: the seqNos of each resend's EDD surveys and the image ids of the financial
// statements mapped to it, not deleted, each aggregated in its order (models.DocumentResend's
// EddSurveys and FinancialImages; its category says which of them is its content). The
// content used to be two more statements keyed by the resends' seqNos, a round after the
// resends' (docs/BENCHMARKS.md, issue 19, E4, compares their PostgreSQL time).
var Resends = Raw[string, models.DocumentResend]("create_master_seq_no", `
SELECT p.seq_no, p.create_master_seq_no, p.resend_prod_type, p.resend_reason, p.category, p.ocr_image_id,
    p.resend_status, p.resend_reject_reason, p.create_time, p.update_time,
    e.items AS edd_surveys, f.items AS financial_images
FROM account.document_resend p
LEFT JOIN LATERAL (
    SELECT json_agg(s.seq_no::text ORDER BY s.seq_no) AS items
    FROM account.edd_survey s WHERE s.document_resend_seq_no = p.seq_no) e ON true
LEFT JOIN LATERAL (
    SELECT json_agg(i.image_id ORDER BY m.seq_no) AS items
    FROM account.resend_to_financial_mapping m JOIN account.financial_statement i ON i.file_id = m.file_id
    WHERE m.document_resend_seq_no = p.seq_no AND NOT m.is_delete) f ON true
WHERE p.create_master_seq_no = ANY(?)
ORDER BY p.create_master_seq_no, p.create_time, p.seq_no`)
