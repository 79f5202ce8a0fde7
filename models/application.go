package models

import (
	"context"
	"time"
)

// Application is one row of the application master (Account.CreateMaster).
type Application struct {
	SeqNo       string  `gorm:"column:seq_no;primaryKey"`
	PhoneNumber *string `gorm:"column:phone_number"`
	Idno        *string `gorm:"column:idno"`
	Name        *string `gorm:"column:name"`
	MgmCode     *string `gorm:"column:mgm_code"`
	Status      *string `gorm:"column:status"`
	RejectMemo  *string `gorm:"column:reject_memo"`
	Stamps
	IsFirstUse         bool       `gorm:"column:is_first_use"`
	IsArchived         bool       `gorm:"column:is_archived"`
	LastStepAt         *time.Time `gorm:"column:last_step_time"`
	MemberProfileSeqNo *string    `gorm:"column:member_profile_seq_no"`
}

func (Application) TableName() string { return "account.create_master" }

func (a *Application) LastStepDateTime(ctx context.Context) *string {
	return dateTimeOf(ctx, a.LastStepAt)
}
