package loaders

import (
	"context"

	"gorm.io/gorm"

	"createinfo/models"
)

// newCodeLoader loads code names from one code table.
func newCodeLoader(o batchOptions, table string) *Relation[string, *models.CodeName] {
	fetch := func(ctx context.Context, db *gorm.DB, keys []string) ([]*models.CodeName, error) {
		var rows []*models.CodeName
		err := db.WithContext(ctx).Table(table).Where("code IN ?", keys).Find(&rows).Error
		return rows, err
	}
	return newOneToOne(o, fetch, func(c *models.CodeName) string { return c.Code }, nil)
}
