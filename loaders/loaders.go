// Package loaders batches the reads of child rows with graph-gophers/dataloader: one loader
// per relation, each a single "WHERE key = ANY(…)" statement per batch, all made afresh for
// every request (so nothing is cached across requests or customers), and found with For(ctx).
// It knows nothing of GraphQL: which field reads which loader, and what to fetch ahead of the
// resolvers (Relation.Fill), is decided by the GraphQL layer (graph/relations.go).
package loaders

import (
	"context"
	"net/http"
	"time"

	"gorm.io/gorm"

	"createinfo/models"
)

// Loaders holds one loader per child relation of the application tree.
type Loaders struct {
	// Children of an application, by its seqNo.
	StepBreakPoint     *Relation[string, *models.StepBreakPoint]
	CreateDetails      *Relation[string, []*models.CreateDetail]
	DocumentResends    *Relation[string, []*models.DocumentResend]
	ManualReviewFlags  *Relation[string, []*models.ManualReviewFlag]
	TellerCheckRecords *Relation[string, []*models.TellerCheckRecord]
	AbnormalPids       *Relation[string, []*AbnormalPid]
	// PayTaxes holds the tax residences of an application's applicant (by idno), by the
	// application's seqNo.
	PayTaxes *Relation[string, []*models.PayTax]

	// Content of a document resend, by the resend's seqNo.
	EddSurveys      *Relation[int64, []*models.EddSurvey]
	FinancialImages *Relation[int64, []*models.FinancialImage]

	// Details of a manual review flag, by their own seqNo.
	AmlFlagDetail *Relation[int64, *models.AmlFlagDetail]
	OcrFlagDetail *Relation[int64, *models.OcrFlagDetail]
	Z21FlagDetail *Relation[int64, *models.Z21FlagDetail]
	Z22FlagDetail *Relation[int64, *models.Z22FlagDetail]

	// Code tables, by code.
	Industry    *Relation[string, *models.CodeName]
	Job         *Relation[string, *models.CodeName]
	IDIssueCity *Relation[string, *models.CodeName]
	IDIssueWay  *Relation[string, *models.CodeName]
	Country     *Relation[string, *models.CodeName]
}

// Source makes the loaders of each request; it holds what requests share: the database and
// the code-table cache.
type Source struct {
	o batchOptions
}

// NewSource returns a source over db. wait is how long a loader gathers keys before its
// batch (for keys that priming did not fetch); codeTTL is how long code tables are cached in
// the process (0: not cached, read per batch).
func NewSource(db *gorm.DB, wait, codeTTL time.Duration) *Source {
	s := &Source{o: batchOptions{db: db, wait: wait}}
	if codeTTL > 0 {
		s.o.codes = newCodeCache(codeTTL)
	}
	return s
}

// New makes the loaders of one request.
func (s *Source) New() *Loaders { return newLoaders(s.o) }

func newLoaders(o batchOptions) *Loaders {
	l := &Loaders{}
	l.StepBreakPoint = newOneToOne(o, whereIn[string, models.StepBreakPoint]("create_master_seq_no", "create_master_seq_no"), stepBreakPointKey)
	l.CreateDetails = newOneToMany(o, whereIn[string, models.CreateDetail]("create_master_seq_no", childOrder), createDetailKey)
	l.DocumentResends = newOneToMany(o, whereIn[string, models.DocumentResend]("create_master_seq_no", childOrder), documentResendKey)
	l.TellerCheckRecords = newOneToMany(o, whereIn[string, models.TellerCheckRecord]("create_master_seq_no", childOrder), tellerCheckRecordKey)
	l.AbnormalPids = newOneToMany(o, rawIn[string, AbnormalPid](abnormalPidsQuery), abnormalPidKey)
	l.PayTaxes = newOneToMany(o, rawIn[string, models.PayTax](payTaxesQuery), payTaxKey)

	l.EddSurveys = newOneToMany(o, whereIn[int64, models.EddSurvey]("document_resend_seq_no", "document_resend_seq_no, seq_no"), eddSurveyKey)
	l.FinancialImages = newOneToMany(o, rawIn[int64, models.FinancialImage](financialImagesQuery), financialImageKey)

	l.AmlFlagDetail = newOneToOne(o, whereIn[int64, models.AmlFlagDetail]("seq_no", "seq_no"), func(d *models.AmlFlagDetail) int64 { return d.SeqNo })
	l.OcrFlagDetail = newOneToOne(o, whereIn[int64, models.OcrFlagDetail]("seq_no", "seq_no"), func(d *models.OcrFlagDetail) int64 { return d.SeqNo })
	l.Z21FlagDetail = newOneToOne(o, whereIn[int64, models.Z21FlagDetail]("seq_no", "seq_no"), func(d *models.Z21FlagDetail) int64 { return d.SeqNo })
	l.Z22FlagDetail = newOneToOne(o, whereIn[int64, models.Z22FlagDetail]("seq_no", "seq_no"), func(d *models.Z22FlagDetail) int64 { return d.SeqNo })
	// A flag's details are read with it, in its statement (join.go), and primed into their
	// own loaders above.
	l.ManualReviewFlags = newOneToMany(o, whereInWith[string, models.ManualReviewFlag]("create_master_seq_no", childOrder,
		joinOne(l.AmlFlagDetail, "aml", func(f *models.ManualReviewFlag) *int64 { return f.Aml }),
		joinOne(l.OcrFlagDetail, "ocr", func(f *models.ManualReviewFlag) *int64 { return f.Ocr }),
		joinOne(l.Z21FlagDetail, "z21", func(f *models.ManualReviewFlag) *int64 { return f.Z21 }),
		joinOne(l.Z22FlagDetail, "z22", func(f *models.ManualReviewFlag) *int64 { return f.Z22 }),
	), manualReviewFlagKey)

	l.Industry = newCodeLoader(o, models.TableIndustry)
	l.Job = newCodeLoader(o, models.TableJob)
	l.IDIssueCity = newCodeLoader(o, models.TableIDIssueCity)
	l.IDIssueWay = newCodeLoader(o, models.TableIDIssueWay)
	l.Country = newCodeLoader(o, models.TableCountry)
	return l
}

type ctxKey struct{}

// Middleware gives every request its own loaders.
func (s *Source) Middleware(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		next.ServeHTTP(w, r.WithContext(NewContext(r.Context(), s.New())))
	})
}

// NewContext returns ctx carrying l.
func NewContext(ctx context.Context, l *Loaders) context.Context {
	return context.WithValue(ctx, ctxKey{}, l)
}

// For returns the loaders of the request in ctx. A request without them is a wiring error
// (Source.Middleware missing from the chain): For panics, which gqlgen recovers as INTERNAL_ERROR,
// rather than serve the request without batching.
func For(ctx context.Context) *Loaders {
	l, ok := ctx.Value(ctxKey{}).(*Loaders)
	if !ok {
		panic("loaders: request context has no loaders (is Source.Middleware in the chain?)")
	}
	return l
}
