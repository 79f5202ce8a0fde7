package models

import "time"

// DocumentResend is one resend request (補件) of an application.
type DocumentResend struct {
	SeqNo              int64   `gorm:"column:seq_no;primaryKey"`
	CreateMasterSeqNo  string  `gorm:"column:create_master_seq_no"`
	ResendProdType     *string `gorm:"column:resend_prod_type"`
	ResendReason       *string `gorm:"column:resend_reason"`
	Category           *string `gorm:"column:category"`
	OcrImageID         *string `gorm:"column:ocr_image_id"`
	ResendStatus       *string `gorm:"column:resend_status"`
	ResendRejectReason *string `gorm:"column:resend_reject_reason"`
	Stamps
}

func (DocumentResend) TableName() string { return "account.document_resend" }

// Resend categories whose content is derived differently (CONTRACT.md, resendContent).
const (
	CategoryFirstCertificate     = "FIRST_CERTIFICATE"
	CategorySecondCertificate    = "SECOND_CERTIFICATE"
	CategoryLossNationalityProof = "LOSS_NATIONALITY_PROOF"
	CategoryEDD                  = "EDD"
	CategoryFinancialProof       = "FINANCIAL_PROOF"
)

// EddSurvey is an EDD questionnaire tied to an EDD resend.
type EddSurvey struct {
	SeqNo               int64     `gorm:"column:seq_no;primaryKey"`
	DocumentResendSeqNo int64     `gorm:"column:document_resend_seq_no"`
	CreatedAt           time.Time `gorm:"column:create_time;autoCreateTime:false"`
}

func (EddSurvey) TableName() string { return "account.edd_survey" }
