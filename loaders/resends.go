package loaders

import "createinfo/models"

func eddSurveyKey(e *models.EddSurvey) int64           { return e.DocumentResendSeqNo }
func financialImageKey(f *models.FinancialImage) int64 { return f.DocumentResendSeqNo }

// financialImagesQuery reads the image of each financial statement mapped to a resend,
// skipping deleted mappings, in mapping order.
const financialImagesQuery = `
SELECT r.document_resend_seq_no, f.image_id
FROM account.resend_to_financial_mapping r
JOIN account.financial_statement f ON f.file_id = r.file_id
WHERE r.document_resend_seq_no = ANY(?) AND NOT r.is_delete
ORDER BY r.document_resend_seq_no, r.seq_no`
