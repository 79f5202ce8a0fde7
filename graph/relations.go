package graph

import (
	"context"
	"strconv"

	"createinfo/loaders"
	"createinfo/models"
)

// relations is the relation graph of the schema, written once: for each parent type, the
// edges that serve its resolver fields. An edge names the fields it serves, the type of the
// rows it leads to (whose own edges continue below it) and how it reads them: which loader,
// keyed by which value of the parent row. The resolvers load through their edge (so a resolver
// cannot key a relation differently from the priming), and prime walks the query's selection
// along the same edges. A new relation is one line here and a one-line resolver;
// TestRelationsMatchSchema fails when a resolver field has no edge or an edge names a field
// or type the schema lacks.
var relations = map[string][]edge{
	"Application": {
		{fields("stepBreakPoint"), "StepBreakPoint", applicationStepBreakPoint},
		{fields("createDetails"), "CreateDetail", applicationCreateDetails},
		{fields("documentResends"), "DocumentResend", applicationDocumentResends},
		// The newest flag is the last of all flags: both fields read the one loader.
		{fields("manualReviewFlags", "manualReviewFlag"), "ManualReviewFlag", applicationManualReviewFlags},
		{fields("tellerCheckRecords"), "TellerCheckRecord", applicationTellerCheckRecords},
		{fields("abnormalPid"), "", applicationAbnormalPids},
	},
	"CreateDetail": {
		{fields("industry"), "CodeName", detailIndustry},
		{fields("job"), "CodeName", detailJob},
		{fields("idIssueCity"), "CodeName", detailIDIssueCity},
		{fields("idIssueWay"), "CodeName", detailIDIssueWay},
	},
	"DocumentResend": {
		// resendContent comes from one of these, or from the resend's own row, by category.
		{fields("resendContent"), "", resendEddSurveys},
		{fields("resendContent"), "", resendFinancialImages},
	},
	"ManualReviewFlag": {
		{fields("amlFlagDetail"), "AmlFlagDetail", flagAml},
		{fields("ocrFlagDetail"), "OcrFlagDetail", flagOcr},
		{fields("z21FlagDetail"), "Z21FlagDetail", flagZ21},
		{fields("z22FlagDetail"), "Z22FlagDetail", flagZ22},
		{fields("payTaxes"), "PayTax", flagPayTaxes},
	},
	"OcrFlagDetail": {
		{fields("idIssueWay"), "CodeName", ocrIDIssueWay},
	},
	"PayTax": {
		{fields("countryCode"), "CodeName", payTaxCountry},
	},
}

// The edges, each a loader and the parent's key into it.
var (
	applicationStepBreakPoint    = toOne(func(l *loaders.Loaders) *loaders.Relation[string, *models.StepBreakPoint] { return l.StepBreakPoint }, applicationSeqNo)
	applicationCreateDetails     = toMany(func(l *loaders.Loaders) *loaders.Relation[string, []*models.CreateDetail] { return l.CreateDetails }, applicationSeqNo)
	applicationDocumentResends   = toMany(func(l *loaders.Loaders) *loaders.Relation[string, []*models.DocumentResend] { return l.DocumentResends }, applicationSeqNo)
	applicationManualReviewFlags = toMany(func(l *loaders.Loaders) *loaders.Relation[string, []*models.ManualReviewFlag] {
		return l.ManualReviewFlags
	}, applicationSeqNo)
	applicationTellerCheckRecords = toMany(func(l *loaders.Loaders) *loaders.Relation[string, []*models.TellerCheckRecord] {
		return l.TellerCheckRecords
	}, applicationSeqNo)
	applicationAbnormalPids = toMany(func(l *loaders.Loaders) *loaders.Relation[string, []*loaders.AbnormalPid] { return l.AbnormalPids }, applicationSeqNo)

	detailIndustry    = toCode(func(l *loaders.Loaders) codeRelation { return l.Industry }, func(d *models.CreateDetail) *string { return d.IndustryCode })
	detailJob         = toCode(func(l *loaders.Loaders) codeRelation { return l.Job }, func(d *models.CreateDetail) *string { return d.JobCode })
	detailIDIssueCity = toCode(func(l *loaders.Loaders) codeRelation { return l.IDIssueCity }, func(d *models.CreateDetail) *string { return d.IdIssueCityCode })
	detailIDIssueWay  = toCode(func(l *loaders.Loaders) codeRelation { return l.IDIssueWay }, func(d *models.CreateDetail) *string { return d.IdIssueWayCode })

	resendEddSurveys      = toMany(func(l *loaders.Loaders) *loaders.Relation[int64, []*models.EddSurvey] { return l.EddSurveys }, resendKeyFrom(fromEddSurveys))
	resendFinancialImages = toMany(func(l *loaders.Loaders) *loaders.Relation[int64, []*models.FinancialImage] { return l.FinancialImages }, resendKeyFrom(fromFinancialImages))

	flagAml      = toOne(func(l *loaders.Loaders) *loaders.Relation[int64, *models.AmlFlagDetail] { return l.AmlFlagDetail }, func(f *models.ManualReviewFlag) *int64 { return f.Aml })
	flagOcr      = toOne(func(l *loaders.Loaders) *loaders.Relation[int64, *models.OcrFlagDetail] { return l.OcrFlagDetail }, func(f *models.ManualReviewFlag) *int64 { return f.Ocr })
	flagZ21      = toOne(func(l *loaders.Loaders) *loaders.Relation[int64, *models.Z21FlagDetail] { return l.Z21FlagDetail }, func(f *models.ManualReviewFlag) *int64 { return f.Z21 })
	flagZ22      = toOne(func(l *loaders.Loaders) *loaders.Relation[int64, *models.Z22FlagDetail] { return l.Z22FlagDetail }, func(f *models.ManualReviewFlag) *int64 { return f.Z22 })
	flagPayTaxes = toMany(func(l *loaders.Loaders) *loaders.Relation[string, []*models.PayTax] { return l.PayTaxes }, func(f *models.ManualReviewFlag) *string { return &f.CreateMasterSeqNo })

	ocrIDIssueWay = toCode(func(l *loaders.Loaders) codeRelation { return l.IDIssueWay }, func(o *models.OcrFlagDetail) *string { return o.IdIssueWayCode })
	payTaxCountry = toCode(func(l *loaders.Loaders) codeRelation { return l.Country }, func(p *models.PayTax) *string { return p.Country })
)

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
func abnormalPids(rows []*loaders.AbnormalPid, err error) ([]string, error) {
	if err != nil {
		return nil, err
	}
	pids := make([]string, len(rows))
	for i, p := range rows {
		pids[i] = p.Idno
	}
	return pids, nil
}
