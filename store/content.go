package store

// ResendSources reads, for each application, where its resends' content may come from: the
// EDD surveys tied to each of its resends and the images of the financial statements mapped,
// not deleted, to each, in their order (a resend's category says which of the two it takes:
// graph/relations.go). Keyed by the application's seqNo rather than the resend's, it needs no
// resend row: the priming walk reads it with the applications' children, in the same round as
// the resends, and the two sources are one statement. The statement begins with SELECT, not
// WITH, for dbresolver (see AbnormalPids).
var ResendSources = Raw[string, ResendSource]("application_seq_no", `
SELECT application_seq_no, document_resend_seq_no, edd, value FROM (
    WITH r AS (SELECT seq_no, create_master_seq_no FROM account.document_resend WHERE create_master_seq_no = ANY(?))
    SELECT r.create_master_seq_no AS application_seq_no, r.seq_no AS document_resend_seq_no, true AS edd, e.seq_no::text AS value, e.seq_no AS ord
    FROM r JOIN account.edd_survey e ON e.document_resend_seq_no = r.seq_no
    UNION ALL
    SELECT r.create_master_seq_no, r.seq_no, false, f.image_id, m.seq_no
    FROM r JOIN account.resend_to_financial_mapping m ON m.document_resend_seq_no = r.seq_no AND NOT m.is_delete
    JOIN account.financial_statement f ON f.file_id = m.file_id
) c
ORDER BY application_seq_no, document_resend_seq_no, edd, ord`)

// ResendSource is one item a resend's content may come from: an EDD survey's seqNo (Edd) or
// the image id of a financial statement mapped to the resend (nil when the statement has none).
type ResendSource struct {
	ApplicationSeqNo    string  `gorm:"column:application_seq_no"`
	DocumentResendSeqNo int64   `gorm:"column:document_resend_seq_no"`
	Edd                 bool    `gorm:"column:edd"`
	Value               *string `gorm:"column:value"`
}
