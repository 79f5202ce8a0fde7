package graph

import (
	"context"
	"createinfo/internal/apperr"
	"createinfo/internal/audit"
	"fmt"
	"strconv"

	"createinfo/loaders"
	"createinfo/models"
)

// lookup reads the applications matching every condition, newest first. It asks for one row
// more than the maximum, so that too many matches answer TOO_MANY_RESULTS instead of a list
// silently cut short.
func (r *Resolver) lookup(ctx context.Context, c Conditions) ([]*models.Application, error) {
	q := r.DB.WithContext(ctx)
	if c.Idno != "" {
		q = q.Where("idno = ?", c.Idno)
	}
	if c.Phone != "" {
		q = q.Where("phone_number = ?", c.Phone)
	}
	if c.SeqNo != "" {
		q = q.Where("seq_no = ?", c.SeqNo)
	}
	var apps []*models.Application
	if err := q.Order("create_time DESC, seq_no").Limit(r.MaxResults + 1).Find(&apps).Error; err != nil {
		return nil, fmt.Errorf("lookup applications: %w", err)
	}
	if len(apps) > r.MaxResults {
		return nil, errorf(apperr.TooManyResults, "more than "+strconv.Itoa(r.MaxResults)+
			" applications match; narrow the lookup with more conditions")
	}
	seqNos := make([]string, len(apps))
	for i, a := range apps {
		seqNos[i] = a.SeqNo
	}
	audit.SetResult(audit.FromContext(ctx), seqNos)
	loaders.For(ctx).PrimeApplications(ctx, apps)
	return apps, nil
}

// newestFlag is the newest of an application's flags, which come oldest first.
func newestFlag(flags []*models.ManualReviewFlag) *models.ManualReviewFlag {
	if len(flags) == 0 {
		return nil
	}
	return flags[len(flags)-1]
}

// resendContent derives a resend's content from its category (CONTRACT.md, DocumentResend).
func resendContent(ctx context.Context, r *models.DocumentResend) ([]string, error) {
	content := []string{}
	if r.Category == nil {
		return content, nil
	}
	switch *r.Category {
	case models.CategoryFirstCertificate, models.CategorySecondCertificate, models.CategoryLossNationalityProof:
		if r.OcrImageID != nil && *r.OcrImageID != "" {
			content = append(content, *r.OcrImageID)
		}
	case models.CategoryEDD:
		surveys, err := load(ctx, loaders.For(ctx).EddSurveys, r.SeqNo)
		if err != nil {
			return nil, err
		}
		for _, s := range surveys {
			content = append(content, strconv.FormatInt(s.SeqNo, 10))
		}
	case models.CategoryFinancialProof:
		images, err := load(ctx, loaders.For(ctx).FinancialImages, r.SeqNo)
		if err != nil {
			return nil, err
		}
		for _, img := range images {
			if img.ImageID != nil && *img.ImageID != "" {
				content = append(content, *img.ImageID)
			}
		}
	}
	return content, nil
}

// abnormalPids lists the ID numbers of an application's abnormal-account matches.
func abnormalPids(ctx context.Context, seqNo string) ([]string, error) {
	rows, err := load(ctx, loaders.For(ctx).AbnormalPids, seqNo)
	if err != nil {
		return nil, err
	}
	pids := make([]string, len(rows))
	for i, p := range rows {
		pids[i] = p.Idno
	}
	return pids, nil
}
