package models

import (
	"context"
	"time"
)

// TellerCheckRecord is one review (審核) of an application by a teller and a manager.
type TellerCheckRecord struct {
	SeqNo             int64      `gorm:"column:seq_no;primaryKey"`
	CreateMasterSeqNo string     `gorm:"column:create_master_seq_no"`
	TellerNo          *string    `gorm:"column:teller_no"`
	TellerCheckAt     *time.Time `gorm:"column:teller_check_time"`
	TellerMemo        *string    `gorm:"column:teller_memo"`
	ManagerNo         *string    `gorm:"column:manager_no"`
	ManagerCheckAt    *time.Time `gorm:"column:manager_check_time"`
	ManagerMemo       *string    `gorm:"column:manager_memo"`
	CheckStatus       *string    `gorm:"column:check_status"`
	Stamps
}

func (TellerCheckRecord) TableName() string { return "account.teller_check_record" }

func (t *TellerCheckRecord) TellerCheckDate(ctx context.Context) *string {
	return dateOf(ctx, t.TellerCheckAt)
}
func (t *TellerCheckRecord) TellerCheckTime(ctx context.Context) *string {
	return clockOf(ctx, t.TellerCheckAt)
}
func (t *TellerCheckRecord) ManagerCheckDate(ctx context.Context) *string {
	return dateOf(ctx, t.ManagerCheckAt)
}
func (t *TellerCheckRecord) ManagerCheckTime(ctx context.Context) *string {
	return clockOf(ctx, t.ManagerCheckAt)
}
