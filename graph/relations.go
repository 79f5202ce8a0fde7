package graph

import (
	"context"
	"strconv"

	"createinfo/loaders"
	"createinfo/models"
	"createinfo/store"
)

// The relation table: every child relation of the schema, one line each, and nothing else
// states it. A line names the resolver method of the field it serves (so the compiler checks
// the parent's model and the child's), the parent's key, and the store's read of the children
// (their table's key column and order, or a hand-written statement). From it come the loaders
// (loaders.NewOne/NewMany), the resolvers of the plain fields (gqlgen writes
// "return resolve(ctx, …)", see tools/cmd/gqlgen), the priming walk (prime.go), the
// complexity weight of the list fields (limits.go) and the joins of one-to-one children into
// their parents' statement (.joined()). checkRelations, at start, fails on a line under the
// wrong parent, a resolver field without a line, or a line the schema does not have.
//
// Adding a relation: docs/ADDING_A_RELATION.md.
var relations = table(
	one(ApplicationResolver.StepBreakPoint, applicationSeqNo, store.By[string, models.StepBreakPoint]("create_master_seq_no", "create_master_seq_no")),
	many(ApplicationResolver.CreateDetails, applicationSeqNo, store.By[string, models.CreateDetail]("create_master_seq_no", childOrder)),
	many(ApplicationResolver.DocumentResends, applicationSeqNo, store.By[string, models.DocumentResend]("create_master_seq_no", childOrder)),
	// The newest flag is the last of all flags: both fields read the one loader.
	also(applicationManualReviewFlags, ApplicationResolver.ManualReviewFlag),
	many(ApplicationResolver.TellerCheckRecords, applicationSeqNo, store.By[string, models.TellerCheckRecord]("create_master_seq_no", childOrder)),
	applicationAbnormalPids,

	code(CreateDetailResolver.Industry, func(d *models.CreateDetail) *string { return d.IndustryCode }, industry),
	code(CreateDetailResolver.Job, func(d *models.CreateDetail) *string { return d.JobCode }, job),
	code(CreateDetailResolver.IDIssueCity, func(d *models.CreateDetail) *string { return d.IdIssueCityCode }, idIssueCity),
	code(CreateDetailResolver.IDIssueWay, func(d *models.CreateDetail) *string { return d.IdIssueWayCode }, idIssueWay),

	// resendContent comes from one of these, or from the resend's own row, by category.
	resendEddSurveys,
	resendFinancialImages,

	// A flag's details are read with the flags, in their statement.
	one(ManualReviewFlagResolver.AmlFlagDetail, func(f *models.ManualReviewFlag) *int64 { return f.Aml }, store.By[int64, models.AmlFlagDetail]("seq_no", "seq_no")).joined(),
	one(ManualReviewFlagResolver.OcrFlagDetail, func(f *models.ManualReviewFlag) *int64 { return f.Ocr }, store.By[int64, models.OcrFlagDetail]("seq_no", "seq_no")).joined(),
	one(ManualReviewFlagResolver.Z21FlagDetail, func(f *models.ManualReviewFlag) *int64 { return f.Z21 }, store.By[int64, models.Z21FlagDetail]("seq_no", "seq_no")).joined(),
	one(ManualReviewFlagResolver.Z22FlagDetail, func(f *models.ManualReviewFlag) *int64 { return f.Z22 }, store.By[int64, models.Z22FlagDetail]("seq_no", "seq_no")).joined(),
	// The tax residences of the application's applicant (by idno), by the application's seqNo.
	many(ManualReviewFlagResolver.PayTaxes, func(f *models.ManualReviewFlag) *string { return &f.CreateMasterSeqNo }, store.PayTaxes),

	code(OcrFlagDetailResolver.IDIssueWay, func(o *models.OcrFlagDetail) *string { return o.IdIssueWayCode }, idIssueWay),
	code(PayTaxResolver.CountryCode, func(p *models.PayTax) *string { return p.Country }, country),
)

// The lines that hand-written resolvers name.
var (
	applicationManualReviewFlags = many(ApplicationResolver.ManualReviewFlags, applicationSeqNo, store.By[string, models.ManualReviewFlag]("create_master_seq_no", childOrder))
	applicationAbnormalPids      = derived(ApplicationResolver.AbnormalPid, applicationSeqNo, store.AbnormalPids)
	resendEddSurveys             = derived(DocumentResendResolver.ResendContent, resendKeyFrom(fromEddSurveys), store.By[int64, models.EddSurvey]("document_resend_seq_no", "document_resend_seq_no, seq_no"))
	resendFinancialImages        = derived(DocumentResendResolver.ResendContent, resendKeyFrom(fromFinancialImages), store.FinancialImages)
)

// The code tables, each one relation however many fields read it.
var (
	industry    = loaders.NewCodes(store.Codes(models.TableIndustry))
	job         = loaders.NewCodes(store.Codes(models.TableJob))
	idIssueCity = loaders.NewCodes(store.Codes(models.TableIDIssueCity))
	idIssueWay  = loaders.NewCodes(store.Codes(models.TableIDIssueWay))
	country     = loaders.NewCodes(store.Codes(models.TableCountry))
)

// childOrder is the natural order of an application's children within one application.
const childOrder = "create_master_seq_no, create_time, seq_no"

func applicationSeqNo(a *models.Application) *string { return &a.SeqNo }

// resendSource is where a resend's content comes from.
type resendSource int

const (
	fromNothing resendSource = iota
	fromOcrImage
	fromEddSurveys
	fromFinancialImages
)

// sourceOf is the one place that reads a resend's category (CONTRACT.md, DocumentResend): the
// OCR image of the resend itself, the EDD surveys tied to it, the images of the financial
// statements mapped to it, or nothing.
func sourceOf(r *models.DocumentResend) resendSource {
	if r.Category == nil {
		return fromNothing
	}
	switch *r.Category {
	case models.CategoryFirstCertificate, models.CategorySecondCertificate, models.CategoryLossNationalityProof:
		return fromOcrImage
	case models.CategoryEDD:
		return fromEddSurveys
	case models.CategoryFinancialProof:
		return fromFinancialImages
	}
	return fromNothing
}

// resendKeyFrom keys a resend into the relation of source: by its seqNo when its content comes
// from there, no key (nothing to load) otherwise.
func resendKeyFrom(source resendSource) func(*models.DocumentResend) *int64 {
	return func(r *models.DocumentResend) *int64 {
		if sourceOf(r) != source {
			return nil
		}
		return &r.SeqNo
	}
}

// resendContent derives a resend's content from its category (CONTRACT.md, DocumentResend).
// A resend has content in at most one source; the others load nothing.
func resendContent(ctx context.Context, r *models.DocumentResend) ([]string, error) {
	content := []string{}
	if sourceOf(r) == fromOcrImage && r.OcrImageID != nil && *r.OcrImageID != "" {
		content = append(content, *r.OcrImageID)
	}
	surveys, err := resendEddSurveys.load(ctx, r)
	if err != nil {
		return nil, err
	}
	for _, s := range surveys {
		content = append(content, strconv.FormatInt(s.SeqNo, 10))
	}
	images, err := resendFinancialImages.load(ctx, r)
	if err != nil {
		return nil, err
	}
	for _, img := range images {
		if img.ImageID != nil && *img.ImageID != "" {
			content = append(content, *img.ImageID)
		}
	}
	return content, nil
}

// newestFlag is the newest of an application's flags, which come oldest first.
func newestFlag(flags []*models.ManualReviewFlag, err error) (*models.ManualReviewFlag, error) {
	if err != nil || len(flags) == 0 {
		return nil, err
	}
	return flags[len(flags)-1], nil
}

// abnormalPids lists the ID numbers of an application's abnormal-account matches.
func abnormalPids(rows []*store.AbnormalPid, err error) ([]string, error) {
	if err != nil {
		return nil, err
	}
	pids := make([]string, len(rows))
	for i, p := range rows {
		pids[i] = p.Idno
	}
	return pids, nil
}
