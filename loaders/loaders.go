// Package loaders batches the reads of child rows with graph-gophers/dataloader: one loader
// per relation, each a single "WHERE key IN (…)" statement per batch, all made afresh for every
// request (so nothing is cached across requests or customers).
package loaders

import (
	"context"
	"net/http"
	"time"

	"github.com/graph-gophers/dataloader/v7"
	"gorm.io/gorm"

	"createinfo/models"
)

// Loaders holds one loader per child relation of the application tree.
type Loaders struct {
	// Children of an application, by its seqNo.
	StepBreakPoint     *dataloader.Loader[string, *models.StepBreakPoint]
	CreateDetails      *dataloader.Loader[string, []*models.CreateDetail]
	DocumentResends    *dataloader.Loader[string, []*models.DocumentResend]
	ManualReviewFlags  *dataloader.Loader[string, []*models.ManualReviewFlag]
	TellerCheckRecords *dataloader.Loader[string, []*models.TellerCheckRecord]
	AbnormalPids       *dataloader.Loader[string, []*AbnormalPid]
	// PayTaxes holds the tax residences of an application's applicant (by idno), by the
	// application's seqNo.
	PayTaxes *dataloader.Loader[string, []*models.PayTax]

	// Content of a document resend, by the resend's seqNo.
	EddSurveys      *dataloader.Loader[int64, []*models.EddSurvey]
	FinancialImages *dataloader.Loader[int64, []*models.FinancialImage]

	// Details of a manual review flag, by their own seqNo.
	AmlFlagDetail *dataloader.Loader[int64, *models.AmlFlagDetail]
	OcrFlagDetail *dataloader.Loader[int64, *models.OcrFlagDetail]
	Z21FlagDetail *dataloader.Loader[int64, *models.Z21FlagDetail]
	Z22FlagDetail *dataloader.Loader[int64, *models.Z22FlagDetail]

	// Code tables, by code.
	Industry    *dataloader.Loader[string, *models.CodeName]
	Job         *dataloader.Loader[string, *models.CodeName]
	IDIssueCity *dataloader.Loader[string, *models.CodeName]
	IDIssueWay  *dataloader.Loader[string, *models.CodeName]
	Country     *dataloader.Loader[string, *models.CodeName]
}

// New makes the loaders of one request. wait is how long each loader gathers keys before it
// runs its batch: every level of the tree pays it once.
func New(db *gorm.DB, wait time.Duration) *Loaders {
	o := batchOptions{db: db, wait: wait}
	return &Loaders{
		StepBreakPoint:     newOneToOne(o, whereIn[string, models.StepBreakPoint]("create_master_seq_no", "create_master_seq_no"), stepBreakPointKey),
		CreateDetails:      newOneToMany(o, whereIn[string, models.CreateDetail]("create_master_seq_no", childOrder), createDetailKey),
		DocumentResends:    newOneToMany(o, whereIn[string, models.DocumentResend]("create_master_seq_no", childOrder), documentResendKey),
		ManualReviewFlags:  newOneToMany(o, whereIn[string, models.ManualReviewFlag]("create_master_seq_no", childOrder), manualReviewFlagKey),
		TellerCheckRecords: newOneToMany(o, whereIn[string, models.TellerCheckRecord]("create_master_seq_no", childOrder), tellerCheckRecordKey),
		AbnormalPids:       newOneToMany(o, rawIn[string, AbnormalPid](abnormalPidsQuery), abnormalPidKey),
		PayTaxes:           newOneToMany(o, rawIn[string, models.PayTax](payTaxesQuery), payTaxKey),

		EddSurveys:      newOneToMany(o, whereIn[int64, models.EddSurvey]("document_resend_seq_no", "document_resend_seq_no, seq_no"), eddSurveyKey),
		FinancialImages: newOneToMany(o, rawIn[int64, models.FinancialImage](financialImagesQuery), financialImageKey),

		AmlFlagDetail: newOneToOne(o, whereIn[int64, models.AmlFlagDetail]("seq_no", "seq_no"), func(d *models.AmlFlagDetail) int64 { return d.SeqNo }),
		OcrFlagDetail: newOneToOne(o, whereIn[int64, models.OcrFlagDetail]("seq_no", "seq_no"), func(d *models.OcrFlagDetail) int64 { return d.SeqNo }),
		Z21FlagDetail: newOneToOne(o, whereIn[int64, models.Z21FlagDetail]("seq_no", "seq_no"), func(d *models.Z21FlagDetail) int64 { return d.SeqNo }),
		Z22FlagDetail: newOneToOne(o, whereIn[int64, models.Z22FlagDetail]("seq_no", "seq_no"), func(d *models.Z22FlagDetail) int64 { return d.SeqNo }),

		Industry:    newCodeLoader(o, models.TableIndustry),
		Job:         newCodeLoader(o, models.TableJob),
		IDIssueCity: newCodeLoader(o, models.TableIDIssueCity),
		IDIssueWay:  newCodeLoader(o, models.TableIDIssueWay),
		Country:     newCodeLoader(o, models.TableCountry),
	}
}

type ctxKey struct{}

// Middleware gives every request its own loaders.
func Middleware(db *gorm.DB, wait time.Duration, next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		next.ServeHTTP(w, r.WithContext(NewContext(r.Context(), New(db, wait))))
	})
}

// NewContext returns ctx carrying l.
func NewContext(ctx context.Context, l *Loaders) context.Context {
	return context.WithValue(ctx, ctxKey{}, l)
}

// For returns the loaders of the request in ctx. A request without them is a wiring error
// (Middleware missing from the chain): For panics, which gqlgen recovers as INTERNAL_ERROR,
// rather than serve the request without batching.
func For(ctx context.Context) *Loaders {
	l, ok := ctx.Value(ctxKey{}).(*Loaders)
	if !ok {
		panic("loaders: request context has no loaders (is loaders.Middleware in the chain?)")
	}
	return l
}
