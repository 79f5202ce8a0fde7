package models

import (
	"encoding/json"
	"fmt"
	"time"
)

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
	// Where its content may come from, read with the resend in its own statement
	// (store.Resends), never written: the seqNos of the EDD surveys tied to it and the image
	// ids of the financial statements mapped to it, not deleted, each in its order.
	EddSurveys      Texts `gorm:"column:edd_surveys;->;-:migration"`
	FinancialImages Texts `gorm:"column:financial_images;->;-:migration"`
}

func (DocumentResend) TableName() string { return "account.document_resend" }

// ResendContent is the one place that reads a resend's category (CONTRACT.md, DocumentResend):
// its content is the OCR image of the resend itself, the EDD surveys tied to it, the images of
// the financial statements mapped to it, or nothing. gqlgen serves the resendContent field
// with it.
func (r *DocumentResend) ResendContent() []string {
	content := []string{}
	if r.Category == nil {
		return content
	}
	switch *r.Category {
	case CategoryFirstCertificate, CategorySecondCertificate, CategoryLossNationalityProof:
		if r.OcrImageID != nil && *r.OcrImageID != "" {
			content = append(content, *r.OcrImageID)
		}
	case CategoryEDD:
		content = append(content, r.EddSurveys...)
	case CategoryFinancialProof:
		for _, id := range r.FinancialImages {
			if id != "" {
				content = append(content, id)
			}
		}
	}
	return content
}

// Texts is a list of strings read as one JSON array column (json_agg): NULL, no item, is an
// empty list, and a null item an empty string.
type Texts []string

// GormDataType tells gorm's schema what the column holds.
func (Texts) GormDataType() string { return "json" }

// Scan reads the JSON array.
func (t *Texts) Scan(src any) error {
	var b []byte
	switch v := src.(type) {
	case nil:
		*t = nil
		return nil
	case []byte:
		b = v
	case string:
		b = []byte(v)
	default:
		return fmt.Errorf("models: a list of texts cannot be read from %T", src)
	}
	*t = nil
	if err := json.Unmarshal(b, (*[]string)(t)); err != nil { // a null item stays ""
		return fmt.Errorf("models: a list of texts: %w", err)
	}
	return nil
}

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
