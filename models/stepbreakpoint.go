package models

import (
	"context"
	"time"
)

// StepNames are the eleven break points (斷點) of the account-opening flow, in order.
var StepNames = [11]string{
	"手機與身分證輸入",
	"會員邀請碼輸入",
	"開戶目的與工作資訊",
	"他行帳戶驗證",
	"OCR第一證件確認",
	"OCR第二證件",
	"身分證資料驗證",
	"FaceID",
	"聯絡資訊",
	"稅務資料",
	"會員使用者代號註冊",
}

// StepBreakPoint records how far an application got: one row per application, a state and an
// update time for each of the eleven steps. The table is wide because the middle platform's is.
type StepBreakPoint struct {
	SeqNo             string     `gorm:"column:seq_no;primaryKey"`
	CreateMasterSeqNo string     `gorm:"column:create_master_seq_no"`
	Step01State       *string    `gorm:"column:step01_state"`
	Step01At          *time.Time `gorm:"column:step01_update_time"`
	Step02State       *string    `gorm:"column:step02_state"`
	Step02At          *time.Time `gorm:"column:step02_update_time"`
	Step03State       *string    `gorm:"column:step03_state"`
	Step03At          *time.Time `gorm:"column:step03_update_time"`
	Step04State       *string    `gorm:"column:step04_state"`
	Step04At          *time.Time `gorm:"column:step04_update_time"`
	Step05State       *string    `gorm:"column:step05_state"`
	Step05At          *time.Time `gorm:"column:step05_update_time"`
	Step06State       *string    `gorm:"column:step06_state"`
	Step06At          *time.Time `gorm:"column:step06_update_time"`
	Step07State       *string    `gorm:"column:step07_state"`
	Step07At          *time.Time `gorm:"column:step07_update_time"`
	Step08State       *string    `gorm:"column:step08_state"`
	Step08At          *time.Time `gorm:"column:step08_update_time"`
	Step09State       *string    `gorm:"column:step09_state"`
	Step09At          *time.Time `gorm:"column:step09_update_time"`
	Step10State       *string    `gorm:"column:step10_state"`
	Step10At          *time.Time `gorm:"column:step10_update_time"`
	Step11State       *string    `gorm:"column:step11_state"`
	Step11At          *time.Time `gorm:"column:step11_update_time"`
	Stamps
}

func (StepBreakPoint) TableName() string { return "account.step_break_point" }

// Step is one break point of an application, as the GraphQL steps list shows it.
type Step struct {
	Number    int
	Name      string
	State     *string
	UpdatedAt *time.Time
	Done      bool
}

// Steps lists the eleven steps in order. A step is done when its state is recorded (not null,
// not empty): the flow writes a state only when the customer completes the step.
func (s *StepBreakPoint) Steps() []*Step {
	raw := [11]struct {
		state *string
		at    *time.Time
	}{
		{s.Step01State, s.Step01At},
		{s.Step02State, s.Step02At},
		{s.Step03State, s.Step03At},
		{s.Step04State, s.Step04At},
		{s.Step05State, s.Step05At},
		{s.Step06State, s.Step06At},
		{s.Step07State, s.Step07At},
		{s.Step08State, s.Step08At},
		{s.Step09State, s.Step09At},
		{s.Step10State, s.Step10At},
		{s.Step11State, s.Step11At},
	}
	steps := make([]*Step, len(raw))
	for i, r := range raw {
		steps[i] = &Step{
			Number:    i + 1,
			Name:      StepNames[i],
			State:     r.state,
			UpdatedAt: r.at,
			Done:      r.state != nil && *r.state != "",
		}
	}
	return steps
}

// LastCompletedStep is the highest-numbered done step, or nil when none is done.
func (s *StepBreakPoint) LastCompletedStep() *Step {
	steps := s.Steps()
	for i := len(steps) - 1; i >= 0; i-- {
		if steps[i].Done {
			return steps[i]
		}
	}
	return nil
}

// The legacy per-step date and time strings.
func (s *StepBreakPoint) Step01UpdateDate(ctx context.Context) *string {
	return dateOf(ctx, s.Step01At)
}
func (s *StepBreakPoint) Step01UpdateTime(ctx context.Context) *string {
	return clockOf(ctx, s.Step01At)
}
func (s *StepBreakPoint) Step02UpdateDate(ctx context.Context) *string {
	return dateOf(ctx, s.Step02At)
}
func (s *StepBreakPoint) Step02UpdateTime(ctx context.Context) *string {
	return clockOf(ctx, s.Step02At)
}
func (s *StepBreakPoint) Step03UpdateDate(ctx context.Context) *string {
	return dateOf(ctx, s.Step03At)
}
func (s *StepBreakPoint) Step03UpdateTime(ctx context.Context) *string {
	return clockOf(ctx, s.Step03At)
}
func (s *StepBreakPoint) Step04UpdateDate(ctx context.Context) *string {
	return dateOf(ctx, s.Step04At)
}
func (s *StepBreakPoint) Step04UpdateTime(ctx context.Context) *string {
	return clockOf(ctx, s.Step04At)
}
func (s *StepBreakPoint) Step05UpdateDate(ctx context.Context) *string {
	return dateOf(ctx, s.Step05At)
}
func (s *StepBreakPoint) Step05UpdateTime(ctx context.Context) *string {
	return clockOf(ctx, s.Step05At)
}
func (s *StepBreakPoint) Step06UpdateDate(ctx context.Context) *string {
	return dateOf(ctx, s.Step06At)
}
func (s *StepBreakPoint) Step06UpdateTime(ctx context.Context) *string {
	return clockOf(ctx, s.Step06At)
}
func (s *StepBreakPoint) Step07UpdateDate(ctx context.Context) *string {
	return dateOf(ctx, s.Step07At)
}
func (s *StepBreakPoint) Step07UpdateTime(ctx context.Context) *string {
	return clockOf(ctx, s.Step07At)
}
func (s *StepBreakPoint) Step08UpdateDate(ctx context.Context) *string {
	return dateOf(ctx, s.Step08At)
}
func (s *StepBreakPoint) Step08UpdateTime(ctx context.Context) *string {
	return clockOf(ctx, s.Step08At)
}
func (s *StepBreakPoint) Step09UpdateDate(ctx context.Context) *string {
	return dateOf(ctx, s.Step09At)
}
func (s *StepBreakPoint) Step09UpdateTime(ctx context.Context) *string {
	return clockOf(ctx, s.Step09At)
}
func (s *StepBreakPoint) Step10UpdateDate(ctx context.Context) *string {
	return dateOf(ctx, s.Step10At)
}
func (s *StepBreakPoint) Step10UpdateTime(ctx context.Context) *string {
	return clockOf(ctx, s.Step10At)
}
func (s *StepBreakPoint) Step11UpdateDate(ctx context.Context) *string {
	return dateOf(ctx, s.Step11At)
}
func (s *StepBreakPoint) Step11UpdateTime(ctx context.Context) *string {
	return clockOf(ctx, s.Step11At)
}
