package graph

import (
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
	// The resends with the sources of their content (resendContent, a method of the model).
	many(ApplicationResolver.DocumentResends, applicationSeqNo, store.Resends),
	// The newest flag is the last of all flags: both fields read the one loader.
	also(applicationManualReviewFlags, ApplicationResolver.ManualReviewFlag),
	many(ApplicationResolver.TellerCheckRecords, applicationSeqNo, store.By[string, models.TellerCheckRecord]("create_master_seq_no", childOrder)),
	applicationAbnormalPids,

	code(CreateDetailResolver.Industry, func(d *models.CreateDetail) *string { return d.IndustryCode }, industry),
	code(CreateDetailResolver.Job, func(d *models.CreateDetail) *string { return d.JobCode }, job),
	code(CreateDetailResolver.IDIssueCity, func(d *models.CreateDetail) *string { return d.IdIssueCityCode }, idIssueCity),
	code(CreateDetailResolver.IDIssueWay, func(d *models.CreateDetail) *string { return d.IdIssueWayCode }, idIssueWay),

	// A flag's details are read with the flags, in their statement.
	one(ManualReviewFlagResolver.AmlFlagDetail, func(f *models.ManualReviewFlag) *int64 { return f.Aml }, store.By[int64, models.AmlFlagDetail]("seq_no", "seq_no")).joined(),
	one(ManualReviewFlagResolver.OcrFlagDetail, func(f *models.ManualReviewFlag) *int64 { return f.Ocr }, store.By[int64, models.OcrFlagDetail]("seq_no", "seq_no")).joined(),
	one(ManualReviewFlagResolver.Z21FlagDetail, func(f *models.ManualReviewFlag) *int64 { return f.Z21 }, store.By[int64, models.Z21FlagDetail]("seq_no", "seq_no")).joined(),
	one(ManualReviewFlagResolver.Z22FlagDetail, func(f *models.ManualReviewFlag) *int64 { return f.Z22 }, store.By[int64, models.Z22FlagDetail]("seq_no", "seq_no")).joined(),
	// The tax residences of the application's applicant (by idno), by the application's seqNo:
	// read with the flags, not after them.
	soon(applicationSeqNo, many(ManualReviewFlagResolver.PayTaxes, func(f *models.ManualReviewFlag) *string { return &f.CreateMasterSeqNo }, store.PayTaxes)),

	code(OcrFlagDetailResolver.IDIssueWay, func(o *models.OcrFlagDetail) *string { return o.IdIssueWayCode }, idIssueWay),
	code(PayTaxResolver.CountryCode, func(p *models.PayTax) *string { return p.Country }, country),
)

// The lines that hand-written resolvers name.
var (
	applicationManualReviewFlags = many(ApplicationResolver.ManualReviewFlags, applicationSeqNo, store.By[string, models.ManualReviewFlag]("create_master_seq_no", childOrder))
	applicationAbnormalPids      = derived(ApplicationResolver.AbnormalPid, applicationSeqNo, store.AbnormalPids)
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
