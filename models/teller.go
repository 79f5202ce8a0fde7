package models

import "time"

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
	CreatedAt         time.Time  `gorm:"column:create_time;autoCreateTime:false"`
	UpdatedAt         *time.Time `gorm:"column:update_time;autoUpdateTime:false"`
}

func (TellerCheckRecord) TableName() string { return "account.teller_check_record" }

func (t *TellerCheckRecord) TellerCheckDate() *string  { return dateOf(t.TellerCheckAt) }
func (t *TellerCheckRecord) TellerCheckTime() *string  { return clockOf(t.TellerCheckAt) }
func (t *TellerCheckRecord) ManagerCheckDate() *string { return dateOf(t.ManagerCheckAt) }
func (t *TellerCheckRecord) ManagerCheckTime() *string { return clockOf(t.ManagerCheckAt) }
func (t *TellerCheckRecord) CreateDateTime() *string   { return dateTimeOf(&t.CreatedAt) }
func (t *TellerCheckRecord) UpdateDateTime() *string   { return dateTimeOf(t.UpdatedAt) }
