package loaders

import (
	"context"

	"github.com/99designs/gqlgen/graphql"
	"github.com/vektah/gqlparser/v2/ast"

	"createinfo/models"
)

// Priming makes batching deterministic. A dataloader batch closes a fixed wait after its
// first key; on two cores the hundreds of resolvers of a large tree reach the next level's
// loaders over tens of milliseconds, so a short wait splits a level into several statements
// and a long one makes every level slow. Instead, the moment the rows of a level are known
// (the root resolver for the applications, each batch function for the levels below), the
// next level is fetched at once for the child fields the query selects, and only those, and
// primed into the loaders' caches: one statement per selected relation whatever the number of
// applications, and the resolvers wait for no timer. The relations of a level are fetched
// concurrently; the dataloader batching stays as the path for anything not primed.

// selection lists the child fields selected at the level whose rows are being primed, by
// field name (not alias), with each child's own selection for the level below. The selection
// comes from the context of the first load of the batch: a primed load carries it explicitly
// (see childContext); a resolver's own load has it in its gqlgen field context. Outside
// GraphQL it is empty, and nothing is primed.
func selection(ctx context.Context) map[string]level {
	lv, ok := ctx.Value(levelKey{}).(level)
	if !ok {
		fc := graphql.GetFieldContext(ctx)
		if fc == nil || fc.Field.Field == nil || fc.Field.Definition == nil {
			return nil
		}
		lv = level{fc.Field.Selections, fc.Field.Definition.Type.Name()}
	}
	if !graphql.HasOperationContext(ctx) {
		return nil
	}
	sel := map[string]level{}
	for _, f := range graphql.CollectFields(graphql.GetOperationContext(ctx), lv.selections, []string{lv.typeName}) {
		child := sel[f.Name]
		child.selections = append(child.selections, f.Selections...) // the same field twice: merge
		if f.Definition != nil {
			child.typeName = f.Definition.Type.Name()
		}
		sel[f.Name] = child
	}
	return sel
}

// level is a selection set and the type it selects on.
type level struct {
	selections ast.SelectionSet
	typeName   string
}

func (l level) selected() bool { return len(l.selections) > 0 || l.typeName != "" }

type levelKey struct{}

// childContext carries a child field's selection to the batch its primed keys start.
func childContext(ctx context.Context, child level) context.Context {
	return context.WithValue(ctx, levelKey{}, child)
}

// fillIf returns a task fetching keys into r when the child field is selected.
func fillIf[K comparable, V any](ctx context.Context, child level, r *Relation[K, V], keys []K) func() {
	return func() {
		if child.selected() && len(keys) > 0 {
			r.fill(childContext(ctx, child), keys)
		}
	}
}

// keysOf collects the non-nil, non-empty keys that key returns for rows.
func keysOf[R any, K comparable](rows []R, key func(R) *K) []K {
	var zero K
	keys := make([]K, 0, len(rows))
	for _, r := range rows {
		if k := key(r); k != nil && *k != zero {
			keys = append(keys, *k)
		}
	}
	return keys
}

// PrimeApplications fetches the children of the given applications that the query in ctx
// selects. The root resolver calls it with the applications it found.
func (l *Loaders) PrimeApplications(ctx context.Context, apps []*models.Application) {
	sel := selection(ctx)
	flags := sel["manualReviewFlags"]
	if one, ok := sel["manualReviewFlag"]; ok { // the newest flag comes from the same loader
		flags.selections = append(append(ast.SelectionSet{}, flags.selections...), one.selections...)
		flags.typeName = one.typeName
	}
	seqNos := keysOf(apps, func(a *models.Application) *string { return &a.SeqNo })
	concurrently(
		fillIf(ctx, sel["stepBreakPoint"], l.StepBreakPoint, seqNos),
		fillIf(ctx, sel["createDetails"], l.CreateDetails, seqNos),
		fillIf(ctx, sel["documentResends"], l.DocumentResends, seqNos),
		fillIf(ctx, flags, l.ManualReviewFlags, seqNos),
		fillIf(ctx, sel["tellerCheckRecords"], l.TellerCheckRecords, seqNos),
		fillIf(ctx, sel["abnormalPid"], l.AbnormalPids, seqNos),
	)
}

func (l *Loaders) primeCreateDetails(ctx context.Context, rows []*models.CreateDetail) {
	sel := selection(ctx)
	concurrently(
		fillIf(ctx, sel["industry"], l.Industry, keysOf(rows, func(d *models.CreateDetail) *string { return d.IndustryCode })),
		fillIf(ctx, sel["job"], l.Job, keysOf(rows, func(d *models.CreateDetail) *string { return d.JobCode })),
		fillIf(ctx, sel["idIssueCity"], l.IDIssueCity, keysOf(rows, func(d *models.CreateDetail) *string { return d.IdIssueCityCode })),
		fillIf(ctx, sel["idIssueWay"], l.IDIssueWay, keysOf(rows, func(d *models.CreateDetail) *string { return d.IdIssueWayCode })),
	)
}

func (l *Loaders) primeDocumentResends(ctx context.Context, rows []*models.DocumentResend) {
	content := selection(ctx)["resendContent"]
	inCategory := func(category string) []int64 {
		return keysOf(rows, func(r *models.DocumentResend) *int64 {
			if r.Category == nil || *r.Category != category {
				return nil
			}
			return &r.SeqNo
		})
	}
	concurrently(
		fillIf(ctx, content, l.EddSurveys, inCategory(models.CategoryEDD)),
		fillIf(ctx, content, l.FinancialImages, inCategory(models.CategoryFinancialProof)),
	)
}

func (l *Loaders) primeManualReviewFlags(ctx context.Context, rows []*models.ManualReviewFlag) {
	sel := selection(ctx)
	concurrently(
		fillIf(ctx, sel["amlFlagDetail"], l.AmlFlagDetail, keysOf(rows, func(f *models.ManualReviewFlag) *int64 { return f.Aml })),
		fillIf(ctx, sel["ocrFlagDetail"], l.OcrFlagDetail, keysOf(rows, func(f *models.ManualReviewFlag) *int64 { return f.Ocr })),
		fillIf(ctx, sel["z21FlagDetail"], l.Z21FlagDetail, keysOf(rows, func(f *models.ManualReviewFlag) *int64 { return f.Z21 })),
		fillIf(ctx, sel["z22FlagDetail"], l.Z22FlagDetail, keysOf(rows, func(f *models.ManualReviewFlag) *int64 { return f.Z22 })),
		fillIf(ctx, sel["payTaxes"], l.PayTaxes, keysOf(rows, func(f *models.ManualReviewFlag) *string { return &f.CreateMasterSeqNo })),
	)
}

func (l *Loaders) primeOcrFlagDetails(ctx context.Context, rows []*models.OcrFlagDetail) {
	fillIf(ctx, selection(ctx)["idIssueWay"], l.IDIssueWay, keysOf(rows, func(o *models.OcrFlagDetail) *string { return o.IdIssueWayCode }))()
}

func (l *Loaders) primePayTaxes(ctx context.Context, rows []*models.PayTax) {
	fillIf(ctx, selection(ctx)["countryCode"], l.Country, keysOf(rows, func(p *models.PayTax) *string { return p.Country }))()
}
